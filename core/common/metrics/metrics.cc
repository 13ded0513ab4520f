#include "core/common/metrics/metrics.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace recplat::metrics {

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* b = new prometheus::Histogram::BucketBoundaries{
      50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3, 25e-3,
      50e-3, 100e-3, 250e-3, 500e-3, 1.0,  2.5,  5.0,  10.0};
  return *b;
}

const prometheus::Histogram::BucketBoundaries& JobDurationBuckets() {
  static const auto* b = new prometheus::Histogram::BucketBoundaries{
      0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
  return *b;
}

RequestSeries::RequestSeries(prometheus::Family<prometheus::Counter>& requests,
                             prometheus::Family<prometheus::Histogram>& latency,
                             std::vector<std::string> label_names)
    : requests_(requests), latency_(latency), label_names_(std::move(label_names)) {}

void RequestSeries::Record(std::initializer_list<absl::string_view> values, double seconds) {
  if (values.size() != label_names_.size()) return;
  // Reused per thread: the common case (a known series) allocates nothing.
  thread_local std::string key;
  key.clear();
  bool first = true;
  for (absl::string_view value : values) {
    if (!first) key.push_back('\x1f');
    first = false;
    key.append(value.data(), value.size());
  }
  // A copy: another thread's insertion may move the map's slots once the lock is released (the
  // metrics it points to are owned by their families and stay put).
  Series s{};
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = series_.find(key);
    if (it != series_.end()) s = it->second;
  }
  if (s.count == nullptr) {
    absl::MutexLock lock(&mu_);
    auto it = series_.find(key);
    if (it == series_.end()) {
      prometheus::Labels labels;
      size_t i = 0;
      for (absl::string_view value : values) labels.emplace(label_names_[i++], std::string(value));
      const Series created{&requests_.Add(labels), &latency_.Add(labels, LatencyBuckets())};
      it = series_.emplace(key, created).first;
    }
    s = it->second;
  }
  s.count->Increment();
  s.latency->Observe(seconds);
}

RequestMetrics::RequestMetrics(prometheus::Registry& registry, absl::string_view frontend)
    : series_(prometheus::BuildCounter()
                  .Name(absl::StrCat("recplat_", frontend, "_requests_total"))
                  .Help(absl::StrCat("Requests served by the ", frontend,
                                     " frontend, by method and status code"))
                  .Register(registry),
              prometheus::BuildHistogram()
                  .Name(absl::StrCat("recplat_", frontend, "_request_latency_seconds"))
                  .Help(absl::StrCat("Latency of ", frontend, " requests, by method and status code"))
                  .Register(registry),
              {"method", "code"}) {}

AuthFailureMetrics::AuthFailureMetrics(prometheus::Registry& registry,
                                       absl::string_view transport) {
  auto& family = prometheus::BuildCounter()
                     .Name("recplat_auth_failures_total")
                     .Help("Requests refused by the API-key check, by transport and reason")
                     .Register(registry);
  const std::string t(transport);
  missing_ = &family.Add({{"transport", t}, {"reason", "missing"}});
  invalid_ = &family.Add({{"transport", t}, {"reason", "invalid"}});
  forbidden_ = &family.Add({{"transport", t}, {"reason", "forbidden"}});
}

void AuthFailureMetrics::Record(absl::string_view reason) {
  if (reason == "missing") {
    missing_->Increment();
  } else if (reason == "invalid") {
    invalid_->Increment();
  } else if (reason == "forbidden") {
    forbidden_->Increment();
  }
}

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(absl::string_view listen) {
  size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("expected host:port, got '", listen, "'"));
  }
  std::string host(listen.substr(0, colon));
  int port;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in '", listen, "'"));
  }
  return std::make_pair(host, port);
}

}  // namespace recplat::metrics
