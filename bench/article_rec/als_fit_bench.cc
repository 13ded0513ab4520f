// Implicit-ALS fit time and agreement, recplat against numpy (bench/article_rec/als_numpy.py):
// builds a synthetic confidence matrix (rows × cols, ~nnz_per_row entries in (0, 1] per row,
// readers drawn mostly from one of 30 groups of articles), writes it and the initial item
// factors to DIR, fits it with the Cholesky and the conjugate-gradient solvers (the job's
// factors 130, λ 2.319952, 2 iterations) and writes both item-factor matrices.
//   als_fit_bench DIR [rows] [cols] [nnz_per_row] [threads]
// Files (little-endian): shape.txt, rows/cols/vals.bin (int32, int32, float32 triplets),
// init_items.bin, items_cholesky.bin, items_cg.bin (float32, cols × factors, row-major).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "trainers/article_rec/implicit_als.h"

namespace {

template <typename T>
void Write(const std::string& path, const T* data, size_t n) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data),
                                              static_cast<std::streamsize>(n * sizeof(T)));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace recplat::article_rec;
  if (argc < 2) {
    std::fprintf(stderr, "usage: als_fit_bench DIR [rows] [cols] [nnz_per_row] [threads]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int rows = argc > 2 ? std::atoi(argv[2]) : 50000;
  const int cols = argc > 3 ? std::atoi(argv[3]) : 3000;
  const int per_row = argc > 4 ? std::atoi(argv[4]) : 8;
  const int threads = argc > 5 ? std::atoi(argv[5]) : 0;
  std::mt19937_64 rng(7);
  std::vector<int32_t> r, c;
  std::vector<float> v;
  std::vector<Eigen::Triplet<float>> triplets;
  for (int u = 0; u < rows; ++u) {
    const int group = static_cast<int>(rng() % 30);
    std::vector<int> seen;
    for (int k = 0; k < per_row; ++k) {
      int item = static_cast<int>(rng() % (cols / 30)) * 30 + group;
      if (rng() % 10 == 0) item = static_cast<int>(rng() % cols);
      if (item >= cols || std::find(seen.begin(), seen.end(), item) != seen.end()) continue;
      seen.push_back(item);
      const float value = 0.05f + 0.95f * static_cast<float>(rng() % 1000) / 1000.0f;
      r.push_back(u);
      c.push_back(item);
      v.push_back(value);
      triplets.emplace_back(u, item, value);
    }
  }
  Eigen::SparseMatrix<float, Eigen::RowMajor> m(rows, cols);
  m.setFromTriplets(triplets.begin(), triplets.end());
  AlsOptions o;
  o.threads = threads;
  const AlsFactors init = InitialFactors(rows, cols, o);
  std::ofstream(dir + "/shape.txt") << rows << " " << cols << " " << o.factors << " "
                                    << o.regularization << " " << o.iterations << "\n";
  Write(dir + "/rows.bin", r.data(), r.size());
  Write(dir + "/cols.bin", c.data(), c.size());
  Write(dir + "/vals.bin", v.data(), v.size());
  Write(dir + "/init_items.bin", init.items.data(), static_cast<size_t>(init.items.size()));
  for (auto [solver, name] : {std::pair{AlsOptions::Solver::kCholesky, "cholesky"},
                              std::pair{AlsOptions::Solver::kConjugateGradient, "cg"}}) {
    o.solver = solver;
    const auto start = std::chrono::steady_clock::now();
    const AlsFactors f = FitImplicitAls(m, o);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Write(dir + "/items_" + name + ".bin", f.items.data(), static_cast<size_t>(f.items.size()));
    std::printf("recplat %-8s rows=%d cols=%d nnz=%zu factors=%d iterations=%d threads=%d fit=%.3fs\n",
                name, rows, cols, v.size(), o.factors, o.iterations, threads, s);
  }
  return 0;
}
