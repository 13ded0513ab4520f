// LocalService::EvaluateServed and ModelTrainingStats: monitoring figures computed in the core
// (core/monitoring) over the state store's served lists and recorded clicks, and over the
// registry's versions, so a frontend receives figures instead of every record.
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/api/validation.h"
#include "core/common/process_stats.h"
#include "core/common/status_macros.h"
#include "core/monitoring/served_evaluation.h"
#include "core/monitoring/training_stats.h"
#include "core/service/local_service.h"

namespace recplat::service {

absl::StatusOr<v1::EvaluateServedResponse> LocalService::EvaluateServed(
    const v1::EvaluateServedRequest& request) {
  v1::EvaluateServedRequest normalized = request;
  RECPLAT_RETURN_IF_ERROR(api::NormalizeEvaluateServed(validation_, &normalized));
  const std::string& type = normalized.clicks().event_type();
  auto configured = options_.config.event_types.find(type);
  if (configured == options_.config.event_types.end() || !configured->second.record) {
    return absl::FailedPreconditionError(absl::StrCat(
        "clicks.event_type: events of type '", type,
        "' are not recorded (the profile must set event_types.", type, ".record: true)"));
  }
  const std::string& tenant = normalized.tenant();
  const int64_t from_ms = normalized.from_ms();
  const int64_t to_ms = normalized.to_ms();
  auto clicks = [&](const std::function<void(const v1::Event&)>& fn) {
    return c_.state->ScanEvents(tenant, type, from_ms, to_ms, fn);
  };
  auto served = [&](const std::function<void(const v1::ServedList&)>& fn) -> absl::Status {
    // Lists still queued in the engine are written first, as ScanServed does.
    c_.engine->FlushServedLists().IgnoreError();
    state::ServedListScan scan;
    scan.from_ms = from_ms;
    scan.to_ms = to_ms;
    scan.limit = api::Limits::kMaxScanLimit;
    while (true) {
      std::vector<v1::ServedList> lists;
      std::string next;
      RECPLAT_RETURN_IF_ERROR(c_.state->ScanServed(tenant, scan, &lists, &next));
      for (const v1::ServedList& list : lists) fn(list);
      if (next.empty()) return absl::OkStatus();
      scan.page_token = std::move(next);
    }
  };
  return monitoring::EvaluateServed(normalized, clicks, served,
                                    static_cast<int64_t>(c_.state->LiveItemCount(tenant)));
}

absl::StatusOr<v1::ModelTrainingStatsResponse> LocalService::ModelTrainingStats(
    const v1::ModelTrainingStatsRequest& request) {
  v1::ModelTrainingStatsRequest normalized = request;
  RECPLAT_RETURN_IF_ERROR(api::NormalizeModelTrainingStats(validation_, &normalized));
  std::vector<std::string> names(normalized.models().begin(), normalized.models().end());
  if (names.empty()) names = c_.registry->ModelNames();
  std::map<std::string, std::vector<v1::ModelVersion>> versions;
  for (const std::string& model : names) {
    RECPLAT_RETURN_IF_ERROR(CheckModel(model));
    versions[model] = c_.registry->List(normalized.tenant(), model);
  }
  return monitoring::TrainingStats(normalized.from_ms(), normalized.to_ms(), versions,
                                   common::TotalMemoryBytes());
}

}  // namespace recplat::service
