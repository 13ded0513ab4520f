#include "trainers/torch_rl/rl_model.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "trainers/torch_rl/rl_agent.h"

namespace recplat::rl {
namespace {

constexpr char kFamily[] = "eosc_rl";

}  // namespace

EoscRlModel::EoscRlModel(RlParams params, RlItemSpace items,
                         std::map<int, std::unique_ptr<RlPolicy>> agents,
                         std::vector<std::pair<std::string, double>> metrics)
    : params_(std::move(params)),
      items_(std::move(items)),
      agents_(std::move(agents)),
      metrics_(std::move(metrics)) {}

std::vector<int> EoscRlModel::Ks() const {
  std::vector<int> ks;
  for (const auto& [k, agent] : agents_) ks.push_back(k);
  return ks;
}

bool EoscRlModel::Ready(const models::RecommendContext& ctx) const {
  return ctx.k <= static_cast<size_t>(INT32_MAX) && agents_.contains(static_cast<int>(ctx.k));
}

absl::StatusOr<RlChoice> EoscRlModel::Choose(int k, std::span<const uint32_t> history,
                                             std::vector<int64_t> allowed) const {
  auto it = agents_.find(k);
  if (it == agents_.end()) {
    return absl::FailedPreconditionError(absl::StrCat("rl: no agent for ", k, " services"));
  }
  RlState state;
  // Most recent first -> oldest first, distinct, the last history_len known services.
  for (auto h = history.rbegin(); h != history.rend(); ++h) {
    if (*h >= items_.num_items) continue;
    auto seen = std::find(state.history.begin(), state.history.end(), *h);
    if (seen != state.history.end()) state.history.erase(seen);
    state.history.push_back(*h);
  }
  if (static_cast<int>(state.history.size()) > params_.history_len) {
    state.history.erase(state.history.begin(), state.history.end() - params_.history_len);
  }
  std::erase_if(allowed, [this](int64_t i) { return i < 0 || i >= items_.num_items; });
  state.allowed = std::move(allowed);
  return it->second->Select(state);
}

absl::Status EoscRlModel::Score(const models::RecommendContext& ctx,
                                std::span<models::ScoredItem> items) const {
  std::vector<int64_t> allowed;
  allowed.reserve(items.size());
  for (const models::ScoredItem& s : items) allowed.push_back(s.item);
  RECPLAT_ASSIGN_OR_RETURN(RlChoice choice,
                           Choose(static_cast<int>(std::min<size_t>(ctx.k, INT32_MAX)),
                                  ctx.user_history, std::move(allowed)));
  for (models::ScoredItem& s : items) {
    s.score = -1.0;
    for (size_t c = 0; c < choice.items.size(); ++c) {
      if (choice.items[c] == static_cast<int64_t>(s.item)) s.score = choice.scores[c];
    }
  }
  return absl::OkStatus();
}

absl::Status EoscRlModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                   std::vector<models::ScoredItem>* out) const {
  std::vector<int64_t> allowed;
  for (int64_t i = 0; i < items_.num_items; ++i) {
    if (ctx.filter == nullptr || !ctx.filter->Excluded(static_cast<uint32_t>(i))) {
      allowed.push_back(i);
    }
  }
  const int k = static_cast<int>(std::min<size_t>(ctx.k > 0 ? ctx.k : n, INT32_MAX));
  RECPLAT_ASSIGN_OR_RETURN(RlChoice choice, Choose(k, ctx.user_history, std::move(allowed)));
  std::vector<models::ScoredItem> chosen;
  for (size_t c = 0; c < choice.items.size(); ++c) {
    chosen.push_back({static_cast<uint32_t>(choice.items[c]), choice.scores[c]});
  }
  std::stable_sort(chosen.begin(), chosen.end(),
                   [](const auto& a, const auto& b) { return a.score > b.score; });
  for (size_t c = 0; c < chosen.size() && c < n; ++c) out->push_back(chosen[c]);
  return absl::OkStatus();
}

absl::Status EoscRlModel::Save(const std::filesystem::path& dir) const {
  models::ArtifactWriter out(kFamily);
  std::vector<int64_t> net = {params_.se, params_.lstm_layers, params_.history_len};
  for (int l : params_.layers) net.push_back(l);
  out.AddI64("net", net);
  const int64_t count[1] = {items_.num_items};
  out.AddI64("items.count", count);
  out.AddF32("items.vectors", items_.vectors);
  std::vector<int64_t> ks;
  for (const auto& [k, agent] : agents_) {
    ks.push_back(k);
    RECPLAT_ASSIGN_OR_RETURN(std::string blob, agent->Serialize());
    out.AddString(absl::StrCat("policy.", k), blob);
  }
  out.AddI64("ks", ks);
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : metrics_) {
    names.push_back(name);
    values.push_back(value);
  }
  out.AddString("metric_names", absl::StrJoin(names, "\n"));
  out.AddF64("metric_values", values);
  return out.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<EoscRlModel>> LoadEoscRlModel(const std::filesystem::path& dir) {
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, kFamily));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> net, r.I64("net"));
  if (net.size() < 4 || net.size() > 3 + 16 || net[0] < 1 || net[0] > 4096 || net[1] < 1 ||
      net[1] > 16 || net[2] < 1 || net[2] > 1024) {
    return absl::DataLossError("eosc_rl: bad net");
  }
  RlParams p;
  p.se = static_cast<int>(net[0]);
  p.ue = 1;
  p.lstm_layers = static_cast<int>(net[1]);
  p.history_len = static_cast<int>(net[2]);
  p.layers.assign(net.begin() + 3, net.end());
  RlItemSpace items;
  RECPLAT_ASSIGN_OR_RETURN(items.num_items, r.I64Scalar("items.count"));
  items.se = p.se;
  RECPLAT_ASSIGN_OR_RETURN(items.vectors, r.F32("items.vectors"));
  if (items.num_items < 1 ||
      items.vectors.size() != static_cast<size_t>(items.num_items) * items.se) {
    return absl::DataLossError("eosc_rl: bad item space");
  }
  RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> ks, r.I64("ks"));
  std::map<int, std::unique_ptr<RlPolicy>> agents;
  for (int64_t k : ks) {
    if (k < 1 || k > 1000) return absl::DataLossError("eosc_rl: bad ks");
    RECPLAT_ASSIGN_OR_RETURN(std::string blob, r.String(absl::StrCat("policy.", k)));
    RlParams pk = p;
    pk.k = static_cast<int>(k);
    absl::StatusOr<std::unique_ptr<RlPolicy>> policy = CreatePolicy(pk, 0, items, &blob);
    if (!policy.ok()) {
      if (absl::IsFailedPrecondition(policy.status())) return policy.status();
      return absl::DataLossError(policy.status().message());
    }
    agents[static_cast<int>(k)] = *std::move(policy);
  }
  RECPLAT_ASSIGN_OR_RETURN(std::string names, r.String("metric_names"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> values, r.F64("metric_values"));
  std::vector<std::string> split =
      names.empty() ? std::vector<std::string>() : absl::StrSplit(names, '\n');
  if (split.size() != values.size()) return absl::DataLossError("eosc_rl: bad metrics");
  std::vector<std::pair<std::string, double>> metrics;
  for (size_t i = 0; i < values.size(); ++i) metrics.emplace_back(split[i], values[i]);
  return std::make_unique<EoscRlModel>(std::move(p), std::move(items), std::move(agents),
                                       std::move(metrics));
}

}  // namespace recplat::rl
