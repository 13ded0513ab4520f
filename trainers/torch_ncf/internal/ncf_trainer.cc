// The torch training of the ncf family (ncf_weights.h describes the network), built into the
// module librecplat_ncf_torch.so that internal/torch_api.h loads on first use.
//
// Per epoch: every training (user, service) pair is a positive, with the user's other training
// services as history (leave-one-out, as at serving time, where a user's accessed services
// are never candidates); each positive gets `negatives` services drawn uniformly from the pool
// that the user did not access, with the same history. Binary cross-entropy on the logits,
// Adam, gradient-norm clipping. Validation: each held-out (user, last service) pair against one
// fixed sampled negative, with the whole training history; the weights of the epoch with the
// lowest validation loss are kept (the seed's best-validation checkpoint).
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/models/training_data.h"
#include "trainers/torch_common/blas_threads.h"
#include "trainers/torch_ncf/internal/torch_api.h"

namespace recplat::ncf::internal {
namespace {

using torch::Tensor;
namespace nn = torch::nn;

using torch_common::BlasThreads;

struct Sample {
  int64_t user;
  int64_t item;
  // The history leaves this item out (the positive of the pair).
  int64_t left_out;
  float label;
};

struct Net : nn::Module {
  Net(const NcfParams& p, int64_t items, int64_t features) {
    const int64_t d = p.dim;
    pg = register_module("pg",
                         nn::EmbeddingBag(nn::EmbeddingBagOptions(items, d).mode(torch::kMean)));
    pm = register_module("pm",
                         nn::EmbeddingBag(nn::EmbeddingBagOptions(items, d).mode(torch::kMean)));
    qg = register_module("qg", nn::Embedding(items, d));
    qm = register_module("qm", nn::Embedding(items, d));
    for (auto* w : {&pg->weight, &pm->weight, &qg->weight, &qm->weight}) {
      nn::init::normal_(*w, 0.0, 0.05);
    }
    const int64_t c0 = p.content_layers.front();
    cu = register_module("cu",
                         nn::EmbeddingBag(nn::EmbeddingBagOptions(features, c0).mode(torch::kSum)));
    ci = register_module("ci",
                         nn::EmbeddingBag(nn::EmbeddingBagOptions(features, c0).mode(torch::kSum)));
    nn::init::normal_(cu->weight, 0.0, 0.1);
    nn::init::normal_(ci->weight, 0.0, 0.1);
    cbias = register_parameter("cbias", torch::zeros({c0}));
    for (size_t l = 0; l < p.content_layers.size(); ++l) {
      const int64_t out = p.content_layers[l];
      if (l > 0) {
        clin.push_back(
            register_module(absl::StrCat("clin", l), nn::Linear(p.content_layers[l - 1], out)));
      }
      cbn.push_back(register_module(absl::StrCat("cbn", l), nn::BatchNorm1d(out)));
    }
    const int64_t m0 = p.mlp_layers.front();
    mu = register_module("mu", nn::Linear(nn::LinearOptions(d, m0).bias(false)));
    mi = register_module("mi", nn::Linear(d, m0));
    for (size_t l = 0; l < p.mlp_layers.size(); ++l) {
      const int64_t out = p.mlp_layers[l];
      if (l > 0) {
        mlin.push_back(
            register_module(absl::StrCat("mlin", l), nn::Linear(p.mlp_layers[l - 1], out)));
      }
      mbn.push_back(register_module(absl::StrCat("mbn", l), nn::BatchNorm1d(out)));
    }
    head =
        register_module("head", nn::Linear(d + p.mlp_layers.back() + p.content_layers.back(), 1));
  }

  // Logits [B].
  Tensor Forward(const Tensor& hist, const Tensor& hist_off, const Tensor& hist_count,
                 const Tensor& items, const Tensor& ufeat, const Tensor& ufeat_off,
                 const Tensor& ifeat, const Tensor& ifeat_off) {
    const Tensor ug = pg->forward(hist, hist_off);
    const Tensor um = pm->forward(hist, hist_off);
    const Tensor gmf = ug * qg->forward(items);
    Tensor x = torch::relu(mu->forward(um) + mi->forward(qm->forward(items)));
    x = mbn[0]->forward(x);
    for (size_t l = 0; l < mlin.size(); ++l)
      x = mbn[l + 1]->forward(torch::relu(mlin[l]->forward(x)));
    const Tensor fu = cu->forward(ufeat, ufeat_off) / hist_count.clamp_min(1).unsqueeze(1);
    Tensor c = torch::relu(fu + ci->forward(ifeat, ifeat_off) + cbias);
    c = cbn[0]->forward(c);
    for (size_t l = 0; l < clin.size(); ++l)
      c = cbn[l + 1]->forward(torch::relu(clin[l]->forward(c)));
    return head->forward(torch::cat({gmf, x, c}, 1)).squeeze(1);
  }

  nn::EmbeddingBag pg{nullptr}, pm{nullptr}, cu{nullptr}, ci{nullptr};
  nn::Embedding qg{nullptr}, qm{nullptr};
  Tensor cbias;
  std::vector<nn::Linear> clin, mlin;
  std::vector<nn::BatchNorm1d> cbn, mbn;
  nn::Linear mu{nullptr}, mi{nullptr}, head{nullptr};
};

std::vector<float> ToVector(const Tensor& t) {
  const Tensor c = t.detach().contiguous().to(torch::kFloat32);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
Matrix ToMatrix(const Tensor& t) {
  Matrix m;
  m.rows = t.size(0);
  m.cols = t.size(1);
  m.data = ToVector(t);
  return m;
}
// A BatchNorm's inference form into `d`.
void Fold(const nn::BatchNorm1d& bn, Dense* d) {
  const Tensor scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
  d->scale = ToVector(scale);
  d->shift = ToVector(bn->bias - bn->running_mean * scale);
}

// Batches of samples as the tensors Net::Forward takes.
class Batcher {
 public:
  Batcher(const NcfTrainData& data) : data_(data) {}

  void Build(const std::vector<Sample>& samples, size_t begin, size_t end) {
    hist_.clear();
    hist_off_.clear();
    count_.clear();
    items_.clear();
    labels_.clear();
    uf_.clear();
    uf_off_.clear();
    if_.clear();
    if_off_.clear();
    const auto& off = data_.features.offsets;
    const auto& ids = data_.features.ids;
    for (size_t s = begin; s < end; ++s) {
      const Sample& x = samples[s];
      hist_off_.push_back(static_cast<int64_t>(hist_.size()));
      uf_off_.push_back(static_cast<int64_t>(uf_.size()));
      int64_t n = 0;
      for (int64_t j : data_.histories[x.user]) {
        if (j == x.left_out) continue;
        hist_.push_back(j);
        uf_.insert(uf_.end(), ids.begin() + off[j], ids.begin() + off[j + 1]);
        ++n;
      }
      count_.push_back(static_cast<float>(n));
      items_.push_back(x.item);
      labels_.push_back(x.label);
      if_off_.push_back(static_cast<int64_t>(if_.size()));
      if_.insert(if_.end(), ids.begin() + off[x.item], ids.begin() + off[x.item + 1]);
    }
  }

  Tensor Logits(Net& net) {
    return net.Forward(Index(hist_), Index(hist_off_), Floats(count_), Index(items_), Index(uf_),
                       Index(uf_off_), Index(if_), Index(if_off_));
  }
  Tensor Labels() { return Floats(labels_); }

 private:
  static Tensor Index(std::vector<int64_t>& v) {
    return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kInt64);
  }
  static Tensor Floats(std::vector<float>& v) {
    return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kFloat32);
  }

  const NcfTrainData& data_;
  std::vector<int64_t> hist_, hist_off_, items_, uf_, uf_off_, if_, if_off_;
  std::vector<float> count_, labels_;
};

int64_t SampleNegative(const NcfTrainData& data, const std::vector<int64_t>& history,
                       int64_t also_not, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pick(0, data.item_pool.size() - 1);
  int64_t j = data.item_pool[pick(rng)];
  for (int t = 0; t < 20; ++t) {
    if (j != also_not && std::find(history.begin(), history.end(), j) == history.end()) break;
    j = data.item_pool[pick(rng)];
  }
  return j;
}

absl::Status CheckData(const NcfTrainData& data) {
  if (data.num_items <= 0 || data.item_pool.empty()) {
    return absl::InvalidArgumentError("ncf: no items");
  }
  if (static_cast<int64_t>(data.features.offsets.size()) != data.num_items + 1) {
    return absl::InvalidArgumentError("ncf: feature offsets do not match the items");
  }
  for (int64_t f : data.features.ids) {
    if (f < 0 || f >= data.num_features) return absl::InvalidArgumentError("ncf: bad feature id");
  }
  for (const auto& h : data.histories) {
    for (int64_t i : h) {
      if (i < 0 || i >= data.num_items) return absl::InvalidArgumentError("ncf: bad item");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<NcfTrainStats> TorchTrainNcf(const NcfParams& p, const NcfTrainData& data,
                                            NcfWeights* w) {
  if (absl::Status s = CheckData(data); !s.ok()) return s;
  NcfTrainStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    at::set_num_threads(p.threads);
    const BlasThreads blas_threads(p.threads);
    torch::manual_seed(p.seed);
    std::mt19937_64 rng(p.seed);
    Net net(p, data.num_items, std::max<int64_t>(data.num_features, 1));
    torch::optim::Adam adam(
        net.parameters(), torch::optim::AdamOptions(p.learning_rate).weight_decay(p.weight_decay));
    Batcher batcher(data);

    std::vector<Sample> validation;
    for (const auto& [user, item] : data.validation) {
      validation.push_back({user, item, -1, 1.0f});
      validation.push_back({user, SampleNegative(data, data.histories[user], item, rng), -1, 0.0f});
    }
    std::vector<std::vector<Tensor>> best;
    double best_loss = INFINITY;
    std::vector<Sample> samples;
    for (int epoch = 1; epoch <= p.epochs; ++epoch) {
      samples.clear();
      for (size_t u = 0; u < data.histories.size(); ++u) {
        for (int64_t i : data.histories[u]) {
          const int64_t user = static_cast<int64_t>(u);
          samples.push_back({user, i, i, 1.0f});
          for (int n = 0; n < p.negatives; ++n) {
            samples.push_back({user, SampleNegative(data, data.histories[u], i, rng), i, 0.0f});
          }
        }
      }
      std::shuffle(samples.begin(), samples.end(), rng);
      net.train();
      double loss_sum = 0;
      for (size_t b = 0; b < samples.size(); b += p.batch_size) {
        if (absl::Status s = models::CheckStop(data.stop); !s.ok()) return s;
        const size_t e = std::min(samples.size(), b + p.batch_size);
        if (e - b < 2) break;  // BatchNorm needs two rows.
        batcher.Build(samples, b, e);
        const Tensor loss =
            torch::binary_cross_entropy_with_logits(batcher.Logits(net), batcher.Labels());
        adam.zero_grad();
        loss.backward();
        nn::utils::clip_grad_norm_(net.parameters(), p.grad_clip);
        adam.step();
        const double value = loss.item<double>();
        if (!std::isfinite(value)) return absl::InternalError("ncf: the loss became NaN");
        loss_sum += value * static_cast<double>(e - b);
      }
      stats.samples += static_cast<int64_t>(samples.size());
      stats.final_train_loss = samples.empty() ? 0 : loss_sum / samples.size();
      stats.epochs_run = epoch;
      if (validation.size() >= 2 && (epoch % p.eval_every == 0 || epoch == p.epochs)) {
        torch::NoGradGuard no_grad;
        net.eval();
        double vsum = 0;
        for (size_t b = 0; b < validation.size(); b += 4096) {
          const size_t e = std::min(validation.size(), b + 4096);
          batcher.Build(validation, b, e);
          vsum += torch::binary_cross_entropy_with_logits(batcher.Logits(net), batcher.Labels())
                      .item<double>() *
                  static_cast<double>(e - b);
        }
        const double vloss = vsum / validation.size();
        if (vloss < best_loss) {
          best_loss = vloss;
          stats.best_epoch = epoch;
          best.clear();
          std::vector<Tensor> params, buffers;
          for (const Tensor& t : net.parameters()) params.push_back(t.detach().clone());
          for (const Tensor& t : net.buffers()) buffers.push_back(t.detach().clone());
          best = {params, buffers};
        }
      }
    }
    if (!best.empty()) {
      torch::NoGradGuard no_grad;
      auto params = net.parameters();
      auto buffers = net.buffers();
      for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best[0][i]);
      for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(best[1][i]);
      stats.best_validation_loss = best_loss;
    } else {
      stats.best_epoch = stats.epochs_run;
    }
    // Export (ncf_weights.h).
    w->num_items = data.num_items;
    w->num_features = std::max<int64_t>(data.num_features, 1);
    w->dim = p.dim;
    w->pg = ToMatrix(net.pg->weight);
    w->pm = ToMatrix(net.pm->weight);
    w->qg = ToMatrix(net.qg->weight);
    w->qm = ToMatrix(net.qm->weight);
    w->mlp_user = ToMatrix(net.mu->weight);
    w->mlp_item = ToMatrix(net.mi->weight);
    w->mlp.assign(p.mlp_layers.size(), Dense{});
    w->mlp[0].b = ToVector(net.mi->bias);
    for (size_t l = 0; l < p.mlp_layers.size(); ++l) {
      if (l > 0) {
        w->mlp[l].w = ToMatrix(net.mlin[l - 1]->weight);
        w->mlp[l].b = ToVector(net.mlin[l - 1]->bias);
      }
      Fold(net.mbn[l], &w->mlp[l]);
    }
    w->content_user = ToMatrix(net.cu->weight);
    w->content_item = ToMatrix(net.ci->weight);
    w->content.assign(p.content_layers.size(), Dense{});
    w->content[0].b = ToVector(net.cbias);
    for (size_t l = 0; l < p.content_layers.size(); ++l) {
      if (l > 0) {
        w->content[l].w = ToMatrix(net.clin[l - 1]->weight);
        w->content[l].b = ToVector(net.clin[l - 1]->bias);
      }
      Fold(net.cbn[l], &w->content[l]);
    }
    w->head = ToVector(net.head->weight);
    w->head_bias = net.head->bias.item<float>();
  } catch (const std::exception& e) {  // c10::Error derives from std::exception.
    return absl::InternalError(absl::StrCat("ncf: torch failed while training: ", e.what()));
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace
}  // namespace recplat::ncf::internal

// The module's one entry point (torch_api.h), looked up by LoadNcfTorchApi.
extern "C" __attribute__((visibility("default"))) const recplat::ncf::internal::NcfTorchApi*
RecplatNcfTorchApi() {
  static const recplat::ncf::internal::NcfTorchApi api = {
      recplat::ncf::internal::kNcfTorchApiVersion, &recplat::ncf::internal::TorchTrainNcf};
  return &api;
}
