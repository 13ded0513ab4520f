// The popularity family on hand-computed data.
#include "core/models/popularity_family.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/models/models_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::models {
namespace {

using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using namespace ::recplat::models::testing;  // NOLINT

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kNow = 100 * kHour;

// Types: 0 = view (weight 1), 1 = buy (weight 5). Item 3 has no interaction.
//   item 0: view at now, view at now-10h
//   item 1: buy at now-20h
//   item 2: view at now-30h, buy at now
TrainingData Data() {
  TrainingData d = MakeData(3, 4,
                            {{0, 0, 0, kNow},
                             {1, 0, 0, kNow - 10 * kHour},
                             {0, 1, 1, kNow - 20 * kHour},
                             {2, 2, 0, kNow - 30 * kHour},
                             {1, 2, 1, kNow}},
                            {1.0f, 5.0f});
  d.now_ms = kNow;
  return d;
}

std::vector<ScoredItem> RetrieveAll(const Model& m, const CandidateFilter* filter = nullptr) {
  RecommendContext ctx;
  ctx.filter = filter;
  std::vector<ScoredItem> out;
  EXPECT_THAT(m.Retrieve(ctx, 10, &out), IsOk());
  return out;
}

TEST(PopularityFamilyTest, WeightsWithoutDecay) {
  // item 0: 1 + 1 = 2; item 1: 5; item 2: 1 + 5 = 6.
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(Data(), ModelParams()));
  std::vector<ScoredItem> got = RetrieveAll(*m);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_THAT(Items(got), ElementsAre(2u, 1u, 0u));
  EXPECT_DOUBLE_EQ(got[0].score, 6.0);
  EXPECT_DOUBLE_EQ(got[1].score, 5.0);
  EXPECT_DOUBLE_EQ(got[2].score, 2.0);
}

TEST(PopularityFamilyTest, RenewalFormulaIsTheReferenceBaselineKey) {
  // Types: 0 = click, 1 = rating (value = rating - prev_rating), 2 = bookmark (ignored).
  //   item 0: 3 clicks, ratings +1 +1 -1 -> 3 * 1 = 3
  //   item 1: 0 clicks, rating +1 +1       -> max(1, 0) * 2 = 2
  //   item 2: 2 clicks, ratings +1 -1      -> 2 * (0 or 1) = 2
  //   item 3: 1 click, ratings -1 -1       -> 1 * -2 = -2
  //   item 4: bookmark only                -> not ranked
  TrainingData d = MakeData(2, 5,
                            {{0, 0, 0}, {1, 0, 0}, {0, 0, 0}, {0, 0, 1, 0, 1}, {1, 0, 1, 0, 1},
                             {0, 0, 1, 0, -1}, {0, 1, 1, 0, 1}, {1, 1, 1, 0, 1}, {0, 2, 0},
                             {1, 2, 0}, {0, 2, 1, 0, 1}, {1, 2, 1, 0, -1}, {0, 3, 0},
                             {0, 3, 1, 0, -1}, {1, 3, 1, 0, -1}, {1, 4, 2}},
                            {1.0f, 2.0f, 3.0f});
  d.event_types = {"click", "rating", "bookmark"};
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(d, P({{"formula", "renewal"}})));
  std::vector<ScoredItem> got = RetrieveAll(*m);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].item, 0u);
  EXPECT_DOUBLE_EQ(got[0].score, 3.0);
  EXPECT_DOUBLE_EQ(got[1].score, 2.0);
  EXPECT_DOUBLE_EQ(got[2].score, 2.0);
  EXPECT_EQ(got[3].item, 3u);
  EXPECT_DOUBLE_EQ(got[3].score, -2.0);
  EXPECT_THAT(PopularityFamily().ValidateParams(P({{"formula", "median"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PopularityFamilyTest, HalfLifeDecay) {
  // Half-life 10h, decay = 2^(-age/10h):
  //   item 0: 1*1 + 1*0.5 = 1.5; item 1: 5*0.25 = 1.25; item 2: 1*0.125 + 5*1 = 5.125.
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(Data(), P({{"half_life_hours", "10"}})));
  std::vector<ScoredItem> got = RetrieveAll(*m);
  EXPECT_THAT(Items(got), ElementsAre(2u, 0u, 1u));
  EXPECT_DOUBLE_EQ(got[0].score, 5.125);
  EXPECT_DOUBLE_EQ(got[1].score, 1.5);
  EXPECT_DOUBLE_EQ(got[2].score, 1.25);
}

TEST(PopularityFamilyTest, NowDefaultsToLatestInteraction) {
  TrainingData d = Data();
  d.now_ms = 0;  // The latest interaction is at kNow: same figures as HalfLifeDecay.
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(d, P({{"half_life_hours", "10"}})));
  EXPECT_DOUBLE_EQ(RetrieveAll(*m)[0].score, 5.125);
}

TEST(PopularityFamilyTest, UseValueAndMinCount) {
  TrainingData d = Data();
  d.interactions[2].value = 3.0f;  // The buy of item 1 now weighs 5 * 3 = 15.
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(d, P({{"use_value", "true"}})));
  EXPECT_THAT(Items(RetrieveAll(*m)), ElementsAre(1u, 2u, 0u));
  // min_count 2 drops item 1 (one interaction).
  ASSERT_OK_AND_ASSIGN(auto m2, PopularityFamily().Fit(d, P({{"min_count", "2"}})));
  EXPECT_THAT(Items(RetrieveAll(*m2)), ElementsAre(2u, 0u));
  EXPECT_THAT(PopularityFamily().Fit(d, P({{"min_count", "3"}})),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(PopularityFamilyTest, RetrieveSkipsFilteredAndStopsAtN) {
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(Data(), ModelParams()));
  SetFilter filter{2};
  EXPECT_THAT(Items(RetrieveAll(*m, &filter)), ElementsAre(1u, 0u));
  RecommendContext ctx;
  std::vector<ScoredItem> one;
  ASSERT_THAT(m->Retrieve(ctx, 1, &one), IsOk());
  EXPECT_THAT(Items(one), ElementsAre(2u));
}

TEST(PopularityFamilyTest, ScoreRanksUnknownItemsLast) {
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(Data(), ModelParams()));
  std::vector<ScoredItem> items = {{3, 0}, {0, 0}, {99, 0}, {2, 0}};
  ASSERT_THAT(m->Score(RecommendContext(), std::span<ScoredItem>(items)), IsOk());
  EXPECT_DOUBLE_EQ(items[1].score, 2.0);
  EXPECT_DOUBLE_EQ(items[3].score, 6.0);
  EXPECT_LT(items[0].score, 0.0);  // Item 3: never interacted with.
  EXPECT_LT(items[2].score, 0.0);  // Item 99: outside the data.
  EXPECT_TRUE(m->Ready(RecommendContext()));
}

TEST(PopularityFamilyTest, NoDataIsFailedPreconditionAndBadParamsInvalid) {
  EXPECT_THAT(PopularityFamily().Fit(TrainingData(), ModelParams()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(PopularityFamily().Fit(Data(), P({{"half_life", "1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PopularityFamily().Fit(Data(), P({{"half_life_hours", "-1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PopularityFamilyTest, SaveLoadAnswersIdentically) {
  recplat::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(Data(), P({{"half_life_hours", "10"}})));
  ASSERT_OK_AND_ASSIGN(auto loaded, SaveAndLoad(*m, PopularityFamily(), tmp));
  SetFilter filter{0};
  for (const CandidateFilter* f : {static_cast<const CandidateFilter*>(nullptr),
                                   static_cast<const CandidateFilter*>(&filter)}) {
    std::vector<ScoredItem> a = RetrieveAll(*m, f);
    std::vector<ScoredItem> b = RetrieveAll(*loaded, f);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].item, b[i].item);
      EXPECT_EQ(a[i].score, b[i].score);
    }
  }
  std::vector<ScoredItem> sa = {{0, 0}, {1, 0}, {3, 0}, {7, 0}};
  std::vector<ScoredItem> sb = sa;
  ASSERT_THAT(m->Score(RecommendContext(), std::span<ScoredItem>(sa)), IsOk());
  ASSERT_THAT(loaded->Score(RecommendContext(), std::span<ScoredItem>(sb)), IsOk());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].score, sb[i].score);
  }
}

TEST(PopularityFamilyTest, LoadRejectsMissingAndForeignArtifacts) {
  recplat::testing::TempDir tmp;
  EXPECT_THAT(PopularityFamily().Load(tmp.path(), ModelParams()),
              StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(auto m, PopularityFamily().Fit(Data(), ModelParams()));
  ASSERT_THAT(m->Save(tmp.path()), IsOk());
  EXPECT_THAT(PopularityFamily().Load(tmp.path(), ModelParams()), IsOk());
  ModelFamilyRegistry registry;
  ASSERT_THAT(RegisterBuiltinFamilies(&registry), IsOk());
  EXPECT_THAT(registry.Find("item_knn")->Load(tmp.path(), ModelParams()),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace recplat::models
