// The LibTorch half of the RL agent (rl_types.h describes the networks), built into the module
// librecplat_rl_torch.so that internal/torch_api.h loads on first use: the actor, the two
// critics, TD3 training from SARS tuples, and selection for serving.
//
// TD3 (../shared/specs/seed-systems.md 2.10): per batch the critics regress on
//   y = r + gamma * (1 - done) * min(Q1'(s', a'), Q2'(s', a')),
//   a' = clamp(actor'(s') + clamp(N(0, target_noise), ±noise_clip), ±1)
// with the target networks (primed); every `policy_delay` critic steps the actor ascends
// Q1(s, actor(s)) and every target moves by polyak averaging (target = polyak * target +
// (1 - polyak) * online). The action of a tuple is its served services' item-space rows.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "trainers/torch_rl/internal/torch_api.h"

namespace recplat::rl::internal {
namespace {

using torch::Tensor;
namespace nn = torch::nn;

// (user embedding ‖ LSTM history embedding ‖ mean of the history's service vectors ‖ search
// mask). `hist_mean` is an addition to the seed's state: a direct view of the history in item
// space, which the actor needs to point at services like the user's.
struct EncoderImpl : nn::Module {
  EncoderImpl(const RlParams& p, int64_t users, int64_t items) : num_users(users) {
    user = register_module("user", nn::Embedding(std::max<int64_t>(users, 1), p.ue));
    nn::init::normal_(user->weight, 0.0, 0.1);
    lstm = register_module("lstm", nn::LSTM(nn::LSTMOptions(p.se, p.se)
                                                .num_layers(p.lstm_layers)
                                                .batch_first(true)
                                                .dropout(p.lstm_layers > 1 ? 0.5 : 0.0)));
    out_size = p.ue + 2 * p.se + items;
  }
  // users [B] (long; outside [0, num_users) -> zero embedding), hist [B, L, SE], mask [B, I].
  Tensor Forward(const Tensor& users, const Tensor& hist, const Tensor& mask,
                 const Tensor& hist_mean) {
    const Tensor known = (users >= 0).logical_and(users < num_users);
    const Tensor u = user->forward(users.clamp(0, std::max<int64_t>(num_users - 1, 0))) *
                     known.to(torch::kFloat).unsqueeze(1);
    const Tensor h = std::get<0>(lstm->forward(hist)).select(1, hist.size(1) - 1);
    // The mask enters as a distribution over the allowed services: as 0/1 entries it would add
    // a near-constant term hundreds of times larger than the rest of the state.
    return torch::cat({u, h, hist_mean, mask / mask.sum(1, true).clamp_min(1)}, 1);
  }
  int64_t num_users;
  int64_t out_size;
  nn::Embedding user{nullptr};
  nn::LSTM lstm{nullptr};
};
TORCH_MODULE(Encoder);

nn::Sequential Mlp(int64_t in, const std::vector<int>& layers, int64_t out, bool bias = true) {
  nn::Sequential seq;
  for (int size : layers) {
    seq->push_back(nn::Linear(nn::LinearOptions(in, size).bias(bias)));
    seq->push_back(nn::ReLU());
    in = size;
  }
  seq->push_back(nn::Linear(nn::LinearOptions(in, out).bias(bias)));
  return seq;
}

struct ActorImpl : nn::Module {
  ActorImpl(const RlParams& p, int64_t users, int64_t items) : k(p.k), se(p.se) {
    enc = register_module("enc", Encoder(p, users, items));
    // Without biases the weights are a function of the state alone: with them the untrained
    // actor pointed every user at the same few services.
    mlp = register_module("mlp", Mlp(enc->out_size, p.layers, int64_t{p.k} * p.se, false));
  }
  // [B, K, SE] in [-1, 1].
  Tensor Forward(const Tensor& users, const Tensor& hist, const Tensor& mask,
                 const Tensor& hist_mean) {
    return torch::tanh(mlp->forward(enc->Forward(users, hist, mask, hist_mean))).view({-1, k, se});
  }
  int64_t k, se;
  Encoder enc{nullptr};
  nn::Sequential mlp{nullptr};
};
TORCH_MODULE(Actor);

struct CriticImpl : nn::Module {
  CriticImpl(const RlParams& p, int64_t users, int64_t items) {
    enc = register_module("enc", Encoder(p, users, items));
    mlp = register_module("mlp", Mlp(enc->out_size + 2 * int64_t{p.k} * p.se, p.layers, 1));
  }
  // Q [B] of an action given as unit item-space rows [B, K, SE] (CriticAction of actor
  // weights, or the served services' rows).
  // `hist_mean` [B, SE] is the mean of the history's service vectors: the critic also sees
  // its element-wise product with each action row (a GMF-like interaction term).
  Tensor Forward(const Tensor& users, const Tensor& hist, const Tensor& mask,
                 const Tensor& hist_mean, const Tensor& action) {
    const Tensor inter = (hist_mean.unsqueeze(1) * action).flatten(1);
    return mlp
        ->forward(
            torch::cat({enc->Forward(users, hist, mask, hist_mean), action.flatten(1), inter}, 1))
        .squeeze(1);
  }
  Encoder enc{nullptr};
  nn::Sequential mlp{nullptr};
};
TORCH_MODULE(Critic);

// What the critics see of an action [B, K, SE]: its rows L2-normalised. Selection only depends
// on a row's direction (its top services by dot product), served services' rows are unit
// vectors already, and an actor's weights of any length are judged like the services they
// point at. (Judging a softmax-weighted mix of the item rows instead made the actor collapse
// onto the same few services for every user.)
Tensor CriticAction(const Tensor& weights) {
  return weights / weights.norm(2, 2, true).clamp_min(1e-6);
}

struct StateBatch {
  Tensor users, hist, mask, hist_mean;
};

StateBatch MakeStates(const RlParams& p, const Tensor& items,
                      const std::vector<const RlState*>& states) {
  const int64_t b = static_cast<int64_t>(states.size()), n = items.size(0);
  std::vector<int64_t> users(b), hist_ids(b * p.history_len, -1);
  Tensor mask = torch::zeros({b, n});
  auto m = mask.accessor<float, 2>();
  for (int64_t r = 0; r < b; ++r) {
    const RlState& s = *states[r];
    users[r] = s.user;
    const int64_t take = std::min<int64_t>(p.history_len, s.history.size());
    for (int64_t j = 0; j < take; ++j) {
      hist_ids[r * p.history_len + (p.history_len - take + j)] =
          s.history[s.history.size() - take + j];
    }
    if (s.pool != nullptr) {
      for (int64_t i : *s.pool) {
        if (i >= 0 && i < n) m[r][i] = 1.0f;
      }
      for (int64_t i : s.excluded) {
        if (i >= 0 && i < n) m[r][i] = 0.0f;
      }
    } else {
      for (int64_t i : s.allowed) {
        if (i >= 0 && i < n) m[r][i] = 1.0f;
      }
    }
  }
  Tensor ids = torch::tensor(hist_ids, torch::kLong);
  const Tensor valid = (ids >= 0).logical_and(ids < n).to(torch::kFloat).unsqueeze(1);
  Tensor hist = (items.index_select(0, ids.clamp(0, n - 1)) * valid).view({b, p.history_len, -1});
  const Tensor count = valid.view({b, p.history_len}).sum(1, true).clamp_min(1);
  const Tensor mean = hist.sum(1) / count;
  return {torch::tensor(users, torch::kLong), hist, mask, mean};
}

// The first line of a serialised policy: the sizes its weights were made for (torch::load does
// not check shapes).
std::string Signature(const RlParams& p, int64_t num_users, int64_t num_items) {
  std::string layers;
  for (int l : p.layers) absl::StrAppend(&layers, l, ",");
  return absl::StrCat("recplat-rl-actor-1 k=", p.k, " se=", p.se, " ue=", p.ue, " layers=", layers,
                      " lstm=", p.lstm_layers, " users=", num_users, " items=", num_items, "\n");
}

class TorchPolicy final : public RlPolicy {
 public:
  TorchPolicy(RlParams p, Actor actor, Tensor items)
      : p_(std::move(p)), actor_(std::move(actor)), items_(std::move(items)) {
    actor_->eval();
  }

  // No lock: an eval-mode module's forward under NoGradGuard only reads its parameters, so
  // concurrent requests run in parallel (Serialize only reads them too).
  absl::StatusOr<RlChoice> Select(const RlState& state) const override {
    torch::NoGradGuard no_grad;
    const StateBatch s = MakeStates(p_, items_, {&state});
    if (s.mask.sum().item<float>() < static_cast<float>(p_.k)) {
      return absl::FailedPreconditionError("rl: insufficient recommendation space");
    }
    const Tensor w = actor_->Forward(s.users, s.hist, s.mask, s.hist_mean)[0];  // [K, SE]
    const Tensor engagement = torch::softmax(w.matmul(items_.t()), 1);          // [K, I]
    const Tensor masked = engagement * s.mask;
    const Tensor top = std::get<1>(masked.topk(p_.k, 1));
    auto t = top.accessor<int64_t, 2>();
    auto e = masked.accessor<float, 2>();
    RlChoice choice;
    for (int64_t row = 0; row < p_.k; ++row) {
      for (int64_t j = 0; j < p_.k; ++j) {
        const int64_t item = t[row][j];
        if (std::find(choice.items.begin(), choice.items.end(), item) != choice.items.end()) {
          continue;
        }
        choice.items.push_back(item);
        choice.scores.push_back(e[row][item]);
        break;
      }
    }
    return choice;
  }

  absl::StatusOr<std::string> Serialize() const override {
    std::ostringstream out;
    out << Signature(p_, actor_->enc->num_users, items_.size(0));
    try {
      torch::save(actor_, out);
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("rl: cannot save the actor: ", e.what()));
    }
    return out.str();
  }

 private:
  const RlParams p_;
  // Forward is not declared const in torch; it does not modify an eval-mode module.
  mutable Actor actor_;
  const Tensor items_;
};

Tensor ItemTensor(const RlItemSpace& items) {
  return torch::from_blob(const_cast<float*>(items.vectors.data()), {items.num_items, items.se},
                          torch::kFloat)
      .clone();
}

absl::Status CheckSizes(const RlParams& p, const RlItemSpace& items) {
  if (p.k < 1 || p.se < 1 || p.ue < 1 || p.history_len < 1 || p.lstm_layers < 1 ||
      items.se != p.se || items.num_items < 1 ||
      items.vectors.size() != static_cast<size_t>(items.num_items) * items.se) {
    return absl::InvalidArgumentError("rl: the item space does not match the params");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RlPolicy>> TorchCreate(const RlParams& p, int64_t num_users,
                                                      const RlItemSpace& items,
                                                      const std::string* blob) {
  if (absl::Status s = CheckSizes(p, items); !s.ok()) return s;
  try {
    torch::manual_seed(p.seed);
    Actor actor(p, num_users, items.num_items);
    if (blob != nullptr) {
      const std::string signature = Signature(p, num_users, items.num_items);
      if (blob->compare(0, signature.size(), signature) != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("rl: the saved actor was made for other sizes than ", signature));
      }
      std::istringstream in(blob->substr(signature.size()));
      torch::load(actor, in);
    }
    return std::unique_ptr<RlPolicy>(new TorchPolicy(p, actor, ItemTensor(items)));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("rl: cannot build the actor: ", e.what()));
  }
}

void CopyInto(nn::Module& target, const nn::Module& source, double keep) {
  torch::NoGradGuard no_grad;
  auto t = target.parameters();
  auto s = source.parameters();
  for (size_t i = 0; i < t.size(); ++i) t[i].mul_(keep).add_(s[i], 1.0 - keep);
}

absl::StatusOr<RlTrainStats> TorchTrain(const RlParams& p, const RlTrainData& data,
                                        const std::atomic<bool>* stop,
                                        std::unique_ptr<RlPolicy>* policy) {
  if (absl::Status s = CheckSizes(p, data.items); !s.ok()) return s;
  for (const RlTransition& t : data.transitions) {
    if (static_cast<int>(t.action.size()) != p.k) {
      return absl::InvalidArgumentError(
          absl::StrCat("rl: a transition has ", t.action.size(), " services, K is ", p.k));
    }
    for (int64_t i : t.action) {
      if (i < 0 || i >= data.items.num_items) {
        return absl::InvalidArgumentError(absl::StrCat("rl: service index ", i, " out of range"));
      }
    }
  }
  const auto start = std::chrono::steady_clock::now();
  RlTrainStats stats;
  try {
    at::set_num_threads(p.threads);
    torch::manual_seed(p.seed);
    const int64_t users = data.num_users, n = data.items.num_items;
    const Tensor items = ItemTensor(data.items);
    Actor actor(p, users, n);
    Actor actor_t(p, users, n);
    Critic c1(p, users, n), c2(p, users, n), c1_t(p, users, n), c2_t(p, users, n);
    CopyInto(*actor_t, *actor, 0.0);
    CopyInto(*c1_t, *c1, 0.0);
    CopyInto(*c2_t, *c2, 0.0);
    actor_t->eval();
    c1_t->eval();
    c2_t->eval();
    torch::optim::Adam actor_opt(actor->parameters(), torch::optim::AdamOptions(p.actor_lr));
    std::vector<Tensor> critic_params = c1->parameters();
    for (const Tensor& t : c2->parameters()) critic_params.push_back(t);
    torch::optim::Adam critic_opt(critic_params, torch::optim::AdamOptions(p.critic_lr));

    std::mt19937_64 rng(p.seed);
    std::vector<size_t> order(data.transitions.size());
    std::iota(order.begin(), order.end(), 0);
    for (int epoch = 0; epoch < p.epochs && !stats.stopped_early; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      for (size_t begin = 0; begin < order.size(); begin += p.batch_size) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if ((stop != nullptr && stop->load()) || (p.max_seconds > 0 && elapsed > p.max_seconds)) {
          stats.stopped_early = true;
          break;
        }
        const size_t end = std::min(order.size(), begin + p.batch_size);
        std::vector<const RlState*> s, s2;
        std::vector<int64_t> action;
        std::vector<float> reward, done;
        for (size_t j = begin; j < end; ++j) {
          const RlTransition& t = data.transitions[order[j]];
          s.push_back(&t.state);
          s2.push_back(&t.next_state);
          action.insert(action.end(), t.action.begin(), t.action.end());
          reward.push_back(t.reward);
          done.push_back(t.done ? 1.0f : 0.0f);
        }
        const StateBatch sb = MakeStates(p, items, s), nb = MakeStates(p, items, s2);
        const Tensor a =
            items.index_select(0, torch::tensor(action, torch::kLong)).view({-1, p.k, p.se});
        const Tensor r = torch::tensor(reward), d = torch::tensor(done);
        Tensor y;
        {
          torch::NoGradGuard no_grad;
          Tensor a2 = actor_t->Forward(nb.users, nb.hist, nb.mask, nb.hist_mean);
          const Tensor noise =
              (torch::randn_like(a2) * p.target_noise).clamp(-p.noise_clip, p.noise_clip);
          a2 = CriticAction((a2 + noise).clamp(-1.0, 1.0));
          const Tensor q = torch::min(c1_t->Forward(nb.users, nb.hist, nb.mask, nb.hist_mean, a2),
                                      c2_t->Forward(nb.users, nb.hist, nb.mask, nb.hist_mean, a2));
          y = r + p.gamma * (1 - d) * q;
        }
        const Tensor critic_loss =
            torch::mse_loss(c1->Forward(sb.users, sb.hist, sb.mask, sb.hist_mean, a), y) +
            torch::mse_loss(c2->Forward(sb.users, sb.hist, sb.mask, sb.hist_mean, a), y);
        critic_opt.zero_grad();
        critic_loss.backward();
        critic_opt.step();
        stats.final_critic_loss = critic_loss.item<double>();
        ++stats.steps;
        if (stats.steps % p.policy_delay == 0) {
          const Tensor q =
              c1->Forward(sb.users, sb.hist, sb.mask, sb.hist_mean,
                          CriticAction(actor->Forward(sb.users, sb.hist, sb.mask, sb.hist_mean)));
          const Tensor actor_loss = -q.mean();
          actor_opt.zero_grad();
          actor_loss.backward();
          actor_opt.step();
          stats.final_actor_q = -actor_loss.item<double>();
          CopyInto(*actor_t, *actor, p.polyak);
          CopyInto(*c1_t, *c1, p.polyak);
          CopyInto(*c2_t, *c2, p.polyak);
        }
      }
      if (!stats.stopped_early) stats.epochs_run = epoch + 1;
    }
    *policy = std::unique_ptr<RlPolicy>(new TorchPolicy(p, actor, items));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("rl: training failed: ", e.what()));
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace
}  // namespace recplat::rl::internal

// The module's one entry point (torch_api.h), looked up by LoadRlTorchApi.
extern "C" __attribute__((visibility("default"))) const recplat::rl::internal::RlTorchApi*
RecplatRlTorchApi() {
  static const recplat::rl::internal::RlTorchApi api = {recplat::rl::internal::kRlTorchApiVersion,
                                                        &recplat::rl::internal::TorchCreate,
                                                        &recplat::rl::internal::TorchTrain};
  return &api;
}
