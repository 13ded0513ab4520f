// File: dashboard_source.cc
//
// MakeDashboardSource: the production DashboardSource, reading the core through ShopReads. Kept
// apart from dashboard.cc so that a Dashboard over hand-made records (tests) needs no core.
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontends/http_rest/ecoseller/dashboard.h"

namespace recplat::http::ecoseller {

int64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<int64_t>(pages) * static_cast<int64_t>(page_size);
}

DashboardSource MakeDashboardSource(ShopReads* reads) {
  DashboardSource source;
  source.current_config = [reads]() -> absl::StatusOr<EcosellerConfig> {
    absl::StatusOr<std::shared_ptr<const EcosellerConfig>> config = reads->CurrentConfig();
    if (!config.ok()) return config.status();
    return **config;
  };
  source.counts = [reads] { return reads->Counts(); };
  source.scan_predictions = [reads](absl::Time from, absl::Time to,
                                    const DashboardSource::PredictionFn& fn) {
    return reads->ScanPredictions(from, to, fn);
  };
  source.scan_detail_enters = [reads](absl::Time from, absl::Time to,
                                      const DashboardSource::DetailEnterFn& fn) {
    return reads->ScanDetailEnters(from, to, fn);
  };
  source.list_models = [reads](absl::string_view model) { return reads->Versions(model); };
  source.total_memory_bytes = PhysicalMemoryBytes();
  return source;
}

}  // namespace recplat::http::ecoseller
