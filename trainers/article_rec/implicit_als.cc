// Implicit ALS (implicit_als.h).
#include "trainers/article_rec/implicit_als.h"

#include <algorithm>
#include <random>
#include <thread>
#include <vector>

#include "Eigen/Cholesky"

namespace recplat::article_rec {

namespace {

using SparseRows = Eigen::SparseMatrix<float, Eigen::RowMajor>;

// Solves every row of `solve` (rows of `counts`) against the fixed factors `fixed`.
void HalfStep(const SparseRows& counts, const RowMatrixF& fixed, const AlsOptions& o,
              int threads, RowMatrixF* solve) {
  const int f = o.factors;
  const Eigen::MatrixXd y = fixed.cast<double>();
  Eigen::MatrixXd base = y.transpose() * y;  // YᵀY + λI
  base.diagonal().array() += o.regularization;
  const Eigen::Index rows = counts.rows();
  auto work = [&](Eigen::Index begin, Eigen::Index end) {
    Eigen::MatrixXd a(f, f);
    Eigen::VectorXd b(f), x(f), r(f), p(f), ap(f);
    for (Eigen::Index u = begin; u < end; ++u) {
      b.setZero();
      for (SparseRows::InnerIterator it(counts, u); it; ++it) {
        if (it.value() > 0) {
          b += (static_cast<double>(it.value()) + 1.0) * y.row(it.col()).transpose();
        }
      }
      if (o.solver == AlsOptions::Solver::kCholesky) {
        a = base;
        for (SparseRows::InnerIterator it(counts, u); it; ++it) {
          const auto yi = y.row(it.col());
          a.noalias() += static_cast<double>(it.value()) * (yi.transpose() * yi);
        }
        x = a.llt().solve(b);
      } else {
        auto apply = [&](const Eigen::VectorXd& v, Eigen::VectorXd* out) {
          out->noalias() = base * v;
          for (SparseRows::InnerIterator it(counts, u); it; ++it) {
            const auto yi = y.row(it.col());
            *out += (static_cast<double>(it.value()) * yi.dot(v)) * yi.transpose();
          }
        };
        // From zero, not warm-started: with the job's 2 iterations a warm start from the
        // N(0,1) init leaves its noise in the factors; from zero, rows with the same
        // equations get the same factors, and more steps approach the exact solve.
        x.setZero();
        r = b;
        p = r;
        double rs = r.squaredNorm();
        for (int step = 0; step < o.cg_steps && rs > 1e-20; ++step) {
          apply(p, &ap);
          const double alpha = rs / p.dot(ap);
          x += alpha * p;
          r -= alpha * ap;
          const double rs_new = r.squaredNorm();
          p = r + (rs_new / rs) * p;
          rs = rs_new;
        }
      }
      solve->row(u) = x.transpose().cast<float>();
    }
  };
  const Eigen::Index per = (rows + threads - 1) / std::max(threads, 1);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && t * per < rows; ++t) {
    pool.emplace_back(work, t * per, std::min(rows, (t + 1) * per));
  }
  work(0, std::min(rows, per));
  for (std::thread& t : pool) {
    t.join();
  }
}

}  // namespace

AlsFactors InitialFactors(Eigen::Index rows, Eigen::Index cols, const AlsOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  AlsFactors f;
  f.users.resize(rows, options.factors);
  f.items.resize(cols, options.factors);
  for (Eigen::Index i = 0; i < f.users.size(); ++i) {
    f.users.data()[i] = normal(rng);
  }
  for (Eigen::Index i = 0; i < f.items.size(); ++i) {
    f.items.data()[i] = normal(rng);
  }
  return f;
}

AlsFactors FitImplicitAls(const SparseRows& confidence, const AlsOptions& options) {
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  AlsFactors f = InitialFactors(confidence.rows(), confidence.cols(), options);
  const SparseRows by_item = confidence.transpose();
  for (int it = 0; it < options.iterations; ++it) {
    HalfStep(confidence, f.items, options, threads, &f.users);
    HalfStep(by_item, f.users, options, threads, &f.items);
  }
  return f;
}

}  // namespace recplat::article_rec
