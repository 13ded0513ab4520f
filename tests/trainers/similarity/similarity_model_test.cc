// The content_similarity family: params, fitting, serving, artifacts and the diversity re-rank.
#include "trainers/similarity/similarity_model.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "core/models/artifact_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/models/models_test_util.h"
#include "tests/testing/fake_model_family.h"
#include "tests/testing/status_matchers.h"
#include "tests/trainers/similarity/similarity_test_util.h"
#include "trainers/similarity/similarity_family.h"

namespace recplat::similarity {
namespace {

using ::recplat::models::ModelParams;
using ::recplat::models::RecommendContext;
using ::recplat::models::ScoredItem;
using ::recplat::models::testing::Items;
using ::recplat::models::testing::P;
using ::recplat::models::testing::SaveAndLoad;
using ::recplat::models::testing::SetFilter;
using ::recplat::similarity::testing::MakeItems;
using ::recplat::similarity::testing::RandomItems;
using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

// Distances are rounded to float: compare scores to hand-computed values within 1e-6.
auto ScoresNear(std::vector<double> expected) { return Pointwise(DoubleNear(1e-6), expected); }

// Items 0..5 on the price line 0, 10, 20, 40, 80, 100 (normalised /100); item 6 deleted.
models::TrainingData Line() {
  return MakeItems({{{{"price", 0}}, {}},
                    {{{"price", 10}}, {}},
                    {{{"price", 20}}, {}},
                    {{{"price", 40}}, {}},
                    {{{"price", 80}}, {}},
                    {{{"price", 100}}, {}},
                    {{{"price", 50}}, {}, false}});
}

std::unique_ptr<models::Model> Fit(const models::TrainingData& data,
                                   const ModelParams& params = {}) {
  absl::StatusOr<std::unique_ptr<models::Model>> m = ContentSimilarityFamily().Fit(data, params);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : nullptr;
}

RecommendContext Ctx(const std::vector<uint32_t>& anchors, const SetFilter* filter = nullptr) {
  RecommendContext ctx;
  ctx.anchors = anchors;
  ctx.filter = filter;
  return ctx;
}

std::vector<double> Scores(const std::vector<ScoredItem>& items) {
  std::vector<double> out;
  for (const ScoredItem& s : items) out.push_back(s.score);
  return out;
}

TEST(ContentSimilarityFamilyTest, NameAndParams) {
  ContentSimilarityFamily family;
  EXPECT_EQ(family.name(), "content_similarity");
  EXPECT_TRUE(family.uses_item_attributes());
  EXPECT_OK(family.ValidateParams({}));
  EXPECT_OK(family.ValidateParams(
      P({{"price_attribute", "cost"}, {"neighbors", "5"}, {"threads", "2"}})));
  EXPECT_THAT(family.ValidateParams(P({{"neighbours", "5"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("neighbours")));
  EXPECT_THAT(family.ValidateParams(P({{"neighbors", "0"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("neighbors")));
  EXPECT_THAT(family.ValidateParams(P({{"neighbors", "many"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(family.ValidateParams(P({{"threads", "-1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("threads")));
  EXPECT_THAT(family.ValidateParams(P({{"price_attribute", ""}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("price_attribute")));
  EXPECT_THAT(family.Fit(Line(), P({{"neighbors", "0"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(family.Fit(MakeItems({{}, {}}), {}), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(ContentSimilarityFamilyTest, RegistersOnce) {
  models::ModelFamilyRegistry registry;
  ASSERT_OK(RegisterSimilarityFamily(&registry));
  EXPECT_NE(registry.Find("content_similarity"), nullptr);
  EXPECT_THAT(RegisterSimilarityFamily(&registry), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(ContentSimilarityModelTest, ReadyOnlyWithAKnownAnchor) {
  std::unique_ptr<models::Model> m = Fit(Line());
  EXPECT_FALSE(m->Ready(Ctx({})));
  EXPECT_FALSE(m->Ready(Ctx({6, 99})));  // Deleted, out of range.
  EXPECT_TRUE(m->Ready(Ctx({99, 2})));
  RecommendContext history_only;
  const std::vector<uint32_t> history = {1, 2};
  history_only.user_history = history;
  EXPECT_FALSE(m->Ready(history_only));
}

TEST(ContentSimilarityModelTest, RetrieveFromTheFirstKnownAnchorRespectingTheFilter) {
  std::unique_ptr<models::Model> m = Fit(Line());
  std::vector<ScoredItem> out;
  ASSERT_OK(m->Retrieve(Ctx({6, 2, 5}), 10, &out));     // 6 is deleted: anchor 2 (0.2).
  EXPECT_THAT(Items(out), ElementsAre(1, 0, 3, 4, 5));  // 0 and 3 tie: lower index first.
  EXPECT_THAT(Scores(out), ScoresNear({-0.1, -0.2, -0.2, -0.6, -0.8}));
  SetFilter filter({1, 4});
  out.clear();
  ASSERT_OK(m->Retrieve(Ctx({2}, &filter), 2, &out));
  EXPECT_THAT(Items(out), ElementsAre(0, 3));
  out.clear();
  ASSERT_OK(m->Retrieve(Ctx({42}), 3, &out));
  EXPECT_TRUE(out.empty());
}

TEST(ContentSimilarityModelTest, RetrieveScansWhenTheFilterEmptiesTheList) {
  // Lists of 2; with the anchor's 2 nearest filtered out the rest comes from a scan, equal to
  // what full lists give.
  models::TrainingData data = RandomItems(300, 2, 2, 0.8, 3);
  std::unique_ptr<models::Model> cut = Fit(data, P({{"neighbors", "2"}}));
  std::unique_ptr<models::Model> full = Fit(data, P({{"neighbors", "1000"}}));
  std::vector<ScoredItem> first;
  ASSERT_OK(cut->Similar(0, 2, nullptr, &first));
  ASSERT_EQ(first.size(), 2u);
  SetFilter filter({first[0].item, first[1].item, 5});
  std::vector<ScoredItem> a, b;
  ASSERT_OK(cut->Retrieve(Ctx({0}, &filter), 20, &a));
  ASSERT_OK(full->Retrieve(Ctx({0}, &filter), 20, &b));
  EXPECT_EQ(Items(a), Items(b));
  EXPECT_EQ(Scores(a), Scores(b));
  EXPECT_EQ(a.size(), 20u);
}

TEST(ContentSimilarityModelTest, ScoreIsMinusTheExactDistanceToTheAnchor) {
  std::unique_ptr<models::Model> m = Fit(Line(), P({{"neighbors", "1"}}));
  // Anchor 1 (0.1): its list holds only item 0 or 2; 5 is computed from the features.
  std::vector<ScoredItem> items = {{5, 0}, {0, 0}, {6, 0}, {1, 0}, {77, 0}};
  ASSERT_OK(m->Score(Ctx({1}), items));
  EXPECT_THAT(Scores(items), ScoresNear({-0.9, -0.1, kUnknownScore, 0.0, kUnknownScore}));
  ASSERT_OK(m->Score(Ctx({}), items));
  for (const ScoredItem& s : items) EXPECT_EQ(s.score, kUnknownScore);
}

TEST(ContentSimilarityModelTest, ScoreAgreesWithTheStoredListsBitForBit) {
  std::unique_ptr<models::Model> m = Fit(RandomItems(400, 3, 3, 0.7, 4), P({{"neighbors", "20"}}));
  for (uint32_t anchor : {0u, 13u, 250u}) {
    std::vector<ScoredItem> similar;
    ASSERT_OK(m->Similar(anchor, 20, nullptr, &similar));
    std::vector<ScoredItem> scored = similar;
    ASSERT_OK(m->Score(Ctx({anchor}), scored));
    EXPECT_EQ(Scores(scored), Scores(similar)) << "anchor " << anchor;
  }
}

TEST(ContentSimilarityModelTest, SimilarIsTheFilteredNeighbourList) {
  std::unique_ptr<models::Model> m = Fit(Line());
  std::vector<ScoredItem> out;
  ASSERT_OK(m->Similar(4, 3, nullptr, &out));  // 0.8: 5 (0.2), 3 (0.4), 2 (0.6)
  EXPECT_THAT(Items(out), ElementsAre(5, 3, 2));
  SetFilter filter({5});
  out.clear();
  ASSERT_OK(m->Similar(4, 2, &filter, &out));
  EXPECT_THAT(Items(out), ElementsAre(3, 2));
  out.clear();
  ASSERT_OK(m->Similar(6, 3, nullptr, &out));
  EXPECT_TRUE(out.empty());
}

TEST(ContentSimilarityModelTest, SaveLoadRoundTrip) {
  TempDir tmp;
  ContentSimilarityFamily family;
  std::unique_ptr<models::Model> m = Fit(RandomItems(200, 3, 3, 0.7, 5), P({{"neighbors", "7"}}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<models::Model> loaded, SaveAndLoad(*m, family, tmp));
  EXPECT_EQ(loaded->Metrics(), m->Metrics());
  for (uint32_t item = 0; item < 200; item += 9) {
    std::vector<ScoredItem> a, b;
    ASSERT_OK(m->Similar(item, 30, nullptr, &a));
    ASSERT_OK(loaded->Similar(item, 30, nullptr, &b));
    EXPECT_EQ(Items(a), Items(b));
    EXPECT_EQ(Scores(a), Scores(b));
  }
  std::vector<ScoredItem> a = {{3, 0}, {150, 0}, {7, 0}}, b = a;
  ASSERT_OK(m->Score(Ctx({20}), a));
  ASSERT_OK(loaded->Score(Ctx({20}), b));
  EXPECT_EQ(Scores(a), Scores(b));
}

TEST(ContentSimilarityModelTest, CorruptOrForeignArtifactsAreDataLoss) {
  TempDir tmp;
  ContentSimilarityFamily family;
  EXPECT_THAT(family.Load(tmp.path() / "missing", {}), StatusIs(absl::StatusCode::kDataLoss));
  std::unique_ptr<models::Model> m = Fit(Line());
  const std::filesystem::path dir = tmp.path() / "m";
  std::filesystem::create_directories(dir);
  ASSERT_OK(m->Save(dir));
  const std::filesystem::path file = dir / models::kModelArtifactFile;
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 3);
  EXPECT_THAT(family.Load(dir, {}), StatusIs(absl::StatusCode::kDataLoss));
  const std::filesystem::path other = tmp.path() / "other";
  std::filesystem::create_directories(other);
  models::ArtifactWriter w("item_knn");
  ASSERT_OK(w.WriteFile(other / models::kModelArtifactFile));
  EXPECT_THAT(family.Load(other, {}), StatusIs(absl::StatusCode::kDataLoss));
}

// A(0,0), B(1,1), C(0.1,0), D(0,1) in (price, weight), all with both attributes (w = 1).
models::TrainingData Square() {
  return MakeItems({{{{"price", 0}, {"weight", 0}}, {}},
                    {{{"price", 100}, {"weight", 10}}, {}},
                    {{{"price", 10}, {"weight", 0}}, {}},
                    {{{"price", 0}, {"weight", 10}}, {}}});
}
constexpr uint32_t kA = 0, kB = 1, kC = 2, kD = 3;

TEST(DiversityRerankTest, GreedyMaxMeanPairwiseDistance) {
  std::unique_ptr<models::Model> m = Fit(Square());
  // From A: C 0.1, B 1.414, D 1 -> B. Then C: 0.1 + |BC| 1.345 = 1.445 vs D: 1 + 1 = 2 -> D.
  std::vector<ScoredItem> items = {{kA, 4}, {kC, 3}, {kB, 2}, {kD, 1}};
  ASSERT_OK(DiversityRerank(*m, 50, &items));
  EXPECT_THAT(Items(items), ElementsAre(kA, kB, kD, kC));
  EXPECT_THAT(Scores(items), ElementsAre(4, 2, 1, 3));  // Scores travel with their items.
  // Only the head is re-ranked.
  items = {{kA, 4}, {kC, 3}, {kB, 2}, {kD, 1}};
  ASSERT_OK(DiversityRerank(*m, 3, &items));
  EXPECT_THAT(Items(items), ElementsAre(kA, kB, kC, kD));
  items = {{kA, 4}, {kC, 3}, {kB, 2}, {kD, 1}};
  ASSERT_OK(DiversityRerank(*m, 2, &items));
  EXPECT_THAT(Items(items), ElementsAre(kA, kC, kB, kD));
}

TEST(DiversityRerankTest, UnknownItemsAreAtDistanceZeroAndTiesKeepOrder) {
  std::unique_ptr<models::Model> m = Fit(Square());
  std::vector<ScoredItem> items = {{kA, 0}, {77, 0}, {kC, 0}, {kB, 0}};
  ASSERT_OK(DiversityRerank(*m, 10, &items));
  EXPECT_THAT(Items(items), ElementsAre(kA, kB, kC, 77));
  // First item unknown: every sum stays 0, the order is kept.
  items = {{77, 0}, {kA, 0}, {kB, 0}, {kC, 0}};
  ASSERT_OK(DiversityRerank(*m, 10, &items));
  EXPECT_THAT(Items(items), ElementsAre(77, kA, kB, kC));
}

TEST(DiversityRerankTest, OtherModelsAreAFailedPrecondition) {
  recplat::testing::FakeModelFamily fake("fake");
  std::unique_ptr<recplat::testing::FakeModel> other = fake.MakeModel(1.0);
  std::vector<ScoredItem> items = {{1, 0}, {0, 0}, {2, 0}};
  EXPECT_THAT(DiversityRerank(*other, 10, &items), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Items(items), ElementsAre(1, 0, 2));
}

}  // namespace
}  // namespace recplat::similarity
