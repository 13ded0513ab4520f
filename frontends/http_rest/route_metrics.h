// File: route_metrics.h
//
// RouteMetrics: request count and latency of the HTTP listener, by route, method and status:
//   recplat_http_requests_total{route, method, code}
//   recplat_http_request_latency_seconds{route, method, code}   (histogram, LatencyBuckets)
// `route` is the matched route's label (its pattern, e.g. "/v1/items/{id}", unless the route set
// names it) or "unmatched", never the raw path, and `method` is one of the standard HTTP methods
// or "other", so the number of series is bounded by the routes, not by what clients send.
// Every route set mounted on the Router (native, ecoseller, later ones) is counted alike.
//
// Thread-safety: Record() is thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include "core/common/metrics/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace recplat::http {

class RouteMetrics {
 public:
  explicit RouteMetrics(prometheus::Registry& registry);

  // Records one answered request: `status` is the HTTP status sent, `seconds` the time from the
  // complete request to the response being handed to the socket.
  void Record(absl::string_view route, absl::string_view method, int status, double seconds);

  // `method` if it is a standard HTTP method (GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS,
  // CONNECT, TRACE), else "other".
  static absl::string_view MethodLabel(absl::string_view method);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  metrics::RequestSeries series_;
};

}  // namespace recplat::http
