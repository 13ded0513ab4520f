// NCF serving cost per request (docs/eosc.md, "Serving cost of NCF"): one user (a history of
// 1-8 services) scoring every service of the catalogue, with random weights of the given
// network (the cost does not depend on the values). Two paths in the same run, interleaved
// request by request so they share the machine's load:
//   old  the serving forward before the rewrite (commit 601c4dc, kept here verbatim in
//        algorithm): gather the precomputed first-layer halves per candidate, BatchNorm as
//        separate passes, a fresh matrix per layer;
//   new  NcfModel::Probabilities (trainers/torch_ncf/internal/ncf_forward.h).
// Prints per-request p50/p99/mean of each, the ratio, and the largest |old - new|. Times are the
// thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that preemption on a loaded machine does not
// count; the wall-clock p50 is printed too.
//
//   build/bench/ncf_scoring_bench [--items 10000] [--requests 300] [--features 268]
//                                 [--dim 32] [--mlp 16,8] [--content 32,16]
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "trainers/torch_ncf/ncf_model.h"

namespace {

using namespace recplat::ncf;  // NOLINT
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMat>;
using Vec = Eigen::RowVectorXf;

ConstMap MapOf(const Matrix& m) { return ConstMap(m.data.data(), m.rows, m.cols); }
Eigen::Map<const Vec> VecOf(const std::vector<float>& v) {
  return Eigen::Map<const Vec>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// The previous serving forward (see the file comment).
class OldForward {
 public:
  OldForward(const NcfWeights& w, const ItemFeatures& f) : w_(w) {
    const int64_t n = w.num_items;
    const int64_t c0 = static_cast<int64_t>(w.content[0].b.size());
    mlp_item_ = MapOf(w.qm) * MapOf(w.mlp_item).transpose();
    mlp_item_.rowwise() += VecOf(w.mlp[0].b);
    content_item_ = RowMat::Zero(n, c0);
    content_user_ = RowMat::Zero(n, c0);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t k = f.offsets[i]; k < f.offsets[i + 1]; ++k) {
        content_item_.row(i) += MapOf(w.content_item).row(f.ids[k]);
        content_user_.row(i) += MapOf(w.content_user).row(f.ids[k]);
      }
    }
    content_item_.rowwise() += VecOf(w.content[0].b);
  }

  std::vector<float> Probabilities(std::span<const uint32_t> history,
                                   std::span<const uint32_t> items) const {
    const int64_t n = w_.num_items, d = w_.dim;
    std::vector<uint32_t> h;
    for (uint32_t j : history) {
      if (j < n && std::find(h.begin(), h.end(), j) == h.end()) h.push_back(j);
    }
    Vec ug = Vec::Zero(d), um = Vec::Zero(d), fu = Vec::Zero(content_user_.cols());
    for (uint32_t j : h) {
      ug += MapOf(w_.pg).row(j);
      um += MapOf(w_.pm).row(j);
      fu += content_user_.row(j);
    }
    if (!h.empty()) {
      const float inv = 1.0f / static_cast<float>(h.size());
      ug *= inv;
      um *= inv;
      fu *= inv;
    }
    const Vec mu = um * MapOf(w_.mlp_user).transpose();
    std::vector<float> out(items.size(), -1.0f);
    std::vector<Eigen::Index> rows;
    std::vector<size_t> where;
    for (size_t k = 0; k < items.size(); ++k) {
      if (items[k] < n) {
        rows.push_back(items[k]);
        where.push_back(k);
      }
    }
    if (rows.empty()) return out;
    const Eigen::Index m = static_cast<Eigen::Index>(rows.size());
    RowMat x(m, mlp_item_.cols()), c(m, content_item_.cols()), g(m, d);
    for (Eigen::Index r = 0; r < m; ++r) {
      x.row(r) = mlp_item_.row(rows[r]) + mu;
      c.row(r) = content_item_.row(rows[r]) + fu;
      g.row(r) = MapOf(w_.qg).row(rows[r]).cwiseProduct(ug);
    }
    auto tower = [](const std::vector<Dense>& layers, RowMat* x) {
      ReluBn(layers[0], x);
      for (size_t l = 1; l < layers.size(); ++l) {
        RowMat next = *x * MapOf(layers[l].w).transpose();
        next.rowwise() += VecOf(layers[l].b);
        ReluBn(layers[l], &next);
        *x = std::move(next);
      }
    };
    tower(w_.mlp, &x);
    tower(w_.content, &c);
    const Eigen::Map<const Eigen::VectorXf> head(w_.head.data(),
                                                 static_cast<Eigen::Index>(w_.head.size()));
    const Eigen::VectorXf logits =
        g * head.head(d) + x * head.segment(d, x.cols()) + c * head.tail(c.cols());
    for (Eigen::Index r = 0; r < m; ++r) {
      out[where[r]] = 1.0f / (1.0f + std::exp(-(logits[r] + w_.head_bias)));
    }
    return out;
  }

 private:
  static void ReluBn(const Dense& d, RowMat* x) {
    *x = x->cwiseMax(0.0f);
    x->array().rowwise() *= VecOf(d.scale).array();
    x->array().rowwise() += VecOf(d.shift).array();
  }

  const NcfWeights& w_;
  RowMat mlp_item_, content_item_, content_user_;
};

Matrix RandomMatrix(int64_t rows, int64_t cols, std::mt19937_64& rng) {
  std::normal_distribution<float> dist(0.0f, 1.0f / std::sqrt(static_cast<float>(cols)));
  Matrix m{rows, cols, std::vector<float>(static_cast<size_t>(rows * cols))};
  for (float& x : m.data) x = dist(rng);
  return m;
}

Dense RandomDense(int64_t out, int64_t in, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> scale(0.8f, 1.2f), shift(-0.1f, 0.1f);
  Dense d;
  if (in > 0) d.w = RandomMatrix(out, in, rng);
  for (int64_t k = 0; k < out; ++k) {
    d.b.push_back(shift(rng));
    d.scale.push_back(scale(rng));
    d.shift.push_back(shift(rng));
  }
  return d;
}

std::vector<int> Layers(const char* text) {
  std::vector<int> out;
  for (absl::string_view s : absl::StrSplit(text, ',')) {
    int v = 0;
    if (!absl::SimpleAtoi(s, &v) || v <= 0) {
      std::fprintf(stderr, "bad layer list %s\n", text);
      std::exit(2);
    }
    out.push_back(v);
  }
  return out;
}

// Milliseconds of CPU time of the calling thread.
double CpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

double WallMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t items = 10000, features = 268;
  int requests = 300, dim = 32;
  std::vector<int> mlp = {16, 8}, content = {32, 16};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    if (f == "--items") {
      items = std::atoll(argv[i + 1]);
    } else if (f == "--requests") {
      requests = std::atoi(argv[i + 1]);
    } else if (f == "--features") {
      features = std::atoll(argv[i + 1]);
    } else if (f == "--dim") {
      dim = std::atoi(argv[i + 1]);
    } else if (f == "--mlp") {
      mlp = Layers(argv[i + 1]);
    } else if (f == "--content") {
      content = Layers(argv[i + 1]);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  if (items <= 0 || features <= 0 || requests <= 0 || dim <= 0) {
    std::fprintf(stderr, "sizes must be positive\n");
    return 2;
  }
  std::mt19937_64 rng(11);
  NcfWeights w;
  w.num_items = items;
  w.num_features = features;
  w.dim = dim;
  w.pg = RandomMatrix(items, dim, rng);
  w.pm = RandomMatrix(items, dim, rng);
  w.qg = RandomMatrix(items, dim, rng);
  w.qm = RandomMatrix(items, dim, rng);
  w.mlp_user = RandomMatrix(mlp[0], dim, rng);
  w.mlp_item = RandomMatrix(mlp[0], dim, rng);
  w.mlp.push_back(RandomDense(mlp[0], 0, rng));
  for (size_t l = 1; l < mlp.size(); ++l) w.mlp.push_back(RandomDense(mlp[l], mlp[l - 1], rng));
  w.content_user = RandomMatrix(features, content[0], rng);
  w.content_item = RandomMatrix(features, content[0], rng);
  w.content.push_back(RandomDense(content[0], 0, rng));
  for (size_t l = 1; l < content.size(); ++l) {
    w.content.push_back(RandomDense(content[l], content[l - 1], rng));
  }
  w.head = RandomMatrix(1, dim + mlp.back() + content.back(), rng).data;
  // About ten features per service (eosc's categories, provider, domains, ...).
  ItemFeatures f;
  f.offsets.push_back(0);
  for (int64_t i = 0; i < items; ++i) {
    for (int k = 0; k < 10; ++k) f.ids.push_back(static_cast<int64_t>(rng() % features));
    std::sort(f.ids.end() - 10, f.ids.end());
    f.ids.erase(std::unique(f.ids.end() - 10, f.ids.end()), f.ids.end());
    f.offsets.push_back(static_cast<int64_t>(f.ids.size()));
  }
  auto model = NcfModel::Create(w, f, {});
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  const OldForward old(w, f);
  std::vector<uint32_t> candidates(static_cast<size_t>(items));
  std::iota(candidates.begin(), candidates.end(), 0);
  std::vector<float> fresh(candidates.size());
  std::vector<double> t_old, t_new, w_old, w_new;
  double worst = 0, sink = 0;
  for (int r = 0; r < requests; ++r) {
    std::vector<uint32_t> history(1 + rng() % 8);
    for (uint32_t& h : history) h = static_cast<uint32_t>(rng() % items);
    const double a = CpuMs(), wa = WallMs();
    const std::vector<float> p_old = old.Probabilities(history, candidates);
    const double b = CpuMs(), wb = WallMs();
    (*model)->Probabilities(history, candidates, fresh);
    const double c = CpuMs(), wc = WallMs();
    t_old.push_back(b - a);
    t_new.push_back(c - b);
    w_old.push_back(wb - wa);
    w_new.push_back(wc - wb);
    for (size_t k = 0; k < fresh.size(); ++k) {
      worst = std::max(worst, static_cast<double>(std::abs(p_old[k] - fresh[k])));
    }
    sink += fresh[r % fresh.size()];
  }
  auto mean = [](const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  std::printf("ncf scoring, %lld services, dim %d, %d requests (CPU ms per request)\n",
              static_cast<long long>(items), dim, requests);
  std::printf("  old  p50 %.3f  p99 %.3f  mean %.3f  (wall p50 %.3f)\n", Percentile(t_old, 0.5),
              Percentile(t_old, 0.99), mean(t_old), Percentile(w_old, 0.5));
  std::printf("  new  p50 %.3f  p99 %.3f  mean %.3f  (wall p50 %.3f)\n", Percentile(t_new, 0.5),
              Percentile(t_new, 0.99), mean(t_new), Percentile(w_new, 0.5));
  std::printf("  old/new p50 %.2fx  mean %.2fx; largest |old - new| %.2g (checksum %.3f)\n",
              Percentile(t_old, 0.5) / Percentile(t_new, 0.5), mean(t_old) / mean(t_new), worst,
              sink);
  return 0;
}
