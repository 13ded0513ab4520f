// File: dashboard.h
//
// The ecoseller recommender's three dashboard pages (seed-systems.md sections 3.1 and 3.9) as a
// pure computation over a DashboardSource: the HTTP glue parses the query, calls one method and
// writes the JSON. Nothing here knows about HTTP or routes.
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
// fallback and had no statistics of its own). "general" still counts predictions served by
// `dummy`.
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
// Time ranges are inclusive at both ends (from <= t <= to), as the original's SQL was. Durations
// are seconds; peakMemory is MiB (2^20 bytes); peakMemoryPercentage is 0..100 of the machine's
// memory. Any ratio or average over an empty set is 0.
//
// The statistics follow seed-systems.md 3.9 with its QUIRKs fixed (see docs/ecoseller.md,
// "Dashboard (fixed quirks)", and the comment blocks in dashboard_performance.cc and
// dashboard.cc).
//
// Thread-safety: a Dashboard is immutable; its methods are thread-safe when the source's
// functions are.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "frontends/http_rest/ecoseller/config_object.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "frontends/http_rest/ecoseller/shop_reads.h"
#include "nlohmann/json.hpp"
#include "recplat/v1/models.pb.h"

namespace recplat::http::ecoseller {

// The `k` of hitRate@k / futureHitRate@k.
inline constexpr int64_t kDashboardK = 10;

// Everything the dashboard reads, as plain functions so tests can feed hand-made records.
// Every member must be set (MakeDashboardSource sets them all).
struct DashboardSource {
  using PredictionFn = std::function<void(const PredictionRecord&)>;
  using DetailEnterFn = std::function<void(const ProductDetailEnter&)>;

  // The current config version (defaults when none was stored).
  std::function<absl::StatusOr<EcosellerConfig>()> current_config;
  // Catalog and feedback counts behind the readiness rules.
  std::function<absl::StatusOr<ShopCounts>()> counts;
  // Calls `fn` for every prediction record with from <= create_at < to (the dashboard widens
  // and re-filters the range itself, so an inclusive or exclusive end both work).
  std::function<absl::Status(absl::Time from, absl::Time to, const PredictionFn& fn)>
      scan_predictions;
  // Same for ProductDetailEnter events.
  std::function<absl::Status(absl::Time from, absl::Time to, const DetailEnterFn& fn)>
      scan_detail_enters;
  // The versions of one model (any order); NOT_FOUND when the core does not configure it.
  // Other errors fail the page.
  std::function<absl::StatusOr<std::vector<v1::ModelVersion>>(absl::string_view model)> list_models;
  // Total memory of the machine, bytes; <= 0 makes every peakMemoryPercentage 0.
  int64_t total_memory_bytes = 0;
};

// A source reading the core through `reads` (its tenant); total memory from sysconf. `reads`
// must outlive the source. Defined in dashboard_source.cc, so that tests can feed a
// Dashboard hand-made records without a core.
DashboardSource MakeDashboardSource(ShopReads* reads);

// The machine's physical memory in bytes (sysconf), 0 when unknown.
int64_t PhysicalMemoryBytes();

// One `date_from`/`date_to` query value: "YYYY-MM-DDTHH:MM:SS[.fraction][Z]" (the original's
// `%Y-%m-%dT%H:%M:%S.%fZ`, leniently: any number of fraction digits or none, 'Z' optional, a
// space instead of 'T'), or a bare "YYYY-MM-DD" (midnight); always UTC.
// Returns INVALID_ARGUMENT naming `param` for anything else (out-of-range fields included).
absl::StatusOr<absl::Time> ParseDashboardDate(absl::string_view text, absl::string_view param);

struct DashboardDateRange {
  absl::Time from;
  absl::Time to;
};

// Both query values at once: an absent `date_from` is the Unix epoch, an absent `date_to` is
// `now`. INVALID_ARGUMENT as ParseDashboardDate, or when date_from > date_to.
absl::StatusOr<DashboardDateRange> ParseDashboardDateRange(
    std::optional<absl::string_view> date_from, std::optional<absl::string_view> date_to,
    absl::Time now);

class Dashboard {
 public:
  explicit Dashboard(DashboardSource source);

  // GET /dashboard/configuration. Errors: the source's (list_models other than NOT_FOUND).
  absl::StatusOr<nlohmann::json> Configuration() const;

  // GET /dashboard/performance for [from, to]. INVALID_ARGUMENT when from > to; otherwise the
  // source's errors.
  absl::StatusOr<nlohmann::json> Performance(absl::Time from, absl::Time to) const;

  // GET /dashboard/training for versions created in [from, to]. INVALID_ARGUMENT when
  // from > to; otherwise the source's errors.
  absl::StatusOr<nlohmann::json> Training(absl::Time from, absl::Time to) const;

 private:
  // Versions per model name of kEcosellerModelNames (same order); nullopt = not configured.
  using ModelVersions = std::vector<std::optional<std::vector<v1::ModelVersion>>>;

  absl::StatusOr<ModelVersions> FetchVersions() const;
  // The "models" array; `include_dummy` only for the configuration page.
  nlohmann::json ModelsJson(const ModelVersions& versions, const EcosellerConfig& config,
                            const ShopCounts& counts, bool include_dummy) const;

  DashboardSource source_;
};

}  // namespace recplat::http::ecoseller
