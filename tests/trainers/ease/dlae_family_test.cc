// The `dlae` / `edlae` families: their weights equal Steck's closed forms computed directly in
// double precision, edlae with no dropout is EASE, planted groups are recovered, and save/load
// keeps the family.
#include "trainers/ease/dlae_family.h"

#include "Eigen/Dense"
#include "core/common/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/ease/ease_family.h"
#include "trainers/ease/ease_model.h"

namespace recplat::ease {
namespace {

using ::recplat::testing::StatusIs;

// 40 users, 12 items in 2 groups of 6; each user picks 3 items of their group.
models::TrainingData Planted() {
  models::TrainingData d;
  d.num_users = 40;
  d.num_items = 12;
  d.event_types = {"click"};
  d.event_type_weights = {1.0f};
  common::Rng rng(3);
  for (uint32_t u = 0; u < 40; ++u) {
    for (int k = 0; k < 3; ++k) {
      d.interactions.push_back({.user = u, .item = (u % 2) * 6 + static_cast<uint32_t>(rng.Uniform(6))});
    }
  }
  return d;
}

Eigen::MatrixXd Gram(const models::TrainingData& d) {
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(d.num_users, d.num_items);
  for (const models::Interaction& i : d.interactions) x(i.user, i.item) = 1;
  return x.transpose() * x;
}

const EaseModel& AsEase(const models::Model& m) { return dynamic_cast<const EaseModel&>(m); }

TEST(DlaeFamilyTest, WeightsMatchTheClosedForms) {
  const models::TrainingData d = Planted();
  const Eigen::MatrixXd g = Gram(d);
  const double l2 = 5, p = 0.4;
  Eigen::VectorXd lambda = (p / (1 - p)) * g.diagonal().array() + l2;
  const Eigen::MatrixXd inv = (g + Eigen::MatrixXd(lambda.asDiagonal())).inverse();
  const models::ModelParams params({{"l2", "5"}, {"dropout", "0.4"}});
  ASSERT_OK_AND_ASSIGN(auto dlae, DlaeFamily(false).Fit(d, params));
  ASSERT_OK_AND_ASSIGN(auto edlae, DlaeFamily(true).Fit(d, params));
  const std::vector<float>& bd = AsEase(*dlae).weights();
  const std::vector<float>& be = AsEase(*edlae).weights();
  ASSERT_EQ(AsEase(*dlae).kept_items().size(), 12u);
  for (int i = 0; i < 12; ++i) {
    for (int j = 0; j < 12; ++j) {
      if (i == j) {
        EXPECT_EQ(bd[i * 12 + j], 0.0f);
        EXPECT_EQ(be[i * 12 + j], 0.0f);
        continue;
      }
      EXPECT_NEAR(bd[i * 12 + j], -inv(i, j) * lambda(j), 1e-4) << i << "," << j;
      EXPECT_NEAR(be[i * 12 + j], -inv(i, j) / inv(j, j), 1e-4) << i << "," << j;
    }
  }
}

TEST(DlaeFamilyTest, EdlaeWithoutDropoutIsEase) {
  const models::TrainingData d = Planted();
  ASSERT_OK_AND_ASSIGN(auto edlae, DlaeFamily(true).Fit(
                                       d, models::ModelParams(std::map<std::string, std::string>{{"l2", "20"}, {"dropout", "0"}})));
  ASSERT_OK_AND_ASSIGN(auto ease, EaseFamily().Fit(d, models::ModelParams(std::map<std::string, std::string>{{"l2", "20"}})));
  const std::vector<float>& a = AsEase(*edlae).weights();
  const std::vector<float>& b = AsEase(*ease).weights();
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 1e-6);
}

TEST(DlaeFamilyTest, RecoversPlantedGroupsAndRoundTrips) {
  for (bool emphasized : {false, true}) {
    DlaeFamily family(emphasized);
    // λ sized for 40 users (the default 100 suits thousands).
    const models::ModelParams params(std::map<std::string, std::string>{{"l2", "5"}});
    ASSERT_OK_AND_ASSIGN(auto model, family.Fit(Planted(), params));
    const std::vector<uint32_t> history = {7};
    models::RecommendContext ctx;
    ctx.user_history = history;
    // Block structure: no weight leaks across the groups, and the best items are in 7's group
    // (linear autoencoders also give some of its group negative weights on small data).
    std::vector<models::ScoredItem> top;
    ASSERT_OK(model->Retrieve(ctx, 3, &top));
    ASSERT_EQ(top.size(), 3u);
    for (const models::ScoredItem& s : top) {
      EXPECT_GE(s.item, 6u) << family.name();
      EXPECT_GT(s.score, 0) << family.name();
    }
    std::vector<models::ScoredItem> other = {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}};
    ASSERT_OK(model->Score(ctx, other));
    for (const models::ScoredItem& s : other) EXPECT_NEAR(s.score, 0.0, 1e-6) << s.item;
    recplat::testing::TempDir dir;
    ASSERT_OK(model->Save(dir.path()));
    ASSERT_OK_AND_ASSIGN(auto loaded, family.Load(dir.path(), params));
    EXPECT_EQ(AsEase(*loaded).weights(), AsEase(*model).weights());
    // Another family's artifact is DATA_LOSS.
    EXPECT_THAT(DlaeFamily(!emphasized).Load(dir.path(), {}).status(),
                StatusIs(absl::StatusCode::kDataLoss));
  }
  EXPECT_THAT(DlaeFamily(false).ValidateParams(models::ModelParams(std::map<std::string, std::string>{{"dropout", "1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::ease
