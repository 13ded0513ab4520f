// File: metrics.h
//
// Prometheus metrics of recplat (prometheus-cpp). One prometheus::Registry per process is
// created in main and handed to components, which declare their metrics once, in one struct,
// when they are created (see e.g. RequestMetrics below). MetricsExposer serves the registry at
// GET /metrics on the `metrics.listen` address.
//
// Thread-safety: prometheus-cpp metrics are thread-safe; RequestSeries and RequestMetrics are
// thread-safe.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/common/tls.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace prometheus {
class Collectable;
}

namespace recplat::metrics {

// Latency buckets, seconds: 50 µs .. 10 s.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();
// Duration buckets for long jobs (training), seconds: 10 ms .. 1 h.
const prometheus::Histogram::BucketBoundaries& JobDurationBuckets();

// A request counter and a latency histogram (LatencyBuckets) per tuple of label values, created
// on first use and cached; the families own the metrics, which stay put. The one series cache
// behind RequestMetrics and the HTTP listener's route metrics: callers bound the label values
// (method names, route patterns, status codes), never pass raw client input.
//
// Thread-safety: Record() is thread-safe; lookups of existing series share a reader lock.
class RequestSeries {
 public:
  // `label_names` name the values Record() is given, in order. The families must outlive this.
  RequestSeries(prometheus::Family<prometheus::Counter>& requests,
                prometheus::Family<prometheus::Histogram>& latency,
                std::vector<std::string> label_names);

  // Counts one request with `seconds` of latency under `values` (one per label name; a size
  // mismatch is a programming error and is not counted).
  void Record(std::initializer_list<absl::string_view> values, double seconds);

 private:
  struct Series {
    prometheus::Counter* count;
    prometheus::Histogram* latency;
  };
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  const std::vector<std::string> label_names_;
  absl::Mutex mu_;
  // Keyed by the values joined with '\x1f'.
  absl::flat_hash_map<std::string, Series> series_ ABSL_GUARDED_BY(mu_);
};

// Request count and latency by method and status code, for one frontend (`recplat_<frontend>_*`
// metric names, e.g. recplat_grpc_requests_total{method,code}).
class RequestMetrics {
 public:
  RequestMetrics(prometheus::Registry& registry, absl::string_view frontend);

  // Records one finished request. `code` is the protocol's status text (e.g. "OK",
  // "INVALID_ARGUMENT", or an HTTP status like "404").
  void Record(absl::string_view method, absl::string_view code, double seconds) {
    series_.Record({method, code}, seconds);
  }

 private:
  RequestSeries series_;
};

// recplat_auth_failures_total{transport, reason}: requests of one transport ("http", "grpc")
// refused by the API-key check, by reason ("missing", "invalid", "forbidden"; api_keys.h). The
// series of every reason exist from the start (at 0), so a rate over them is never empty.
class AuthFailureMetrics {
 public:
  AuthFailureMetrics(prometheus::Registry& registry, absl::string_view transport);

  // Counts one refusal; `reason` is one of the three above (others are not counted).
  void Record(absl::string_view reason);

 private:
  prometheus::Counter* missing_;
  prometheus::Counter* invalid_;
  prometheus::Counter* forbidden_;
};

// How the metrics listener is protected; by default it is plain HTTP and open.
struct MetricsServerOptions {
  // HTTPS only (TLS 1.2+) when a certificate is set; with client CAs, mutual TLS.
  common::ServerTls tls;
  // When set, every request must carry credentials it accepts (the Authorization header's
  // value, empty when there is none), else 401 with `WWW-Authenticate: Bearer`. Called on the
  // I/O threads: thread-safe, quick, constant-time in the secret (apps use api::ApiKeys).
  std::function<bool(std::string_view authorization)> authorize;
};

// Serves GET /metrics (Prometheus text format 0.0.4): the registry, what is Register()ed, and the
// standard process metrics (ProcessCollector, process_metrics.h) of this process; 404 for other
// paths, 405 for other methods. Owns the HTTP listener (Boost.Beast, two threads with
// the default thread stack, so a collectable may use as much stack as any other code: the
// civetweb listener it replaces ran collectables on 100 KiB stacks and overflowed them under
// AddressSanitizer); destroying it stops serving. Each connection has a 10 s deadline per
// request.
//
// Thread-safety: Register() may be called while serving.
class MetricsExposer {
 public:
  // Binds `listen` ("host:port"; port 0 picks a free port). UNAVAILABLE when it cannot bind.
  // INVALID_ARGUMENT when `options.tls` does not load (common::CheckServerTls).
  static absl::StatusOr<std::unique_ptr<MetricsExposer>> Start(
      const std::string& listen, std::shared_ptr<prometheus::Registry> registry,
      MetricsServerOptions options = {});
  ~MetricsExposer();

  // "host:port" actually bound.
  const std::string& bound_address() const { return bound_address_; }

  // Also serves what `collectable` reports (held weakly: it must outlive serving, or expire).
  void Register(const std::weak_ptr<prometheus::Collectable>& collectable);

 private:
  class Listener;
  MetricsExposer() = default;
  std::unique_ptr<Listener> listener_;
  std::string bound_address_;
};

// Splits "host:port"; an IPv6 host keeps its brackets ("[::1]"), so host + ":" + port is again a
// valid address. INVALID_ARGUMENT when malformed.
absl::StatusOr<std::pair<std::string, int>> SplitHostPort(absl::string_view listen);

}  // namespace recplat::metrics
