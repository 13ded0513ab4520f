// File: rl_types.h
//
// The data of the EOSC RL agent (../shared/specs/seed-systems.md 2.10), shared by the pure C++
// half (rewards, item space, SARS building: rl_reward.h, rl_item_space.h) and the LibTorch
// half (internal/rl_trainer.cc, in the module librecplat_rl_torch.so). No torch here.
//
// The agent, for one K (v1: 3, v2: 2):
//   state   = (user embedding [UE] of the user index, history embedding [SE]: an LSTM over the
//             service embeddings of the user's last `history_len` services, the mean of those
//             embeddings [SE] (an addition), search mask [I]: 1 for the services that may be
//             recommended, entering the networks divided by its count)
//   actor   = MLP without biases (state) -> tanh -> [K, SE] weights in [-1, 1]
//   critic  = MLP(state ‖ action ‖ action rows ⊙ history mean) -> Q (two critics, TD3); the
//             action rows enter the critics L2-normalised (selection only depends on their
//             directions; a served service's row is a unit vector)
//   select  = engagement softmax(weights @ itemspaceᵀ) [K, I] times the mask; row k takes the
//             first of its top-K services not chosen by an earlier row
// The item space is fixed (rl_item_space.h), so a served list is also an action: the rows of
// the served services' embeddings.
//
// Thread-safety: plain data; RlPolicy's const methods are safe concurrently (Select runs the
// eval-mode actor under torch::NoGradGuard, without a lock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace recplat::rl {

struct RlParams {
  // Services per answer (v1: 3, v2: 2); one agent per K.
  int k = 3;
  // Service embedding size (the item space) and user embedding size.
  int se = 32;
  int ue = 16;
  // Hidden layers of the actor and the critics (HEAD: 128,256,128).
  std::vector<int> layers = {128, 256, 128};
  // History LSTM: layers (the seed: 3, dropout 0.5 between them) and length.
  int lstm_layers = 3;
  int history_len = 5;
  // TD3 (HEAD settings).
  int epochs = 100;
  int batch_size = 64;
  double actor_lr = 1e-3;
  double critic_lr = 1e-4;
  double polyak = 0.95;
  double gamma = 1.0;
  double target_noise = 0.4;
  double noise_clip = 0.5;
  int policy_delay = 2;
  // Training stops (with the weights it has) after this many seconds; 0 = no limit.
  double max_seconds = 0;
  int threads = 1;
  uint64_t seed = 42;
};

// What the agent sees: `user` indexes the user embedding table (-1 or >= num_users: a zero
// embedding), `history` holds service indices oldest first (only the last history_len count),
// `allowed` the services of the search mask.
// Instead of `allowed`, a state may name a shared `pool` of services minus `excluded` (used
// when `pool` is set): many states over one catalogue then share one list.
struct RlState {
  int64_t user = -1;
  std::vector<int64_t> history;
  std::vector<int64_t> allowed;
  std::shared_ptr<const std::vector<int64_t>> pool;
  std::vector<int64_t> excluded;
};

// One SARS tuple: `action` holds the K served services (in answer order).
struct RlTransition {
  RlState state;
  std::vector<int64_t> action;
  float reward = 0;
  RlState next_state;
  bool done = true;
};

// The fixed service embeddings: row i of `vectors` ([num_items, se], row-major) is service i.
struct RlItemSpace {
  int64_t num_items = 0;
  int se = 0;
  std::vector<float> vectors;
};

struct RlTrainData {
  int64_t num_users = 0;
  RlItemSpace items;
  std::vector<RlTransition> transitions;
};

struct RlTrainStats {
  int epochs_run = 0;
  int64_t steps = 0;
  double final_critic_loss = 0;
  double final_actor_q = 0;
  double seconds = 0;
  // True when max_seconds or the stop flag ended the training before `epochs`.
  bool stopped_early = false;
};

// K chosen services with their scores (the masked engagement of each).
struct RlChoice {
  std::vector<int64_t> items;
  std::vector<double> scores;
};

// A trained (or freshly initialised) agent. Select: FAILED_PRECONDITION
// ("insufficient recommendation space") when fewer than K services are allowed.
class RlPolicy {
 public:
  virtual ~RlPolicy() = default;
  virtual absl::StatusOr<RlChoice> Select(const RlState& state) const = 0;
  // The weights, serialised (LoadPolicy reads them back).
  virtual absl::StatusOr<std::string> Serialize() const = 0;
};

}  // namespace recplat::rl
