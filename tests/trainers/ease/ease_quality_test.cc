// Quality of the `ease` family on the shared datasets (LABELS slow): RunEval at K = 20 against
// item_knn, skipped when a dataset is missing. Figures measured on this code are in
// docs/models.md ("EASE").
//
// ml-100k, NDCG@20 with the default λ = 400 vs item_knn: u1 0.5411 vs 0.4358 (+24%), and
// +29%, +27%, +32%, +34% on u2..u5. The test asks for +15% on u1: below every fold, far above
// what a broken B gives (a wrong sign or an unscaled column drops EASE below item_knn).
#include <cstdio>

#include "core/eval/eval.h"
#include "core/eval/eval_dataset.h"
#include "core/eval/interaction_file.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/ease/ease_family.h"

namespace recplat::ease {
namespace {

class EaseQualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(models::RegisterBuiltinFamilies(&families_).ok());
    ASSERT_TRUE(RegisterEaseFamily(&families_).ok());
  }

  absl::StatusOr<eval::EvalReport> Run(const std::string& train, const std::string& test,
                                       const std::string& family, models::ModelParams params = {}) {
    eval::EvalOptions o;
    o.params = std::move(params);
    o.train_path = recplat::testing::DatasetPath(train).string();
    o.test_path = recplat::testing::DatasetPath(test).string();
    o.family = family;
    o.k = 20;
    absl::StatusOr<eval::EvalReport> r = eval::RunEval(o, families_);
    if (r.ok()) {
      std::printf("%s\n", eval::EvalReportToJson(*r).c_str());
    }
    return r;
  }

  bool Missing(const std::string& relative) {
    return recplat::testing::DatasetPath(relative).empty();
  }

  models::ModelFamilyRegistry families_;
};

TEST_F(EaseQualityTest, BeatsItemKnnOnMovieLens100k) {
  if (Missing("ml-100k/u1.base") || Missing("ml-100k/u1.test")) {
    GTEST_SKIP() << "ml-100k/u1.base or u1.test not found under " << recplat::testing::DatasetsDir()
                 << " (set RECPLAT_DATASETS)";
  }
  ASSERT_OK_AND_ASSIGN(eval::EvalReport knn, Run("ml-100k/u1.base", "ml-100k/u1.test", "item_knn"));
  ASSERT_OK_AND_ASSIGN(eval::EvalReport ease, Run("ml-100k/u1.base", "ml-100k/u1.test", "ease"));
  EXPECT_EQ(ease.users_evaluated, 459);
  EXPECT_EQ(ease.users_not_ready, 0);
  EXPECT_GE(ease.ndcg, 1.15 * knn.ndcg) << "ease " << ease.ndcg << " vs item_knn " << knn.ndcg;
  EXPECT_GT(ease.recall, knn.recall);
  EXPECT_GT(ease.ndcg, 0.50);
  EXPECT_LT(ease.ndcg, 0.60);
}

TEST_F(EaseQualityTest, GridOnMovieLens100kPicksAMiddleLambda) {
  if (Missing("ml-100k/u1.base") || Missing("ml-100k/u1.test")) {
    GTEST_SKIP() << "ml-100k/u1.base or u1.test not found";
  }
  ASSERT_OK_AND_ASSIGN(
      eval::InteractionFile train,
      eval::ReadInteractionFile(recplat::testing::DatasetPath("ml-100k/u1.base").string()));
  ASSERT_OK_AND_ASSIGN(
      eval::InteractionFile test,
      eval::ReadInteractionFile(recplat::testing::DatasetPath("ml-100k/u1.test").string()));
  ASSERT_OK_AND_ASSIGN(eval::EvalDataset ds, eval::BuildEvalDataset(train, test, 1.0f));
  const models::ModelParams grid(
      std::map<std::string, std::string>{{"l2_grid", "25,100,400,1600,6400"}});
  ASSERT_OK_AND_ASSIGN(auto model, EaseFamily().Fit(ds.train, grid));
  double l2 = 0;
  for (const auto& [name, value] : model->Metrics()) {
    std::printf("%s = %g\n", name.c_str(), value);
    if (name == "l2") {
      l2 = value;
    }
  }
  // The ends of the grid under- and over-regularise (test NDCG 0.456 at 25, 0.480 at 6400, 0.541 at
  // 400).
  EXPECT_GE(l2, 100);
  EXPECT_LE(l2, 1600);
}

TEST_F(EaseQualityTest, BarsAmazonElectronics) {
  const std::string dir = "amazonelectronics-bars-m1/";
  if (Missing(dir + "train.txt") || Missing(dir + "test.txt")) {
    GTEST_SKIP() << dir << "train.txt or test.txt not found under "
                 << recplat::testing::DatasetsDir() << " (set RECPLAT_DATASETS)";
  }
  ASSERT_OK_AND_ASSIGN(eval::EvalReport ease, Run(dir + "train.txt", dir + "test.txt", "ease"));
  ASSERT_OK_AND_ASSIGN(eval::EvalReport tuned,
                       Run(dir + "train.txt", dir + "test.txt", "ease",
                           models::ModelParams(std::map<std::string, std::string>{{"l2", "135"}})));
  // Measured NDCG@20: 0.0784 at the default λ = 400, 0.0837 at λ = 135 (the best λ on this
  // test split); published on it: ItemPop 0.0488, UltraGCN 0.0829, SimpleX 0.0842
  // (quality-baselines.md section 5).
  EXPECT_GT(ease.ndcg, 0.075);
  EXPECT_GT(tuned.ndcg, 0.082);
  EXPECT_LT(tuned.ndcg, 0.10);
}

}  // namespace
}  // namespace recplat::ease
