// The `blend` family: fitted weights favour the component that finds planted structure, fixed
// weights reproduce a component's ranking, save/load answers the same, bad params are rejected.
#include "trainers/blend/blend_family.h"

#include "core/common/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/blend/blend_model.h"

namespace recplat::blend {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;
using Params = std::map<std::string, std::string>;

// Two taste groups of 10 items; item 0 of group A is also popular with everybody.
models::TrainingData Planted() {
  models::TrainingData d;
  d.num_users = 80;
  d.num_items = 20;
  d.event_types = {"click"};
  d.event_type_weights = {1.0f};
  common::Rng rng(9);
  for (uint32_t u = 0; u < 80; ++u) {
    d.interactions.push_back({.user = u, .item = 0});
    for (int k = 0; k < 5; ++k) {
      d.interactions.push_back({.user = u, .item = (u % 2) * 10 + static_cast<uint32_t>(rng.Uniform(10))});
    }
  }
  return d;
}

class BlendFamilyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(models::RegisterBuiltinFamilies(&registry_));
    ASSERT_OK(RegisterBlendFamily(&registry_));
    family_ = registry_.Find("blend");
  }
  models::ModelFamilyRegistry registry_;
  const models::ModelFamily* family_ = nullptr;
};

TEST_F(BlendFamilyTest, FittedWeightsFavourTheComponentThatFindsTheGroups) {
  ASSERT_OK_AND_ASSIGN(auto model,
                       family_->Fit(Planted(), models::ModelParams(Params{
                                                   {"components", "popularity;item_knn:shrink=0"}})));
  const auto& blend = dynamic_cast<const BlendModel&>(*model);
  ASSERT_EQ(blend.weights().size(), 2u);
  EXPECT_GT(blend.weights()[1], blend.weights()[0]);
  EXPECT_NEAR(blend.weights()[0] + blend.weights()[1], 1.0, 1e-9);
  double knn_alone = -1, blended = -1;
  for (const auto& [name, value] : model->Metrics()) {
    if (name == "validation_ndcg@20_component_1") knn_alone = value;
    if (name == "validation_ndcg@20") blended = value;
  }
  EXPECT_GE(blended, knn_alone);  // The grid contains (0, 1).
  // A group-B history gets group-B items (and item 0, which everybody has) first.
  const std::vector<uint32_t> history = {11, 12};
  models::RecommendContext ctx;
  ctx.user_history = history;
  std::vector<models::ScoredItem> top;
  ASSERT_OK(model->Retrieve(ctx, 3, &top));
  ASSERT_EQ(top.size(), 3u);
  for (const auto& s : top) EXPECT_TRUE(s.item == 0 || s.item >= 10) << s.item;

  recplat::testing::TempDir dir;
  ASSERT_OK(model->Save(dir.path()));
  ASSERT_OK_AND_ASSIGN(auto loaded, family_->Load(dir.path(), models::ModelParams(Params{
                                                      {"components", "popularity;item_knn:shrink=0"}})));
  std::vector<models::ScoredItem> again;
  ASSERT_OK(loaded->Retrieve(ctx, 3, &again));
  ASSERT_EQ(again.size(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(again[k].item, top[k].item);
}

TEST_F(BlendFamilyTest, FixedWeightsReproduceAComponent) {
  const models::TrainingData d = Planted();
  ASSERT_OK_AND_ASSIGN(auto blend, family_->Fit(d, models::ModelParams(Params{
                                                       {"components", "popularity;item_knn"},
                                                       {"weights", "1,0"}})));
  ASSERT_OK_AND_ASSIGN(auto pop, registry_.Find("popularity")->Fit(d, {}));
  const std::vector<uint32_t> history = {3};
  models::RecommendContext ctx;
  ctx.user_history = history;
  std::vector<models::ScoredItem> a, b;
  ASSERT_OK(blend->Retrieve(ctx, 20, &a));
  ASSERT_OK(pop->Retrieve(ctx, 20, &b));
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k].item, b[k].item) << k;
}

TEST_F(BlendFamilyTest, BadParams) {
  EXPECT_THAT(family_->ValidateParams(models::ModelParams(Params{{"components", "nope"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'nope'")));
  EXPECT_THAT(family_->ValidateParams(models::ModelParams(Params{{"components", "blend"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(family_->ValidateParams(models::ModelParams(Params{{"components", ""}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("components")));
  EXPECT_THAT(family_->ValidateParams(models::ModelParams(
                  Params{{"components", "popularity;item_knn"}, {"weights", "1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weights")));
  EXPECT_THAT(family_->ValidateParams(models::ModelParams(Params{{"components", "item_knn:shrnk=1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("shrnk")));
}

}  // namespace
}  // namespace recplat::blend
