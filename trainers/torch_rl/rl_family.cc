#include "trainers/torch_rl/rl_family.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <stop_token>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "trainers/torch_rl/rl_agent.h"
#include "trainers/torch_rl/rl_item_space.h"
#include "trainers/torch_rl/rl_model.h"
#include "trainers/torch_rl/rl_reward.h"

namespace recplat::rl {
namespace {

absl::StatusOr<std::vector<int>> ParseSizes(const models::ModelParams& params,
                                            absl::string_view key, std::vector<int> def, int max) {
  const std::string text = params.GetString(key, "");
  if (text.empty()) return def;
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v) || v < 1 || v > max) {
      return absl::InvalidArgumentError(absl::StrCat(
          "param '", key, "': expected comma-separated sizes in [1, ", max, "], got '", text, "'"));
    }
    out.push_back(v);
  }
  if (out.empty() || out.size() > 16) {
    return absl::InvalidArgumentError(absl::StrCat("param '", key, "': 1..16 values"));
  }
  return out;
}

absl::StatusOr<int> GetInt(const models::ModelParams& params, absl::string_view key, int def,
                           int min, int max) {
  RECPLAT_ASSIGN_OR_RETURN(int64_t v, params.GetInt(key, def, min, max));
  return static_cast<int>(v);
}

}  // namespace

absl::StatusOr<EoscRlParams> ParseEoscRlParams(const models::ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
      {"ks", "transition_rewards", "journey_collection", "order_event", "surface",
       "episode_seconds", "epochs", "batch_size", "actor_lr", "critic_lr", "polyak", "gamma",
       "target_noise", "noise_clip", "policy_delay", "history_len", "se", "layers", "lstm_layers",
       "max_seconds", "threads", "seed", "feature_prefixes", "full_retrain_every"}));
  EoscRlParams p;
  RECPLAT_ASSIGN_OR_RETURN(p.ks, ParseSizes(params, "ks", p.ks, 100));
  p.transition_rewards = params.GetString("transition_rewards", p.transition_rewards);
  p.sars.journey_collection = params.GetString("journey_collection", p.sars.journey_collection);
  p.sars.order_event = params.GetString("order_event", p.sars.order_event);
  p.sars.surface = params.GetString("surface", p.sars.surface);
  RECPLAT_ASSIGN_OR_RETURN(p.sars.episode_seconds,
                           params.GetDouble("episode_seconds", p.sars.episode_seconds, 0, 1e9));
  RlParams& a = p.agent;
  RECPLAT_ASSIGN_OR_RETURN(a.epochs, GetInt(params, "epochs", a.epochs, 1, 100000));
  RECPLAT_ASSIGN_OR_RETURN(a.batch_size, GetInt(params, "batch_size", a.batch_size, 1, 1 << 20));
  RECPLAT_ASSIGN_OR_RETURN(a.actor_lr, params.GetDouble("actor_lr", a.actor_lr, 1e-9, 10));
  RECPLAT_ASSIGN_OR_RETURN(a.critic_lr, params.GetDouble("critic_lr", a.critic_lr, 1e-9, 10));
  RECPLAT_ASSIGN_OR_RETURN(a.polyak, params.GetDouble("polyak", a.polyak, 0, 1));
  RECPLAT_ASSIGN_OR_RETURN(a.gamma, params.GetDouble("gamma", a.gamma, 0, 1));
  RECPLAT_ASSIGN_OR_RETURN(a.target_noise, params.GetDouble("target_noise", a.target_noise, 0, 10));
  RECPLAT_ASSIGN_OR_RETURN(a.noise_clip, params.GetDouble("noise_clip", a.noise_clip, 0, 10));
  RECPLAT_ASSIGN_OR_RETURN(a.policy_delay, GetInt(params, "policy_delay", a.policy_delay, 1, 1000));
  RECPLAT_ASSIGN_OR_RETURN(a.history_len, GetInt(params, "history_len", a.history_len, 1, 1024));
  RECPLAT_ASSIGN_OR_RETURN(a.se, GetInt(params, "se", a.se, 1, 4096));
  RECPLAT_ASSIGN_OR_RETURN(a.layers, ParseSizes(params, "layers", a.layers, 4096));
  RECPLAT_ASSIGN_OR_RETURN(a.lstm_layers, GetInt(params, "lstm_layers", a.lstm_layers, 1, 16));
  RECPLAT_ASSIGN_OR_RETURN(a.max_seconds, params.GetDouble("max_seconds", 0, 0, 1e9));
  RECPLAT_ASSIGN_OR_RETURN(a.threads, GetInt(params, "threads", a.threads, 1, 256));
  RECPLAT_ASSIGN_OR_RETURN(int64_t seed, params.GetInt("seed", 42, 0, INT64_MAX));
  a.seed = static_cast<uint64_t>(seed);
  // No per-user embedding (rl_family.h): one unused row of size 1.
  a.ue = 1;
  p.sars.max_history = std::max(a.history_len, 1);
  const std::string prefixes = params.GetString("feature_prefixes", "");
  p.feature_prefixes = prefixes.empty()
                           ? DefaultFeaturePrefixes()
                           : std::vector<std::string>(absl::StrSplit(prefixes, ',',
                                                                     absl::SkipWhitespace()));
  return p;
}

std::filesystem::path ResolveDatasetPath(const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p;
  const char* env = std::getenv("RECPLAT_DATASETS");
  const std::filesystem::path root =
      env != nullptr && *env != '\0' ? std::filesystem::path(env) : "../shared/datasets";
  return root / p;
}

std::vector<std::string> EoscRlFamily::TrainingDocuments(const models::ModelParams& params) const {
  absl::StatusOr<EoscRlParams> p = ParseEoscRlParams(params);
  return {p.ok() ? p->sars.journey_collection : SarsOptions().journey_collection};
}

absl::Status EoscRlFamily::ValidateParams(const models::ModelParams& params) const {
  return ParseEoscRlParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> EoscRlFamily::Fit(
    const models::TrainingData& data, const models::ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(EoscRlParams p, ParseEoscRlParams(params));
  RECPLAT_ASSIGN_OR_RETURN(TransitionTable table,
                           TransitionTable::Load(ResolveDatasetPath(p.transition_rewards)));
  if (data.num_items == 0) return absl::FailedPreconditionError("eosc_rl: no services yet");
  RlTrainData train;
  train.num_users = 0;
  train.items = BuildItemSpace(data, p.agent.se, p.feature_prefixes);
  std::map<int, std::unique_ptr<RlPolicy>> agents;
  std::vector<std::pair<std::string, double>> metrics;
  double seconds = 0;
  int64_t journey_actions = 0;
  for (int k : p.ks) {
    RECPLAT_RETURN_IF_ERROR(models::CheckStop(data.stop));
    SarsOptions options = p.sars;
    options.k = k;
    SarsStats stats;
    train.transitions = BuildSars(data, table, options, &stats);
    journey_actions = stats.journey_actions;
    metrics.emplace_back(absl::StrCat("transitions_k", k), stats.transitions);
    metrics.emplace_back(absl::StrCat("rewarded_k", k), stats.rewarded);
    metrics.emplace_back(absl::StrCat("mean_reward_k", k), stats.mean_reward);
    if (train.transitions.empty()) continue;
    RlParams agent = p.agent;
    agent.k = k;
    // The trainer checks this flag between batches; a stop request of the core ends it.
    std::atomic<bool> stop{false};
    std::stop_callback on_stop(data.stop, [&stop] { stop = true; });
    std::unique_ptr<RlPolicy> policy;
    RECPLAT_ASSIGN_OR_RETURN(RlTrainStats trained, TrainPolicy(agent, train, &stop, &policy));
    RECPLAT_RETURN_IF_ERROR(models::CheckStop(data.stop));
    seconds += trained.seconds;
    metrics.emplace_back(absl::StrCat("epochs_k", k), trained.epochs_run);
    metrics.emplace_back(absl::StrCat("critic_loss_k", k), trained.final_critic_loss);
    agents[k] = std::move(policy);
  }
  if (agents.empty()) {
    return absl::FailedPreconditionError(
        "eosc_rl: no served list to learn from yet (a known user's list of K services with a "
        "visit id)");
  }
  metrics.emplace_back("journey_actions", static_cast<double>(journey_actions));
  metrics.emplace_back("train_seconds", seconds);
  RlParams shape = p.agent;
  return std::unique_ptr<models::Model>(std::make_unique<EoscRlModel>(
      std::move(shape), std::move(train.items), std::move(agents), std::move(metrics)));
}

absl::StatusOr<std::unique_ptr<models::Model>> EoscRlFamily::Load(
    const std::filesystem::path& dir, const models::ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<EoscRlModel> model, LoadEoscRlModel(dir));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::Status RegisterEoscRlFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<EoscRlFamily>());
}

}  // namespace recplat::rl
