// File: rl_family.h
//
// The `eosc_rl` family: the EOSC recommender's RL agent (../shared/specs/seed-systems.md 2.10;
// rl_types.h describes the networks) as a model family. One model holds one agent per panel
// size K (param `ks`, default "3,2": v1 and v2), each trained with TD3 on its own SARS tuples
// (rl_sars.h: the engine's served lists of K services, the journeys that followed them, the
// users' accessed services; rewards through the transition table). A model answers a request
// for k services with the agent of K = k (RecommendContext::k); other sizes are not ready.
//
// Why one model with an agent per K rather than one model per K: the eosc surface has one
// engine named `RL` for both panels (the 2024 engine chain), and the served lists of both
// panels come from one scan; each agent still has its own networks, as in the seed (actor_v1,
// actor_v2).
//
// The user is their history (as in the ncf family): the state has no per-user embedding, so a
// user is served from what they accessed now, also when they joined after the training; the
// serving path has no user index to look one up by either. The history is the accessed
// services (the seed also adds the services clicked from panels; the engine keeps clicks out
// of the history models see, so training does the same).
//
// Fit: FAILED_PRECONDITION when no K has a transition (no served list of a known user with a
// visit id yet); a K without transitions gets no agent. The transition table is read from
// `transition_rewards`: an absolute path, or one relative to $RECPLAT_DATASETS (default
// ../shared/datasets); NOT_FOUND naming the path when it does not exist.
//
// Serving: Score selects K = ctx.k services among the scored candidates (the request's mask)
// and gives them their masked engagement; every other candidate gets -1. FAILED_PRECONDITION
// with fewer than K candidates (the engine then falls back). Selection runs the eval-mode
// LibTorch actor (dlopen'ed module) under NoGradGuard with no lock, concurrently.
//
// Params (all optional): ks ("3,2"), transition_rewards
// ("eosc-marketplace-catalog-seeds/transition_rewards.csv"), journey_collection
// ("eosc.action"), order_event ("order"), surface ("" = any), episode_seconds (1800),
// and the agent's (RlParams, the 2.10 defaults): epochs (100), batch_size (64), actor_lr
// (1e-3), critic_lr (1e-4), polyak (0.95), gamma (1), target_noise (0.4), noise_clip (0.5),
// policy_delay (2), history_len (5), se (32), layers ("128,256,128"), lstm_layers (3),
// max_seconds (0 = no limit), threads (1), seed (42), feature_prefixes (the ncf family's).
//
// Metrics() of a fitted model, per K: transitions_k<K>, rewarded_k<K>, mean_reward_k<K>,
// epochs_k<K>, critic_loss_k<K>; and journey_actions, train_seconds.
//
// Thread-safety: the family is stateless; models are immutable.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model_family.h"
#include "trainers/torch_rl/rl_sars.h"
#include "trainers/torch_rl/rl_types.h"

namespace recplat::rl {

// The typed params (see the file comment).
struct EoscRlParams {
  std::vector<int> ks = {3, 2};
  std::string transition_rewards = "eosc-marketplace-catalog-seeds/transition_rewards.csv";
  SarsOptions sars;
  RlParams agent;
  std::vector<std::string> feature_prefixes;
};

// INVALID_ARGUMENT naming a bad or unknown key.
absl::StatusOr<EoscRlParams> ParseEoscRlParams(const models::ModelParams& params);

// Where `path` is read from: itself when absolute, else under $RECPLAT_DATASETS (or
// ../shared/datasets when unset).
std::filesystem::path ResolveDatasetPath(const std::string& path);

class EoscRlFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return "eosc_rl"; }
  bool uses_item_attributes() const override { return true; }
  bool uses_served_lists() const override { return true; }
  std::vector<std::string> TrainingDocuments(const models::ModelParams& params) const override;
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
};

// Registers EoscRlFamily under "eosc_rl". ALREADY_EXISTS when the name is taken.
absl::Status RegisterEoscRlFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::rl
