// Quality of the `rp3beta` family on the shared datasets (LABELS slow; skipped without them):
// RunEval at K = 20 with the default params, against item_knn and popularity fitted on the same
// files. Measured (docs/models.md, "RP3beta"): ml-100k u1 NDCG@20 0.482 vs item_knn 0.436
// (1.11×); amazonelectronics-bars-m1 0.0743 vs popularity 0.0488 (1.52×). Dropping the
// popularity penalty or the walk's normalisation falls below these bounds.
#include "tests/testing/status_matchers.h"
#include "tests/trainers/quality_eval.h"
#include "trainers/rp3beta/rp3beta_family.h"

namespace recplat::rp3beta {
namespace {

class Rp3BetaQualityTest : public recplat::testing::FamilyQualityTest {
 protected:
  absl::Status Register(models::ModelFamilyRegistry* families) override {
    return RegisterRp3BetaFamily(families);
  }
};

TEST_F(Rp3BetaQualityTest, BeatsItemKnnOnMovieLens100k) {
  if (Missing("ml-100k/u1.base", "ml-100k/u1.test")) GTEST_SKIP() << "ml-100k not found";
  ASSERT_OK_AND_ASSIGN(eval::EvalReport knn, Run("ml-100k/u1.base", "ml-100k/u1.test", "item_knn"));
  ASSERT_OK_AND_ASSIGN(eval::EvalReport rp3, Run("ml-100k/u1.base", "ml-100k/u1.test", "rp3beta"));
  EXPECT_EQ(rp3.users_not_ready, 0);
  EXPECT_GE(rp3.ndcg, 1.05 * knn.ndcg) << rp3.ndcg << " vs item_knn " << knn.ndcg;
  EXPECT_GT(rp3.recall, knn.recall);
}

TEST_F(Rp3BetaQualityTest, FarAbovePopularityOnAmazonBars) {
  const std::string train = "amazonelectronics-bars-m1/train.txt";
  const std::string test = "amazonelectronics-bars-m1/test.txt";
  if (Missing(train, test)) GTEST_SKIP() << "amazonelectronics-bars-m1 not found";
  ASSERT_OK_AND_ASSIGN(eval::EvalReport pop, Run(train, test, "popularity"));
  ASSERT_OK_AND_ASSIGN(eval::EvalReport rp3, Run(train, test, "rp3beta"));
  EXPECT_GE(rp3.ndcg, 1.35 * pop.ndcg) << rp3.ndcg << " vs popularity " << pop.ndcg;
  EXPECT_GT(rp3.ndcg, 0.07);
}

}  // namespace
}  // namespace recplat::rp3beta
