// The session_rules family on hand-computed sessions.
#include "core/models/session_rules_family.h"

#include <algorithm>
#include <fstream>

#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"
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

constexpr int64_t kMinute = 60 * 1000;

// Four sessions (users) over items 0..4, one click a minute:
//   u0: 0 1 2     u1: 0 1 1     u2: 0 2     u3: 3 3 0
// Consecutive pairs: 0->1 (u0, u1), 1->2 (u0), 1->1 (u1), 0->2 (u2), 3->3 (u3), 3->0 (u3), so
//   rules(0) = {1: 2, 2: 1}   rules(1) = {1: 1, 2: 1}   rules(2) = {}   rules(3) = {0: 1, 3: 1}
// Popularity: 0: 4, 1: 3, 2: 2, 3: 2, 4: 0 (never clicked).
TrainingData Sessions() {
  const std::vector<std::vector<uint32_t>> sessions = {{0, 1, 2}, {0, 1, 1}, {0, 2}, {3, 3, 0}};
  std::vector<Triple> xs;
  for (uint32_t u = 0; u < sessions.size(); ++u) {
    for (size_t p = 0; p < sessions[u].size(); ++p) {
      xs.push_back({u, sessions[u][p], 0, static_cast<int64_t>(p) * kMinute});
    }
  }
  return MakeData(4, 5, xs);
}

std::vector<ScoredItem> Retrieve(const Model& m, std::vector<uint32_t> session, size_t n = 10,
                                 const CandidateFilter* filter = nullptr) {
  RecommendContext ctx;
  ctx.session_items = session;
  ctx.filter = filter;
  std::vector<ScoredItem> out;
  EXPECT_THAT(m.Retrieve(ctx, n, &out), IsOk());
  return out;
}

TEST(SessionRulesFamilyTest, SuccessorsOfTheLastItemThenPopularity) {
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), ModelParams()));
  // Last item 0: rules 1 (2), 2 (1); backfill 0 (4/4 - 1 = 0), 3 (2/4 - 1 = -0.5).
  std::vector<ScoredItem> got = Retrieve(*m, {0});
  EXPECT_THAT(Items(got), ElementsAre(1u, 2u, 0u, 3u));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_DOUBLE_EQ(got[0].score, 2.0);
  EXPECT_DOUBLE_EQ(got[1].score, 1.0);
  EXPECT_DOUBLE_EQ(got[2].score, 0.0);
  EXPECT_DOUBLE_EQ(got[3].score, -0.5);
  // Most recent first: only the last item (1) counts; its tie 1 = 2 goes to the lower index.
  EXPECT_THAT(Items(Retrieve(*m, {1, 0})), ElementsAre(1u, 2u, 0u, 3u));
  EXPECT_THAT(Items(Retrieve(*m, {3, 1})), ElementsAre(0u, 3u, 1u, 2u));
  // n cuts the list.
  EXPECT_THAT(Items(Retrieve(*m, {0}, 3)), ElementsAre(1u, 2u, 0u));
  EXPECT_THAT(Items(Retrieve(*m, {0}, 1)), ElementsAre(1u));
}

TEST(SessionRulesFamilyTest, HonoursTheFilter) {
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), ModelParams()));
  SetFilter filter({1, 3});
  EXPECT_THAT(Items(Retrieve(*m, {0}, 10, &filter)), ElementsAre(2u, 0u));
}

TEST(SessionRulesFamilyTest, WithoutBackfillOnlyRules) {
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), P({{"backfill", "false"}})));
  EXPECT_THAT(Items(Retrieve(*m, {0})), ElementsAre(1u, 2u));
  RecommendContext ctx;
  const std::vector<uint32_t> no_rules = {2};
  ctx.session_items = no_rules;
  EXPECT_FALSE(m->Ready(ctx));
  const std::vector<uint32_t> older_has_rules = {2, 0};  // Only the most recent (2) counts.
  ctx.session_items = older_has_rules;
  EXPECT_FALSE(m->Ready(ctx));
  // With backfill the same request is served from popularity.
  ASSERT_OK_AND_ASSIGN(auto b, SessionRulesFamily().Fit(Sessions(), ModelParams()));
  EXPECT_TRUE(b->Ready(ctx));
  EXPECT_THAT(Items(Retrieve(*b, {2})), ElementsAre(0u, 1u, 2u, 3u));
}

TEST(SessionRulesFamilyTest, SelfTransitionsCanBeLeftOut) {
  ASSERT_OK_AND_ASSIGN(
      auto m, SessionRulesFamily().Fit(Sessions(),
                                       P({{"self_transitions", "false"}, {"backfill", "false"}})));
  EXPECT_THAT(Items(Retrieve(*m, {1})), ElementsAre(2u));
  EXPECT_THAT(Items(Retrieve(*m, {3})), ElementsAre(0u));
}

TEST(SessionRulesFamilyTest, WindowWeighsPairsByOneOverDistance) {
  // Pairs two apart (weight 1/2): 0->2 (u0), 0->1 (u1), 3->0 (u3).
  //   rules(0) = {1: 2.5, 2: 1.5}   rules(3) = {0: 1.5, 3: 1}
  ASSERT_OK_AND_ASSIGN(
      auto m, SessionRulesFamily().Fit(Sessions(), P({{"window", "2"}, {"backfill", "false"}})));
  std::vector<ScoredItem> got = Retrieve(*m, {0});
  ASSERT_THAT(Items(got), ElementsAre(1u, 2u));
  EXPECT_DOUBLE_EQ(got[0].score, 2.5);
  EXPECT_DOUBLE_EQ(got[1].score, 1.5);
  got = Retrieve(*m, {3});
  ASSERT_THAT(Items(got), ElementsAre(0u, 3u));
  EXPECT_DOUBLE_EQ(got[0].score, 1.5);
  EXPECT_DOUBLE_EQ(got[1].score, 1.0);
}

TEST(SessionRulesFamilyTest, MaxGapSplitsAHistoryIntoSessions) {
  // One user: 0, 1 a minute later, 2 an hour later: with max_gap_minutes=10 only 0->1 counts.
  TrainingData d = MakeData(1, 3, {{0, 0, 0, 0}, {0, 1, 0, kMinute}, {0, 2, 0, 61 * kMinute}});
  ASSERT_OK_AND_ASSIGN(
      auto m, SessionRulesFamily().Fit(
                  d, P({{"max_gap_minutes", "10"}, {"backfill", "false"}, {"window", "3"}})));
  EXPECT_THAT(Items(Retrieve(*m, {0})), ElementsAre(1u));
  EXPECT_TRUE(Retrieve(*m, {1}).empty());
  ASSERT_OK_AND_ASSIGN(auto all, SessionRulesFamily().Fit(d, P({{"backfill", "false"}})));
  EXPECT_THAT(Items(Retrieve(*all, {1})), ElementsAre(2u));
}

TEST(SessionRulesFamilyTest, UnsortedTrainingDataGivesTheSameRules) {
  TrainingData d = Sessions();
  std::reverse(d.interactions.begin(), d.interactions.end());
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(d, P({{"backfill", "false"}})));
  EXPECT_THAT(Items(Retrieve(*m, {0})), ElementsAre(1u, 2u));
  EXPECT_THAT(Items(Retrieve(*m, {3})), ElementsAre(0u, 3u));
  EXPECT_TRUE(Retrieve(*m, {2}).empty());  // No rule crosses users (u0 ends with 2, u1 starts 0).
}

TEST(SessionRulesFamilyTest, SourceFallsBackToHistoryThenAnchors) {
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), P({{"backfill", "false"}})));
  const std::vector<uint32_t> three = {3, 0};
  const std::vector<uint32_t> zero = {0};
  RecommendContext ctx;
  EXPECT_FALSE(m->Ready(ctx));
  ctx.anchors = zero;
  ctx.user_history = three;
  std::vector<ScoredItem> out;
  ASSERT_THAT(m->Retrieve(ctx, 10, &out), IsOk());
  EXPECT_THAT(Items(out), ElementsAre(0u, 3u));  // History (most recent 3) before anchors.
  ctx.user_history = {};
  out.clear();
  ASSERT_THAT(m->Retrieve(ctx, 10, &out), IsOk());
  EXPECT_THAT(Items(out), ElementsAre(1u, 2u));
  ctx.session_items = three;  // The session wins over both.
  out.clear();
  ASSERT_THAT(m->Retrieve(ctx, 10, &out), IsOk());
  EXPECT_THAT(Items(out), ElementsAre(0u, 3u));
}

TEST(SessionRulesFamilyTest, ScoresRulesAbovePopularityAboveUnknown) {
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), ModelParams()));
  RecommendContext ctx;
  const std::vector<uint32_t> session = {0};
  ctx.session_items = session;
  std::vector<ScoredItem> items = {{3, 0}, {2, 0}, {4, 0}, {1, 0}, {0, 0}, {99, 0}};
  ASSERT_THAT(m->Score(ctx, items), IsOk());
  EXPECT_DOUBLE_EQ(items[0].score, -0.5);
  EXPECT_DOUBLE_EQ(items[1].score, 1.0);
  EXPECT_EQ(items[2].score, kUnknownScore);  // Never clicked.
  EXPECT_DOUBLE_EQ(items[3].score, 2.0);
  EXPECT_DOUBLE_EQ(items[4].score, 0.0);
  EXPECT_EQ(items[5].score, kUnknownScore);  // Outside the model.
  ASSERT_OK_AND_ASSIGN(auto nb, SessionRulesFamily().Fit(Sessions(), P({{"backfill", "false"}})));
  ASSERT_THAT(nb->Score(ctx, items), IsOk());
  EXPECT_DOUBLE_EQ(items[0].score, -1.0);
  EXPECT_DOUBLE_EQ(items[3].score, 2.0);
}

TEST(SessionRulesFamilyTest, UnknownLastItemFallsBackToPopularity) {
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), ModelParams()));
  RecommendContext ctx;
  const std::vector<uint32_t> session = {99, 0};
  ctx.session_items = session;
  EXPECT_TRUE(m->Ready(ctx));
  EXPECT_THAT(Items(Retrieve(*m, {99, 0})), ElementsAre(0u, 1u, 2u, 3u));
}

TEST(SessionRulesFamilyTest, SimilarIsTheRuleList) {
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), ModelParams()));
  std::vector<ScoredItem> out;
  ASSERT_THAT(m->Similar(0, 10, nullptr, &out), IsOk());
  EXPECT_THAT(Items(out), ElementsAre(1u, 2u));
  out.clear();
  SetFilter filter({1});
  ASSERT_THAT(m->Similar(0, 10, &filter, &out), IsOk());
  EXPECT_THAT(Items(out), ElementsAre(2u));
  out.clear();
  ASSERT_THAT(m->Similar(42, 10, nullptr, &out), IsOk());
  EXPECT_TRUE(out.empty());
}

TEST(SessionRulesFamilyTest, SaveLoadRoundTrip) {
  recplat::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), P({{"window", "2"}})));
  ASSERT_OK_AND_ASSIGN(auto loaded, SaveAndLoad(*m, SessionRulesFamily(), tmp));
  for (std::vector<uint32_t> session : {std::vector<uint32_t>{0}, {1}, {2}, {3}, {99}}) {
    std::vector<ScoredItem> a = Retrieve(*m, session);
    std::vector<ScoredItem> b = Retrieve(*loaded, session);
    ASSERT_EQ(Items(a), Items(b));
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_DOUBLE_EQ(a[k].score, b[k].score);
    }
  }
  EXPECT_EQ(m->Metrics(), loaded->Metrics());
  // backfill=false survives the round trip.
  ASSERT_OK_AND_ASSIGN(auto nb, SessionRulesFamily().Fit(Sessions(), P({{"backfill", "false"}})));
  ASSERT_OK_AND_ASSIGN(auto nb_loaded, SaveAndLoad(*nb, SessionRulesFamily(), tmp));
  EXPECT_THAT(Items(Retrieve(*nb_loaded, {0})), ElementsAre(1u, 2u));
}

TEST(SessionRulesFamilyTest, LoadRejectsOtherFamiliesAndCorruption) {
  recplat::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto pop, PopularityFamily().Fit(Sessions(), ModelParams()));
  EXPECT_THAT(SaveAndLoad(*pop, SessionRulesFamily(), tmp), StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(auto m, SessionRulesFamily().Fit(Sessions(), ModelParams()));
  const std::filesystem::path dir = tmp.path() / "corrupt";
  std::filesystem::create_directories(dir);
  ASSERT_THAT(m->Save(dir), IsOk());
  {
    std::fstream f(dir / kModelArtifactFile, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');
  }
  EXPECT_THAT(SessionRulesFamily().Load(dir, ModelParams()), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(SessionRulesFamily().Load(tmp.path() / "missing", ModelParams()),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(SessionRulesFamilyTest, ParamsAndEmptyData) {
  const SessionRulesFamily f;
  EXPECT_THAT(f.ValidateParams(P({{"window", "0"}})), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(f.ValidateParams(P({{"window", "101"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(f.ValidateParams(P({{"steps", "2"}})), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(f.ValidateParams(P({{"backfill", "maybe"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(f.ValidateParams(P({{"max_gap_minutes", "-1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(f.ValidateParams(P({{"window", "5"}, {"self_transitions", "false"}})), IsOk());
  EXPECT_THAT(f.Fit(MakeData(0, 0, {}), ModelParams()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(SessionRulesFamilyTest, RegisteredAsBuiltin) {
  ModelFamilyRegistry registry;
  ASSERT_THAT(RegisterBuiltinFamilies(&registry), IsOk());
  EXPECT_NE(registry.Find("session_rules"), nullptr);
}

}  // namespace
}  // namespace recplat::models
