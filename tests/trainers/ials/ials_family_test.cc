// The `ials` family: it recovers planted taste groups (a history in one group ranks that
// group's unseen items first), serves new histories by folding them in, saves and loads the same
// model, and rejects bad params.
#include "trainers/ials/ials_family.h"

#include "core/common/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/ials/ials_model.h"

namespace recplat::ials {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

// 3 groups of 10 items (0-9, 10-19, 20-29); 90 users, 30 per group, 5 random items of their
// group each. Item 30 exists in the catalog but nobody touched it.
models::TrainingData PlantedGroups() {
  models::TrainingData d;
  d.num_users = 90;
  d.num_items = 31;
  d.event_types = {"click"};
  d.event_type_weights = {1.0f};
  common::Rng rng(11);
  for (uint32_t u = 0; u < 90; ++u) {
    const uint32_t group = u / 30;
    for (int k = 0; k < 5; ++k) {
      d.interactions.push_back({.user = u, .item = group * 10 + static_cast<uint32_t>(rng.Uniform(10))});
    }
  }
  return d;
}

models::ModelParams Small() {
  return models::ModelParams(std::map<std::string, std::string>{{"factors", "8"}, {"epochs", "8"}, {"l2", "0.1"}});
}

TEST(IalsFamilyTest, RecoversPlantedGroups) {
  IalsFamily family;
  ASSERT_OK_AND_ASSIGN(auto model, family.Fit(PlantedGroups(), Small()));
  for (uint32_t group = 0; group < 3; ++group) {
    const std::vector<uint32_t> history = {group * 10 + 1, group * 10 + 2};
    models::RecommendContext ctx;
    ctx.user_history = history;
    ASSERT_TRUE(model->Ready(ctx));
    std::vector<models::ScoredItem> top;
    ASSERT_OK(model->Retrieve(ctx, 8, &top));
    ASSERT_EQ(top.size(), 8u);
    for (const models::ScoredItem& s : top) {
      EXPECT_EQ(s.item / 10, group) << "group " << group << " got item " << s.item;
    }
  }
  // The untouched item and out-of-catalog items are unknown.
  models::RecommendContext ctx;
  const std::vector<uint32_t> history = {1};
  ctx.user_history = history;
  std::vector<models::ScoredItem> items = {{30, 0}, {500, 0}, {2, 0}};
  ASSERT_OK(model->Score(ctx, items));
  EXPECT_EQ(items[0].score, -1e300);
  EXPECT_EQ(items[1].score, -1e300);
  EXPECT_GT(items[2].score, -1e300);
  const std::vector<uint32_t> unknown = {30};
  ctx.user_history = unknown;
  EXPECT_FALSE(model->Ready(ctx));
  // Similar items of an item are in its group.
  std::vector<models::ScoredItem> similar;
  ASSERT_OK(model->Similar(12, 5, nullptr, &similar));
  ASSERT_EQ(similar.size(), 5u);
  for (const models::ScoredItem& s : similar) EXPECT_EQ(s.item / 10, 1u);
}

TEST(IalsFamilyTest, SaveLoadAnswersTheSame) {
  IalsFamily family;
  ASSERT_OK_AND_ASSIGN(auto model, family.Fit(PlantedGroups(), Small()));
  recplat::testing::TempDir dir;
  ASSERT_OK(model->Save(dir.path()));
  ASSERT_OK_AND_ASSIGN(auto loaded, family.Load(dir.path(), Small()));
  const std::vector<uint32_t> history = {3, 14, 15};
  models::RecommendContext ctx;
  ctx.session_items = history;
  std::vector<models::ScoredItem> a, b;
  ASSERT_OK(model->Retrieve(ctx, 31, &a));
  ASSERT_OK(loaded->Retrieve(ctx, 31, &b));
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].item, b[k].item);
    EXPECT_EQ(a[k].score, b[k].score);
  }
  EXPECT_EQ(model->Metrics(), loaded->Metrics());
  // A corrupt artifact is DATA_LOSS.
  recplat::testing::TempDir empty;
  EXPECT_THAT(family.Load(empty.path(), Small()).status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(IalsFamilyTest, BadParamsAndNoData) {
  IalsFamily family;
  EXPECT_THAT(family.ValidateParams(models::ModelParams(std::map<std::string, std::string>{{"factor", "8"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("factor")));
  EXPECT_THAT(family.ValidateParams(models::ModelParams(std::map<std::string, std::string>{{"l2", "-1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("l2")));
  EXPECT_THAT(family.ValidateParams(models::ModelParams(std::map<std::string, std::string>{{"epochs", "0"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("epochs")));
  models::TrainingData empty;
  empty.num_items = 3;
  EXPECT_THAT(family.Fit(empty, {}).status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  // Its search space validates: every grid value is accepted.
  for (const models::ParamDimension& d : family.TuningSpace().dimensions) {
    for (const std::string& v : d.grid) {
      EXPECT_OK(family.ValidateParams(models::ModelParams(std::map<std::string, std::string>{{d.name, v}})));
    }
  }
}

}  // namespace
}  // namespace recplat::ials
