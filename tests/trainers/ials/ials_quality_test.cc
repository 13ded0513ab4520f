// Quality of the `ials` family on the shared datasets (LABELS slow; skipped without them):
// RunEval at K = 20 with the default params, against item_knn and popularity fitted on the same
// files. Measured (docs/models.md, "iALS"): ml-100k u1 NDCG@20 0.533 vs item_knn 0.436 (1.22×);
// amazonelectronics-bars-m1 0.0827 vs popularity 0.0488 (1.69×). A wrong sign, an unscaled λ or
// a broken fold-in falls far below these bounds.
#include "tests/testing/status_matchers.h"
#include "tests/trainers/quality_eval.h"
#include "trainers/ials/ials_family.h"

namespace recplat::ials {
namespace {

class IalsQualityTest : public recplat::testing::FamilyQualityTest {
 protected:
  absl::Status Register(models::ModelFamilyRegistry* families) override {
    return RegisterIalsFamily(families);
  }
};

TEST_F(IalsQualityTest, BeatsItemKnnOnMovieLens100k) {
  if (Missing("ml-100k/u1.base", "ml-100k/u1.test")) GTEST_SKIP() << "ml-100k not found";
  ASSERT_OK_AND_ASSIGN(eval::EvalReport knn, Run("ml-100k/u1.base", "ml-100k/u1.test", "item_knn"));
  ASSERT_OK_AND_ASSIGN(eval::EvalReport ials, Run("ml-100k/u1.base", "ml-100k/u1.test", "ials"));
  EXPECT_EQ(ials.users_not_ready, 0);
  EXPECT_GE(ials.ndcg, 1.15 * knn.ndcg) << ials.ndcg << " vs item_knn " << knn.ndcg;
  EXPECT_GT(ials.recall, knn.recall);
}

TEST_F(IalsQualityTest, FarAbovePopularityOnAmazonBars) {
  const std::string train = "amazonelectronics-bars-m1/train.txt";
  const std::string test = "amazonelectronics-bars-m1/test.txt";
  if (Missing(train, test)) GTEST_SKIP() << "amazonelectronics-bars-m1 not found";
  ASSERT_OK_AND_ASSIGN(eval::EvalReport pop, Run(train, test, "popularity"));
  ASSERT_OK_AND_ASSIGN(eval::EvalReport ials, Run(train, test, "ials"));
  EXPECT_GE(ials.ndcg, 1.5 * pop.ndcg) << ials.ndcg << " vs popularity " << pop.ndcg;
  EXPECT_GT(ials.ndcg, 0.075);
}

}  // namespace
}  // namespace recplat::ials
