// The EASE linear algebra (trainers/ease/ease_solver.h) against a direct computation in
// double precision: XᵀX by definition, (XᵀX + λI)⁻¹ by Gauss-Jordan elimination.
#include "trainers/ease/ease_solver.h"

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/common/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::ease {
namespace {

using ::recplat::testing::StatusIs;

using Dense = std::vector<std::vector<double>>;

Dense ToDense(const SparseRows& x) {
  Dense d(x.num_rows(), std::vector<double>(x.num_cols, 0.0));
  for (size_t r = 0; r < x.num_rows(); ++r) {
    for (size_t k = 0; k < x.ColsOf(r).size(); ++k) {
      d[r][x.ColsOf(r)[k]] = x.ValuesOf(r)[k];
    }
  }
  return d;
}

Dense Gram(const Dense& x, size_t n) {
  Dense g(n, std::vector<double>(n, 0.0));
  for (const auto& row : x) {
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) {
        g[i][j] += row[i] * row[j];
      }
    }
  }
  return g;
}

// Inverse by Gauss-Jordan elimination with partial pivoting.
Dense Inverse(Dense a) {
  const size_t n = a.size();
  Dense inv(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    inv[i][i] = 1.0;
  }
  for (size_t c = 0; c < n; ++c) {
    size_t pivot = c;
    for (size_t r = c + 1; r < n; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) {
        pivot = r;
      }
    }
    std::swap(a[c], a[pivot]);
    std::swap(inv[c], inv[pivot]);
    const double d = a[c][c];
    for (size_t j = 0; j < n; ++j) {
      a[c][j] /= d;
      inv[c][j] /= d;
    }
    for (size_t r = 0; r < n; ++r) {
      if (r != c && a[r][c] != 0.0) {
        const double f = a[r][c];
        for (size_t j = 0; j < n; ++j) {
          a[r][j] -= f * a[c][j];
          inv[r][j] -= f * inv[c][j];
        }
      }
    }
  }
  return inv;
}

// B = −P / diag(P) column-wise, diag(B) = 0, with P = (XᵀX + λI)⁻¹.
Dense DirectWeights(const SparseRows& x, double l2) {
  const size_t n = x.num_cols;
  Dense g = Gram(ToDense(x), n);
  for (size_t i = 0; i < n; ++i) {
    g[i][i] += l2;
  }
  const Dense p = Inverse(g);
  Dense b(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      b[i][j] = i == j ? 0.0 : -p[i][j] / p[j][j];
    }
  }
  return b;
}

// 4 users x 3 items: u0 {0, 1}, u1 {1, 2}, u2 {0, 1, 2}, u3 {2}.
SparseRows Tiny() {
  SparseRows x;
  x.num_cols = 3;
  const std::vector<float> one(3, 1.0f);
  for (std::vector<uint32_t> row : {std::vector<uint32_t>{0, 1}, {1, 2}, {0, 1, 2}, {2}}) {
    x.AddRow(row, std::span<const float>(one).first(row.size()));
  }
  return x;
}

// `users` rows of about `per_row` random columns of [0, n), random values in [0.5, 2).
SparseRows Random(uint32_t n, size_t users, size_t per_row, uint64_t seed) {
  common::Rng rng(seed);
  SparseRows x;
  x.num_cols = n;
  for (size_t u = 0; u < users; ++u) {
    std::vector<uint8_t> mark(n, 0);
    for (size_t k = 0; k < per_row; ++k) {
      mark[rng.Uniform(n)] = 1;
    }
    std::vector<uint32_t> cols;
    std::vector<float> values;
    for (uint32_t c = 0; c < n; ++c) {
      if (mark[c]) {
        cols.push_back(c);
        values.push_back(static_cast<float>(0.5 + 1.5 * rng.UniformDouble()));
      }
    }
    x.AddRow(cols, values);
  }
  return x;
}

void ExpectNear(const std::vector<float>& got, const Dense& want, double tolerance) {
  const size_t n = want.size();
  ASSERT_EQ(got.size(), n * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      EXPECT_NEAR(got[i * n + j], want[i][j], tolerance) << "B[" << i << "][" << j << "]";
    }
  }
}

TEST(EaseSolverTest, TinyMatrixMatchesDirectInverse) {
  // XᵀX = [[2,2,1],[2,3,2],[1,2,3]]; with λ = 1 the inverse is computed by Gauss-Jordan.
  const SparseRows x = Tiny();
  const Dense g = Gram(ToDense(x), 3);
  EXPECT_EQ(g[0][0], 2);
  EXPECT_EQ(g[0][1], 2);
  EXPECT_EQ(g[1][2], 2);
  EXPECT_EQ(g[2][2], 3);
  ASSERT_OK_AND_ASSIGN(std::vector<float> b, FitEaseWeights(x, 1.0, 1));
  ExpectNear(b, DirectWeights(x, 1.0), 1e-5);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(b[i * 3 + i], 0.0f);
  }
  // By hand: G = [[3,2,1],[2,4,2],[1,2,4]], det = 24; P = adj(G) / 24 with adj =
  // [[12,-6,0],[-6,11,-4],[0,-4,8]]: B[1][0] = −P[1][0] / P[0][0] = 6/12, B[0][1] = 6/11,
  // B[2][1] = 4/11, B[1][2] = 4/8, B[0][2] = B[2][0] = 0.
  EXPECT_NEAR(b[1 * 3 + 0], 0.5, 1e-6);
  EXPECT_NEAR(b[0 * 3 + 1], 6.0 / 11, 1e-6);
  EXPECT_NEAR(b[2 * 3 + 1], 4.0 / 11, 1e-6);
  EXPECT_NEAR(b[1 * 3 + 2], 0.5, 1e-6);
  EXPECT_NEAR(b[0 * 3 + 2], 0.0, 1e-6);
}

TEST(EaseSolverTest, GramFillsTheUpperTriangle) {
  const SparseRows x = Random(70, 40, 9, 3);
  const Dense want = Gram(ToDense(x), 70);
  for (int threads : {1, 3}) {
    std::vector<float> g;
    ComputeGramUpper(x, threads, &g);
    ASSERT_EQ(g.size(), 70u * 70u);
    for (size_t i = 0; i < 70; ++i) {
      for (size_t j = 0; j < 70; ++j) {
        EXPECT_NEAR(g[i * 70 + j], j >= i ? want[i][j] : 0.0, 1e-4) << i << "," << j;
      }
    }
  }
}

TEST(EaseSolverTest, SeveralTilesAndThreadsMatchDirectInverse) {
  // 150 items span three 64-wide tiles, the last one partial.
  const SparseRows x = Random(150, 400, 20, 7);
  const Dense want = DirectWeights(x, 5.0);
  ASSERT_OK_AND_ASSIGN(std::vector<float> one, FitEaseWeights(x, 5.0, 1));
  ASSERT_OK_AND_ASSIGN(std::vector<float> three, FitEaseWeights(x, 5.0, 3));
  ExpectNear(one, want, 2e-5);
  EXPECT_EQ(one, three);
}

// The in-place path (one n² buffer: Gram upper triangle, Cholesky inverse, B written over P)
// against the straightforward one (dense XᵀX + λI, Gauss-Jordan inverse in double, B in a new
// matrix), for odd and even n around a tile boundary; and the column scaling DLAE uses against
// −P·diag(s) computed on a separate copy of P.
TEST(EaseSolverTest, InPlacePathMatchesTheStraightforwardOneForOddAndEvenN) {
  for (uint32_t n : {63u, 64u, 97u, 128u}) {
    const SparseRows x = Random(n, 3 * n, 12, 100 + n);
    ASSERT_OK_AND_ASSIGN(std::vector<float> b, FitEaseWeights(x, 3.0, 2));
    ExpectNear(b, DirectWeights(x, 3.0), 2e-5);

    std::vector<float> p;
    ComputeGramUpper(x, 2, &p);
    for (uint64_t j = 0; j < n; ++j) p[j * n + j] += 3.0f;
    ASSERT_OK(InvertSpdUpper(n, p));
    const std::vector<float> copy = p;  // Both triangles of P.
    common::Rng rng(n);
    std::vector<float> scale(n);
    for (float& v : scale) v = static_cast<float>(0.5 + rng.UniformDouble());
    ScaleColumnsToWeights(n, 3, scale, p);
    for (uint64_t i = 0; i < n; ++i) {
      for (uint64_t j = 0; j < n; ++j) {
        const float want = i == j ? 0.0f : -copy[i * n + j] * scale[j];
        ASSERT_EQ(p[i * n + j], want) << "n = " << n << ", B[" << i << "][" << j << "]";
      }
    }
  }
}

// Debian bookworm's OpenBLAS (0.3.21) on a Cooper Lake core, single threaded, crashed in spotrf
// 'L' for most odd sizes; InvertSpdUpper avoids that path. Single-threaded BLAS here whatever the
// machine, odd sizes, and the answer checked as A·A⁻¹ = I on both triangles.
TEST(EaseSolverTest, InvertsOddSizesWithSingleThreadedBlas) {
  auto set_threads =
      reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  auto get_threads = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (set_threads == nullptr || get_threads == nullptr) GTEST_SKIP() << "BLAS is not OpenBLAS";
  const int threads = get_threads();
  set_threads(1);
  for (uint32_t n : {301u, 513u}) {
    const SparseRows x = Random(n, 2 * n, 25, n);
    std::vector<float> a;
    ComputeGramUpper(x, 1, &a);
    for (uint64_t j = 0; j < n; ++j) a[j * n + j] += 10.0f;
    std::vector<float> inv = a;
    ASSERT_OK(InvertSpdUpper(n, inv));
    double worst = 0;
    for (uint64_t i = 0; i < n; ++i) {
      for (uint64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (uint64_t k = 0; k < n; ++k) {
          const float aik = i <= k ? a[i * n + k] : a[k * n + i];  // A from its upper triangle.
          sum += static_cast<double>(aik) * inv[k * n + j];
        }
        worst = std::max(worst, std::abs(sum - (i == j ? 1.0 : 0.0)));
      }
    }
    EXPECT_LT(worst, 1e-4) << "n = " << n;
  }
  set_threads(threads);
}

TEST(EaseSolverTest, RejectsBadInputs) {
  const SparseRows x = Tiny();
  EXPECT_THAT(FitEaseWeights(x, 0.0, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FitEaseWeights(x, -1.0, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FitEaseWeights(x, NAN, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FitEaseWeights(SparseRows(), 1.0, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<float> not_spd = {1, 2, 0, 1};  // Upper triangle [[1, 2], [., 1]]: det < 0.
  EXPECT_THAT(InvertSpdUpper(2, not_spd), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<float> wrong_size(3, 1.0f);
  EXPECT_THAT(InvertSpdUpper(2, wrong_size), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::ease
