// File: dashboard_performance.cc
//
// Dashboard::Performance: the /dashboard/performance statistics (seed-systems.md 3.9).
//
// For a filter F ("general": every record; "modelSpecific[m]": see each figure), over the
// inclusive range [from, to]:
//   predictions     #PredictionRecords in range scored by m.
//   hitRate@k       #ProductDetailEnters in range with model_name, recommendation_type and
//                   position set, 0 <= position < k, and model_name = m
//                   ÷ predictions.
//   futureHitRate   fraction of the predictions counted above for which the same session has a
//                   ProductDetailEnter with model_name = the scoring model, the same
//                   recommendation_type and a SKU in predicted_items, created between the
//                   prediction and `to` (inclusive).
//   coverage        #distinct SKUs in predicted_items of those predictions ÷ max(#variants, 1).
//   retrievalDuration  avg/max retrieval_seconds of predictions in range retrieved by m.
//   scoringDuration    avg/max scoring_seconds of predictions in range scored by m.
// Any ratio or average of an empty set is 0 (the original answered null).
//
// QUIRKS of the original fixed here (also listed in docs/ecoseller.md, "Dashboard (fixed
// quirks)"):
//   1. The model-specific hitRate numerator counted every model's clicks; it now counts only
//      clicks attributed to m (model_name = m), so the per-model rates add up to the general one.
//   2. futureHitRate considered predictions of every date (only the scoring-model filter was
//      applied); it now uses only predictions in [from, to], like every other figure.
//   3. scoringDuration.max reported the retrieval maximum; it now reports the scoring maximum.
//   4. Model-specific retrieval durations are filtered by the retrieval model and scoring
//      durations by the scoring model: each step's time is charged to the model that ran it
//      (the original's retrieval-model filter is kept on purpose for that reason).
//   5. Position: the original counted `position <= 10` on the 0-based position the /predict
//      answer carries, i.e. 11 slots. "Top 10" of a 0-based position is `position < 10`, which
//      is what counts here (negative positions do not count either).
// Kept as the original had it: futureHitRate looks at every predicted item (the list is already
// truncated to the request's `limit`), not only the first k; hitRate's denominator is the number
// of predictions, not of recommendation views, so it may exceed 1.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/dashboard.h"
#include "frontends/http_rest/ecoseller/internal/dashboard_stats.h"

namespace recplat::http::ecoseller {
namespace {

using internal::AvgMax;
using internal::Ratio;
using ::nlohmann::json;

// The figures of one filter ("general" or one model).
struct PerformanceAccumulator {
  int64_t predictions = 0;
  int64_t direct_hits = 0;
  int64_t future_hits = 0;
  absl::flat_hash_set<std::string> covered;
  AvgMax retrieval;
  AvgMax scoring;

  // A prediction counted for this filter as its scoring model (or for "general").
  void AddScored(const PredictionRecord& record, bool future_hit) {
    ++predictions;
    if (future_hit) ++future_hits;
    covered.insert(record.predicted_items.begin(), record.predicted_items.end());
    scoring.Add(record.scoring_seconds);
  }

  json ToJson(int64_t variants) const {
    return {
        {"k", kDashboardK},
        {"data",
         {{"hitRate", Ratio(direct_hits, predictions)},
          {"futureHitRate", Ratio(future_hits, predictions)},
          {"coverage", Ratio(static_cast<int64_t>(covered.size()), std::max<int64_t>(variants, 1))},
          {"predictions", predictions},
          {"retrievalDuration", retrieval.ToJson()},
          {"scoringDuration", scoring.ToJson()}}}};
  }
};

// (session, model, recommendation type, SKU) of a click, for the futureHitRate join.
std::string VisitKey(absl::string_view session, absl::string_view model, absl::string_view type,
                     absl::string_view sku) {
  return absl::StrCat(session.size(), ":", session, model.size(), ":", model, type.size(), ":",
                      type, sku);
}

const json& PerformanceInfoJson() {
  // The original's field titles; the page substitutes "%k%" with `k`.
  static const json* const kInfo = new json{
      {"hitRate",
       {{"title", "Hit rate @ %k%"},
        {"description", "How often users click on one of top %k% recommended products."}}},
      {"futureHitRate",
       {{"title", "Future hit rate @ %k%"},
        {"description",
         "How often users visit one of top %k% recommended products during the rest of their "
         "session."}}},
      {"coverage",
       {{"title", "Coverage"},
        {"description", "What fraction of the product variant catalogue was recommended."}}}};
  return *kInfo;
}

}  // namespace

absl::StatusOr<json> Dashboard::Performance(absl::Time from, absl::Time to) const {
  if (from > to) return absl::InvalidArgumentError("date_from is after date_to");
  RECPLAT_ASSIGN_OR_RETURN(const EcosellerConfig config, source_.current_config());
  RECPLAT_ASSIGN_OR_RETURN(const ShopCounts counts, source_.counts());
  RECPLAT_ASSIGN_OR_RETURN(ModelVersions versions, FetchVersions());

  PerformanceAccumulator general;
  absl::flat_hash_map<std::string, PerformanceAccumulator> per_model;
  for (absl::string_view name : kEcosellerModelNames) {
    if (name != "dummy") per_model[std::string(name)];
  }
  auto model_accumulator = [&per_model](absl::string_view name) -> PerformanceAccumulator* {
    auto it = per_model.find(name);
    return it == per_model.end() ? nullptr : &it->second;
  };
  auto in_range = [from, to](absl::Time t) { return from <= t && t <= to; };
  // The sources scan [from, end); one microsecond past `to` (the stores' resolution) covers an
  // inclusive end, and in_range() trims whatever an exclusive-end source adds.
  const absl::Time end = to == absl::InfiniteFuture() ? to : to + absl::Microseconds(1);

  // Clicks: hitRate numerators, and the latest click time per VisitKey for futureHitRate (a
  // prediction is a future hit when some matching click is at or after it, i.e. the latest is).
  absl::flat_hash_map<std::string, absl::Time> latest_visit;
  RECPLAT_RETURN_IF_ERROR(
      source_.scan_detail_enters(from, end, [&](const ProductDetailEnter& enter) {
        if (!in_range(enter.create_at) || !enter.model_name.has_value() ||
            !enter.recommendation_type.has_value()) {
          return;
        }
        if (enter.position.has_value() && *enter.position >= 0 && *enter.position < kDashboardK) {
          ++general.direct_hits;
          if (PerformanceAccumulator* model = model_accumulator(*enter.model_name)) {
            ++model->direct_hits;
          }
        }
        absl::Time& latest =
            latest_visit
                .try_emplace(VisitKey(enter.session_id, *enter.model_name,
                                      *enter.recommendation_type, enter.product_variant_sku),
                             absl::InfinitePast())
                .first->second;
        latest = std::max(latest, enter.create_at);
      }));

  RECPLAT_RETURN_IF_ERROR(source_.scan_predictions(from, end, [&](const PredictionRecord& record) {
    if (!in_range(record.create_at)) return;
    bool future_hit = false;
    for (const std::string& sku : record.predicted_items) {
      auto it = latest_visit.find(
          VisitKey(record.session_id, record.scoring_model, record.recommendation_type, sku));
      if (it != latest_visit.end() && it->second >= record.create_at) {
        future_hit = true;
        break;
      }
    }
    general.AddScored(record, future_hit);
    general.retrieval.Add(record.retrieval_seconds);
    if (PerformanceAccumulator* model = model_accumulator(record.scoring_model)) {
      model->AddScored(record, future_hit);
    }
    if (PerformanceAccumulator* model = model_accumulator(record.retrieval_model)) {
      model->retrieval.Add(record.retrieval_seconds);
    }
  }));

  json model_specific = json::object();
  for (const auto& [name, accumulator] : per_model) {
    model_specific[name] = accumulator.ToJson(counts.variants);
  }
  return json{{"models", ModelsJson(versions, config, counts, /*include_dummy=*/false)},
              {"performance",
               {{"general", general.ToJson(counts.variants)}, {"modelSpecific", model_specific}}},
              {"info", PerformanceInfoJson()}};
}

}  // namespace recplat::http::ecoseller
