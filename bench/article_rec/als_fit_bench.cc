// Implicit-ALS fit time and agreement, recplat against numpy (bench/article_rec/als_numpy.py):
// builds a synthetic confidence matrix (rows × cols, ~nnz_per_row entries in (0, 1] per row,
// readers drawn mostly from one of 30 groups of articles), writes it and the initial item
// factors to DIR, fits it with trainers/als's Cholesky and conjugate-gradient solvers with the
// job's options (article_als.h: factors 130, λ 2.319952, 2 iterations, CG 10 steps from zero)
// and writes both item-factor matrices. The initial factors are FitIals's with 0 epochs.
//   als_fit_bench DIR [rows] [cols] [nnz_per_row] [threads]
// Files (little-endian): shape.txt, rows/cols/vals.bin (int32, int32, float32 triplets),
// init_items.bin, items_cholesky.bin, items_cg.bin (float32, cols × factors, row-major).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "trainers/article_rec/article_als.h"

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
  const recplat::als::SparseMatrix x = ToSparseRows(m);
  recplat::als::IalsOptions o = JobAlsOptions();
  o.threads = threads;
  recplat::als::IalsOptions init_only = o;
  init_only.epochs = 0;
  const absl::StatusOr<recplat::als::IalsFactors> init = recplat::als::FitIals(x, init_only);
  if (!init.ok()) {
    std::fprintf(stderr, "als_fit_bench: %s\n", init.status().ToString().c_str());
    return 1;
  }
  std::ofstream(dir + "/shape.txt") << rows << " " << cols << " " << o.factors << " " << o.l2
                                    << " " << o.epochs << "\n";
  Write(dir + "/rows.bin", r.data(), r.size());
  Write(dir + "/cols.bin", c.data(), c.size());
  Write(dir + "/vals.bin", v.data(), v.size());
  Write(dir + "/init_items.bin", init->item.data(), init->item.size());
  for (auto [steps, name] : {std::pair{0, "cholesky"}, std::pair{o.cg_steps, "cg"}}) {
    recplat::als::IalsOptions run = o;
    run.cg_steps = steps;
    const auto start = std::chrono::steady_clock::now();
    const absl::StatusOr<recplat::als::IalsFactors> f = recplat::als::FitIals(x, run);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!f.ok()) {
      std::fprintf(stderr, "als_fit_bench: %s\n", f.status().ToString().c_str());
      return 1;
    }
    Write(dir + "/items_" + name + ".bin", f->item.data(), f->item.size());
    std::printf("recplat %-8s rows=%d cols=%d nnz=%zu factors=%u iterations=%d threads=%d fit=%.3fs\n",
                name, rows, cols, v.size(), o.factors, o.epochs, threads, s);
  }
  return 0;
}
