// LocalService::ScanServed: the engine's served lists, read from the state store.
#include <limits>

#include "core/api/validation.h"
#include "core/common/status_macros.h"
#include "core/service/local_service.h"

namespace recplat::service {

absl::StatusOr<v1::ScanServedResponse> LocalService::ScanServed(
    const v1::ScanServedRequest& request) {
  v1::ScanServedRequest normalized = request;
  RECPLAT_RETURN_IF_ERROR(api::NormalizeScanServed(validation_, &normalized));
  state::ServedListScan scan;
  scan.from_ms = normalized.from_ms();
  scan.to_ms = normalized.to_ms() == 0 ? std::numeric_limits<int64_t>::max() : normalized.to_ms();
  scan.surface = normalized.surface();
  scan.limit = static_cast<size_t>(normalized.limit());
  scan.page_token = normalized.page_token();
  // Lists still queued in the engine are written first, so a scan sees every answer given
  // before it (a failed write is logged and counted by the engine; the scan goes on).
  c_.engine->FlushServedLists().IgnoreError();
  std::vector<v1::ServedList> lists;
  v1::ScanServedResponse response;
  RECPLAT_RETURN_IF_ERROR(
      c_.state->ScanServed(normalized.tenant(), scan, &lists, response.mutable_next_page_token()));
  for (v1::ServedList& list : lists) *response.add_lists() = std::move(list);
  return response;
}

}  // namespace recplat::service
