// The article_rec data preparation, step by step on hand-built views, and the articles file.
#include "frontends/batch/preprocess.h"

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::batch {
namespace {

constexpr int64_t kMin = 60 * 1000;

class PreprocessTest : public ::testing::Test {
 protected:
  void View(const std::string& client, const std::string& path, int64_t minute_ms) {
    table_.Add(table_.InternClient(client), table_.InternPath(path), minute_ms);
  }
  std::vector<Article> Articles(int n) {
    std::vector<Article> out;
    for (int i = 1; i <= n; ++i) {
      out.push_back({100 + i, "/a" + std::to_string(i), "t", std::nullopt});
    }
    return out;
  }
  PageViewTable table_;
  PreprocessStats stats_;
};

TEST_F(PreprocessTest, ComputesDwellTimesWithCapAndReaderMinimum) {
  // c1 reads a1 (2 min), a2 (3 min), then a1 again 30 min later: the gap is above the 10-minute
  // cap, so that row has no duration; c1's last row has none either.
  View("c1", "/a1", 0);
  View("c1", "/a2", 2 * kMin);
  View("c1", "/a1", 5 * kMin);  // the last view of (c1, /a1): kept
  View("c1", "/a2", 40 * kMin);
  // c2 reads a1 1 min, a2 1 min, then leaves.
  View("c2", "/a1", 0);
  View("c2", "/a2", kMin);
  View("c2", "/a1", 2 * kMin);
  // c3 reads for 20 s in all: below the 1-minute minimum.
  View("c3", "/a1", 0);
  View("c3", "/a2", 10 * 1000);
  View("c3", "/a1", 20 * 1000);
  const DwellData out = Preprocess(table_, Articles(2), {}, &stats_);
  ASSERT_EQ(out.clients, (std::vector<std::string>{"c1", "c2"}));
  // c1 rows after first/last: a1@0, a2@2, a1@5, a2@40 -> durations 2, 3, (35 = unknown).
  ASSERT_EQ(out.rows.size(), 4u);
  EXPECT_EQ(out.rows[0].article, 0u);
  EXPECT_DOUBLE_EQ(out.rows[0].seconds, 120);
  EXPECT_EQ(out.rows[1].article, 1u);
  EXPECT_DOUBLE_EQ(out.rows[1].seconds, 180);
  EXPECT_EQ(out.rows[2].client, 1u);
  EXPECT_DOUBLE_EQ(out.rows[2].seconds, 60);
  EXPECT_DOUBLE_EQ(out.rows[3].seconds, 60);
  EXPECT_EQ(stats_.clients_below_minimum, 1);
  EXPECT_EQ(stats_.articles_kept, 2);
  EXPECT_EQ(stats_.clients_kept, 2);
}

TEST_F(PreprocessTest, KeepsFirstAndLastViewPerClientAndPath) {
  View("c1", "/a1", 0);
  View("c1", "/a1", 1 * kMin);  // a middle view: dropped
  View("c1", "/a1", 2 * kMin);
  View("c1", "/a2", 3 * kMin);
  View("c1", "/a2", 3 * kMin);  // same time as the first: one row
  View("c1", "/a3", 4 * kMin);
  View("c2", "/a1", 0);
  View("c2", "/a2", 5 * kMin);
  View("c2", "/a3", 7 * kMin);
  const DwellData out = Preprocess(table_, Articles(3), {}, &stats_);
  EXPECT_EQ(stats_.views, 9);
  EXPECT_EQ(stats_.after_first_last, 7);
  ASSERT_EQ(out.rows.size(), 5u);
  EXPECT_DOUBLE_EQ(out.rows[0].seconds, 120);  // c1 a1@0 -> a1@2
  EXPECT_DOUBLE_EQ(out.rows[1].seconds, 60);   // c1 a1@2 -> a2@3
  EXPECT_DOUBLE_EQ(out.rows[2].seconds, 60);   // c1 a2@3 -> a3@4
  EXPECT_DOUBLE_EQ(out.rows[3].seconds, 300);  // c2 a1@0 -> a2@5
  EXPECT_DOUBLE_EQ(out.rows[4].seconds, 120);  // c2 a2@5 -> a3@7
  EXPECT_EQ(stats_.articles_kept, 2);  // a3 is only ever a last row
}

TEST_F(PreprocessTest, DropsNewslettersFlybysAndUnknownPaths) {
  View("c1", "/a1", 0);
  View("c1", "/emailnewsletter/x", kMin);
  View("c1", "/a2", 2 * kMin);
  View("c1", "/unknown", 3 * kMin);
  View("c1", "/a3", 4 * kMin);
  View("c2", "/a1", 0);
  View("c2", "/a2", 2 * kMin);
  View("c2", "/a3", 4 * kMin);
  View("flyby", "/a1", 0);
  const DwellData out = Preprocess(table_, Articles(3), {}, &stats_);
  EXPECT_EQ(stats_.after_newsletter, 8);
  EXPECT_EQ(stats_.after_flyby, 7);
  EXPECT_EQ(stats_.after_join, 6);
  // c1: a1@0 -> a2@2 (2 min; the newsletter view is gone) -> a3@4 (the unknown path is gone).
  ASSERT_EQ(out.rows.size(), 4u);
  EXPECT_DOUBLE_EQ(out.rows[0].seconds, 120);
  EXPECT_DOUBLE_EQ(out.rows[1].seconds, 120);
  EXPECT_EQ(out.clients, (std::vector<std::string>{"c1", "c2"}));
}

TEST(FilterArticlesTest, IteratesToAFixedPoint) {
  // a0 read by c0,c1; a1 by c1,c2; a2 only by c2. Dropping a2 leaves c2 with one article
  // (a1), dropping c2 leaves a1 with one client (c1), dropping a1 leaves c1 with one (a0)...
  // until nothing is left.
  std::vector<DwellRow> rows = {{0, 0, 0, 1}, {1, 0, 0, 1}, {1, 1, 0, 1},
                                {2, 1, 0, 1}, {2, 2, 0, 1}};
  FilterArticles(&rows);
  EXPECT_TRUE(rows.empty());
  // A 2x2 block survives whole.
  rows = {{0, 0, 0, 1}, {0, 1, 0, 1}, {1, 0, 0, 1}, {1, 1, 0, 1}, {2, 1, 0, 1}};
  FilterArticles(&rows);
  EXPECT_EQ(rows.size(), 4u);
}

TEST(ArticlesFileTest, ParsesLinesAndNamesBadOnes) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<Article> articles,
      ParseArticlesJsonLines("{\"external_id\": 502122, \"path\": \"/article/502122/x\", "
                             "\"title\": \"T\", \"published_at\": \"2021-04-13T19:00:45+00:00\"}\n"
                             "\n{\"external_id\": 7, \"path\": \"/b\", \"published_at\": null}\n"));
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[0].external_id, 502122);
  EXPECT_EQ(*articles[0].published_at_ms, 1618340445000);
  EXPECT_FALSE(articles[1].published_at_ms.has_value());
  EXPECT_THAT(ParseArticlesJsonLines("{\"external_id\": 1, \"path\": \"/a\"}\n[]"),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                ::testing::HasSubstr("line 2")));
  for (const char* bad : {"{\"external_id\": \"1\", \"path\": \"/a\"}", "{\"path\": \"/a\"}",
                          "{\"external_id\": 1.5, \"path\": \"/a\"}",
                          "{\"external_id\": 1, \"path\": \"\"}",
                          "{\"external_id\": 1, \"path\": \"/a\", \"published_at\": \"x\"}",
                          "{\"external_id\": 1, \"path\": \"/a\"}\n{\"external_id\": 2, "
                          "\"path\": \"/a\"}"}) {
    EXPECT_FALSE(ParseArticlesJsonLines(bad).ok()) << bad;
  }
  EXPECT_THAT(ReadArticlesFile("/nonexistent/articles.jsonl"),
              testing::StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace recplat::batch
