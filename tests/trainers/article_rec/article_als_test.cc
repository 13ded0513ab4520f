// The job's implicit ALS on trainers/als (article_als.h): the exact (Cholesky) half-step solves
// the normal equations of §4.5, Yᵀ(C_u + I)p_u on the right; conjugate gradient from zero
// approaches it, and from zero gives articles with the same readers the same factors; results
// do not depend on the thread count; factors separate two groups of readers; zero confidences
// are left out of the sparse rows.
#include "trainers/article_rec/article_als.h"

#include <cmath>

#include "Eigen/Core"
#include "gtest/gtest.h"

namespace recplat::article_rec {
namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::SparseMatrix<float, Eigen::RowMajor> TwoGroups() {
  // Users 0-3 read items 0-2, users 4-7 read items 3-5.
  Eigen::SparseMatrix<float, Eigen::RowMajor> c(8, 6);
  for (int u = 0; u < 8; ++u) {
    for (int i = 0; i < 3; ++i) {
      c.insert(u, (u < 4 ? 0 : 3) + i) = 0.2f + 0.1f * static_cast<float>((u + i) % 3);
    }
  }
  c.makeCompressed();
  return c;
}

als::IalsOptions Options(uint32_t factors, double l2, int iterations) {
  als::IalsOptions o = JobAlsOptions();
  o.factors = factors;
  o.init_stddev = std::sqrt(static_cast<double>(factors));
  o.l2 = l2;
  o.epochs = iterations;
  return o;
}

RowMatrixF Rows(const std::vector<float>& v, Eigen::Index rows, uint32_t dim) {
  return Eigen::Map<const RowMatrixF>(v.data(), rows, dim);
}

TEST(ArticleAlsTest, JobDefaults) {
  const als::IalsOptions o = JobAlsOptions();
  EXPECT_EQ(o.factors, 130u);
  EXPECT_DOUBLE_EQ(o.l2, 2.319952);
  EXPECT_EQ(o.epochs, 2);
  EXPECT_EQ(o.cg_steps, 10);
  EXPECT_TRUE(o.cg_from_zero);
  EXPECT_TRUE(o.hkv_preference);
  EXPECT_DOUBLE_EQ(o.unobserved_weight, 1.0);
  EXPECT_DOUBLE_EQ(o.nu, 0.0);
  EXPECT_TRUE(als::CheckIalsOptions(o).ok());
}

TEST(ArticleAlsTest, ZeroConfidencesAreLeftOut) {
  Eigen::SparseMatrix<float, Eigen::RowMajor> c(2, 3);
  c.insert(0, 0) = 0.5f;
  c.insert(0, 2) = 0.0f;
  c.insert(1, 1) = 1.0f;
  c.makeCompressed();
  const als::SparseMatrix m = ToSparseRows(c);
  EXPECT_EQ(m.num_cols, 3u);
  EXPECT_EQ(m.offsets, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(m.cols, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(m.weights, (std::vector<float>{0.5f, 1.0f}));
}

TEST(ArticleAlsTest, CholeskySolvesTheNormalEquations) {
  const auto c = TwoGroups();
  als::IalsOptions o = Options(4, 0.5, 1);
  o.cg_steps = 0;
  const absl::StatusOr<als::IalsFactors> f = als::FitIals(ToSparseRows(c), o);
  ASSERT_TRUE(f.ok()) << f.status();
  // After the item half-step, every item row satisfies its equation with the final users.
  const Eigen::MatrixXd x = Rows(f->user, 8, 4).cast<double>();
  const RowMatrixF items = Rows(f->item, 6, 4);
  const Eigen::SparseMatrix<float, Eigen::RowMajor> ct = c.transpose();
  for (int i = 0; i < 6; ++i) {
    Eigen::MatrixXd a = x.transpose() * x;
    a.diagonal().array() += 0.5;
    Eigen::VectorXd b = Eigen::VectorXd::Zero(4);
    for (Eigen::SparseMatrix<float, Eigen::RowMajor>::InnerIterator it(ct, i); it; ++it) {
      a += it.value() * x.row(it.col()).transpose() * x.row(it.col());
      b += (it.value() + 1.0) * x.row(it.col()).transpose();
    }
    const Eigen::VectorXd residual = a * items.row(i).transpose().cast<double>() - b;
    EXPECT_LT(residual.norm(), 1e-3 * b.norm()) << i;
  }
}

TEST(ArticleAlsTest, ConjugateGradientApproachesTheExactSolve) {
  const auto c = TwoGroups();
  als::IalsOptions exact = Options(4, 0.5, 3);
  exact.cg_steps = 0;
  als::IalsOptions cg = exact;
  cg.cg_steps = 4;  // = factors: CG is exact in exact arithmetic
  const absl::StatusOr<als::IalsFactors> a = als::FitIals(ToSparseRows(c), exact);
  const absl::StatusOr<als::IalsFactors> b = als::FitIals(ToSparseRows(c), cg);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT((Rows(a->item, 6, 4) - Rows(b->item, 6, 4)).norm(), 1e-3 * Rows(a->item, 6, 4).norm());
}

TEST(ArticleAlsTest, CgFromZeroGivesArticlesWithTheSameReadersTheSameFactors) {
  // Items 0 and 1 are read by the same readers with the same confidences.
  Eigen::SparseMatrix<float, Eigen::RowMajor> c(6, 4);
  for (int u = 0; u < 6; ++u) {
    c.insert(u, 0) = 0.3f + 0.1f * static_cast<float>(u % 3);
    c.insert(u, 1) = 0.3f + 0.1f * static_cast<float>(u % 3);
    c.insert(u, u < 3 ? 2 : 3) = 0.5f;
  }
  c.makeCompressed();
  als::IalsOptions o = Options(8, 2.319952, 2);
  o.cg_steps = 1;  // few steps, as the job's 10 are few for 130 factors
  const absl::StatusOr<als::IalsFactors> from_zero = als::FitIals(ToSparseRows(c), o);
  ASSERT_TRUE(from_zero.ok());
  const RowMatrixF items = Rows(from_zero->item, 4, 8);
  EXPECT_EQ(items.row(0), items.row(1));
  // Warm-started, the N(0,1) initialisation's noise stays after the job's 2 iterations.
  o.cg_from_zero = false;
  const absl::StatusOr<als::IalsFactors> warm = als::FitIals(ToSparseRows(c), o);
  ASSERT_TRUE(warm.ok());
  const RowMatrixF warm_items = Rows(warm->item, 4, 8);
  EXPECT_GT((warm_items.row(0) - warm_items.row(1)).norm(), 1e-3 * warm_items.row(0).norm());
}

TEST(ArticleAlsTest, ThreadsDoNotChangeTheResultAndGroupsSeparate) {
  const auto c = TwoGroups();
  als::IalsOptions o = Options(3, 0.1, 5);
  o.threads = 1;
  const absl::StatusOr<als::IalsFactors> one = als::FitIals(ToSparseRows(c), o);
  o.threads = 3;
  const absl::StatusOr<als::IalsFactors> three = als::FitIals(ToSparseRows(c), o);
  ASSERT_TRUE(one.ok() && three.ok());
  EXPECT_EQ(one->item, three->item);
  const RowMatrixF items = Rows(one->item, 6, 3);
  auto cosine = [&](int i, int j) {
    const auto a = items.row(i);
    const auto b = items.row(j);
    return a.dot(b) / (a.norm() * b.norm());
  };
  EXPECT_GT(cosine(0, 1), cosine(0, 4));
  EXPECT_GT(cosine(3, 5), cosine(3, 1));
}

}  // namespace
}  // namespace recplat::article_rec
