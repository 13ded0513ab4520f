// The item_knn family on a hand-computed 3-user / 4-item example.
#include "core/models/item_knn_family.h"

#include <cmath>
#include <stop_token>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/models/models_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::models {
namespace {

using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace ::recplat::models::testing;  // NOLINT

// u0: {0, 1, 2}, u1: {0, 1}, u2: {1, 3}. Users per item: n0 = 2, n1 = 3, n2 = 1, n3 = 1.
// Co-occurrences: co(0,1) = 2, co(0,2) = 1, co(1,2) = 1, co(1,3) = 1, others 0. With shrink 0:
//   sim(0,1) = 2 / (sqrt2 * sqrt3) = 0.816497    sim(0,2) = 1 / sqrt2 = 0.707107
//   sim(1,2) = 1 / sqrt3 = 0.577350              sim(1,3) = 1 / sqrt3 = 0.577350
TrainingData Data() {
  return MakeData(3, 4, {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {2, 1}, {2, 3}});
}

ModelParams Params(std::map<std::string, std::string> extra = {}) {
  extra.try_emplace("shrink", "0");
  return ModelParams(std::move(extra));
}

std::vector<ScoredItem> SimilarTo(const Model& m, uint32_t item, size_t n = 10,
                                  const CandidateFilter* filter = nullptr) {
  std::vector<ScoredItem> out;
  EXPECT_THAT(m.Similar(item, n, filter, &out), IsOk());
  return out;
}

TEST(ItemKnnFamilyTest, CosineSimilaritiesByHand) {
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(Data(), Params()));
  std::vector<ScoredItem> s1 = SimilarTo(*m, 1);
  // Ties (items 2 and 3) are ordered by index.
  ASSERT_THAT(Items(s1), ElementsAre(0u, 2u, 3u));
  EXPECT_NEAR(s1[0].score, 0.816497, 1e-6);
  EXPECT_NEAR(s1[1].score, 0.577350, 1e-6);
  EXPECT_NEAR(s1[2].score, 0.577350, 1e-6);
  std::vector<ScoredItem> s0 = SimilarTo(*m, 0);
  ASSERT_THAT(Items(s0), ElementsAre(1u, 2u));
  EXPECT_NEAR(s0[1].score, 0.707107, 1e-6);
  EXPECT_THAT(Items(SimilarTo(*m, 3)), ElementsAre(1u));
  EXPECT_THAT(SimilarTo(*m, 42), IsEmpty());
}

TEST(ItemKnnFamilyTest, ShrinkAndNeighborLimit) {
  // shrink 1: sim(1,0) = 2 / (sqrt6 + 1) = 0.579796, sim(1,2) = 1 / (sqrt3 + 1) = 0.366025.
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(Data(), Params({{"shrink", "1"}})));
  std::vector<ScoredItem> s1 = SimilarTo(*m, 1);
  ASSERT_EQ(s1.size(), 3u);
  EXPECT_NEAR(s1[0].score, 0.579796, 1e-6);
  EXPECT_NEAR(s1[1].score, 0.366025, 1e-6);
  ASSERT_OK_AND_ASSIGN(auto top1, ItemKnnFamily().Fit(Data(), Params({{"neighbors", "1"}})));
  EXPECT_THAT(Items(SimilarTo(*top1, 1)), ElementsAre(0u));
}

TEST(ItemKnnFamilyTest, AFitStopsWhenTheProcessShutsDown) {
  TrainingData data = Data();
  std::stop_source stop;
  data.stop = stop.get_token();
  stop.request_stop();
  EXPECT_THAT(ItemKnnFamily().Fit(data, Params()), StatusIs(absl::StatusCode::kCancelled));
}

TEST(ItemKnnFamilyTest, SimilarRespectsFilterAndN) {
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(Data(), Params()));
  SetFilter filter{0};
  EXPECT_THAT(Items(SimilarTo(*m, 1, 10, &filter)), ElementsAre(2u, 3u));
  EXPECT_THAT(Items(SimilarTo(*m, 1, 2, &filter)), ElementsAre(2u, 3u));
  EXPECT_THAT(Items(SimilarTo(*m, 1, 1, &filter)), ElementsAre(2u));
}

TEST(ItemKnnFamilyTest, WeightedCosine) {
  // Types: view (1), buy (3). u0 buys 0 and views 1; u1 views 0 and 1.
  // r(u0,0) = 3, r(u0,1) = 1, r(u1,0) = 1, r(u1,1) = 1: co(0,1) = 3*1 + 1*1 = 4,
  // |R_0| = sqrt(9 + 1), |R_1| = sqrt2, sim = 4 / sqrt20 = 0.894427. Binary: 2 / 2 = 1.
  TrainingData d = MakeData(2, 2, {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}, {1, 1, 0}}, {1.0f, 3.0f});
  ASSERT_OK_AND_ASSIGN(auto w, ItemKnnFamily().Fit(d, Params({{"weighting", "weighted"}})));
  EXPECT_NEAR(SimilarTo(*w, 0)[0].score, 0.894427, 1e-6);
  ASSERT_OK_AND_ASSIGN(auto b, ItemKnnFamily().Fit(d, Params()));
  EXPECT_NEAR(SimilarTo(*b, 0)[0].score, 1.0, 1e-6);
}

TEST(ItemKnnFamilyTest, NonPositiveEventWeightsAreIgnored) {
  // Type 1 ("dislike", weight -1) links items 0 and 1 for u1 only; it must not count.
  TrainingData d = MakeData(2, 3, {{0, 0, 0}, {0, 2, 0}, {1, 0, 1}, {1, 1, 1}}, {1.0f, -1.0f});
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(d, Params()));
  EXPECT_THAT(Items(SimilarTo(*m, 0)), ElementsAre(2u));
}

TEST(ItemKnnFamilyTest, RetrieveAndScoreSumOverHistory) {
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(Data(), Params()));
  // History {2, 3}: score(0) = sim(2,0) = 0.707107; score(1) = sim(2,1) + sim(3,1) = 1.154701.
  const uint32_t history[] = {2, 3};
  SetFilter filter{2, 3};
  RecommendContext ctx;
  ctx.user_history = history;
  ctx.filter = &filter;
  ASSERT_TRUE(m->Ready(ctx));
  std::vector<ScoredItem> got;
  ASSERT_THAT(m->Retrieve(ctx, 10, &got), IsOk());
  ASSERT_THAT(Items(got), ElementsAre(1u, 0u));
  EXPECT_NEAR(got[0].score, 1.154701, 1e-6);
  EXPECT_NEAR(got[1].score, 0.707107, 1e-6);
  got.clear();
  ASSERT_THAT(m->Retrieve(ctx, 1, &got), IsOk());
  EXPECT_THAT(Items(got), ElementsAre(1u));

  // Score: the same sums; item 9 is unknown (below all).
  std::vector<ScoredItem> items = {{0, 0}, {1, 0}, {9, 0}};
  ASSERT_THAT(m->Score(ctx, std::span<ScoredItem>(items)), IsOk());
  EXPECT_NEAR(items[0].score, 0.707107, 1e-6);
  EXPECT_NEAR(items[1].score, 1.154701, 1e-6);
  EXPECT_LT(items[2].score, 0.0);
  // A known item that no source reaches scores 0: history {0} reaches 1 and 2, not 3.
  const uint32_t h0[] = {0};
  RecommendContext ctx0;
  ctx0.user_history = h0;
  std::vector<ScoredItem> reach = {{3, 0}};
  ASSERT_THAT(m->Score(ctx0, std::span<ScoredItem>(reach)), IsOk());
  EXPECT_EQ(reach[0].score, 0.0);
}

TEST(ItemKnnFamilyTest, HistoryDecayWeighsRecentItemsMore) {
  // history_decay 0.5, history [3, 2] (3 most recent): weights 1 and 0.5.
  //   score(1) = 1 * sim(3,1) + 0.5 * sim(2,1) = 1.5 * 0.577350 = 0.866025
  //   score(0) = 0.5 * sim(2,0) = 0.353553
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(Data(), Params({{"history_decay", "0.5"}})));
  const uint32_t history[] = {3, 2};
  RecommendContext ctx;
  ctx.user_history = history;
  std::vector<ScoredItem> items = {{0, 0}, {1, 0}};
  ASSERT_THAT(m->Score(ctx, std::span<ScoredItem>(items)), IsOk());
  EXPECT_NEAR(items[0].score, 0.353553, 1e-6);
  EXPECT_NEAR(items[1].score, 0.866025, 1e-6);
  // max_history 1 keeps only item 3: score(0) = 0.
  ASSERT_OK_AND_ASSIGN(auto m1, ItemKnnFamily().Fit(Data(), Params({{"max_history", "1"}})));
  ASSERT_THAT(m1->Score(ctx, std::span<ScoredItem>(items)), IsOk());
  EXPECT_EQ(items[0].score, 0.0);
  EXPECT_NEAR(items[1].score, 0.577350, 1e-6);
}

TEST(ItemKnnFamilyTest, ReadyNeedsAKnownSourceItem) {
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(Data(), Params()));
  RecommendContext empty;
  EXPECT_FALSE(m->Ready(empty));
  const uint32_t unknown[] = {17};
  RecommendContext ctx;
  ctx.user_history = unknown;
  EXPECT_FALSE(m->Ready(ctx));
  const uint32_t anchor[] = {3};
  ctx.anchors = anchor;
  EXPECT_TRUE(m->Ready(ctx));
  // Anchors and session items are sources: anchor 3 reaches item 1.
  std::vector<ScoredItem> got;
  ASSERT_THAT(m->Retrieve(ctx, 5, &got), IsOk());
  EXPECT_THAT(Items(got), ElementsAre(1u));
  RecommendContext session;
  session.session_items = anchor;
  EXPECT_TRUE(m->Ready(session));
}

TEST(ItemKnnFamilyTest, NoDataIsFailedPrecondition) {
  EXPECT_THAT(ItemKnnFamily().Fit(TrainingData(), Params()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  TrainingData only_negative = MakeData(1, 2, {{0, 0, 0}, {0, 1, 0}}, {0.0f});
  EXPECT_THAT(ItemKnnFamily().Fit(only_negative, Params()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(ItemKnnFamily().Fit(Data(), Params({{"neighbours", "5"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ItemKnnFamilyTest, ThreadCountDoesNotChangeTheResult) {
  // 60 users over 300 items in overlapping windows, enough to spread rows over threads.
  std::vector<Triple> xs;
  for (uint32_t u = 0; u < 60; ++u) {
    for (uint32_t k = 0; k < 25; ++k) {
      xs.push_back({u, (u * 7 + k * k) % 300});
    }
  }
  TrainingData d = MakeData(60, 300, xs);
  ASSERT_OK_AND_ASSIGN(auto one, ItemKnnFamily().Fit(d, Params({{"threads", "1"}})));
  ASSERT_OK_AND_ASSIGN(auto four, ItemKnnFamily().Fit(d, Params({{"threads", "4"}})));
  for (uint32_t i = 0; i < 300; ++i) {
    std::vector<ScoredItem> a = SimilarTo(*one, i, 100);
    std::vector<ScoredItem> b = SimilarTo(*four, i, 100);
    ASSERT_EQ(Items(a), Items(b)) << "item " << i;
  }
}

TEST(ItemKnnFamilyTest, SaveLoadAnswersIdentically) {
  recplat::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(Data(), Params({{"history_decay", "0.5"}})));
  ASSERT_OK_AND_ASSIGN(auto loaded, SaveAndLoad(*m, ItemKnnFamily(), tmp));
  for (uint32_t i = 0; i < 5; ++i) {
    std::vector<ScoredItem> a = SimilarTo(*m, i);
    std::vector<ScoredItem> b = SimilarTo(*loaded, i);
    ASSERT_EQ(Items(a), Items(b));
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].score, b[k].score);
    }
  }
  const uint32_t history[] = {3, 2, 0};
  RecommendContext ctx;
  ctx.user_history = history;
  std::vector<ScoredItem> a, b;
  ASSERT_THAT(m->Retrieve(ctx, 10, &a), IsOk());
  ASSERT_THAT(loaded->Retrieve(ctx, 10, &b), IsOk());
  ASSERT_EQ(Items(a), Items(b));
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].score, b[k].score);
  }
  EXPECT_EQ(m->Ready(ctx), loaded->Ready(ctx));
  EXPECT_EQ(m->Metrics(), loaded->Metrics());
}

TEST(ItemKnnFamilyTest, CorruptArtifactIsDataLoss) {
  recplat::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto m, ItemKnnFamily().Fit(Data(), Params()));
  ASSERT_THAT(m->Save(tmp.path()), IsOk());
  const auto file = tmp.path() / "model.rpa";
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 3);
  EXPECT_THAT(ItemKnnFamily().Load(tmp.path(), ModelParams()),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace recplat::models
