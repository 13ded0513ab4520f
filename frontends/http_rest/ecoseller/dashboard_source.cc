// File: dashboard_source.cc
//
// MakeDashboardSource: the production DashboardSource over a ShopStore and the core's Api. Kept
// apart from dashboard.cc so that code using Dashboard with its own source (tests) does not link
// the ShopStore.
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/dashboard.h"

namespace recplat::http::ecoseller {

int64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<int64_t>(pages) * static_cast<int64_t>(page_size);
}

DashboardSource MakeDashboardSource(ShopStore* shop, api::Api* api, std::string tenant) {
  DashboardSource source;
  source.current_config = [shop] { return shop->CurrentConfig(); };
  source.counts = [shop] { return shop->Counts(); };
  source.scan_predictions = [shop](absl::Time from, absl::Time to,
                                   const DashboardSource::PredictionFn& fn) {
    return shop->ScanPredictions(from, to, fn);
  };
  source.scan_detail_enters = [shop](absl::Time from, absl::Time to,
                                     const DashboardSource::DetailEnterFn& fn) {
    return shop->ScanDetailEnters(from, to, fn);
  };
  source.list_models =
      [api, tenant = std::move(tenant)](
          absl::string_view model) -> absl::StatusOr<std::vector<v1::ModelVersion>> {
    v1::ListModelsRequest request;
    request.set_tenant(tenant);
    request.set_model(std::string(model));
    RECPLAT_ASSIGN_OR_RETURN(v1::ListModelsResponse response, api->ListModels(request));
    return std::vector<v1::ModelVersion>(response.versions().begin(), response.versions().end());
  };
  source.total_memory_bytes = PhysicalMemoryBytes();
  return source;
}

}  // namespace recplat::http::ecoseller
