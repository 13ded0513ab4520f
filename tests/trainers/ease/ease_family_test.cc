// The `ease` family: params, fitting from TrainingData (weighting, pruning, λ grid), serving
// (Ready / Retrieve / Score / Similar) and the artifact round trip.
#include "trainers/ease/ease_family.h"

#include <cmath>

#include "core/models/serving_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/models/models_test_util.h"
#include "tests/testing/status_matchers.h"
#include "trainers/ease/dlae_family.h"
#include "trainers/ease/ease_model.h"
#include "trainers/ease/ease_solver.h"
#include "trainers/ease/user_item_matrix.h"

namespace recplat::ease {
namespace {

using models::ModelParams;
using models::RecommendContext;
using models::ScoredItem;
using models::TrainingData;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using namespace ::recplat::models::testing;  // NOLINT

// The tiny matrix of ease_solver_test (u0 {0, 1}, u1 {1, 2}, u2 {0, 1, 2}, u3 {2}) in a
// catalog of 5 items (3 and 4 never interacted with), u2's item 1 seen twice.
TrainingData Tiny() {
  return MakeData(4, 5, {{0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {2, 1}, {2, 2}, {3, 2}});
}

std::vector<ScoredItem> Candidates(std::initializer_list<uint32_t> items) {
  std::vector<ScoredItem> out;
  for (uint32_t i : items) {
    out.push_back({i, 0.0});
  }
  return out;
}

// Scores of `items` for a request whose history is `history`.
std::vector<double> ScoresFor(const models::Model& m, std::vector<uint32_t> history,
                              std::initializer_list<uint32_t> items) {
  RecommendContext ctx;
  ctx.user_history = history;
  std::vector<ScoredItem> c = Candidates(items);
  EXPECT_OK(m.Score(ctx, c));
  std::vector<double> out;
  for (const ScoredItem& s : c) {
    out.push_back(s.score);
  }
  return out;
}

double MetricOf(const models::Model& m, const std::string& name) {
  for (const auto& [key, value] : m.Metrics()) {
    if (key == name) {
      return value;
    }
  }
  ADD_FAILURE() << "no metric " << name;
  return NAN;
}

TEST(EaseFamilyTest, ScoresAreRowsOfB) {
  ASSERT_OK_AND_ASSIGN(auto m, EaseFamily().Fit(Tiny(), P({{"l2", "1"}})));
  // B by hand in ease_solver_test: B[1][0] = 1/2, B[0][1] = 6/11, B[2][1] = 4/11,
  // B[1][2] = 1/2, B[0][2] = B[2][0] = 0, diag 0. Items 3 and 4 are unknown.
  const double u = models::kUnknownScore;
  EXPECT_THAT(ScoresFor(*m, {0}, {0, 1, 2, 3, 4}),
              ElementsAre(0.0, ::testing::DoubleNear(6.0 / 11, 1e-6),
                          ::testing::DoubleNear(0.0, 1e-6), u, u));
  EXPECT_THAT(ScoresFor(*m, {1, 1}, {0, 1, 2}),
              ElementsAre(::testing::DoubleNear(0.5, 1e-6), 0.0, ::testing::DoubleNear(0.5, 1e-6)));
  // Binary sum over the distinct sources: B[0][1] + B[2][1].
  EXPECT_NEAR(ScoresFor(*m, {2, 0, 2, 4}, {1})[0], 10.0 / 11, 1e-6);
  EXPECT_EQ(MetricOf(*m, "l2"), 1.0);
  EXPECT_EQ(MetricOf(*m, "items"), 3.0);
  EXPECT_EQ(MetricOf(*m, "users"), 4.0);
  EXPECT_EQ(MetricOf(*m, "entries"), 8.0);
}

TEST(EaseFamilyTest, WeightedMatrixSumsEventWeightsAndCaps) {
  // Types: view (1), order (3). u0 views item 0 twice and orders item 1 with value 2;
  // u1 orders 0 (value 5) and views 1. With use_value and weight_cap 4:
  //   x(u0,0) = 2, x(u0,1) = min(4, 3 * 2) = 4, x(u1,0) = min(4, 15) = 4, x(u1,1) = 1.
  TrainingData d =
      MakeData(2, 2, {{0, 0, 0}, {0, 0, 0}, {0, 1, 1, 0, 2.0f}, {1, 0, 1, 0, 5.0f}, {1, 1, 0}},
               {1.0f, 3.0f});
  ASSERT_OK_AND_ASSIGN(
      auto m,
      EaseFamily().Fit(
          d,
          P({{"l2", "2"}, {"weighting", "weighted"}, {"use_value", "true"}, {"weight_cap", "4"}})));
  SparseRows x;
  x.num_cols = 2;
  x.AddRow(std::vector<uint32_t>{0, 1}, std::vector<float>{2, 4});
  x.AddRow(std::vector<uint32_t>{0, 1}, std::vector<float>{4, 1});
  ASSERT_OK_AND_ASSIGN(std::vector<float> b, FitEaseWeights(x, 2.0, 1));
  EXPECT_NEAR(ScoresFor(*m, {0}, {1})[0], b[1], 1e-6);
  EXPECT_NEAR(ScoresFor(*m, {1}, {0})[0], b[2], 1e-6);
  // Binary: both users have both items; B[0][1] = 2 / (2 + 2) by the 2x2 inverse.
  ASSERT_OK_AND_ASSIGN(auto binary, EaseFamily().Fit(d, P({{"l2", "2"}})));
  EXPECT_NEAR(ScoresFor(*binary, {0}, {1})[0], 0.5, 1e-6);
}

TEST(EaseFamilyTest, ReadyRetrieveScoreAndFilter) {
  ASSERT_OK_AND_ASSIGN(auto m, EaseFamily().Fit(Tiny(), P({{"l2", "1"}})));
  RecommendContext ctx;
  EXPECT_FALSE(m->Ready(ctx));
  const std::vector<uint32_t> unknown = {3, 4, 99};
  ctx.user_history = unknown;
  EXPECT_FALSE(m->Ready(ctx));
  std::vector<ScoredItem> out;
  ASSERT_OK(m->Retrieve(ctx, 10, &out));
  EXPECT_THAT(out, IsEmpty());
  const std::vector<uint32_t> session = {1};
  ctx.session_items = session;
  EXPECT_TRUE(m->Ready(ctx));
  RecommendContext anchored;
  anchored.anchors = session;
  EXPECT_TRUE(m->Ready(anchored));
  // From item 1: B[1][0] = B[1][2] = 0.5 (equal up to rounding), B[1][1] = 0; unknown items
  // are never retrieved.
  ASSERT_OK(m->Retrieve(ctx, 10, &out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_THAT(Items(out), UnorderedElementsAre(0u, 2u, 1u));
  EXPECT_EQ(out[2].item, 1u);
  EXPECT_EQ(out[2].score, 0.0);
  out.clear();
  ASSERT_OK(m->Retrieve(ctx, 1, &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].item, 1u);
  SetFilter filter{0, 1};
  ctx.filter = &filter;
  out = {{42, 1.0}};  // Retrieve appends.
  ASSERT_OK(m->Retrieve(ctx, 10, &out));
  EXPECT_THAT(Items(out), ElementsAre(42u, 2u));
  // Similar: row 1 of B, positive weights only, the item itself excluded.
  out.clear();
  ASSERT_OK(m->Similar(1, 10, nullptr, &out));
  EXPECT_THAT(Items(out), UnorderedElementsAre(0u, 2u));
  out.clear();
  ASSERT_OK(m->Similar(1, 10, &filter, &out));
  EXPECT_THAT(Items(out), ElementsAre(2u));
  out.clear();
  ASSERT_OK(m->Similar(1, 1, nullptr, &out));
  EXPECT_EQ(out.size(), 1u);
  out.clear();
  ASSERT_OK(m->Similar(3, 10, nullptr, &out));
  EXPECT_THAT(out, IsEmpty());
}

TEST(EaseFamilyTest, MaxItemsKeepsTheMostPopular) {
  // Interactions: item 2 x4, item 0 x3, item 1 x2 (u2 twice), item 3 x1.
  TrainingData d = MakeData(
      4, 4, {{0, 0}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}, {2, 1}, {2, 2}, {3, 2}, {3, 3}});
  ASSERT_OK_AND_ASSIGN(auto m, EaseFamily().Fit(d, P({{"max_items", "2"}, {"l2", "1"}})));
  const auto& model = dynamic_cast<const EaseModel&>(*m);
  EXPECT_THAT(model.kept_items(), ElementsAre(0u, 2u));
  EXPECT_EQ(MetricOf(*m, "items"), 2.0);
  const double u = models::kUnknownScore;
  std::vector<double> s = ScoresFor(*m, {0}, {1, 2, 3});
  EXPECT_EQ(s[0], u);
  EXPECT_GT(s[1], 0.0);
  EXPECT_EQ(s[2], u);
  RecommendContext ctx;
  const std::vector<uint32_t> pruned = {1, 3};
  ctx.user_history = pruned;
  EXPECT_FALSE(m->Ready(ctx));
  ASSERT_OK_AND_ASSIGN(auto three, EaseFamily().Fit(d, P({{"max_items", "3"}})));
  EXPECT_THAT(dynamic_cast<const EaseModel&>(*three).kept_items(), ElementsAre(0u, 1u, 2u));
}

// Two small groups of users (items 0-3 and 4-7), both also holding the hub item 8, and 60
// users of a large cluster {8, 9, 10, 11, 12}. A huge λ ranks by raw co-occurrence, so a
// group user's hidden group item loses to the cluster items that co-occur with the hub; a
// small λ learns that the group items, not the hub, predict each other.
TrainingData Clustered() {
  std::vector<Triple> xs;
  uint32_t user = 0;
  for (uint32_t group : {0u, 4u}) {
    for (int k = 0; k < 6; ++k, ++user) {
      for (uint32_t i : {group, group + 1, group + 2, group + 3, 8u}) {
        xs.push_back({user, i});
      }
    }
  }
  for (int k = 0; k < 60; ++k, ++user) {
    for (uint32_t i = 8; i <= 12; ++i) {
      xs.push_back({user, i});
    }
  }
  return MakeData(user, 13, xs);
}

TEST(EaseFamilyTest, GridPicksTheBetterLambdaAndRefits) {
  for (const char* grid : {"1,1000000", "1000000,1"}) {
    ASSERT_OK_AND_ASSIGN(
        auto m,
        EaseFamily().Fit(Clustered(), P({{"l2_grid", grid}, {"validation_fraction", "1"}})));
    const double small = MetricOf(*m, "validation_ndcg@20_l2=1");
    const double huge = MetricOf(*m, "validation_ndcg@20_l2=1000000");
    EXPECT_GT(small, huge + 0.05) << grid;
    EXPECT_EQ(MetricOf(*m, "l2"), 1.0) << grid;
    EXPECT_EQ(MetricOf(*m, "validation_ndcg@20"), small);
    EXPECT_EQ(MetricOf(*m, "validation_users"), 72.0);
    // The refit used all the data: same B as a plain fit with the chosen λ.
    ASSERT_OK_AND_ASSIGN(auto plain, EaseFamily().Fit(Clustered(), P({{"l2", "1"}})));
    EXPECT_EQ(dynamic_cast<const EaseModel&>(*m).weights(),
              dynamic_cast<const EaseModel&>(*plain).weights());
  }
  // Held-out users are drawn from users with >= 2 entries.
  TrainingData singles = MakeData(2, 2, {{0, 0}, {1, 1}});
  EXPECT_THAT(EaseFamily().Fit(singles, P({{"l2_grid", "1,10"}})),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(EaseFamilyTest, SaveLoadRoundTrip) {
  ASSERT_OK_AND_ASSIGN(auto m, EaseFamily().Fit(Clustered(), P({{"l2_grid", "1,50"}})));
  recplat::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto loaded, SaveAndLoad(*m, EaseFamily(), tmp));
  const auto& a = dynamic_cast<const EaseModel&>(*m);
  const auto& b = dynamic_cast<const EaseModel&>(*loaded);
  EXPECT_EQ(a.num_items(), b.num_items());
  EXPECT_EQ(a.kept_items(), b.kept_items());
  EXPECT_EQ(a.weights(), b.weights());
  EXPECT_EQ(a.l2(), b.l2());
  EXPECT_EQ(a.Metrics(), b.Metrics());
  const std::vector<uint32_t> history = {0, 8};
  RecommendContext ctx;
  ctx.user_history = history;
  std::vector<ScoredItem> ra;
  std::vector<ScoredItem> rb;
  ASSERT_OK(a.Retrieve(ctx, 5, &ra));
  ASSERT_OK(b.Retrieve(ctx, 5, &rb));
  EXPECT_EQ(Items(ra), Items(rb));
  // A missing or foreign artifact is DATA_LOSS.
  EXPECT_THAT(EaseFamily().Load(tmp.path() / "nowhere", {}), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(EaseFamilyTest, BadParamsAreInvalidArgument) {
  for (std::map<std::string, std::string> bad :
       std::vector<std::map<std::string, std::string>>{{{"l2", "0"}},
                                                       {{"l2", "-3"}},
                                                       {{"l2", "x"}},
                                                       {{"l2_grid", "1,x"}},
                                                       {{"l2_grid", "10,0"}},
                                                       {{"l2_grid", ","}},
                                                       {{"weighting", "tfidf"}},
                                                       {{"use_value", "maybe"}},
                                                       {{"weight_cap", "0"}},
                                                       {{"max_items", "0"}},
                                                       {{"max_items", "50000"}},
                                                       {{"validation_fraction", "0"}},
                                                       {{"validation_fraction", "1.5"}},
                                                       {{"seed", "-1"}},
                                                       {{"lambda", "100"}}}) {
    const ModelParams params(bad);
    EXPECT_THAT(EaseFamily().ValidateParams(params), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad.begin()->first << "=" << bad.begin()->second;
    EXPECT_THAT(EaseFamily().Fit(Tiny(), params), StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_OK(EaseFamily().ValidateParams(P({{"l2_grid", " 10, 100 ,1e3"}, {"max_items", "46000"}})));
  EXPECT_THAT(EaseFamily().Fit(MakeData(1, 1, {}), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// The cap on kept items is no longer 20,000: the in-place float32 fit takes 4·n² bytes, so the
// default covers a 35k-item catalogue and anything up to the solver's limit is accepted.
TEST(EaseFamilyTest, MaxItemsAboveTheOldCapIsAccepted) {
  EXPECT_GE(kDefaultMaxItems, 35000u);
  for (const char* value : {"20001", "35000", "46000"}) {
    const ModelParams params = P({{"max_items", value}});
    EXPECT_OK(EaseFamily().ValidateParams(params)) << value;
    EXPECT_OK(DlaeFamily(false).ValidateParams(params)) << value;
    EXPECT_OK(DlaeFamily(true).ValidateParams(params)) << value;
  }
  EXPECT_THAT(DlaeFamily(false).ValidateParams(P({{"max_items", "46001"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A fit with such a cap keeps every item of a small catalogue.
  ASSERT_OK_AND_ASSIGN(auto m, EaseFamily().Fit(Tiny(), P({{"max_items", "30000"}})));
  const auto* ease = dynamic_cast<const EaseModel*>(m.get());
  ASSERT_NE(ease, nullptr);
  ASSERT_OK_AND_ASSIGN(auto d, EaseFamily().Fit(Tiny(), {}));
  EXPECT_EQ(ease->kept_items(), dynamic_cast<const EaseModel*>(d.get())->kept_items());
}

TEST(EaseFamilyTest, RegistersAsEase) {
  models::ModelFamilyRegistry registry;
  ASSERT_OK(RegisterEaseFamily(&registry));
  ASSERT_NE(registry.Find("ease"), nullptr);
  EXPECT_EQ(registry.Find("ease")->name(), "ease");
  EXPECT_THAT(RegisterEaseFamily(&registry), StatusIs(absl::StatusCode::kAlreadyExists));
}

}  // namespace
}  // namespace recplat::ease
