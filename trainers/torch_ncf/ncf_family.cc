#include "trainers/torch_ncf/ncf_family.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "trainers/torch_ncf/internal/torch_api.h"
#include "trainers/torch_ncf/ncf_model.h"

namespace recplat::ncf {
namespace {

absl::StatusOr<std::vector<int>> ParseLayers(const models::ModelParams& params,
                                             absl::string_view key, std::vector<int> def) {
  const std::string text = params.GetString(key, "");
  if (text.empty()) return def;
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v) || v < 1 || v > 4096) {
      return absl::InvalidArgumentError(absl::StrCat(
          "param '", key, "': expected comma-separated sizes in [1, 4096], got '", text, "'"));
    }
    out.push_back(v);
  }
  if (out.empty() || out.size() > 16) {
    return absl::InvalidArgumentError(absl::StrCat("param '", key, "': 1..16 layers"));
  }
  return out;
}

std::vector<std::string> ParseList(const models::ModelParams& params, absl::string_view key,
                                   std::vector<std::string> def) {
  const std::string text = params.GetString(key, "");
  if (text.empty()) return def;
  return absl::StrSplit(text, ',', absl::SkipWhitespace());
}

}  // namespace

absl::StatusOr<NcfParams> ParseNcfParams(const models::ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
      {"dim", "mlp_layers", "content_layers", "epochs", "batch_size", "learning_rate", "grad_clip",
       "weight_decay", "negatives", "min_validation_history", "eval_every", "threads", "seed",
       "event_types", "feature_prefixes"}));
  NcfParams p;
  RECPLAT_ASSIGN_OR_RETURN(int64_t dim, params.GetInt("dim", p.dim, 1, 1024));
  p.dim = static_cast<int>(dim);
  RECPLAT_ASSIGN_OR_RETURN(p.mlp_layers, ParseLayers(params, "mlp_layers", p.mlp_layers));
  RECPLAT_ASSIGN_OR_RETURN(p.content_layers,
                           ParseLayers(params, "content_layers", p.content_layers));
  RECPLAT_ASSIGN_OR_RETURN(int64_t epochs, params.GetInt("epochs", p.epochs, 1, 100000));
  p.epochs = static_cast<int>(epochs);
  RECPLAT_ASSIGN_OR_RETURN(int64_t batch, params.GetInt("batch_size", p.batch_size, 2, 1 << 20));
  p.batch_size = static_cast<int>(batch);
  RECPLAT_ASSIGN_OR_RETURN(p.learning_rate,
                           params.GetDouble("learning_rate", p.learning_rate, 1e-9, 10));
  RECPLAT_ASSIGN_OR_RETURN(p.grad_clip, params.GetDouble("grad_clip", p.grad_clip, 1e-9, 1e9));
  RECPLAT_ASSIGN_OR_RETURN(p.weight_decay, params.GetDouble("weight_decay", p.weight_decay, 0, 1));
  RECPLAT_ASSIGN_OR_RETURN(int64_t negatives, params.GetInt("negatives", p.negatives, 1, 100));
  p.negatives = static_cast<int>(negatives);
  RECPLAT_ASSIGN_OR_RETURN(
      int64_t minv, params.GetInt("min_validation_history", p.min_validation_history, 2, 1 << 30));
  p.min_validation_history = static_cast<int>(minv);
  RECPLAT_ASSIGN_OR_RETURN(int64_t every, params.GetInt("eval_every", p.eval_every, 1, 100000));
  p.eval_every = static_cast<int>(every);
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", p.threads, 1, 256));
  p.threads = static_cast<int>(threads);
  RECPLAT_ASSIGN_OR_RETURN(int64_t seed, params.GetInt("seed", 42, 0, INT64_MAX));
  p.seed = static_cast<uint64_t>(seed);
  p.event_types = ParseList(params, "event_types", p.event_types);
  p.feature_prefixes = ParseList(params, "feature_prefixes", p.feature_prefixes);
  return p;
}

NcfTrainData BuildNcfTrainData(const models::TrainingData& data, const NcfParams& p, bool holdout) {
  NcfTrainData out;
  out.num_items = data.num_items;
  // Features: labels with a feature prefix, numbered in sorted order.
  std::map<std::string, int64_t> vocabulary;
  auto is_feature = [&p](const std::string& label) {
    return std::any_of(p.feature_prefixes.begin(), p.feature_prefixes.end(),
                       [&](const std::string& prefix) { return absl::StartsWith(label, prefix); });
  };
  for (const models::ItemInfo& info : data.items) {
    for (const std::string& label : info.categories) {
      if (is_feature(label)) vocabulary.emplace(label, 0);
    }
  }
  int64_t next = 0;
  for (auto& [label, id] : vocabulary) id = next++;
  out.num_features = next;
  out.features.offsets.push_back(0);
  for (uint32_t i = 0; i < data.num_items; ++i) {
    if (i < data.items.size()) {
      for (const std::string& label : data.items[i].categories) {
        if (auto it = vocabulary.find(label); it != vocabulary.end()) {
          out.features.ids.push_back(it->second);
        }
      }
    }
    out.features.offsets.push_back(static_cast<int64_t>(out.features.ids.size()));
    if (data.items.empty() || (i < data.items.size() && data.items[i].live)) {
      out.item_pool.push_back(i);
    }
  }
  // Accessed services per user, distinct, oldest first (interactions are sorted by user, time).
  std::vector<bool> wanted(data.event_types.size(), false);
  for (size_t t = 0; t < data.event_types.size(); ++t) {
    wanted[t] = std::find(p.event_types.begin(), p.event_types.end(), data.event_types[t]) !=
                p.event_types.end();
  }
  size_t k = 0;
  while (k < data.interactions.size()) {
    const uint32_t user = data.interactions[k].user;
    std::vector<int64_t> items;
    for (; k < data.interactions.size() && data.interactions[k].user == user; ++k) {
      const models::Interaction& x = data.interactions[k];
      if (x.type >= wanted.size() || !wanted[x.type] || x.item >= data.num_items) continue;
      if (std::find(items.begin(), items.end(), x.item) == items.end()) items.push_back(x.item);
    }
    if (items.empty()) continue;
    const int64_t index = static_cast<int64_t>(out.histories.size());
    if (holdout && static_cast<int>(items.size()) >= p.min_validation_history) {
      out.validation.emplace_back(index, items.back());
      items.pop_back();
    }
    out.histories.push_back(std::move(items));
  }
  return out;
}

absl::Status NcfFamily::ValidateParams(const models::ModelParams& params) const {
  return ParseNcfParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> NcfFamily::Fit(
    const models::TrainingData& data, const models::ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(NcfParams p, ParseNcfParams(params));
  NcfTrainData train = BuildNcfTrainData(data, p);
  train.stop = data.stop;
  size_t pairs = 0;
  for (const auto& h : train.histories) pairs += h.size();
  if (pairs == 0 || train.item_pool.empty()) {
    return absl::FailedPreconditionError("ncf: no user accessed a service yet");
  }
  NcfWeights weights;
  RECPLAT_ASSIGN_OR_RETURN(NcfTrainStats stats, internal::TrainNcf(p, train, &weights));
  std::vector<std::pair<std::string, double>> metrics = {
      {"users", static_cast<double>(train.histories.size())},
      {"train_pairs", static_cast<double>(pairs)},
      {"validation_users", static_cast<double>(train.validation.size())},
      {"features", static_cast<double>(train.num_features)},
      {"epochs", stats.epochs_run},
      {"best_epoch", stats.best_epoch},
      {"validation_loss", stats.best_validation_loss},
      {"train_loss", stats.final_train_loss},
      {"train_seconds", stats.seconds}};
  if (train.num_features == 0) {
    // The trainer sized the feature tables to one unused row.
    train.num_features = 1;
  }
  RECPLAT_ASSIGN_OR_RETURN(
      std::unique_ptr<NcfModel> model,
      NcfModel::Create(std::move(weights), std::move(train.features), std::move(metrics)));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::StatusOr<std::unique_ptr<models::Model>> NcfFamily::Load(
    const std::filesystem::path& dir, const models::ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<NcfModel> model, LoadNcf(dir));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::Status RegisterNcfFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<NcfFamily>());
}

}  // namespace recplat::ncf
