// Tests of the news family's text features: tokenisation and TF-IDF vectors, checked against
// values computed by hand from the formulas in text_features.h.
#include "trainers/news/text_features.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace recplat::news {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  Tokenize(text, &out);
  return out;
}

TEST(TokenizeTest, LowercasesSplitsAndDropsNoise) {
  EXPECT_THAT(Words("Storm HITS the Coast, 2024: a 5G-network down!"),
              ElementsAre("storm", "hits", "coast", "5g", "network", "down"));
  EXPECT_THAT(Words("  ...  "), IsEmpty());
  EXPECT_THAT(Words("x y z 42 1999"), IsEmpty());  // Too short, numbers.
}

TEST(TokenizeTest, KeepsUtf8WordsWhole) {
  EXPECT_THAT(Words("L'\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac News"),
              ElementsAre("\xc3\xa9t\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "news"));
}

models::ItemInfo Article(std::string title, std::vector<std::string> keywords,
                         std::string text = "") {
  models::ItemInfo info;
  info.title = std::move(title);
  info.categories = std::move(keywords);
  info.text = std::move(text);
  return info;
}

TEST(ContentIndexTest, TfIdfByHand) {
  // Titles only (keyword and text weights 0): doc0 "storm storm coast", doc1 "coast".
  FieldWeights w{0, 1, 0, /*max_document_frequency=*/1};
  ContentIndex index = BuildContentIndex({Article("storm storm coast", {}), Article("coast", {})}, w);
  ASSERT_EQ(index.num_terms, 2u);  // storm = 0, coast = 1 (first appearance).
  ASSERT_EQ(index.items.rows(), 2u);
  // N = 2; idf(storm) = log(3/2) + 1, idf(coast) = log(3/3) + 1 = 1; tf(storm) = 1 + log 2.
  const double storm = (1 + std::log(2.0)) * (std::log(1.5) + 1), coast = 1.0;
  const double norm = std::sqrt(storm * storm + coast * coast);
  ASSERT_EQ(index.items.offsets, (std::vector<uint32_t>{0, 2, 3}));
  EXPECT_THAT(index.items.terms, ElementsAre(0u, 1u, 1u));
  EXPECT_NEAR(index.items.weights[0], storm / norm, 1e-6);
  EXPECT_NEAR(index.items.weights[1], coast / norm, 1e-6);
  EXPECT_NEAR(index.items.weights[2], 1.0, 1e-6);
}

TEST(ContentIndexTest, KeywordsAreWholeTermsAndFieldsAreWeighted) {
  FieldWeights w{3, 1, 0};
  // Keyword "US News" must not match the title word "news".
  ContentIndex index =
      BuildContentIndex({Article("news", {"US News"}), Article("other", {"us news"})}, w);
  ASSERT_EQ(index.num_terms, 3u);  // kw:us news, news, other
  // doc1's keyword is the same term as doc0's (lowercased).
  EXPECT_EQ(index.items.terms[index.items.offsets[1]], 0u);
  // doc0: keyword tf 3 × idf 1 (in both docs), title "news" tf 1 × idf(log 1.5 + 1).
  const double kw = 3.0, title = std::log(1.5) + 1, norm = std::sqrt(kw * kw + title * title);
  EXPECT_NEAR(index.items.weights[0], kw / norm, 1e-6);
  EXPECT_NEAR(index.items.weights[1], title / norm, 1e-6);
}

TEST(ContentIndexTest, WordsInMostDocumentsAreDroppedKeywordsKept) {
  FieldWeights w;
  w.max_document_frequency = 0.5;
  ContentIndex index = BuildContentIndex(
      {Article("daily storm", {"weather"}), Article("daily vote", {"weather"}),
       Article("daily match", {"sports"})},
      w);
  // "daily" (3 of 3 documents) is dropped; "kw:weather" (2 of 3) is a keyword and stays.
  ASSERT_EQ(index.num_terms, 6u);
  EXPECT_EQ(index.items.offsets, (std::vector<uint32_t>{0, 2, 4, 6}));
  for (uint32_t t : index.items.terms) EXPECT_NE(t, 1u);  // kw:weather = 0, daily = 1.
}

TEST(ContentIndexTest, DeadAndEmptyItemsGetEmptyRows) {
  models::ItemInfo dead = Article("storm", {"weather"});
  dead.live = false;
  FieldWeights w;
  w.max_document_frequency = 1;
  ContentIndex index = BuildContentIndex({dead, Article("", {}), Article("storm", {})}, w);
  EXPECT_EQ(index.items.offsets, (std::vector<uint32_t>{0, 0, 0, 1}));
  EXPECT_EQ(index.num_terms, 1u);  // The dead item's terms never entered the vocabulary.
}

TEST(ContentIndexTest, TransposeListsItemsPerTerm) {
  SparseRows rows;
  rows.offsets = {0, 2, 3, 5};
  rows.terms = {0, 2, 2, 0, 1};
  rows.weights = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
  SparseRows t = Transpose(rows, 3);
  EXPECT_EQ(t.offsets, (std::vector<uint32_t>{0, 2, 3, 5}));
  EXPECT_THAT(t.terms, ElementsAre(0u, 2u, 2u, 0u, 1u));
  EXPECT_THAT(t.weights, ElementsAre(0.1f, 0.4f, 0.5f, 0.2f, 0.3f));
}

}  // namespace
}  // namespace recplat::news
