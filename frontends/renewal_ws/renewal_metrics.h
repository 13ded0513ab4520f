// File: renewal_metrics.h
//
// RenewalMetrics: the Prometheus metrics of the renewal frontend, on the process registry
// (served at /metrics with the core's):
//   recplat_renewal_calls_total{method, code}   JSON-RPC calls completed, by status code
//   recplat_renewal_call_seconds{method}        handler time (histogram, 100 µs .. 2.5 s)
//   recplat_renewal_connected                   1 while the event stream is up
//   recplat_renewal_connections_total           event-stream connections made
//   recplat_renewal_syncs_total{result}         REST syncs before a connection (ok / error)
//   recplat_renewal_synced_articles_total       articles received by those syncs
// `method` is one of the six Renewal methods or "other": the backend names methods, so an
// unknown name must not create a new series.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace recplat::renewal_ws {

class RenewalMetrics {
 public:
  // Registers the families on `registry`, which must outlive this object.
  explicit RenewalMetrics(prometheus::Registry& registry);

  void ObserveCall(std::string_view method, const absl::Status& status, absl::Duration elapsed);
  void SetConnected(bool connected);
  void CountSync(bool ok, size_t articles);

  // The label a method name is counted under.
  static std::string_view MethodLabel(std::string_view method);

 private:
  static constexpr size_t kMethods = 7;  // Six methods and "other".

  prometheus::Family<prometheus::Counter>& calls_;
  std::array<prometheus::Histogram*, kMethods> latency_{};
  prometheus::Gauge& connected_;
  prometheus::Counter& connections_;
  prometheus::Family<prometheus::Counter>& syncs_;
  prometheus::Counter& syncs_ok_;
  prometheus::Counter& syncs_failed_;
  prometheus::Counter& synced_articles_;
};

}  // namespace recplat::renewal_ws
