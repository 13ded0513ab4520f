#include "trainers/als/ials_solver.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "Eigen/Cholesky"
#include "Eigen/Core"
#include "absl/strings/str_cat.h"
#include "core/common/random.h"

namespace recplat::als {
namespace {

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const MatrixRM>;

// Solves every row of `x` given `fixed` (x.num_cols × d) into `out` (x.num_rows() × d).
void HalfStep(const SparseMatrix& x, std::span<const float> fixed, uint32_t dim,
              const IalsOptions& options, int threads, std::vector<float>* out) {
  const std::vector<float> gram = Gramian(fixed, dim);
  out->resize(x.num_rows() * dim, 0.0f);  // CG warm-starts from the previous vectors.
  std::atomic<size_t> next{0};
  constexpr size_t kChunk = 32;
  auto worker = [&] {
#if defined(__SSE__)
    // Flush denormals to zero while solving: strongly regularised factors can shrink into the
    // denormal range, where float arithmetic is many times slower (suspected cause of a BARS
    // tuning trial at l2 = 0.59 fitting in 360 s against 38 s at l2 = 0.0175, same d and epochs).
    const unsigned int saved_csr = _mm_getcsr();
    _mm_setcsr(saved_csr | 0x8040);  // FTZ | DAZ
#endif
    for (size_t begin = next.fetch_add(kChunk); begin < x.num_rows();
         begin = next.fetch_add(kChunk)) {
      for (size_t r = begin; r < std::min(x.num_rows(), begin + kChunk); ++r) {
        const std::span<float> row(out->data() + r * dim, dim);
        if (options.cg_steps > 0) {
          SolveRowCg(fixed, gram, dim, x.ColsOf(r), x.WeightsOf(r), options, options.cg_steps,
                     row);
        } else {
          SolveRow(fixed, gram, dim, x.ColsOf(r), x.WeightsOf(r), options, row);
        }
      }
    }
#if defined(__SSE__)
    _mm_setcsr(saved_csr);
#endif
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back(worker);
  }
  worker();
  for (std::thread& t : pool) {
    t.join();
  }
}

}  // namespace

SparseMatrix SparseMatrix::Transposed() const {
  SparseMatrix t;
  t.num_cols = static_cast<uint32_t>(num_rows());
  std::vector<uint64_t> count(num_cols + 1, 0);
  for (uint32_t c : cols) {
    ++count[c + 1];
  }
  for (uint32_t c = 0; c < num_cols; ++c) {
    count[c + 1] += count[c];
  }
  t.offsets = count;
  t.cols.resize(cols.size());
  t.weights.resize(cols.size());
  for (size_t r = 0; r < num_rows(); ++r) {
    for (uint64_t k = offsets[r]; k < offsets[r + 1]; ++k) {
      const uint64_t at = count[cols[k]]++;
      t.cols[at] = static_cast<uint32_t>(r);
      t.weights[at] = weights[k];
    }
  }
  return t;
}

absl::Status CheckIalsOptions(const IalsOptions& o) {
  if (o.factors < 1 || o.factors > 4096) {
    return absl::InvalidArgumentError(absl::StrCat("ials: factors must be in [1, 4096], got ",
                                                   o.factors));
  }
  if (o.epochs < 0) {
    return absl::InvalidArgumentError(absl::StrCat("ials: epochs must be >= 0, got ", o.epochs));
  }
  if (!(o.l2 > 0) || !std::isfinite(o.l2)) {
    return absl::InvalidArgumentError(absl::StrCat("ials: l2 must be > 0, got ", o.l2));
  }
  if (!(o.unobserved_weight >= 0) || !std::isfinite(o.unobserved_weight)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ials: unobserved_weight must be >= 0, got ", o.unobserved_weight));
  }
  if (o.cg_steps < 0 || o.cg_steps > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("ials: cg_steps must be in [0, 100], got ", o.cg_steps));
  }
  if (!(o.nu >= 0) || !std::isfinite(o.nu) || !(o.init_stddev >= 0) ||
      !std::isfinite(o.init_stddev) || o.threads < 0) {
    return absl::InvalidArgumentError("ials: nu, init_stddev and threads must be >= 0");
  }
  return absl::OkStatus();
}

std::vector<float> Gramian(std::span<const float> factors, uint32_t dim) {
  const ConstMap f(factors.data(), static_cast<Eigen::Index>(factors.size() / dim), dim);
  std::vector<float> out(static_cast<size_t>(dim) * dim);
  Eigen::Map<MatrixRM> g(out.data(), dim, dim);
  g.noalias() = f.transpose() * f;
  return out;
}

void SolveRow(std::span<const float> fixed, std::span<const float> gramian, uint32_t dim,
              std::span<const uint32_t> cols, std::span<const float> weights,
              const IalsOptions& options, std::span<float> out) {
  Eigen::Map<Eigen::VectorXf> result(out.data(), dim);
  if (cols.empty()) {
    result.setZero();
    return;
  }
  const size_t count = fixed.size() / dim;
  const double lambda =
      options.l2 * std::pow(static_cast<double>(cols.size()) +
                                options.unobserved_weight * static_cast<double>(count),
                            options.nu);
  const float bias = options.hkv_preference ? static_cast<float>(options.unobserved_weight) : 0.0f;
  // The observed rows, scaled by √c so that FᵀF = Σ c f fᵀ.
  MatrixRM f(static_cast<Eigen::Index>(cols.size()), dim);
  Eigen::VectorXf b = Eigen::VectorXf::Zero(dim);
  for (size_t k = 0; k < cols.size(); ++k) {
    const Eigen::Map<const Eigen::VectorXf> row(fixed.data() + static_cast<size_t>(cols[k]) * dim,
                                                dim);
    const float c = weights.empty() ? 1.0f : weights[k];
    f.row(static_cast<Eigen::Index>(k)) = std::sqrt(c) * row.transpose();
    b += (c + bias) * row;
  }
  Eigen::MatrixXf a = static_cast<float>(options.unobserved_weight) *
                      ConstMap(gramian.data(), dim, dim);
  a.noalias() += f.transpose() * f;
  a.diagonal().array() += static_cast<float>(lambda);
  result = a.llt().solve(b);
}

void SolveRowCg(std::span<const float> fixed, std::span<const float> gramian, uint32_t dim,
                std::span<const uint32_t> cols, std::span<const float> weights,
                const IalsOptions& options, int steps, std::span<float> x_out) {
  Eigen::Map<Eigen::VectorXf> x(x_out.data(), dim);
  if (cols.empty()) {
    x.setZero();
    return;
  }
  const size_t count = fixed.size() / dim;
  const float lambda = static_cast<float>(
      options.l2 * std::pow(static_cast<double>(cols.size()) +
                                options.unobserved_weight * static_cast<double>(count),
                            options.nu));
  const float alpha = static_cast<float>(options.unobserved_weight);
  const ConstMap gram(gramian.data(), dim, dim);
  auto row = [&](size_t k) {
    return Eigen::Map<const Eigen::VectorXf>(fixed.data() + static_cast<size_t>(cols[k]) * dim,
                                             dim);
  };
  auto weight = [&](size_t k) { return weights.empty() ? 1.0f : weights[k]; };
  // A v = α0 G v + Σ c h hᵀ v + λ v.
  auto apply = [&](const Eigen::VectorXf& v) {
    Eigen::VectorXf out = alpha * (gram * v) + lambda * v;
    for (size_t k = 0; k < cols.size(); ++k) {
      out.noalias() += (weight(k) * row(k).dot(v)) * row(k);
    }
    return out;
  };
  const float bias = options.hkv_preference ? alpha : 0.0f;
  Eigen::VectorXf b = Eigen::VectorXf::Zero(dim);
  for (size_t k = 0; k < cols.size(); ++k) {
    b.noalias() += (weight(k) + bias) * row(k);
  }
  if (options.cg_from_zero) {
    x.setZero();
  }
  Eigen::VectorXf r = b - apply(x);
  Eigen::VectorXf p = r;
  float rs = r.squaredNorm();
  for (int step = 0; step < steps && rs > 1e-20f; ++step) {
    const Eigen::VectorXf ap = apply(p);
    const float step_size = rs / p.dot(ap);
    x.noalias() += step_size * p;
    r.noalias() -= step_size * ap;
    const float rs_next = r.squaredNorm();
    p = r + (rs_next / rs) * p;
    rs = rs_next;
  }
}

absl::StatusOr<IalsFactors> FitIals(const SparseMatrix& x, const IalsOptions& options) {
  if (absl::Status s = CheckIalsOptions(options); !s.ok()) {
    return s;
  }
  if (x.offsets.empty() || x.offsets.back() != x.cols.size() ||
      x.weights.size() != x.cols.size()) {
    return absl::InvalidArgumentError("ials: malformed sparse matrix");
  }
  for (size_t k = 0; k < x.cols.size(); ++k) {
    if (x.cols[k] >= x.num_cols || !(x.weights[k] > 0) || !std::isfinite(x.weights[k])) {
      return absl::InvalidArgumentError(
          absl::StrCat("ials: entry ", k, " has a column out of range or a weight <= 0"));
    }
  }
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const uint32_t d = options.factors;
  IalsFactors f;
  f.dim = d;
  f.item.resize(static_cast<size_t>(x.num_cols) * d);
  common::Rng rng(options.seed);
  const double scale = options.init_stddev / std::sqrt(static_cast<double>(d));
  for (size_t k = 0; k < f.item.size(); k += 2) {  // Box-Muller, two normals per draw.
    const double u1 = 1.0 - rng.UniformDouble();  // (0, 1]
    const double u2 = rng.UniformDouble();
    const double radius = std::sqrt(-2.0 * std::log(u1)) * scale;
    f.item[k] = static_cast<float>(radius * std::cos(2 * M_PI * u2));
    if (k + 1 < f.item.size()) {
      f.item[k + 1] = static_cast<float>(radius * std::sin(2 * M_PI * u2));
    }
  }
  const SparseMatrix xt = x.Transposed();
  f.user.assign(x.num_rows() * d, 0.0f);
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    HalfStep(x, f.item, d, options, threads, &f.user);
    HalfStep(xt, f.user, d, options, threads, &f.item);
  }
  return f;
}

}  // namespace recplat::als
