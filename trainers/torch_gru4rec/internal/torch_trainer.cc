// The torch training loop of gru4rec (see torch_trainer.h for the algorithm), built into the
// module librecplat_gru4rec_torch.so that torch_api.h loads on first use.
#include "trainers/torch_gru4rec/internal/torch_trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/models/training_data.h"
#include "trainers/torch_common/blas_threads.h"
#include "trainers/torch_gru4rec/internal/losses.h"
#include "trainers/torch_gru4rec/internal/torch_api.h"
#include "trainers/torch_gru4rec/negative_sampler.h"

namespace recplat::gru4rec::internal {
namespace {

using torch::Tensor;

constexpr double kAdagradEpsilon = 1e-6;

using torch_common::BlasThreads;

Tensor ToTensor(const Matrix& m) {
  return torch::from_blob(const_cast<float*>(m.data.data()), {m.rows, m.cols}, torch::kFloat32)
      .clone();
}

Tensor ToIndex(const std::vector<int64_t>& v) {
  return torch::from_blob(const_cast<int64_t*>(v.data()), {static_cast<int64_t>(v.size())},
                          torch::kInt64)
      .clone();
}

void CopyBack(const Tensor& t, Matrix* m) {
  const Tensor c = t.detach().contiguous();
  std::memcpy(m->data.data(), c.data_ptr<float>(), m->data.size() * sizeof(float));
}

// One parameter in torch form, with its optimiser state.
struct TorchParam {
  bool item_rows = false;
  Tensor value;
  Tensor acc;
  Tensor velocity;
  // Item tables only, per step: the rows gathered and the gathered leaf (gets the gradient).
  Tensor rows;
  Tensor sub;
};

// The network in torch form. Item tables are never differentiated whole: each step gathers the
// rows it needs into leaves, and Step scatters their updates back.
class Net {
 public:
  Net(const GruWeights& w, const GruWeights& acc, const Gru4RecParams* params, bool training,
      uint64_t seed)
      : w_(w), params_(params), training_(training),
        gen_(at::detail::createCPUGenerator(seed)) {
    const std::vector<ConstParamRef> values = Params(w);
    const std::vector<ConstParamRef> accs = Params(acc);
    for (size_t k = 0; k < values.size(); ++k) {
      TorchParam p;
      p.item_rows = values[k].item_rows;
      p.value = ToTensor(*values[k].matrix);
      if (training) {
        p.acc = ToTensor(*accs[k].matrix);
        p.velocity = torch::zeros_like(p.value);
        if (!p.item_rows) p.value.requires_grad_(true);
      }
      all_.push_back(std::move(p));
    }
    size_t k = 0;
    e_ = w.embedding > 0 ? &all_[k++] : nullptr;
    for (size_t l = 0; l < w.layers.size(); ++l) {
      wx_.push_back(&all_[k++]);
      wrz_.push_back(&all_[k++]);
      wh_.push_back(&all_[k++]);
      bh_.push_back(&all_[k++]);
    }
    wy_ = &all_[k++];
    by_ = &all_[k++];
  }

  // Scores M × |y| of the items `y` after one step of the M sessions whose current items are
  // `in`; `h` (one M × H_l state per layer) is advanced in place (detached).
  Tensor Forward(const Tensor& in, const Tensor& y, std::vector<Tensor>& h) {
    const int64_t m = in.size(0);
    Tensor x;
    Tensor out_rows;
    if (w_.constrained) {
      const Tensor s = Gather(wy_, torch::cat({in, y}));
      x = s.narrow(0, 0, m);
      out_rows = s.narrow(0, m, s.size(0) - m);
    } else {
      if (e_ != nullptr) x = Gather(e_, in);
      out_rows = Gather(wy_, y);
    }
    const Tensor out_bias = Gather(by_, y);
    if (x.defined()) x = Dropout(x, params_->dropout_p_embed);
    for (size_t l = 0; l < w_.layers.size(); ++l) {
      const Tensor vec = (l == 0 && w_.one_hot()) ? Gather(wx_[0], in) + bh_[0]->value
                                                  : x.mm(wx_[l]->value) + bh_[l]->value;
      const int64_t units = w_.layers[l];
      const Tensor& prev = h[l];
      const Tensor rz = torch::sigmoid(vec.narrow(1, units, 2 * units) + prev.mm(wrz_[l]->value));
      const Tensor r = rz.narrow(1, 0, units);
      const Tensor z = rz.narrow(1, units, units);
      const Tensor cand = torch::tanh((r * prev).mm(wh_[l]->value) + vec.narrow(1, 0, units));
      x = Dropout((1 - z) * prev + z * cand, params_->dropout_p_hidden);
      h[l] = x.detach();
    }
    return x.mm(out_rows.t()) + out_bias.t();
  }

  // Adagrad with momentum on every parameter that got a gradient; clears the gradients.
  void Step(double lr, double momentum) {
    torch::NoGradGuard no_grad;
    for (TorchParam& p : all_) {
      if (p.item_rows) {
        if (!p.sub.defined() || !p.sub.grad().defined()) continue;
        SparseStep(p, lr, momentum);
        p.sub = Tensor();
        p.rows = Tensor();
      } else {
        Tensor& g = p.value.mutable_grad();
        if (!g.defined()) continue;
        p.acc.add_(g * g);
        const Tensor step = g / (p.acc + kAdagradEpsilon).sqrt();
        if (momentum > 0) {
          p.velocity.mul_(momentum).sub_(lr * step);
          p.value.add_(p.velocity);
        } else {
          p.value.sub_(lr * step);
        }
        g = Tensor();
      }
    }
  }

  const GruWeights& weights() const { return w_; }

  void CopyTo(GruWeights* w, GruWeights* acc) const {
    const std::vector<ParamRef> values = Params(*w);
    const std::vector<ParamRef> accs = Params(*acc);
    for (size_t k = 0; k < all_.size(); ++k) {
      CopyBack(all_[k].value, values[k].matrix);
      CopyBack(all_[k].acc, accs[k].matrix);
    }
  }

 private:
  // The Adagrad-momentum step of an item table on the rows the batch gathered, in plain loops
  // over the tensors' memory (torch's index_add_/index_copy_ on CPU go row by row through
  // tensor views and cost more than the whole forward pass). Gradients of repeated rows are
  // summed first, through a per-item scratch table (no hashing).
  void SparseStep(TorchParam& p, double lr, double momentum) {
    const Tensor grad = p.sub.grad().contiguous();
    const float* g = grad.data_ptr<float>();
    const int64_t* rows = p.rows.data_ptr<int64_t>();
    const int64_t m = p.rows.numel();
    const int64_t cols = p.value.size(1);
    if (slot_.size() < static_cast<size_t>(w_.num_items)) slot_.assign(w_.num_items, -1);
    distinct_.clear();
    sum_.clear();
    for (int64_t k = 0; k < m; ++k) {
      int64_t& s = slot_[static_cast<size_t>(rows[k])];
      if (s < 0) {
        s = static_cast<int64_t>(distinct_.size());
        distinct_.push_back(rows[k]);
        sum_.resize(sum_.size() + static_cast<size_t>(cols), 0.0f);
      }
      float* out = sum_.data() + s * cols;
      const float* in = g + k * cols;
      for (int64_t c = 0; c < cols; ++c) out[c] += in[c];
    }
    float* w = p.value.data_ptr<float>();
    float* acc = p.acc.data_ptr<float>();
    float* vel = p.velocity.data_ptr<float>();
    const float rate = static_cast<float>(lr);
    const float mom = static_cast<float>(momentum);
    for (size_t s = 0; s < distinct_.size(); ++s) {
      const int64_t base = distinct_[s] * cols;
      const float* gs = sum_.data() + static_cast<int64_t>(s) * cols;
      for (int64_t c = 0; c < cols; ++c) {
        const float a = acc[base + c] += gs[c] * gs[c];
        const float step = gs[c] / std::sqrt(a + static_cast<float>(kAdagradEpsilon));
        if (momentum > 0) {
          vel[base + c] = mom * vel[base + c] - rate * step;
          w[base + c] += vel[base + c];
        } else {
          w[base + c] -= rate * step;
        }
      }
      slot_[static_cast<size_t>(distinct_[s])] = -1;
    }
  }

  Tensor Gather(TorchParam* p, const Tensor& rows) {
    Tensor sub = p->value.index_select(0, rows);
    if (training_) {
      sub.requires_grad_(true);
      p->rows = rows;
      p->sub = sub;
    }
    return sub;
  }

  Tensor Dropout(const Tensor& x, double p) {
    if (!training_ || p <= 0) return x;
    const Tensor keep = torch::empty_like(x).bernoulli_(1.0 - p, gen_);
    return x * keep / (1.0 - p);
  }

  const GruWeights& w_;
  const Gru4RecParams* params_;
  const bool training_;
  at::Generator gen_;
  std::vector<TorchParam> all_;
  TorchParam* e_ = nullptr;
  std::vector<TorchParam*> wx_, wrz_, wh_, bh_;
  TorchParam* wy_ = nullptr;
  TorchParam* by_ = nullptr;
  // SparseStep's scratch: by item, its position among the distinct rows or -1; the distinct
  // rows; their summed gradients.
  std::vector<int64_t> slot_;
  std::vector<int64_t> distinct_;
  std::vector<float> sum_;
};

std::vector<Tensor> ZeroStates(const GruWeights& w, int64_t rows) {
  std::vector<Tensor> h;
  for (int units : w.layers) h.push_back(torch::zeros({rows, units}));
  return h;
}

absl::Status CheckSameShapes(const GruWeights& w, const GruWeights& acc) {
  const std::vector<ConstParamRef> a = Params(w);
  const std::vector<ConstParamRef> b = Params(acc);
  if (a.size() != b.size()) return absl::InvalidArgumentError("accumulators do not match");
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k].matrix->rows != b[k].matrix->rows || a[k].matrix->cols != b[k].matrix->cols ||
        b[k].matrix->data.size() != a[k].matrix->data.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("accumulator of ", a[k].name, " has another shape"));
    }
  }
  return absl::OkStatus();
}

// One epoch over the sessions; adds to `stats`. INTERNAL on a NaN loss.
absl::Status RunEpoch(const Gru4RecParams& params, const TrainRequest& request,
                      const NegativeSampler* sampler, const Tensor& log_support, int epoch,
                      Net& net, common::Rng& rng, TrainStats* stats) {
  std::vector<Tensor> h = ZeroStates(net.weights(), params.batch_size);
  SessionParallelBatcher batcher(*request.sessions, params.batch_size,
                                 params.n_sample > 0 ? 1 : 2);
  SessionBatch batch;
  std::vector<int64_t> samples(static_cast<size_t>(params.n_sample));
  const bool use_logq = params.loss == GruLoss::kCrossEntropy && params.logq > 0;
  double loss_sum = 0;
  int64_t events = 0;
  while (batcher.Next(&batch)) {
    if (absl::Status s = models::CheckStop(request.stop); !s.ok()) return s;
    const int64_t m = static_cast<int64_t>(batch.inputs.size());
    if (!batch.kept_rows.empty()) {
      const Tensor rows = ToIndex(batch.kept_rows);
      for (Tensor& state : h) state = state.index_select(0, rows);
    }
    bool any_start = false;
    std::vector<float> keep(static_cast<size_t>(m));
    for (int64_t k = 0; k < m; ++k) {
      keep[k] = batch.starts[k] ? 0.0f : 1.0f;
      any_start |= batch.starts[k] != 0;
    }
    if (any_start) {
      const Tensor mask = torch::from_blob(keep.data(), {m, 1}, torch::kFloat32).clone();
      for (Tensor& state : h) state = state * mask;
    }
    const Tensor in = ToIndex(batch.inputs);
    const Tensor targets = ToIndex(batch.targets);
    Tensor y = targets;
    Tensor sampled;
    if (sampler != nullptr) {
      sampler->Sample(rng, samples);
      sampled = ToIndex(samples);
      y = torch::cat({targets, sampled});
    }
    Tensor log_q;
    if (use_logq) {
      log_q = log_support.index_select(0, targets);
      if (sampled.defined()) {
        log_q = torch::cat({log_q, params.sample_alpha * log_support.index_select(0, sampled)});
      }
    }
    const Tensor scores = net.Forward(in, y, h);
    const Tensor loss = Loss(scores, log_q, params) / static_cast<double>(params.batch_size);
    loss.backward();
    const double value = loss.item<double>();
    if (!std::isfinite(value)) {
      return absl::InternalError(absl::StrCat("gru4rec: the loss became ", value, " in epoch ",
                                              epoch + 1, " (step ", stats->steps + 1,
                                              "); try a lower learning_rate"));
    }
    net.Step(params.learning_rate, params.momentum);
    loss_sum += value * params.batch_size;
    events += m;
    ++stats->steps;
  }
  stats->events += events;
  stats->epoch_loss.push_back(events > 0 ? loss_sum / static_cast<double>(events) : 0.0);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TrainStats> TorchTrainGru(const Gru4RecParams& params,
                                         const TrainRequest& request, GruWeights* weights,
                                         GruWeights* adagrad) {
  if (absl::Status s = CheckWeights(*weights); !s.ok()) return s;
  if (absl::Status s = CheckSameShapes(*weights, *adagrad); !s.ok()) return s;
  if (request.sessions == nullptr ||
      request.support.size() != static_cast<size_t>(weights->num_items)) {
    return absl::InvalidArgumentError("gru4rec: sessions or support do not match the weights");
  }
  for (uint32_t item : request.sessions->items) {
    if (item >= weights->num_items) {
      return absl::InvalidArgumentError(absl::StrCat("gru4rec: session item ", item,
                                                     " out of range"));
    }
  }
  TrainStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    at::set_num_threads(params.threads);
    const BlasThreads blas_threads(params.threads);
    Net net(*weights, *adagrad, &params, /*training=*/true, request.seed);
    common::Rng rng(request.seed ^ 0x5eed5eedULL);
    std::unique_ptr<NegativeSampler> sampler;
    if (params.n_sample > 0) {
      sampler = std::make_unique<NegativeSampler>(request.support, params.sample_alpha);
    }
    std::vector<float> log_support(request.support.size());
    for (size_t i = 0; i < log_support.size(); ++i) {
      log_support[i] = static_cast<float>(std::log(std::max(request.support[i], 1e-6)));
    }
    const Tensor log_support_t =
        torch::from_blob(log_support.data(), {static_cast<int64_t>(log_support.size())},
                         torch::kFloat32);
    for (int epoch = 0; epoch < request.epochs; ++epoch) {
      if (absl::Status s = RunEpoch(params, request, sampler.get(), log_support_t, epoch, net,
                                    rng, &stats);
          !s.ok()) {
        return s;
      }
    }
    net.CopyTo(weights, adagrad);
  } catch (const std::exception& e) {  // c10::Error derives from std::exception.
    return absl::InternalError(absl::StrCat("gru4rec: torch failed while training: ", e.what()));
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stats.events_per_second = stats.seconds > 0 ? static_cast<double>(stats.events) / stats.seconds
                                              : 0.0;
  return stats;
}

absl::StatusOr<std::vector<float>> TorchScores(const GruWeights& weights,
                                               std::span<const uint32_t> session) {
  if (session.empty()) return absl::InvalidArgumentError("empty session");
  for (uint32_t item : session) {
    if (item >= weights.num_items) return absl::InvalidArgumentError("item out of range");
  }
  try {
    torch::NoGradGuard no_grad;
    Gru4RecParams params;
    Net net(weights, weights, &params, /*training=*/false, 0);
    std::vector<Tensor> h = ZeroStates(weights, 1);
    const Tensor all = torch::arange(weights.num_items, torch::kInt64);
    Tensor scores;
    for (uint32_t item : session) {
      scores = net.Forward(torch::full({1}, static_cast<int64_t>(item), torch::kInt64), all, h);
    }
    const Tensor row = scores.contiguous();
    return std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("torch failed: ", e.what()));
  }
}

}  // namespace recplat::gru4rec::internal

// The module's one entry point (torch_api.h), looked up by LoadTorchApi.
extern "C" __attribute__((visibility("default"))) const recplat::gru4rec::internal::TorchApi*
RecplatGru4RecTorchApi() {
  static const recplat::gru4rec::internal::TorchApi api = {
      recplat::gru4rec::internal::kTorchApiVersion, &recplat::gru4rec::internal::TorchTrainGru,
      &recplat::gru4rec::internal::TorchScores};
  return &api;
}
