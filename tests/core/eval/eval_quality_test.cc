// Quality regression tests on the shared datasets (LABELS slow): RunEval at K = 20 for
// popularity and item_knn with default params.
//
// Measured on this code (docs/models.md), NDCG@20 on ml-100k u1: popularity 0.3004,
// item_knn 0.4358 (+45% relative); on the other folds u2..u5 item_knn is +47..+55% ahead. The
// test asks for +30%: well below every measured fold, far above what a broken similarity or
// an ignored history would give (item_knn then falls to popularity's level or below).
//
// On amazonelectronics-bars-m1 the popularity figures must match the published ItemPop
// numbers of quality-baselines.md section 5 (Recall@20 0.0886, NDCG@20 0.0488), which checks
// the protocol itself (exclusions, denominators, IDCG).
#include <cstdio>
#include <filesystem>

#include "core/eval/eval.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::eval {
namespace {

class EvalQualityTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(models::RegisterBuiltinFamilies(&families_).ok()); }

  // Runs `family` on train -> test of a shared dataset; skips the test when it is missing.
  absl::StatusOr<EvalReport> Run(const std::string& train, const std::string& test,
                                 const std::string& family) {
    EvalOptions o;
    o.train_path = recplat::testing::DatasetPath(train).string();
    o.test_path = recplat::testing::DatasetPath(test).string();
    o.family = family;
    o.k = 20;
    absl::StatusOr<EvalReport> r = RunEval(o, families_);
    if (r.ok()) {
      std::printf("%s\n", EvalReportToJson(*r).c_str());
    }
    return r;
  }

  bool Missing(const std::string& relative) {
    return recplat::testing::DatasetPath(relative).empty();
  }

  models::ModelFamilyRegistry families_;
};

TEST_F(EvalQualityTest, ItemKnnBeatsPopularityOnMovieLens100k) {
  if (Missing("ml-100k/u1.base") || Missing("ml-100k/u1.test")) {
    GTEST_SKIP() << "ml-100k/u1.base or u1.test not found under " << recplat::testing::DatasetsDir()
                 << " (set RECPLAT_DATASETS)";
  }
  ASSERT_OK_AND_ASSIGN(EvalReport pop, Run("ml-100k/u1.base", "ml-100k/u1.test", "popularity"));
  ASSERT_OK_AND_ASSIGN(EvalReport knn, Run("ml-100k/u1.base", "ml-100k/u1.test", "item_knn"));
  for (const EvalReport* r : {&pop, &knn}) {
    EXPECT_EQ(r->users_evaluated, 459);
    EXPECT_EQ(r->train_interactions, 80000);
    EXPECT_EQ(r->test_interactions, 20000);
    EXPECT_EQ(r->num_items, 1650);
    EXPECT_EQ(r->num_users, 943);
    EXPECT_EQ(r->users_not_ready, 0);
  }
  // Sane ranges around the measured figures.
  EXPECT_GT(pop.ndcg, 0.25);
  EXPECT_LT(pop.ndcg, 0.35);
  EXPECT_GT(pop.recall, 0.12);
  EXPECT_LT(pop.recall, 0.18);
  EXPECT_GT(knn.ndcg, 0.38);
  EXPECT_LT(knn.ndcg, 0.50);
  EXPECT_GT(knn.recall, 0.20);
  EXPECT_LT(knn.recall, 0.28);
  EXPECT_GT(knn.hit_rate, pop.hit_rate);
  EXPECT_GT(knn.coverage, pop.coverage);
  EXPECT_GE(knn.ndcg, 1.30 * pop.ndcg) << "item_knn " << knn.ndcg << " vs popularity " << pop.ndcg;
}

TEST_F(EvalQualityTest, BarsAmazonElectronicsMatchesPublishedItemPop) {
  const std::string dir = "amazonelectronics-bars-m1/";
  if (Missing(dir + "train.txt") || Missing(dir + "test.txt")) {
    GTEST_SKIP() << dir << "train.txt or test.txt not found under "
                 << recplat::testing::DatasetsDir() << " (set RECPLAT_DATASETS)";
  }
  ASSERT_OK_AND_ASSIGN(EvalReport pop, Run(dir + "train.txt", dir + "test.txt", "popularity"));
  ASSERT_OK_AND_ASSIGN(EvalReport knn, Run(dir + "train.txt", dir + "test.txt", "item_knn"));
  EXPECT_NEAR(pop.recall, 0.0886, 0.001);
  EXPECT_NEAR(pop.ndcg, 0.0488, 0.001);
  // Measured 0.0787 (+61%); the best published model on this split reaches 0.0842.
  EXPECT_GT(knn.ndcg, 0.065);
  EXPECT_LT(knn.ndcg, 0.095);
  EXPECT_GE(knn.ndcg, 1.30 * pop.ndcg);
}

}  // namespace
}  // namespace recplat::eval
