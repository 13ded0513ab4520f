#include "core/models/popularity_family.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::models {
namespace {

constexpr char kFamily[] = "popularity";

struct PopularityParams {
  double half_life_hours = 0;
  bool use_value = false;
  int64_t min_count = 0;
  // "sum" (weighted, decayed sum) or "renewal" (the Renewal reference baseline's key).
  std::string formula = "sum";
  std::string click_type = "click";
  std::string rating_type = "rating";
};

absl::StatusOr<PopularityParams> ParseParams(const ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
      {"half_life_hours", "use_value", "min_count", "formula", "click_type", "rating_type"}));
  PopularityParams p;
  RECPLAT_ASSIGN_OR_RETURN(p.half_life_hours, params.GetDouble("half_life_hours", 0.0, 0.0));
  RECPLAT_ASSIGN_OR_RETURN(p.use_value, params.GetBool("use_value", false));
  RECPLAT_ASSIGN_OR_RETURN(p.min_count, params.GetInt("min_count", 0, 0));
  p.formula = params.GetString("formula", "sum");
  if (p.formula != "sum" && p.formula != "renewal") {
    return absl::InvalidArgumentError(
        absl::StrCat("param 'formula': expected sum or renewal, got '", p.formula, "'"));
  }
  p.click_type = params.GetString("click_type", "click");
  p.rating_type = params.GetString("rating_type", "rating");
  return p;
}

class PopularityModel final : public Model {
 public:
  // `ranked`: distinct items with finite scores, any order; every item < num_items.
  PopularityModel(std::vector<ScoredItem> ranked, uint32_t num_items)
      : ranked_(std::move(ranked)), score_of_(num_items, kUnknownScore) {
    std::sort(ranked_.begin(), ranked_.end(), BetterScored);
    for (const ScoredItem& s : ranked_) {
      score_of_[s.item] = s.score;
    }
  }

  bool Ready(const RecommendContext& ctx) const override { return !ranked_.empty(); }

  absl::Status Retrieve(const RecommendContext& ctx, size_t n,
                        std::vector<ScoredItem>* out) const override {
    size_t added = 0;
    for (size_t i = 0; i < ranked_.size() && added < n; ++i) {
      if (!Excluded(ctx, ranked_[i].item)) {
        out->push_back(ranked_[i]);
        ++added;
      }
    }
    return absl::OkStatus();
  }

  absl::Status Score(const RecommendContext& ctx, std::span<ScoredItem> items) const override {
    for (ScoredItem& s : items) {
      s.score = s.item < score_of_.size() ? score_of_[s.item] : kUnknownScore;
    }
    return absl::OkStatus();
  }

  absl::Status Save(const std::filesystem::path& dir) const override {
    std::vector<uint32_t> items;
    std::vector<double> scores;
    items.reserve(ranked_.size());
    scores.reserve(ranked_.size());
    for (const ScoredItem& s : ranked_) {
      items.push_back(s.item);
      scores.push_back(s.score);
    }
    const int64_t num_items[] = {static_cast<int64_t>(score_of_.size())};
    ArtifactWriter w(kFamily);
    w.AddI64("num_items", num_items);
    w.AddU32("items", items);
    w.AddF64("scores", scores);
    return w.WriteFile(dir / kModelArtifactFile);
  }

  std::vector<std::pair<std::string, double>> Metrics() const override {
    return {{"scored_items", static_cast<double>(ranked_.size())}};
  }

 private:
  std::vector<ScoredItem> ranked_;  // BetterScored order.
  std::vector<double> score_of_;    // By item index; kUnknownScore when not ranked.
};

}  // namespace

absl::Status PopularityFamily::ValidateParams(const ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<Model>> PopularityFamily::Fit(const TrainingData& data,
                                                             const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(PopularityParams p, ParseParams(params));
  if (data.interactions.empty()) {
    return absl::FailedPreconditionError("popularity: no interactions to train on");
  }
  uint32_t num_items = data.num_items;
  int64_t now_ms = data.now_ms;
  for (const Interaction& x : data.interactions) {
    num_items = std::max(num_items, x.item + 1);
    if (data.now_ms == 0) {
      now_ms = std::max(now_ms, x.timestamp_ms);
    }
  }
  const double half_life_ms = p.half_life_hours * 3600e3;
  std::vector<double> score(num_items, 0.0);
  std::vector<int64_t> count(num_items, 0);
  if (p.formula == "renewal") {
    // max(1, clicks) * ((likes - dislikes) or 1): clicks count `click_type` events; the net
    // rating sums `rating_type` values (each event carries rating - prev_rating).
    std::vector<double> clicks(num_items, 0.0);
    std::vector<double> net(num_items, 0.0);
    for (const Interaction& x : data.interactions) {
      const std::string& type =
          x.type < data.event_types.size() ? data.event_types[x.type] : p.click_type;
      if (type == p.click_type) {
        clicks[x.item] += 1;
      } else if (type == p.rating_type) {
        net[x.item] += x.value;
      } else {
        continue;
      }
      ++count[x.item];
    }
    for (uint32_t i = 0; i < num_items; ++i) {
      score[i] = std::max(1.0, clicks[i]) * (net[i] != 0 ? net[i] : 1.0);
    }
  }
  for (const Interaction& x : data.interactions) {
    if (p.formula == "renewal") break;
    const double type_weight =
        x.type < data.event_type_weights.size() ? data.event_type_weights[x.type] : 1.0;
    double w = type_weight * (p.use_value ? static_cast<double>(x.value) : 1.0);
    if (half_life_ms > 0 && x.timestamp_ms < now_ms) {
      w *= std::exp2(-static_cast<double>(now_ms - x.timestamp_ms) / half_life_ms);
    }
    score[x.item] += w;
    ++count[x.item];
  }
  std::vector<ScoredItem> ranked;
  const int64_t min_count = std::max<int64_t>(p.min_count, 1);
  for (uint32_t i = 0; i < num_items; ++i) {
    if (count[i] >= min_count && std::isfinite(score[i])) {
      ranked.push_back({i, score[i]});
    }
  }
  if (ranked.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("popularity: no item has at least min_count=", min_count, " interactions"));
  }
  return std::make_unique<PopularityModel>(std::move(ranked), num_items);
}

absl::StatusOr<std::unique_ptr<Model>> PopularityFamily::Load(const std::filesystem::path& dir,
                                                              const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(ArtifactReader r,
                           ArtifactReader::ReadFile(dir / kModelArtifactFile, kFamily));
  RECPLAT_ASSIGN_OR_RETURN(int64_t num_items, r.I64Scalar("num_items"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<uint32_t> items, r.U32("items"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> scores, r.F64("scores"));
  if (num_items < 0 || num_items > UINT32_MAX || items.size() != scores.size()) {
    return absl::DataLossError("popularity artifact: inconsistent sizes");
  }
  std::vector<bool> seen(static_cast<size_t>(num_items), false);
  std::vector<ScoredItem> ranked;
  ranked.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i] >= num_items || seen[items[i]] || !std::isfinite(scores[i])) {
      return absl::DataLossError(
          absl::StrCat("popularity artifact: bad entry ", i, " (item ", items[i], ")"));
    }
    seen[items[i]] = true;
    ranked.push_back({items[i], scores[i]});
  }
  return std::make_unique<PopularityModel>(std::move(ranked), static_cast<uint32_t>(num_items));
}

}  // namespace recplat::models
