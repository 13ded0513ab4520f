// Implicit ALS: the exact (Cholesky) half-step solves the normal equations of §4.5; conjugate
// gradient approaches it; results do not depend on the thread count; factors separate two
// groups of readers.
#include "trainers/article_rec/implicit_als.h"

#include "gtest/gtest.h"

namespace recplat::article_rec {
namespace {

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

TEST(ImplicitAlsTest, CholeskySolvesTheNormalEquations) {
  const auto c = TwoGroups();
  AlsOptions o;
  o.factors = 4;
  o.regularization = 0.5;
  o.iterations = 1;
  o.solver = AlsOptions::Solver::kCholesky;
  const AlsFactors f = FitImplicitAls(c, o);
  // After the item half-step, every item row satisfies its equation with the final users.
  const Eigen::MatrixXd x = f.users.cast<double>();
  const Eigen::SparseMatrix<float, Eigen::RowMajor> ct = c.transpose();
  for (int i = 0; i < 6; ++i) {
    Eigen::MatrixXd a = x.transpose() * x;
    a.diagonal().array() += 0.5;
    Eigen::VectorXd b = Eigen::VectorXd::Zero(4);
    for (Eigen::SparseMatrix<float, Eigen::RowMajor>::InnerIterator it(ct, i); it; ++it) {
      a += it.value() * x.row(it.col()).transpose() * x.row(it.col());
      b += (it.value() + 1.0) * x.row(it.col()).transpose();
    }
    const Eigen::VectorXd residual = a * f.items.row(i).transpose().cast<double>() - b;
    EXPECT_LT(residual.norm(), 1e-3 * b.norm()) << i;
  }
}

TEST(ImplicitAlsTest, ConjugateGradientApproachesTheExactSolve) {
  const auto c = TwoGroups();
  AlsOptions exact;
  exact.factors = 4;
  exact.regularization = 0.5;
  exact.iterations = 3;
  exact.solver = AlsOptions::Solver::kCholesky;
  AlsOptions cg = exact;
  cg.solver = AlsOptions::Solver::kConjugateGradient;
  cg.cg_steps = 4;  // = factors: CG is exact in exact arithmetic
  const AlsFactors a = FitImplicitAls(c, exact);
  const AlsFactors b = FitImplicitAls(c, cg);
  EXPECT_LT((a.items - b.items).norm(), 1e-3 * a.items.norm());
}

TEST(ImplicitAlsTest, ThreadsDoNotChangeTheResultAndGroupsSeparate) {
  const auto c = TwoGroups();
  AlsOptions o;
  o.factors = 3;
  o.regularization = 0.1;
  o.iterations = 5;
  o.threads = 1;
  const AlsFactors one = FitImplicitAls(c, o);
  o.threads = 3;
  const AlsFactors three = FitImplicitAls(c, o);
  EXPECT_EQ(one.items, three.items);
  auto cosine = [&](int i, int j) {
    const auto a = one.items.row(i);
    const auto b = one.items.row(j);
    return a.dot(b) / (a.norm() * b.norm());
  };
  EXPECT_GT(cosine(0, 1), cosine(0, 4));
  EXPECT_GT(cosine(3, 5), cosine(3, 1));
}

}  // namespace
}  // namespace recplat::article_rec
