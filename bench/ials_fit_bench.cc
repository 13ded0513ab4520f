// iALS fit time and final objective of recplat's solver (trainers/als) on a "user item" pairs
// file, for bench/ials_fit_compare.sh (numpy reference: bench/ials_numpy.py, same algorithm).
//
//   build/bench/ials_fit_bench PAIRS FACTORS EPOCHS L2 ALPHA0 CG_STEPS [THREADS]
//
// Prints one JSON line: side, n_users, n_items, nnz, factors, epochs, cg_steps, seconds and the
// objective of trainers/als/ials_solver.h (ν = 1, binary weights) at the end.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "trainers/als/ials_solver.h"

namespace {

using namespace recplat;  // NOLINT

// The documented objective, with the unobserved term as trace((WᵀW)(HᵀH)).
double Objective(const als::SparseMatrix& x, const als::IalsFactors& f,
                 const als::IalsOptions& o) {
  const uint32_t d = f.dim;
  const size_t users = x.num_rows(), items = x.num_cols;
  const std::vector<float> gw = als::Gramian(f.user, d), gh = als::Gramian(f.item, d);
  double loss = 0;
  for (size_t k = 0; k < gw.size(); ++k) loss += o.unobserved_weight * double(gw[k]) * gh[k];
  std::vector<double> item_count(items, 0);
  for (size_t u = 0; u < users; ++u) {
    for (uint64_t k = x.offsets[u]; k < x.offsets[u + 1]; ++k) {
      double dot = 0;
      for (uint32_t q = 0; q < d; ++q) dot += double(f.user[u * d + q]) * f.item[x.cols[k] * d + q];
      loss += (dot - 1) * (dot - 1);
      ++item_count[x.cols[k]];
    }
    double norm = 0;
    for (uint32_t q = 0; q < d; ++q) norm += double(f.user[u * d + q]) * f.user[u * d + q];
    loss += o.l2 * (double(x.offsets[u + 1] - x.offsets[u]) + o.unobserved_weight * items) * norm;
  }
  for (size_t i = 0; i < items; ++i) {
    double norm = 0;
    for (uint32_t q = 0; q < d; ++q) norm += double(f.item[i * d + q]) * f.item[i * d + q];
    loss += o.l2 * (item_count[i] + o.unobserved_weight * users) * norm;
  }
  return loss;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s PAIRS FACTORS EPOCHS L2 ALPHA0 CG_STEPS [THREADS]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1]);
  std::vector<std::vector<uint32_t>> rows;
  uint32_t u = 0, i = 0, items = 0;
  while (in >> u >> i) {  // Pairs are distinct.
    if (u >= rows.size()) rows.resize(u + 1);
    rows[u].push_back(i);
    items = std::max(items, i + 1);
  }
  als::SparseMatrix x;
  x.num_cols = items;
  for (const auto& r : rows) {
    for (uint32_t c : r) {
      x.cols.push_back(c);
      x.weights.push_back(1.0f);
    }
    x.offsets.push_back(x.cols.size());
  }
  als::IalsOptions o;
  o.factors = static_cast<uint32_t>(std::atoi(argv[2]));
  o.epochs = std::atoi(argv[3]);
  o.l2 = std::atof(argv[4]);
  o.unobserved_weight = std::atof(argv[5]);
  o.cg_steps = std::atoi(argv[6]);
  o.threads = argc > 7 ? std::atoi(argv[7]) : 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto f = als::FitIals(x, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!f.ok()) {
    std::fprintf(stderr, "%s\n", f.status().ToString().c_str());
    return 1;
  }
  std::printf("{\"side\":\"recplat\",\"n_users\":%zu,\"n_items\":%u,\"nnz\":%zu,\"factors\":%u,"
              "\"epochs\":%d,\"cg_steps\":%d,\"seconds\":%.3f,\"objective\":%.6g}\n",
              x.num_rows(), items, x.cols.size(), o.factors, o.epochs, o.cg_steps, seconds,
              Objective(x, *f, o));
  return 0;
}
