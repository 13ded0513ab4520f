#include "frontends/renewal_ws/renewal_metrics.h"

#include <string>

#include "absl/time/time.h"

namespace recplat::renewal_ws {

namespace {

constexpr std::array<std::string_view, 7> kMethodLabels = {
    "ping",           "recommend",     "new_article", "article_interaction",
    "assigned_user",  "unassigned_user", "other"};

size_t MethodIndex(std::string_view method) {
  for (size_t i = 0; i + 1 < kMethodLabels.size(); ++i) {
    if (kMethodLabels[i] == method) return i;
  }
  return kMethodLabels.size() - 1;
}

}  // namespace

RenewalMetrics::RenewalMetrics(prometheus::Registry& registry)
    : calls_(prometheus::BuildCounter()
                 .Name("recplat_renewal_calls_total")
                 .Help("JSON-RPC calls of the Renewal backend completed, by method and status code")
                 .Register(registry)),
      connected_(prometheus::BuildGauge()
                     .Name("recplat_renewal_connected")
                     .Help("1 while the Renewal event stream is connected")
                     .Register(registry)
                     .Add({})),
      connections_(prometheus::BuildCounter()
                       .Name("recplat_renewal_connections_total")
                       .Help("Renewal event-stream connections made")
                       .Register(registry)
                       .Add({})),
      syncs_(prometheus::BuildCounter()
                 .Name("recplat_renewal_syncs_total")
                 .Help("REST syncs with the Renewal backend before a connection, by result")
                 .Register(registry)),
      syncs_ok_(syncs_.Add({{"result", "ok"}})),
      syncs_failed_(syncs_.Add({{"result", "error"}})),
      synced_articles_(prometheus::BuildCounter()
                           .Name("recplat_renewal_synced_articles_total")
                           .Help("Articles received from GET /v1/articles by the syncs")
                           .Register(registry)
                           .Add({})) {
  auto& latency = prometheus::BuildHistogram()
                      .Name("recplat_renewal_call_seconds")
                      .Help("Time the JSON-RPC handlers of the Renewal methods ran")
                      .Register(registry);
  const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5};
  for (size_t i = 0; i < kMethods; ++i) {
    latency_[i] = &latency.Add({{"method", std::string(kMethodLabels[i])}}, buckets);
  }
}

std::string_view RenewalMetrics::MethodLabel(std::string_view method) {
  return kMethodLabels[MethodIndex(method)];
}

void RenewalMetrics::ObserveCall(std::string_view method, const absl::Status& status,
                                 absl::Duration elapsed) {
  const size_t index = MethodIndex(method);
  calls_
      .Add({{"method", std::string(kMethodLabels[index])},
            {"code", absl::StatusCodeToString(status.code())}})
      .Increment();
  latency_[index]->Observe(absl::ToDoubleSeconds(elapsed));
}

void RenewalMetrics::SetConnected(bool connected) {
  connected_.Set(connected ? 1 : 0);
  if (connected) connections_.Increment();
}

void RenewalMetrics::CountSync(bool ok, size_t articles) {
  (ok ? syncs_ok_ : syncs_failed_).Increment();
  synced_articles_.Increment(static_cast<double>(articles));
}

}  // namespace recplat::renewal_ws
