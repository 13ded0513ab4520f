// File: implicit_als.h
//
// Implicit-feedback ALS (Hu, Koren, Volinsky 2008) as the article_rec job ran it (§4.5; the
// port of MrChrisJohnson/implicit-mf): confidence counts C used directly, preferences
// p = 1[c > 0], factors initialised N(0, 1), and each half-step solving, for every row u,
//     (YᵀY + Yᵀ C_u Y + λI) x_u = Yᵀ (C_u + I) p_u
// (users with the item factors fixed, then items with the user factors fixed).
//
// Solvers: `kConjugateGradient` (default: `cg_steps` steps of CG per row, started from zero,
// the matrix applied as (YᵀY + λI)v + Σ c_ui y_i (y_iᵀv), so a step
// costs O(nnz_u·f + f²)) or `kCholesky` (the exact solve of the original, O(nnz_u·f² + f³) per
// row). Rows are split across `threads` workers; results do not depend on the thread count.
//
// Not the `ials` family being written on the quality branch: this is the job's own solver,
// kept with the job; the two are to be unified (docs/article_rec.md).
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>

#include "Eigen/Core"
#include "Eigen/SparseCore"

namespace recplat::article_rec {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct AlsOptions {
  int factors = 130;
  double regularization = 2.319952;
  int iterations = 2;
  enum class Solver { kConjugateGradient, kCholesky };
  Solver solver = Solver::kConjugateGradient;
  int cg_steps = 10;
  uint64_t seed = 42;
  // Worker threads; 0 = the machine's hardware concurrency.
  int threads = 0;
};

struct AlsFactors {
  RowMatrixF users;  // rows × factors
  RowMatrixF items;  // cols × factors
};

// The N(0, 1) initial factors FitImplicitAls starts from (users drawn first, then items, from
// one generator seeded with options.seed), for comparisons with other implementations.
AlsFactors InitialFactors(Eigen::Index rows, Eigen::Index cols, const AlsOptions& options);

// `confidence` is rows × cols (Confidence() of article_recs.h). REQUIRES: factors >= 1,
// iterations >= 0, cg_steps >= 1, values finite and >= 0.
AlsFactors FitImplicitAls(const Eigen::SparseMatrix<float, Eigen::RowMajor>& confidence,
                          const AlsOptions& options);

}  // namespace recplat::article_rec
