// The iALS solver: each epoch lowers the objective it documents, a row solve is the exact
// minimiser (zero gradient), the result does not depend on the thread count, and bad options
// are INVALID_ARGUMENT.
#include "trainers/als/ials_solver.h"

#include <cmath>

#include "core/common/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::als {
namespace {

using ::recplat::testing::StatusIs;

// 30 users × 25 items, each user observing ~6 random items.
SparseMatrix RandomMatrix(uint64_t seed) {
  common::Rng rng(seed);
  SparseMatrix x;
  x.num_cols = 25;
  for (int u = 0; u < 30; ++u) {
    std::vector<uint32_t> cols;
    for (uint32_t i = 0; i < 25; ++i) {
      if (rng.Uniform(4) == 0) cols.push_back(i);
    }
    for (uint32_t c : cols) {
      x.cols.push_back(c);
      x.weights.push_back(1.0f + static_cast<float>(rng.Uniform(3)));
    }
    x.offsets.push_back(x.cols.size());
  }
  return x;
}

// The objective of ials_solver.h, in double.
double Objective(const SparseMatrix& x, const IalsFactors& f, const IalsOptions& o) {
  const uint32_t d = f.dim;
  const size_t users = x.num_rows();
  const size_t items = x.num_cols;
  auto dot = [&](size_t u, size_t i) {
    double s = 0;
    for (uint32_t k = 0; k < d; ++k) s += double(f.user[u * d + k]) * f.item[i * d + k];
    return s;
  };
  auto norm2 = [&](const std::vector<float>& v, size_t r) {
    double s = 0;
    for (uint32_t k = 0; k < d; ++k) s += double(v[r * d + k]) * v[r * d + k];
    return s;
  };
  std::vector<double> item_count(items, 0);
  double loss = 0;
  for (size_t u = 0; u < users; ++u) {
    for (size_t k = x.offsets[u]; k < x.offsets[u + 1]; ++k) {
      const double e = dot(u, x.cols[k]) - 1;
      loss += x.weights[k] * e * e;
      ++item_count[x.cols[k]];
    }
    for (size_t i = 0; i < items; ++i) loss += o.unobserved_weight * dot(u, i) * dot(u, i);
    const double n = double(x.offsets[u + 1] - x.offsets[u]);
    loss += o.l2 * std::pow(n + o.unobserved_weight * items, o.nu) * norm2(f.user, u);
  }
  for (size_t i = 0; i < items; ++i) {
    loss += o.l2 * std::pow(item_count[i] + o.unobserved_weight * users, o.nu) * norm2(f.item, i);
  }
  return loss;
}

class IalsEpochTest : public ::testing::TestWithParam<int> {};

// Exact solves (cg_steps 0) and warm-started conjugate gradient both lower every row's part of
// the objective, so the whole objective falls epoch after epoch.
TEST_P(IalsEpochTest, EveryEpochLowersTheObjective) {
  const SparseMatrix x = RandomMatrix(1);
  IalsOptions o;
  o.factors = 6;
  o.l2 = 0.01;
  o.unobserved_weight = 0.2;
  o.cg_steps = GetParam();
  double previous = INFINITY;
  for (int epochs = 1; epochs <= 6; ++epochs) {
    o.epochs = epochs;
    ASSERT_OK_AND_ASSIGN(IalsFactors f, FitIals(x, o));
    const double loss = Objective(x, f, o);
    EXPECT_LE(loss, previous * (1 + 1e-5)) << "epoch " << epochs;
    previous = loss;
  }
  // Far below the loss of all-zero factors (every observed entry costs its weight).
  double zero_loss = 0;
  for (float w : x.weights) zero_loss += w;
  EXPECT_LT(previous, 0.7 * zero_loss);
}

INSTANTIATE_TEST_SUITE_P(CgSteps, IalsEpochTest, ::testing::Values(0, 1, 3));

TEST(IalsSolverTest, ConjugateGradientConvergesToTheExactSolve) {
  const SparseMatrix x = RandomMatrix(6);
  IalsOptions o;
  o.factors = 5;
  o.epochs = 2;
  ASSERT_OK_AND_ASSIGN(IalsFactors f, FitIals(x, o));
  const std::vector<float> gram = Gramian(f.item, f.dim);
  const std::vector<uint32_t> cols = {0, 3, 8, 9};
  std::vector<float> exact(f.dim), cg(f.dim, 0.0f);
  SolveRow(f.item, gram, f.dim, cols, {}, o, exact);
  SolveRowCg(f.item, gram, f.dim, cols, {}, o, 20, cg);
  for (uint32_t k = 0; k < f.dim; ++k) EXPECT_NEAR(cg[k], exact[k], 1e-3 * (1 + std::fabs(exact[k])));
}

TEST(IalsSolverTest, RowSolveHasZeroGradient) {
  const SparseMatrix x = RandomMatrix(2);
  IalsOptions o;
  o.factors = 5;
  o.epochs = 2;
  ASSERT_OK_AND_ASSIGN(IalsFactors f, FitIals(x, o));
  const std::vector<float> gram = Gramian(f.item, f.dim);
  const std::vector<uint32_t> cols = {1, 4, 7};
  const std::vector<float> weights = {1, 2, 1};
  std::vector<float> w(f.dim);
  SolveRow(f.item, gram, f.dim, cols, weights, o, w);
  // Gradient of Σ c (⟨w,h⟩−1)² + α0 Σ_i ⟨w,h_i⟩² + λ_r ‖w‖², halved.
  const double lambda = o.l2 * std::pow(3 + o.unobserved_weight * 25, o.nu);
  for (uint32_t k = 0; k < f.dim; ++k) {
    double g = lambda * w[k];
    for (uint32_t i = 0; i < 25; ++i) {
      double s = 0;
      for (uint32_t q = 0; q < f.dim; ++q) s += double(w[q]) * f.item[i * f.dim + q];
      g += o.unobserved_weight * s * f.item[i * f.dim + k];
      for (size_t c = 0; c < cols.size(); ++c) {
        if (cols[c] == i) g += weights[c] * (s - 1) * f.item[i * f.dim + k];
      }
    }
    EXPECT_NEAR(g, 0.0, 1e-4) << k;
  }
  SolveRow(f.item, gram, f.dim, {}, {}, o, w);
  EXPECT_THAT(w, ::testing::Each(0.0f));
}

TEST(IalsSolverTest, ThreadCountDoesNotChangeTheResult) {
  const SparseMatrix x = RandomMatrix(3);
  IalsOptions o;
  o.factors = 8;
  o.epochs = 3;
  o.threads = 1;
  ASSERT_OK_AND_ASSIGN(IalsFactors one, FitIals(x, o));
  o.threads = 3;
  ASSERT_OK_AND_ASSIGN(IalsFactors three, FitIals(x, o));
  EXPECT_EQ(one.item, three.item);
  EXPECT_EQ(one.user, three.user);
  o.seed = 7;
  ASSERT_OK_AND_ASSIGN(IalsFactors other, FitIals(x, o));
  EXPECT_NE(other.item, one.item);
}

TEST(IalsSolverTest, TransposeSwapsRowsAndColumns) {
  const SparseMatrix x = RandomMatrix(4);
  const SparseMatrix t = x.Transposed();
  EXPECT_EQ(t.num_rows(), 25u);
  EXPECT_EQ(t.num_cols, 30u);
  EXPECT_EQ(t.cols.size(), x.cols.size());
  const SparseMatrix back = t.Transposed();
  EXPECT_EQ(back.offsets, x.offsets);
  EXPECT_EQ(back.weights, x.weights);
}

TEST(IalsSolverTest, BadOptionsAndMatrices) {
  const SparseMatrix x = RandomMatrix(5);
  IalsOptions o;
  o.l2 = 0;
  EXPECT_THAT(FitIals(x, o).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  o = {};
  o.factors = 0;
  EXPECT_THAT(FitIals(x, o).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  SparseMatrix bad = x;
  bad.cols[0] = 99;
  EXPECT_THAT(FitIals(bad, {}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::als
