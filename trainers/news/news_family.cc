#include "trainers/news/news_family.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/models/item_similarity.h"
#include "trainers/news/news_model.h"

namespace recplat::news {

namespace {

struct FitParams {
  BlendParams blend;
  FieldWeights fields;
  double popularity_half_life_hours = 24;
  std::string exposure_event = "recommended";
  double prior_exposures = 20;
  uint32_t neighbors = 50;
  double shrink = 5;
  int threads = 1;
};

absl::StatusOr<FitParams> ParseParams(const models::ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
      {"w_content", "w_coclick", "w_popularity", "w_freshness", "freshness_half_life_hours",
       "history_decay", "max_history", "profile_terms", "popularity_half_life_hours", "exposure_event",
       "prior_exposures", "neighbors", "shrink", "keyword_weight", "title_weight", "text_weight", "max_document_frequency",
       "threads"}));
  FitParams p;
  BlendParams& b = p.blend;
  RECPLAT_ASSIGN_OR_RETURN(b.w_content, params.GetDouble("w_content", b.w_content, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(b.w_coclick, params.GetDouble("w_coclick", b.w_coclick, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(b.w_popularity,
                           params.GetDouble("w_popularity", b.w_popularity, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(b.w_freshness, params.GetDouble("w_freshness", b.w_freshness, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(
      b.freshness_half_life_hours,
      params.GetDouble("freshness_half_life_hours", b.freshness_half_life_hours, 1e-6, 1e9));
  RECPLAT_ASSIGN_OR_RETURN(b.history_decay,
                           params.GetDouble("history_decay", b.history_decay, 1e-9, 1));
  RECPLAT_ASSIGN_OR_RETURN(int64_t max_history, params.GetInt("max_history", 50, 1, 10000));
  b.max_history = static_cast<uint32_t>(max_history);
  RECPLAT_ASSIGN_OR_RETURN(int64_t profile_terms, params.GetInt("profile_terms", 100, 1, 1000000));
  b.profile_terms = static_cast<uint32_t>(profile_terms);
  RECPLAT_ASSIGN_OR_RETURN(p.popularity_half_life_hours,
                           params.GetDouble("popularity_half_life_hours", 24, 1e-6, 1e9));
  p.exposure_event = params.GetString("exposure_event", "recommended");
  RECPLAT_ASSIGN_OR_RETURN(p.prior_exposures, params.GetDouble("prior_exposures", 20, 0, 1e9));
  RECPLAT_ASSIGN_OR_RETURN(int64_t neighbors, params.GetInt("neighbors", 50, 1, 10000));
  p.neighbors = static_cast<uint32_t>(neighbors);
  RECPLAT_ASSIGN_OR_RETURN(p.shrink, params.GetDouble("shrink", 5, 0, 1e9));
  RECPLAT_ASSIGN_OR_RETURN(p.fields.keywords, params.GetDouble("keyword_weight", 3, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(p.fields.title, params.GetDouble("title_weight", 1, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(p.fields.text, params.GetDouble("text_weight", 0.3, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(p.fields.max_document_frequency,
                           params.GetDouble("max_document_frequency", 0.5, 1e-9, 1));
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", 1, 0, 1024));
  p.threads = static_cast<int>(threads);
  return p;
}

// The appeal of every item (see news_family.h), in [0, 1].
std::vector<float> ComputeAppeal(const models::TrainingData& data, const FitParams& p,
                                 uint32_t num_items) {
  int exposure_type = -1;
  for (size_t t = 0; t < data.event_types.size(); ++t) {
    if (data.event_types[t] == p.exposure_event) exposure_type = static_cast<int>(t);
  }
  std::vector<double> mass(num_items, 0.0), exposures(num_items, 0.0);
  const double half_life_ms = p.popularity_half_life_hours * 3.6e6;
  // Ages count from the newest interaction (at most now): event times come from the backend,
  // whose clock may differ from ours (or be simulated), and a skew must not decay everything.
  int64_t reference_ms = INT64_MIN;
  for (const models::Interaction& x : data.interactions) {
    reference_ms = std::max(reference_ms, x.timestamp_ms);
  }
  if (data.now_ms > 0) reference_ms = std::min(reference_ms, data.now_ms);
  for (const models::Interaction& x : data.interactions) {
    if (x.item >= num_items) continue;
    const double age_ms = std::max<double>(0, static_cast<double>(reference_ms - x.timestamp_ms));
    const double decay = std::exp2(-age_ms / half_life_ms);
    if (static_cast<int>(x.type) == exposure_type) {
      exposures[x.item] += decay;
      continue;
    }
    const double w = x.type < data.event_type_weights.size() ? data.event_type_weights[x.type] : 1.0;
    if (w > 0) mass[x.item] += decay * w * x.value;
  }
  double total_mass = 0, total_exposures = 0;
  for (uint32_t i = 0; i < num_items; ++i) {
    mass[i] = std::max(0.0, mass[i]);
    total_mass += mass[i];
    total_exposures += exposures[i];
  }
  const bool rates = total_exposures > 0;
  const double prior_rate = rates ? total_mass / total_exposures : 0;
  std::vector<float> appeal(num_items, 0.0f);
  double best = 0;
  std::vector<double> raw(num_items, 0.0);
  for (uint32_t i = 0; i < num_items; ++i) {
    raw[i] = rates ? (mass[i] + p.prior_exposures * prior_rate) / (exposures[i] + p.prior_exposures)
                   : mass[i];
    if (!std::isfinite(raw[i])) raw[i] = 0;  // prior_exposures 0 and no exposure.
    best = std::max(best, raw[i]);
  }
  if (best > 0) {
    for (uint32_t i = 0; i < num_items; ++i) appeal[i] = static_cast<float>(raw[i] / best);
  }
  return appeal;
}

BlendParams BlendOf(const models::ModelParams& params) {
  auto parsed = ParseParams(params);
  return parsed.ok() ? parsed->blend : BlendParams{};
}

}  // namespace

absl::string_view NewsFamily::name() const { return kNewsFamilyName; }

absl::Status NewsFamily::ValidateParams(const models::ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> NewsFamily::Fit(
    const models::TrainingData& data, const models::ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(FitParams p, ParseParams(params));
  NewsModelData d;
  d.num_items = data.num_items;
  // TrainingData::items may be empty (no side information) or short: then pad a copy (items
  // without information are live, with no text); otherwise use it as is (it holds the texts).
  std::vector<models::ItemInfo> padded;
  if (data.items.size() != data.num_items) {
    padded.assign(data.items.begin(),
                  data.items.begin() + std::min<size_t>(data.items.size(), data.num_items));
    padded.resize(data.num_items);
  }
  const std::vector<models::ItemInfo>& items =
      data.items.size() == data.num_items ? data.items : padded;
  const auto live = std::count_if(items.begin(), items.end(),
                                  [](const models::ItemInfo& i) { return i.live; });
  if (live == 0) return absl::FailedPreconditionError("news: no live item to recommend");
  d.content = BuildContentIndex(items, p.fields);
  models::SimilarityOptions so;
  so.neighbors = p.neighbors;
  so.shrink = p.shrink;
  so.threads = p.threads;
  auto neighbors = models::ComputeItemNeighbors(data, so);
  if (neighbors.ok()) {
    d.coclick = std::move(*neighbors);
  } else if (!absl::IsFailedPrecondition(neighbors.status())) {
    return neighbors.status();  // No clicks yet is fine; anything else is not.
  }
  d.appeal = ComputeAppeal(data, p, data.num_items);
  d.published_at_ms.resize(data.num_items);
  size_t with_content = 0;
  for (uint32_t i = 0; i < data.num_items; ++i) {
    d.published_at_ms[i] = items[i].published_at_ms;
    if (d.content.items.offsets[i + 1] > d.content.items.offsets[i]) ++with_content;
  }
  d.metrics = {{"items", static_cast<double>(data.num_items)},
               {"items_with_content", static_cast<double>(with_content)},
               {"terms", static_cast<double>(d.content.num_terms)},
               {"content_nonzeros", static_cast<double>(d.content.items.nnz())},
               {"coclick_pairs", static_cast<double>(d.coclick.items.size())},
               {"interactions", static_cast<double>(data.interactions.size())}};
  return std::unique_ptr<models::Model>(std::make_unique<NewsModel>(std::move(d), p.blend));
}

absl::StatusOr<std::unique_ptr<models::Model>> NewsFamily::Load(
    const std::filesystem::path& dir, const models::ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  auto model = NewsModel::Load(dir, BlendOf(params));
  if (!model.ok()) return model.status();
  return std::unique_ptr<models::Model>(std::move(*model));
}

absl::Status RegisterNewsFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<NewsFamily>());
}

}  // namespace recplat::news
