// The `rp3beta` family: the graph weights match the formula on a hand-sized example, the graph
// is pruned to `neighbors`, planted groups are recovered, save/load answers the same, and bad
// params are rejected.
#include "trainers/rp3beta/rp3beta_family.h"

#include <cmath>

#include "core/common/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/rp3beta/item_graph_model.h"

namespace recplat::rp3beta {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

models::TrainingData FromPairs(uint32_t users, uint32_t items,
                               std::vector<std::pair<uint32_t, uint32_t>> pairs) {
  models::TrainingData d;
  d.num_users = users;
  d.num_items = items;
  d.event_types = {"click"};
  d.event_type_weights = {1.0f};
  for (const auto& [u, i] : pairs) d.interactions.push_back({.user = u, .item = i});
  return d;
}

TEST(Rp3BetaFamilyTest, WeightsFollowTheFormula) {
  // u0: {0, 1}; u1: {0, 1, 2}; u2: {2}. deg(0) = 2, deg(1) = 2, deg(2) = 2.
  const models::TrainingData d = FromPairs(3, 3, {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {1, 2}, {2, 2}});
  Rp3BetaFamily family;
  const double alpha = 0.8, beta = 0.3;
  ASSERT_OK_AND_ASSIGN(auto model,
                       family.Fit(d, models::ModelParams(std::map<std::string, std::string>{{"alpha", "0.8"}, {"beta", "0.3"}})));
  std::vector<models::ScoredItem> sim;
  ASSERT_OK(model->Similar(0, 10, nullptr, &sim));
  // W_01 = Σ_u (1/deg 0)^α (1/deg u)^α / deg(1)^β over u0, u1; W_02 over u1 only.
  const double w01 = (std::pow(0.5, alpha) * std::pow(0.5, alpha) +
                      std::pow(0.5, alpha) * std::pow(1.0 / 3, alpha)) / std::pow(2.0, beta);
  const double w02 = std::pow(0.5, alpha) * std::pow(1.0 / 3, alpha) / std::pow(2.0, beta);
  ASSERT_EQ(sim.size(), 2u);
  EXPECT_EQ(sim[0].item, 1u);
  EXPECT_NEAR(sim[0].score, w01, 1e-6);
  EXPECT_EQ(sim[1].item, 2u);
  EXPECT_NEAR(sim[1].score, w02, 1e-6);
  // Pruned to one neighbour per item.
  ASSERT_OK_AND_ASSIGN(auto pruned, family.Fit(d, models::ModelParams(std::map<std::string, std::string>{{"neighbors", "1"}})));
  const ItemGraph& g = dynamic_cast<const ItemGraphModel&>(*pruned).graph();
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(g.offsets[i + 1] - g.offsets[i], 1);
}

TEST(Rp3BetaFamilyTest, RecoversPlantedGroupsAndRoundTrips) {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  common::Rng rng(5);
  for (uint32_t u = 0; u < 60; ++u) {
    for (int k = 0; k < 4; ++k) pairs.emplace_back(u, (u / 30) * 10 + rng.Uniform(10));
  }
  Rp3BetaFamily family;
  ASSERT_OK_AND_ASSIGN(auto model, family.Fit(FromPairs(60, 21, pairs), {}));
  const std::vector<uint32_t> history = {11, 12};
  models::RecommendContext ctx;
  ctx.user_history = history;
  ASSERT_TRUE(model->Ready(ctx));
  std::vector<models::ScoredItem> top;
  ASSERT_OK(model->Retrieve(ctx, 20, &top));
  ASSERT_GE(top.size(), 5u);
  for (const models::ScoredItem& s : top) EXPECT_EQ(s.item / 10, 1u) << s.item;
  std::vector<models::ScoredItem> unknown = {{20, 0}};
  ASSERT_OK(model->Score(ctx, unknown));
  EXPECT_EQ(unknown[0].score, -1e300);

  recplat::testing::TempDir dir;
  ASSERT_OK(model->Save(dir.path()));
  ASSERT_OK_AND_ASSIGN(auto loaded, family.Load(dir.path(), {}));
  std::vector<models::ScoredItem> again;
  ASSERT_OK(loaded->Retrieve(ctx, 20, &again));
  ASSERT_EQ(again.size(), top.size());
  for (size_t k = 0; k < top.size(); ++k) {
    EXPECT_EQ(again[k].item, top[k].item);
    EXPECT_EQ(again[k].score, top[k].score);
  }
}

TEST(Rp3BetaFamilyTest, BadParamsAndNoData) {
  Rp3BetaFamily family;
  EXPECT_THAT(family.ValidateParams(models::ModelParams(std::map<std::string, std::string>{{"beta", "-1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("beta")));
  EXPECT_THAT(family.ValidateParams(models::ModelParams(std::map<std::string, std::string>{{"gamma", "1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("gamma")));
  EXPECT_THAT(family.Fit(FromPairs(1, 1, {}), {}).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  for (const models::ParamDimension& d : family.TuningSpace().dimensions) {
    for (const std::string& v : d.grid) {
      EXPECT_OK(family.ValidateParams(models::ModelParams(std::map<std::string, std::string>{{d.name, v}})));
    }
  }
}

}  // namespace
}  // namespace recplat::rp3beta
