#include "trainers/blend/blend_family.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/common/random.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"
#include "trainers/blend/blend_model.h"

namespace recplat::blend {
namespace {

using models::ModelParams;
using models::TrainingData;

constexpr size_t kMaxComponents = 4;
constexpr size_t kMaxValidationUsers = 2000;
constexpr size_t kK = 20;

struct Component {
  const models::ModelFamily* family = nullptr;
  ModelParams params;
};

struct BlendParams {
  std::vector<Component> components;
  std::vector<double> weights;  // Empty: fit them.
  double validation_fraction = 0.2;
  uint64_t seed = 42;
};

absl::StatusOr<BlendParams> ParseParams(const ModelParams& params,
                                        const models::ModelFamilyRegistry& registry) {
  RECPLAT_RETURN_IF_ERROR(
      params.CheckKnown({"components", "weights", "validation_fraction", "seed"}));
  BlendParams p;
  const std::string spec = params.GetString("components", "");
  for (absl::string_view part : absl::StrSplit(spec, ';', absl::SkipWhitespace())) {
    const std::pair<absl::string_view, absl::string_view> fp = absl::StrSplit(part, ':');
    const std::string name(absl::StripAsciiWhitespace(fp.first));
    const models::ModelFamily* family = registry.Find(name);
    if (family == nullptr || name == "blend") {
      return absl::InvalidArgumentError(
          absl::StrCat("param 'components': unknown or unusable family '", name, "'"));
    }
    std::map<std::string, std::string> values;
    for (absl::string_view kv : absl::StrSplit(fp.second, ',', absl::SkipWhitespace())) {
      const std::pair<absl::string_view, absl::string_view> e = absl::StrSplit(kv, '=');
      values[std::string(absl::StripAsciiWhitespace(e.first))] =
          std::string(absl::StripAsciiWhitespace(e.second));
    }
    Component c{family, ModelParams(std::move(values))};
    if (absl::Status s = family->ValidateParams(c.params); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("param 'components': ", name, ": ", s.message()));
    }
    p.components.push_back(std::move(c));
  }
  if (p.components.empty() || p.components.size() > kMaxComponents) {
    return absl::InvalidArgumentError(absl::StrCat(
        "param 'components': expected 1 to ", kMaxComponents,
        " 'family:key=value,...' entries separated by ';', got '", spec, "'"));
  }
  const std::string weights = params.GetString("weights", "");
  for (absl::string_view w : absl::StrSplit(weights, ',', absl::SkipWhitespace())) {
    double v = 0;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(w), &v) || !std::isfinite(v)) {
      return absl::InvalidArgumentError(absl::StrCat("param 'weights': bad number in '", weights, "'"));
    }
    p.weights.push_back(v);
  }
  if (!p.weights.empty() && p.weights.size() != p.components.size()) {
    return absl::InvalidArgumentError("param 'weights': one weight per component");
  }
  RECPLAT_ASSIGN_OR_RETURN(p.validation_fraction,
                           params.GetDouble("validation_fraction", 0.2, 1e-6, 0.999));
  RECPLAT_ASSIGN_OR_RETURN(int64_t seed, params.GetInt("seed", 42, 0));
  p.seed = static_cast<uint64_t>(seed);
  return p;
}

// The data minus a seeded per-user holdout; `held[u]` are u's held-out items (sorted) and
// `history[u]` the items u keeps, most recent first.
struct Split {
  TrainingData fit;
  std::vector<std::vector<uint32_t>> held;
  std::vector<std::vector<uint32_t>> history;
};

Split HoldOut(const TrainingData& data, const BlendParams& p) {
  Split s;
  s.fit = data;
  s.fit.interactions.clear();
  uint32_t num_users = data.num_users;
  for (const models::Interaction& x : data.interactions) num_users = std::max(num_users, x.user + 1);
  s.held.resize(num_users);
  s.history.resize(num_users);
  std::vector<std::vector<uint32_t>> items(num_users);
  for (const models::Interaction& x : data.interactions) {
    if (std::find(items[x.user].begin(), items[x.user].end(), x.item) == items[x.user].end()) {
      items[x.user].push_back(x.item);
    }
  }
  common::Rng rng(p.seed);
  for (uint32_t u = 0; u < num_users; ++u) {
    std::vector<uint32_t>& v = items[u];
    if (v.size() < 2) continue;
    const size_t hold = std::clamp<size_t>(
        static_cast<size_t>(std::llround(p.validation_fraction * static_cast<double>(v.size()))),
        1, v.size() - 1);
    for (size_t k = 0; k < hold; ++k) std::swap(v[k], v[k + rng.Uniform(v.size() - k)]);
    s.held[u].assign(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(hold));
    std::sort(s.held[u].begin(), s.held[u].end());
  }
  for (const models::Interaction& x : data.interactions) {  // Sorted by (user, time).
    if (!std::binary_search(s.held[x.user].begin(), s.held[x.user].end(), x.item)) {
      s.fit.interactions.push_back(x);
      s.history[x.user].push_back(x.item);
    }
  }
  for (auto& h : s.history) std::reverse(h.begin(), h.end());
  return s;
}

// NDCG@kK of `scores` (items [0, n)) for a user with `history` excluded and `held` relevant.
double Ndcg(const std::vector<float>& scores, const std::vector<uint8_t>& candidate,
            const std::vector<uint32_t>& held) {
  std::vector<models::ScoredItem> ranked;
  for (uint32_t i = 0; i < scores.size(); ++i) {
    if (candidate[i]) ranked.push_back({i, scores[i]});
  }
  models::KeepTop(&ranked, kK);
  double dcg = 0, idcg = 0;
  for (size_t r = 0; r < ranked.size(); ++r) {
    if (std::binary_search(held.begin(), held.end(), ranked[r].item)) dcg += 1 / std::log2(r + 2.0);
  }
  for (size_t r = 0; r < std::min(held.size(), kK); ++r) idcg += 1 / std::log2(r + 2.0);
  return idcg > 0 ? dcg / idcg : 0;
}

// Weight vectors on the simplex with `steps` steps per unit.
void Simplex(size_t dims, int steps, std::vector<double>* prefix,
             std::vector<std::vector<double>>* out) {
  const int used = static_cast<int>(std::llround(
      std::accumulate(prefix->begin(), prefix->end(), 0.0) * steps));
  if (prefix->size() + 1 == dims) {
    prefix->push_back(static_cast<double>(steps - used) / steps);
    out->push_back(*prefix);
    prefix->pop_back();
    return;
  }
  for (int k = 0; k <= steps - used; ++k) {
    prefix->push_back(static_cast<double>(k) / steps);
    Simplex(dims, steps, prefix, out);
    prefix->pop_back();
  }
}

absl::StatusOr<std::vector<std::unique_ptr<models::Model>>> FitAll(const TrainingData& data,
                                                                   const BlendParams& p) {
  std::vector<std::unique_ptr<models::Model>> models;
  for (const Component& c : p.components) {
    RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> m, c.family->Fit(data, c.params));
    models.push_back(std::move(m));
  }
  return models;
}

}  // namespace

absl::Status BlendFamily::ValidateParams(const ModelParams& params) const {
  return ParseParams(params, *registry_).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> BlendFamily::Fit(const TrainingData& data,
                                                                const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(BlendParams p, ParseParams(params, *registry_));
  BlendModel::MetricList metrics;
  std::vector<double> weights = p.weights;
  if (weights.empty()) {
    Split split = HoldOut(data, p);
    std::vector<uint32_t> users;
    for (uint32_t u = 0; u < split.held.size(); ++u) {
      if (!split.held[u].empty()) users.push_back(u);
    }
    if (users.empty()) {
      return absl::FailedPreconditionError(
          "blend: fitting weights needs users with two items to hold one out");
    }
    common::Rng rng(p.seed + 1);
    std::shuffle(users.begin(), users.end(), rng);
    users.resize(std::min(users.size(), kMaxValidationUsers));
    RECPLAT_ASSIGN_OR_RETURN(auto models, FitAll(split.fit, p));
    const uint32_t n = data.num_items;
    // z[c][v]: component c's normalised scores for validation user v.
    std::vector<std::vector<std::vector<float>>> z(models.size());
    std::vector<std::vector<uint8_t>> candidate(users.size(), std::vector<uint8_t>(n, 0));
    for (size_t v = 0; v < users.size(); ++v) {
      models::RecommendContext ctx;
      ctx.user_history = split.history[users[v]];
      for (size_t c = 0; c < models.size(); ++c) {
        std::vector<uint8_t> known;
        z[c].push_back(BlendModel::NormalisedScores(*models[c], ctx, n, &known));
        for (uint32_t i = 0; i < n; ++i) candidate[v][i] |= known[i];
      }
      for (uint32_t i : split.history[users[v]]) candidate[v][i] = 0;
    }
    std::vector<std::vector<double>> grid;
    std::vector<double> prefix;
    Simplex(models.size(), models.size() <= 3 ? 10 : 4, &prefix, &grid);
    double best = -1;
    std::vector<float> total(n);
    for (const std::vector<double>& w : grid) {
      double sum = 0;
      for (size_t v = 0; v < users.size(); ++v) {
        std::fill(total.begin(), total.end(), 0.0f);
        for (size_t c = 0; c < models.size(); ++c) {
          if (w[c] == 0) continue;
          for (uint32_t i = 0; i < n; ++i) total[i] += static_cast<float>(w[c]) * z[c][v][i];
        }
        sum += Ndcg(total, candidate[v], split.held[users[v]]);
      }
      const double ndcg = sum / static_cast<double>(users.size());
      for (size_t c = 0; c < models.size(); ++c) {
        if (w[c] == 1.0) metrics.emplace_back(absl::StrCat("validation_ndcg@20_component_", c), ndcg);
      }
      if (ndcg > best) {
        best = ndcg;
        weights = w;
      }
    }
    metrics.emplace_back("validation_ndcg@20", best);
    metrics.emplace_back("validation_users", static_cast<double>(users.size()));
  }
  RECPLAT_ASSIGN_OR_RETURN(auto models, FitAll(data, p));
  for (size_t c = 0; c < weights.size(); ++c) {
    metrics.emplace_back(absl::StrCat("weight_", c), weights[c]);
  }
  uint32_t n = data.num_items;
  for (const models::Interaction& x : data.interactions) n = std::max(n, x.item + 1);
  return std::make_unique<BlendModel>(n, std::move(models), std::move(weights),
                                      std::move(metrics));
}

absl::StatusOr<std::unique_ptr<models::Model>> BlendFamily::Load(const std::filesystem::path& dir,
                                                                 const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(BlendParams p, ParseParams(params, *registry_));
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, "blend"));
  RECPLAT_ASSIGN_OR_RETURN(int64_t num_items, r.I64Scalar("num_items"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> weights, r.F64("weights"));
  if (num_items < 0 || num_items > UINT32_MAX || weights.size() != p.components.size()) {
    return absl::DataLossError("blend artifact: num_items or weights do not match the params");
  }
  std::vector<std::unique_ptr<models::Model>> models;
  for (size_t c = 0; c < p.components.size(); ++c) {
    RECPLAT_ASSIGN_OR_RETURN(
        std::unique_ptr<models::Model> m,
        p.components[c].family->Load(dir / absl::StrCat("component_", c), p.components[c].params));
    models.push_back(std::move(m));
  }
  return std::make_unique<BlendModel>(static_cast<uint32_t>(num_items), std::move(models),
                                      std::move(weights), BlendModel::MetricList{});
}

absl::Status RegisterBlendFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<BlendFamily>(registry));
}

}  // namespace recplat::blend
