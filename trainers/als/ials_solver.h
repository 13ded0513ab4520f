// File: ials_solver.h
//
// Implicit alternating least squares (Hu, Koren & Volinsky, ICDM 2008) with the regularisation
// of Rendle, Krichene, Zhang & Koren, "Revisiting the Performance of iALS on Item
// Recommendation Benchmarks" (RecSys 2022, arXiv 2110.14037). The fitting half of the `ials`
// family (trainers/ials) and meant for any other job that needs implicit-feedback factors
// (e.g. the article_rec batch job): it knows nothing of model families, catalogs or files.
//
// Given a sparse users × items matrix of observed entries with weights c_ui > 0 (1 for binary
// data), it minimises over W (users × d) and H (items × d)
//
//   Σ_(u,i) observed c_ui (⟨w_u, h_i⟩ − 1)²  +  α0 Σ_u Σ_i ⟨w_u, h_i⟩²
//   + λ Σ_u (|I_u| + α0 |I|)^ν ‖w_u‖²  +  λ Σ_i (|U_i| + α0 |U|)^ν ‖h_i‖²
//
// (α0 = unobserved_weight, |I_u| = observed entries of u, |I| = number of items; ν = 0 is the
// classic uniform λ, ν = 1 the paper's frequency-scaled one). Each epoch solves every user
// exactly given H, then every item given W:
//
//   (α0 HᵀH + Σ_i∈I_u c_ui h_i h_iᵀ + λ_u I) w_u = Σ_i∈I_u c_ui h_i
//
// (with hkv_preference the right-hand side is Σ_i∈I_u (c_ui + α0) h_i: Hu–Koren–Volinsky's
// (YᵀY + Yᵀ C_u Y + λI) x_u = Yᵀ (C_u + I) p_u for α0 = 1, ν = 0, as the article_rec job runs it)
//
// either exactly, with a d × d Cholesky factorisation (Eigen LLT, float32; cg_steps = 0), or
// approximately with cg_steps conjugate-gradient steps warm-started from the row's previous
// vector (Takács, Pilászy & Tikk, RecSys 2011), which converges over the epochs at a fraction
// of the cost. HᵀH is formed once per half-epoch (the Gramian trick), so an epoch costs
// O(nnz·d² + (|U| + |I|)·d³) exactly, O(cg_steps·(nnz·d + (|U| + |I|)·d²)) with CG. H starts from
// N(0, init_stddev² / d), seeded; W starts at zero (the first half-step solves it). Rows are
// independent and solved on `threads` threads, so the result does not depend on the thread
// count. With epochs = 0 FitIals returns the initial factors (for comparisons with other
// implementations started from the same ones).
//
// Thread-safety: the functions are reentrant; FitIals runs its own worker threads.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace recplat::als {

// Compressed sparse rows: row r holds cols[offsets[r] .. offsets[r+1]) (distinct, any order,
// each < num_cols) with weights[same range] > 0.
struct SparseMatrix {
  uint32_t num_cols = 0;
  std::vector<uint64_t> offsets = {0};
  std::vector<uint32_t> cols;
  std::vector<float> weights;

  size_t num_rows() const { return offsets.size() - 1; }
  std::span<const uint32_t> ColsOf(size_t r) const {
    return {cols.data() + offsets[r], static_cast<size_t>(offsets[r + 1] - offsets[r])};
  }
  std::span<const float> WeightsOf(size_t r) const {
    return {weights.data() + offsets[r], static_cast<size_t>(offsets[r + 1] - offsets[r])};
  }
  // The transpose (num_cols rows of num_rows() columns).
  SparseMatrix Transposed() const;
};

struct IalsOptions {
  // d, the factor dimension, in [1, 4096].
  uint32_t factors = 128;
  // Full epochs (a user and an item half-step each), >= 0.
  int epochs = 16;
  // λ > 0.
  double l2 = 0.02;
  // α0 >= 0, the weight of every unobserved (and observed) entry's pull towards 0.
  double unobserved_weight = 0.15;
  // ν >= 0, the exponent of the frequency scaling of λ.
  double nu = 1.0;
  // Conjugate-gradient steps per row solve in [1, 100]; 0 = exact Cholesky solves.
  int cg_steps = 3;
  // CG starts every row's solve from zero instead of the row's previous vector (with few
  // epochs, a warm start keeps the initialisation's noise; rows with the same equations then
  // get the same vectors).
  bool cg_from_zero = false;
  // Hu–Koren–Volinsky's objective Σ_all (α0 + c_ui)(p_ui − ⟨w_u, h_i⟩)², p = 1[observed]: the
  // α0 term pulls observed entries towards 1 instead of 0, so the right-hand side is
  // Σ (c_ui + α0) h_i instead of Σ c_ui h_i (the article_rec job, trainers/article_rec).
  bool hkv_preference = false;
  // σ of H's initialisation (divided by √d), >= 0.
  double init_stddev = 0.1;
  uint64_t seed = 42;
  // Worker threads; 0 = one per hardware thread.
  int threads = 0;
};

// INVALID_ARGUMENT naming the first option out of range.
absl::Status CheckIalsOptions(const IalsOptions& options);

// Row-major factors: user u's vector is user[u·d .. (u+1)·d), item i's item[i·d .. (i+1)·d).
struct IalsFactors {
  uint32_t dim = 0;
  std::vector<float> user;
  std::vector<float> item;
};

// Fits W and H on `x` (users × items). INVALID_ARGUMENT for bad options or a malformed `x`.
absl::StatusOr<IalsFactors> FitIals(const SparseMatrix& x, const IalsOptions& options);

// HᵀH of row-major factors (count × d), as a d × d row-major matrix.
std::vector<float> Gramian(std::span<const float> factors, uint32_t dim);

// One row's exact solve given the other side's factors `fixed` (count × d row-major) and their
// Gramian: the w minimising the objective's terms of a row observing `cols` with `weights`,
// with λ_r = λ (|cols| + α0 · count)^ν. This is the half-step of FitIals, and also how a model
// folds in a user it never saw (serving from a request's history). `out` gets d values; a row
// without entries gets zeros.
void SolveRow(std::span<const float> fixed, std::span<const float> gramian, uint32_t dim,
              std::span<const uint32_t> cols, std::span<const float> weights,
              const IalsOptions& options, std::span<float> out);

// The same system, approximately: `steps` conjugate-gradient steps starting from `x`'s current
// value, or from zero with options.cg_from_zero (d values, updated in place). A row without
// entries gets zeros.
void SolveRowCg(std::span<const float> fixed, std::span<const float> gramian, uint32_t dim,
                std::span<const uint32_t> cols, std::span<const float> weights,
                const IalsOptions& options, int steps, std::span<float> x);

}  // namespace recplat::als
