// File: article_als.h
//
// The article_rec job's implicit ALS (§4.5; Hu, Koren & Volinsky 2008 as the job's port of
// MrChrisJohnson/implicit-mf ran it) on the platform's one iALS solver, trainers/als: each
// half-step solves, for every row u,
//     (YᵀY + Yᵀ C_u Y + λI) x_u = Yᵀ (C_u + I) p_u,   p = 1[c > 0],
// which is FitIals with unobserved_weight α0 = 1, ν = 0 (uniform λ) and hkv_preference (the
// α0 term pulls observed entries towards 1). The job's defaults: factors 130, λ 2.319952,
// 2 iterations, item factors N(0, 1) (init_stddev √d), conjugate gradient with 10 steps from
// zero per row (a warm start from the N(0,1) init left its noise in the factors after 2
// iterations, so two articles read by exactly the same readers were not each other's nearest).
//
// Thread-safety: pure functions.
#pragma once

#include "Eigen/SparseCore"
#include "trainers/als/ials_solver.h"

namespace recplat::article_rec {

// The job's options (above); callers override factors, l2, epochs, cg_steps (0 = the exact
// Cholesky solve), seed and threads.
als::IalsOptions JobAlsOptions();

// `confidence` (rows × cols, Confidence() of article_recs.h) as the solver's sparse rows.
// Entries <= 0 are left out: a zero confidence adds nothing to either side of the equations.
als::SparseMatrix ToSparseRows(const Eigen::SparseMatrix<float, Eigen::RowMajor>& confidence);

}  // namespace recplat::article_rec
