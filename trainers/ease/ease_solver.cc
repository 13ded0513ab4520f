#include "trainers/ease/ease_solver.h"

#include <lapacke.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"

namespace recplat::ease {
namespace {

// Side of the square tiles InverseToWeights mirrors at once (64 x 64 floats = 16 KiB).
constexpr uint32_t kTile = 64;

unsigned ThreadCount(int threads) {
  return threads > 0 ? static_cast<unsigned>(threads)
                     : std::max(1u, std::thread::hardware_concurrency());
}

// Runs body(t) for t in [0, count) on `count` threads (the caller's thread runs t = 0).
void RunOnThreads(unsigned count, const std::function<void(unsigned)>& body) {
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < count; ++t) {
    pool.emplace_back(body, t);
  }
  body(0);
  for (std::thread& t : pool) {
    t.join();
  }
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void SparseRows::AddRow(std::span<const uint32_t> row_cols, std::span<const float> row_values) {
  cols.insert(cols.end(), row_cols.begin(), row_cols.end());
  values.insert(values.end(), row_values.begin(), row_values.end());
  offsets.push_back(cols.size());
}

void ComputeGramUpper(const SparseRows& x, int threads, std::vector<float>* g) {
  const uint64_t n = x.num_cols;
  g->assign(n * n, 0.0f);
  // Entry p of a row with k entries adds k - p products to row cols[p] of G. Split the rows of
  // G into contiguous ranges of equal work, one per thread, so that no two threads write the
  // same row.
  std::vector<uint64_t> work(n + 1, 0);
  for (size_t r = 0; r < x.num_rows(); ++r) {
    const std::span<const uint32_t> cols = x.ColsOf(r);
    for (size_t p = 0; p < cols.size(); ++p) {
      work[cols[p]] += cols.size() - p;
    }
  }
  uint64_t total = 0;
  for (uint64_t c = 0; c < n; ++c) {
    total += work[c];
  }
  const unsigned count = std::max(1u, std::min<unsigned>(ThreadCount(threads), n / kTile + 1));
  std::vector<uint32_t> bounds = {0};
  uint64_t acc = 0;
  for (uint32_t c = 0; c < n && bounds.size() < count; ++c) {
    acc += work[c];
    if (acc * count >= total * bounds.size()) {
      bounds.push_back(c + 1);
    }
  }
  while (bounds.size() <= count) {
    bounds.push_back(static_cast<uint32_t>(n));
  }
  bounds.back() = static_cast<uint32_t>(n);
  float* const data = g->data();
  RunOnThreads(count, [&](unsigned t) {
    const uint32_t lo = bounds[t];
    const uint32_t hi = bounds[t + 1];
    if (lo >= hi) {
      return;
    }
    for (size_t r = 0; r < x.num_rows(); ++r) {
      const std::span<const uint32_t> cols = x.ColsOf(r);
      const std::span<const float> values = x.ValuesOf(r);
      const size_t k = cols.size();
      for (size_t p = std::lower_bound(cols.begin(), cols.end(), lo) - cols.begin();
           p < k && cols[p] < hi; ++p) {
        float* const row = data + static_cast<uint64_t>(cols[p]) * n;
        const float vp = values[p];
        for (size_t q = p; q < k; ++q) {
          row[cols[q]] += vp * values[q];
        }
      }
    }
  });
}

namespace {

// Copies the strict upper triangle of the row-major n x n matrix `a` onto the lower one
// (`upper_to_lower`), or the other way round; in tiles, so both sides stay in cache.
void MirrorTriangle(uint32_t n, std::span<float> a, bool upper_to_lower) {
  constexpr uint32_t kBlock = 64;
  const uint64_t stride = n;
  float* const data = a.data();
  for (uint32_t i0 = 0; i0 < n; i0 += kBlock) {
    const uint32_t i1 = std::min(n, i0 + kBlock);
    for (uint32_t j0 = i0; j0 < n; j0 += kBlock) {
      const uint32_t j1 = std::min(n, j0 + kBlock);
      for (uint32_t i = i0; i < i1; ++i) {
        for (uint32_t j = std::max(j0, i + 1); j < j1; ++j) {
          float& upper = data[i * stride + j];
          float& lower = data[j * stride + i];
          if (upper_to_lower) {
            lower = upper;
          } else {
            upper = lower;
          }
        }
      }
    }
  }
}

}  // namespace

absl::Status InvertSpdUpper(uint32_t n, std::span<float> a) {
  if (n > kMaxSolverItems || a.size() != static_cast<uint64_t>(n) * n) {
    return absl::InvalidArgumentError(
        absl::StrCat("ease: cannot invert a ", n, " x ", n, " matrix held in ", a.size(),
                     " floats (at most ", kMaxSolverItems, " items)"));
  }
  if (n == 0) {
    return absl::OkStatus();
  }
  const lapack_int dim = static_cast<lapack_int>(n);
  // LAPACK works on the column-major upper triangle ('U'), which is the row-major lower one: the
  // matrix is mirrored there first and the inverse mirrored back. Not 'L' on the row-major upper
  // triangle as it stands: Debian bookworm's OpenBLAS 0.3.21 on a Cooper Lake core, single
  // threaded (OPENBLAS_NUM_THREADS=1, or a one-CPU machine), crashes in spotrf 'L' for most odd
  // n (an aligned SSE load from a misaligned buffer in its strsm RT kernel); 'U' is not affected.
  MirrorTriangle(n, a, /*upper_to_lower=*/true);
  lapack_int info = LAPACKE_spotrf(LAPACK_COL_MAJOR, 'U', dim, a.data(), dim);
  if (info == 0) {
    info = LAPACKE_spotri(LAPACK_COL_MAJOR, 'U', dim, a.data(), dim);
  }
  if (info == 0) MirrorTriangle(n, a, /*upper_to_lower=*/false);
  if (info > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ease: XᵀX + λI is not positive definite in float32 (pivot ", info, "); raise l2"));
  }
  if (info < 0) {
    return absl::InternalError(absl::StrCat("ease: LAPACK rejected argument ", -info));
  }
  return absl::OkStatus();
}

absl::Status InverseToWeights(uint32_t n, int threads, std::span<float> p) {
  const uint64_t stride = n;
  std::vector<float> inv_diag(n);
  for (uint64_t j = 0; j < n; ++j) {
    const float d = p[j * stride + j];
    if (!(d > 0.0f) || !std::isfinite(d)) {
      return absl::InternalError(absl::StrCat("ease: diagonal ", j, " of the inverse is ", d));
    }
    inv_diag[j] = 1.0f / d;
  }
  ScaleColumnsToWeights(n, threads, inv_diag, p);
  return absl::OkStatus();
}

void ScaleColumnsToWeights(uint32_t n, int threads, std::span<const float> scale,
                           std::span<float> p) {
  const uint64_t stride = n;
  // Tile (I, J), J >= I, of the upper triangle holds P[i][j]; it yields B[i][j] in place and
  // B[j][i] = −P[i][j] · s[i] in the mirrored tile (J, I), which only this tile writes.
  const uint32_t tiles = (n + kTile - 1) / kTile;
  std::atomic<uint32_t> next{0};
  float* const data = p.data();
  const float* const s = scale.data();
  RunOnThreads(std::max(1u, std::min(ThreadCount(threads), tiles)), [&](unsigned) {
    for (uint32_t bi = next.fetch_add(1); bi < tiles; bi = next.fetch_add(1)) {
      const uint32_t i0 = bi * kTile;
      const uint32_t i1 = std::min(n, i0 + kTile);
      for (uint32_t j0 = i0; j0 < n; j0 += kTile) {
        const uint32_t j1 = std::min(n, j0 + kTile);
        for (uint32_t i = i0; i < i1; ++i) {
          float* const row = data + i * stride;
          for (uint32_t j = std::max(j0, i + 1); j < j1; ++j) {
            const float u = row[j];
            data[j * stride + i] = -u * s[i];
            row[j] = -u * s[j];
          }
        }
      }
      for (uint32_t i = i0; i < i1; ++i) {
        data[i * stride + i] = 0.0f;
      }
    }
  });
}

absl::StatusOr<std::vector<float>> FitEaseWeights(const SparseRows& x, double l2, int threads,
                                                  FitTimings* timings) {
  const uint32_t n = x.num_cols;
  if (!(l2 > 0) || !std::isfinite(l2)) {
    return absl::InvalidArgumentError(absl::StrCat("ease: l2 must be > 0, got ", l2));
  }
  if (n == 0 || n > kMaxSolverItems) {
    return absl::InvalidArgumentError(
        absl::StrCat("ease: item count ", n, " outside [1, ", kMaxSolverItems, "]"));
  }
  FitTimings local;
  FitTimings& t = timings != nullptr ? *timings : local;
  auto start = std::chrono::steady_clock::now();
  std::vector<float> m;
  ComputeGramUpper(x, threads, &m);
  for (uint64_t j = 0; j < n; ++j) {
    m[j * n + j] += static_cast<float>(l2);
  }
  t.gram_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();
  RECPLAT_RETURN_IF_ERROR(InvertSpdUpper(n, m));
  t.invert_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();
  RECPLAT_RETURN_IF_ERROR(InverseToWeights(n, threads, m));
  t.weights_seconds = SecondsSince(start);
  return m;
}

}  // namespace recplat::ease
