// File: ease_solver.h
//
// The linear algebra of EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data",
// WWW 2019), the fitting half of the `ease` family. From a sparse users x items matrix X:
//
//   G = XᵀX + λI                      n x n, symmetric positive definite for λ > 0
//   P = G⁻¹                           Cholesky in place: LAPACK spotrf (G = LLᵀ), then spotri
//                                     (P = L⁻ᵀL⁻¹), float32
//   B[i][j] = −P[i][j] / P[j][j]       for i != j, B[j][j] = 0 (column-wise division)
//
// B is the closed-form minimiser of ‖X − XB‖² + λ‖B‖² subject to diag(B) = 0; a user's
// predicted score for item j is Σ_i x_ui B[i][j].
//
// Storage: every n x n matrix is one float buffer of n² values, row-major (m[i * n + j]). The
// Gram matrix is symmetric, so only its upper triangle (j >= i) is filled; that is LAPACK's
// column-major lower triangle, which spotrf/spotri read and write in place.
//
// Cost and memory: Gram Σ_u k_u² / 2 multiply-adds (k_u = entries in row u), spotrf n³/3 and
// spotri 2n³/3 flops (threaded BLAS-3 in OpenBLAS), B n² divisions. One n² float buffer
// (n² × 4 bytes: 1.6 GB at n = 20000, 4.9 GB at 35000) is used throughout: G, then P, then
// B, in place; nothing else is O(n²).
//
// Thread-safety: the functions are reentrant. Gram and B use `threads` std::threads; the
// inversion uses OpenBLAS's own threads (OPENBLAS_NUM_THREADS, default one per core).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace recplat::ease {

// The largest n the solver accepts: LAPACK's 32-bit indices address n² elements up to 2³¹.
inline constexpr uint32_t kMaxSolverItems = 46000;

// X in compressed sparse rows: row r holds columns cols[offsets[r] .. offsets[r+1]), strictly
// ascending, all < num_cols, with values[same range].
struct SparseRows {
  uint32_t num_cols = 0;
  std::vector<uint64_t> offsets = {0};
  std::vector<uint32_t> cols;
  std::vector<float> values;

  size_t num_rows() const { return offsets.size() - 1; }
  std::span<const uint32_t> ColsOf(size_t r) const {
    return {cols.data() + offsets[r], static_cast<size_t>(offsets[r + 1] - offsets[r])};
  }
  std::span<const float> ValuesOf(size_t r) const {
    return {values.data() + offsets[r], static_cast<size_t>(offsets[r + 1] - offsets[r])};
  }
  // Appends a row; `cols` strictly ascending, same length as `values`.
  void AddRow(std::span<const uint32_t> row_cols, std::span<const float> row_values);
};

// Wall-clock seconds of the phases of FitEaseWeights (for benchmarks and logs).
struct FitTimings {
  double gram_seconds = 0;
  double invert_seconds = 0;
  double weights_seconds = 0;
};

// Sets `g` (resized to n², n = x.num_cols) to the upper triangle of XᵀX (zeros below the
// diagonal). Uses `threads` threads (0 = one per hardware thread).
void ComputeGramUpper(const SparseRows& x, int threads, std::vector<float>* g);

// Replaces the SPD matrix `a` (n x n, only the upper triangle is read) by its inverse, both
// triangles (the strict lower triangle is overwritten).
// INVALID_ARGUMENT when `a` is not positive definite in float32 (λ too small for the data),
// when n > kMaxSolverItems or a.size() != n².
absl::Status InvertSpdUpper(uint32_t n, std::span<float> a);

// Turns P (upper triangle of the symmetric inverse, as left by InvertSpdUpper) into the full
// row-major B in place: B[i][j] = −P[i][j] / P[j][j], B[j][j] = 0. INTERNAL when a diagonal
// entry of P is not a positive finite number.
absl::Status InverseToWeights(uint32_t n, int threads, std::span<float> p);

// The general form of the step above, shared with DLAE (B = −P·diagMat(s) off the diagonal):
// turns P (upper triangle) into the full row-major B[i][j] = −P[i][j] · scale[j] for i != j,
// B[j][j] = 0, in place, in 64 x 64 tiles on `threads` threads (0 = one per hardware thread).
// REQUIRES: p.size() == n², scale.size() == n.
void ScaleColumnsToWeights(uint32_t n, int threads, std::span<const float> scale,
                           std::span<float> p);

// The whole fit: Gram, + λ on the diagonal, inverse, B. Returns B (n² floats, row-major).
// INVALID_ARGUMENT when λ <= 0 or not finite, n = 0, n > kMaxSolverItems, or G is not
// positive definite in float32. `timings` may be null.
absl::StatusOr<std::vector<float>> FitEaseWeights(const SparseRows& x, double l2, int threads,
                                                  FitTimings* timings = nullptr);

}  // namespace recplat::ease
