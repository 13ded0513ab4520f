#include "frontends/http_rest/route_metrics.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "core/common/metrics/metrics.h"

namespace recplat::http {

RouteMetrics::RouteMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("recplat_http_requests_total")
                    .Help("HTTP requests answered, by route pattern, method and status code")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("recplat_http_request_latency_seconds")
                   .Help("Latency of HTTP requests, by route pattern, method and status code")
                   .Register(registry)) {}

absl::string_view RouteMetrics::MethodLabel(absl::string_view method) {
  static constexpr std::array<absl::string_view, 9> kMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  for (absl::string_view known : kMethods) {
    if (method == known) return known;
  }
  return "other";
}

void RouteMetrics::Record(absl::string_view route, absl::string_view method, int status,
                          double seconds) {
  const absl::string_view method_label = MethodLabel(method);
  // A copy: another thread's insertion may move the map's slots once the lock is released.
  Series s;
  {
    absl::MutexLock lock(&mu_);
    auto key = std::make_tuple(std::string(route), std::string(method_label), status);
    auto it = series_.find(key);
    if (it == series_.end()) {
      const prometheus::Labels labels = {{"route", std::get<0>(key)},
                                         {"method", std::get<1>(key)},
                                         {"code", absl::StrCat(status)}};
      const Series created{&requests_.Add(labels),
                           &latency_.Add(labels, metrics::LatencyBuckets())};
      it = series_.emplace(std::move(key), created).first;
    }
    s = it->second;
  }
  s.count->Increment();
  s.latency->Observe(seconds);
}

}  // namespace recplat::http
