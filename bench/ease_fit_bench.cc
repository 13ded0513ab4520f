// EASE fit time (trainers/ease/ease_solver.h) on a synthetic users x items matrix, the C++
// half of bench/ease_fit_compare.sh; bench/ease_numpy.py is the numpy half and builds the very
// same matrix, so both fit the same problem and their B can be compared.
//
// Usage: ease_fit_bench [n ...]   (default 1000 5000 20000)
//   env EASE_BENCH_L2 (default 500), EASE_BENCH_SEED (default 1)
//
// Matrix: users = 5n; user u has k_u = 10 + h(u, 0) mod 61 draws (mean 40) of item
// h(u, t) mod n, t = 1..k_u, duplicates merged, binary; h(u, t) = splitmix64(seed << 48 ^
// (u * 128 + t)). Per n it prints one line of key=value pairs: phase times (Gram, inverse,
// B), GFLOP/s of the inverse (spotrf n³/3 + spotri 2n³/3 = n³ flops), checksums of B and the
// process's peak RSS so far (getrusage; run one n per process to attribute it to that n).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sys/resource.h>
#include <cstdlib>
#include <string>
#include <vector>

#include "trainers/ease/ease_solver.h"

extern "C" {
// OpenBLAS's own introspection (libopenblas), to print which kernels the run used.
char* openblas_get_config(void);
char* openblas_get_corename(void);
int openblas_get_num_threads(void);
}

namespace {

uint64_t SplitMix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

recplat::ease::SparseRows MakeMatrix(uint32_t n, uint64_t seed) {
  recplat::ease::SparseRows x;
  x.num_cols = n;
  const uint64_t users = 5ULL * n;
  std::vector<uint32_t> cols;
  std::vector<float> ones;
  for (uint64_t u = 0; u < users; ++u) {
    const auto h = [&](uint64_t t) { return SplitMix64((seed << 48) ^ (u * 128 + t)); };
    const uint64_t k = 10 + h(0) % 61;
    cols.clear();
    for (uint64_t t = 1; t <= k; ++t) {
      cols.push_back(static_cast<uint32_t>(h(t) % n));
    }
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    ones.assign(cols.size(), 1.0f);
    x.AddRow(cols, ones);
  }
  return x;
}

double EnvDouble(const char* name, double def) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atof(v) : def;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<uint32_t> sizes;
  for (int a = 1; a < argc; ++a) {
    sizes.push_back(static_cast<uint32_t>(std::strtoul(argv[a], nullptr, 10)));
  }
  if (sizes.empty()) {
    sizes = {1000, 5000, 20000};
  }
  const double l2 = EnvDouble("EASE_BENCH_L2", 500);
  const auto seed = static_cast<uint64_t>(EnvDouble("EASE_BENCH_SEED", 1));
  std::printf("# impl=cpp blas=%s core=%s threads=%d\n", openblas_get_config(),
              openblas_get_corename(), openblas_get_num_threads());
  for (uint32_t n : sizes) {
    const recplat::ease::SparseRows x = MakeMatrix(n, seed);
    recplat::ease::FitTimings t;
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<std::vector<float>> b = recplat::ease::FitEaseWeights(x, l2, 0, &t);
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!b.ok()) {
      std::fprintf(stderr, "ease_fit_bench: n=%u: %s\n", n, b.status().ToString().c_str());
      return 1;
    }
    double abs_sum = 0;
    for (float w : *b) {
      abs_sum += std::fabs(w);
    }
    const double flops = static_cast<double>(n) * n * n;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "impl=cpp n=%u users=%zu nnz=%zu gram_s=%.4f invert_s=%.4f weights_s=%.4f total_s=%.4f "
        "invert_gflops=%.1f b_abs_sum=%.9e b01=%.9e peak_rss_mb=%.0f\n",
        n, x.num_rows(), x.cols.size(), t.gram_seconds, t.invert_seconds, t.weights_seconds, total,
        flops / t.invert_seconds / 1e9, abs_sum, (*b)[1], usage.ru_maxrss / 1024.0);
    std::fflush(stdout);
  }
  return 0;
}
