// File: dashboard.h
//
// The ecoseller recommender's three dashboard pages (seed-systems.md sections 3.1 and 3.9): each
// page asks the core for its figures and encodes them. The statistics are the core's
// (Api::EvaluateServed over the served lists and the recorded detail enters,
// Api::ModelTrainingStats over the model versions: core/monitoring); this file knows the
// pages' JSON shapes and the ecoseller model list. Nothing here knows about HTTP or routes.
//
// Pages (every JSON key below is always present; no value is ever null, NaN or infinite):
//   GET /dashboard/configuration
//     {"models": [Model...], "config": EcosellerConfig::ToDashboardJson(),
//      "info": EcosellerConfigInfoJson()}
//   GET /dashboard/performance?date_from=&date_to=
//     {"models": [Model...], "info": {"hitRate"|"futureHitRate"|"coverage": {"title",
//      "description"}}, "performance": {"general": PerformanceData,
//      "modelSpecific": {<model>: PerformanceData}}}
//     PerformanceData = {"k": 10, "data": {"hitRate", "futureHitRate", "coverage",
//      "predictions", "retrievalDuration": {"avg", "max"}, "scoringDuration": {"avg", "max"}}}
//   GET /dashboard/training?date_from=&date_to=
//     {"models": [Model...], "training": {"general": {"data": TrainingDataData},
//      "modelSpecific": {<model>: {"data": TrainingDataData}}}}
//     TrainingDataData = {"trainings": {"started", "completed", "failed"},
//      "peakMemory": {"avg", "max"}, "peakMemoryPercentage": {"avg", "max"},
//      "duration": {"avg", "max"}}
//   Model = {"name", "title", "description", "disabled", "canBeTrained", "isReadyForTraining",
//            "isTrained"}.
//
// Which models are listed: the configuration page lists all six kEcosellerModelNames, `dummy`
// included; the performance and training pages list (in "models" and "modelSpecific") the same
// minus `dummy`, as the original's `get_all_models()` did (its dummy was only the last-resort
// fallback and had no statistics of its own). "general" of the performance page still counts
// predictions served by `dummy`; "general" of the training page sums the listed models.
//
// Model flags:
//   disabled           the current config's models_disabled[name].
//   canBeTrained       similarity, gru4rec and ease (the original's trained families; its
//                      popularity was computed at query time), and only when the core has the
//                      model configured (a model the core does not know can never be trained).
//   isReadyForTraining canBeTrained and the original's data rule: similarity needs >= 1
//                      variant; ease #reviews > reviews_multiplier * #variants; gru4rec
//                      #product-detail enters > events_multiplier * #variants.
//   isTrained          configured in the core and either an untrained family (dummy, selection,
//                      popularity: always usable) or it has a CURRENT version > 0.
//
// Figures: core/monitoring's (served_evaluation.h, training_stats.h), which follow
// seed-systems.md 3.9 with its QUIRKs fixed (docs/ecoseller.md, "Dashboard (fixed quirks)"):
// the clicks are the recorded detail enters, k = 10, coverage divides by max(#variants, 1),
// durations are seconds, peakMemory MiB, peakMemoryPercentage 0..100 of the core machine's
// memory. Ranges are inclusive (the original's SQL), to the millisecond; empty sets give 0.
//
// Thread-safety: thread-safe (ShopReads is).
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "frontends/http_rest/ecoseller/shop_reads.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller {

// The `k` of hitRate@k / futureHitRate@k.
inline constexpr int32_t kDashboardK = 10;

class Dashboard {
 public:
  // `api` and `reads` (the tenant's) must outlive the dashboard.
  Dashboard(api::Api* api, ShopReads* reads);

  // GET /dashboard/configuration. Errors: the core's (ListModels other than NOT_FOUND).
  absl::StatusOr<nlohmann::json> Configuration();

  // GET /dashboard/performance for [from, to]. INVALID_ARGUMENT when from > to; otherwise the
  // core's errors.
  absl::StatusOr<nlohmann::json> Performance(absl::Time from, absl::Time to);

  // GET /dashboard/training for versions created in [from, to]. INVALID_ARGUMENT when
  // from > to; otherwise the core's errors.
  absl::StatusOr<nlohmann::json> Training(absl::Time from, absl::Time to);

 private:
  struct Facts;
  // The current config, the counts and which models the core configures (and their versions).
  absl::StatusOr<Facts> ReadFacts();

  api::Api* const api_;
  ShopReads* const reads_;
};

}  // namespace recplat::http::ecoseller
