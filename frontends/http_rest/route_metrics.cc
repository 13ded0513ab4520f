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
                   .Register(registry)),
      series_(requests_, latency_, {"route", "method", "code"}) {}

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
  const absl::AlphaNum code(status);
  series_.Record({route, MethodLabel(method), code.Piece()}, seconds);
}

}  // namespace recplat::http
