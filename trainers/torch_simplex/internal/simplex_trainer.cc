// The torch training of the simplex family (simplex_weights.h describes the model), built into
// the module librecplat_simplex_torch.so that internal/torch_api.h loads on first use.
//
// Per epoch every training (user, item) pair is a positive; the users come in a seeded random
// order, each with all their items (shuffled), cut into mini-batches of batch_size positives,
// so that a mini-batch aggregates each of its users' histories once (O(batch + histories)
// rather than O(batch · history length); on a dev split of ml-100k u1.base fully shuffled
// positives scored NDCG@20 0.266 against 0.261, at twice the time). The user side of a positive
// aggregates the user's *other* training items (leave-one-out: the mean of E over H(u) \ {i},
// zero when there is none), as at serving time, where a request's history items are never
// candidates. Each mini-batch draws `negatives` items uniformly from
// the pool, shared by all its rows (one [B, N] cosine matrix instead of B·N gathers: what
// makes hundreds of negatives cheap on a CPU). Loss per positive (the cosine contrastive
// loss of the paper):
//   (1 - cos(p, E[i])) + w · mean_j relu(cos(p, E[j]) - m)  +  l2 · (|E[i]|² + |P[u]|²)
// plus l2 · (|E[negatives]|² + |V|²) once per batch, averaged over the batch; dropout on p;
// Adam. Initialisation: E and P normal(0, 0.1), V the identity (p starts as the plain mean).
//
// Determinism: the shuffle and the negatives come from one std::mt19937_64, dropout from
// torch's generator, both seeded with params.seed; with threads = 1 a fit is reproducible
// (max_seconds aside).
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/models/training_data.h"
#include "trainers/torch_common/blas_threads.h"
#include "trainers/torch_simplex/internal/torch_api.h"

namespace recplat::simplex::internal {
namespace {

using torch::Tensor;
namespace nn = torch::nn;

using torch_common::BlasThreads;

struct Net : nn::Module {
  Net(const SimplexParams& p, int64_t items, int64_t users) : gamma(p.gamma) {
    const int64_t d = p.dim;
    item = register_module("item", nn::Embedding(items, d));
    nn::init::normal_(item->weight, 0.0, 0.1);
    if (p.separate_history) {
      history = register_module("history", nn::Embedding(items, d));
      nn::init::normal_(history->weight, 0.0, 0.1);
    }
    if (gamma > 0) {
      user = register_module("user", nn::Embedding(std::max<int64_t>(users, 1), d));
      nn::init::normal_(user->weight, 0.0, 0.1);
    }
    v = register_module("v", nn::Linear(nn::LinearOptions(d, d).bias(false)));
    {
      torch::NoGradGuard no_grad;
      v->weight.copy_(torch::eye(d));
    }
    dropout = register_module("dropout", nn::Dropout(p.dropout));
  }

  // User vectors [B, dim] of rows whose positive is `pos_emb` [B, dim] and whose user is
  // `users` [B]; `local` [B] indexes the row's user among the batch's distinct users, whose
  // whole training histories are the bags (`hist`, `hist_off`); `count` [B] is the size of the
  // row's user history (the positive is left out of its mean).
  Tensor Users(const Tensor& users, const Tensor& local, const Tensor& pos, const Tensor& pos_emb,
               const Tensor& hist, const Tensor& hist_off, const Tensor& count) {
    const Tensor others = (count - 1).clamp_min(1).unsqueeze(1);
    // The bags read the item table itself (SimpleX aggregates item embeddings) or C.
    const Tensor sums = nn::functional::embedding_bag(
        hist, history ? history->weight : item->weight,
        nn::functional::EmbeddingBagFuncOptions().offsets(hist_off).mode(torch::kSum));
    const Tensor left_out = history ? history->forward(pos) : pos_emb;
    const Tensor mean = (sums.index_select(0, local) - left_out) / others;
    Tensor p = v->forward(mean);
    if (gamma > 0) p = gamma * user->forward(users) + (1 - gamma) * p;
    return dropout->forward(p);
  }

  double gamma;
  nn::Embedding item{nullptr}, user{nullptr}, history{nullptr};
  nn::Linear v{nullptr};
  nn::Dropout dropout{nullptr};
};

Matrix ToMatrix(const Tensor& t) {
  const Tensor c = t.detach().contiguous().to(torch::kFloat32);
  Matrix m;
  m.rows = c.size(0);
  m.cols = c.size(1);
  m.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return m;
}

Tensor Index(std::vector<int64_t>& v) {
  return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kInt64);
}

// One epoch's positives: the users in a new random order, each user's items together in a new
// random order (so that a mini-batch aggregates each of its few users' histories once).
void Order(const SimplexTrainData& data, std::mt19937_64& rng, std::vector<int64_t>* users,
           std::vector<std::pair<int64_t, int64_t>>* positives) {
  std::shuffle(users->begin(), users->end(), rng);
  positives->clear();
  std::vector<int64_t> items;
  for (int64_t u : *users) {
    items = data.histories[u];
    std::shuffle(items.begin(), items.end(), rng);
    for (int64_t i : items) positives->emplace_back(u, i);
  }
}

absl::Status CheckData(const SimplexParams& p, const SimplexTrainData& data) {
  if (data.num_items <= 0 || data.item_pool.empty()) {
    return absl::InvalidArgumentError("simplex: no items");
  }
  for (int64_t i : data.item_pool) {
    if (i < 0 || i >= data.num_items) return absl::InvalidArgumentError("simplex: bad pool item");
  }
  for (const auto& h : data.histories) {
    for (int64_t i : h) {
      if (i < 0 || i >= data.num_items) return absl::InvalidArgumentError("simplex: bad item");
    }
  }
  if (p.dim < 1 || p.negatives < 1 || p.batch_size < 1 || p.epochs < 1 || p.gamma < 0 ||
      p.gamma >= 1 || p.dropout < 0 || p.dropout >= 1) {
    return absl::InvalidArgumentError("simplex: params out of range");
  }
  return absl::OkStatus();
}

absl::StatusOr<SimplexTrainStats> TorchTrainSimplex(const SimplexParams& p,
                                                    const SimplexTrainData& data,
                                                    SimplexWeights* w) {
  if (absl::Status s = CheckData(p, data); !s.ok()) return s;
  SimplexTrainStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&t0] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  try {
    at::set_num_threads(p.threads);
    const BlasThreads blas_threads(p.threads);
    torch::manual_seed(p.seed);
    std::mt19937_64 rng(p.seed);
    const int64_t num_users = static_cast<int64_t>(data.histories.size());
    Net net(p, data.num_items, num_users);
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(p.learning_rate));

    std::vector<std::pair<int64_t, int64_t>> positives;
    std::vector<int64_t> user_order(static_cast<size_t>(num_users));
    std::iota(user_order.begin(), user_order.end(), 0);
    for (int64_t u = 0; u < num_users; ++u) {
      for (int64_t i : data.histories[u]) positives.emplace_back(u, i);
    }
    if (positives.empty()) return absl::InvalidArgumentError("simplex: no positives");
    std::uniform_int_distribution<size_t> pick(0, data.item_pool.size() - 1);
    std::vector<int64_t> users, local, items, hist, hist_off, negatives(p.negatives);
    std::vector<float> count;
    const float w_neg = static_cast<float>(p.negative_weight);
    const float margin = static_cast<float>(p.margin);
    const float l2 = static_cast<float>(p.l2);
    net.train();
    for (int epoch = 1; epoch <= p.epochs && !stats.time_capped; ++epoch) {
      Order(data, rng, &user_order, &positives);
      double loss_sum = 0;
      size_t done = 0;
      for (size_t b = 0; b < positives.size(); b += p.batch_size) {
        if (absl::Status s = models::CheckStop(data.stop); !s.ok()) return s;
        const size_t e = std::min(positives.size(), b + p.batch_size);
        users.clear();
        local.clear();
        items.clear();
        hist.clear();
        hist_off.clear();
        count.clear();
        for (size_t k = b; k < e; ++k) {
          const auto [u, i] = positives[k];
          if (users.empty() || users.back() != u) {
            hist_off.push_back(static_cast<int64_t>(hist.size()));
            hist.insert(hist.end(), data.histories[u].begin(), data.histories[u].end());
          }
          users.push_back(u);
          local.push_back(static_cast<int64_t>(hist_off.size()) - 1);
          items.push_back(i);
          count.push_back(static_cast<float>(data.histories[u].size()));
        }
        for (int64_t& j : negatives) j = data.item_pool[pick(rng)];
        const int64_t rows = static_cast<int64_t>(e - b);
        const Tensor pos_emb = net.item->forward(Index(items));
        const Tensor neg_emb = net.item->forward(Index(negatives));
        const Tensor user_vec =
            net.Users(Index(users), Index(local), Index(items), pos_emb, Index(hist), Index(hist_off),
                      torch::from_blob(count.data(), {rows}, torch::kFloat32));
        const Tensor un = torch::nn::functional::normalize(
            user_vec, torch::nn::functional::NormalizeFuncOptions().dim(1).eps(1e-8));
        const Tensor pn = torch::nn::functional::normalize(
            pos_emb, torch::nn::functional::NormalizeFuncOptions().dim(1).eps(1e-8));
        const Tensor nn_ = torch::nn::functional::normalize(
            neg_emb, torch::nn::functional::NormalizeFuncOptions().dim(1).eps(1e-8));
        const Tensor pos_cos = (un * pn).sum(1);
        const Tensor neg_cos = torch::mm(un, nn_.t());
        Tensor loss = (1 - pos_cos).mean() + w_neg * torch::relu(neg_cos - margin).mean();
        if (l2 > 0) {
          Tensor reg = pos_emb.pow(2).sum() + neg_emb.pow(2).sum() + net.v->weight.pow(2).sum();
          if (net.user) reg = reg + net.user->forward(Index(users)).pow(2).sum();
          if (net.history) reg = reg + net.history->forward(Index(items)).pow(2).sum();
          loss = loss + l2 * reg / static_cast<float>(rows);
        }
        adam.zero_grad();
        loss.backward();
        adam.step();
        const double value = loss.item<double>();
        if (!std::isfinite(value)) return absl::InternalError("simplex: the loss became NaN");
        loss_sum += value * static_cast<double>(rows);
        done += static_cast<size_t>(rows);
        if (p.max_seconds > 0 && elapsed() >= p.max_seconds) {
          stats.time_capped = true;
          break;
        }
      }
      stats.positives += static_cast<int64_t>(done);
      stats.final_train_loss = done == 0 ? 0 : loss_sum / static_cast<double>(done);
      stats.epochs_run = epoch;
    }
    w->dim = p.dim;
    w->gamma = p.gamma;
    w->items = ToMatrix(net.item->weight);
    w->aggregation = ToMatrix(net.v->weight);
    if (net.history) w->history = ToMatrix(net.history->weight);
  } catch (const std::exception& e) {  // c10::Error derives from std::exception.
    return absl::InternalError(absl::StrCat("simplex: torch failed while training: ", e.what()));
  }
  stats.seconds = elapsed();
  return stats;
}

}  // namespace
}  // namespace recplat::simplex::internal

// The module's one entry point (torch_api.h), looked up by LoadSimplexTorchApi.
extern "C" __attribute__((visibility("default"))) const recplat::simplex::internal::SimplexTorchApi*
RecplatSimplexTorchApi() {
  static const recplat::simplex::internal::SimplexTorchApi api = {
      recplat::simplex::internal::kSimplexTorchApiVersion,
      &recplat::simplex::internal::TorchTrainSimplex};
  return &api;
}
