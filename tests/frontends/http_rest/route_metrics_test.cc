// Unit tests of frontends/http_rest/route_metrics: series by route, method and code.
#include "frontends/http_rest/route_metrics.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace recplat::http {
namespace {

// The counter (or histogram sample count) of the series with exactly these labels; -1 if none.
double Value(prometheus::Registry& registry, const std::string& family, const std::string& route,
             const std::string& method, const std::string& code) {
  for (const auto& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& l : m.label) labels[l.name] = l.value;
      const std::map<std::string, std::string> want = {
          {"route", route}, {"method", method}, {"code", code}};
      if (labels != want) continue;
      return f.type == prometheus::MetricType::Histogram
                 ? static_cast<double>(m.histogram.sample_count)
                 : m.counter.value;
    }
  }
  return -1;
}

TEST(RouteMetricsTest, CountsByRouteMethodAndCode) {
  prometheus::Registry registry;
  RouteMetrics metrics(registry);
  metrics.Record("/v1/items/{id}", "GET", 200, 0.001);
  metrics.Record("/v1/items/{id}", "GET", 200, 0.002);
  metrics.Record("/v1/items/{id}", "GET", 404, 0.001);
  metrics.Record("/v1/items/{id}", "DELETE", 200, 0.003);
  metrics.Record("unmatched", "POST", 404, 0.0001);
  const char* kCount = "recplat_http_requests_total";
  EXPECT_EQ(Value(registry, kCount, "/v1/items/{id}", "GET", "200"), 2);
  EXPECT_EQ(Value(registry, kCount, "/v1/items/{id}", "GET", "404"), 1);
  EXPECT_EQ(Value(registry, kCount, "/v1/items/{id}", "DELETE", "200"), 1);
  EXPECT_EQ(Value(registry, kCount, "unmatched", "POST", "404"), 1);
  EXPECT_EQ(Value(registry, kCount, "/v1/items/{id}", "POST", "200"), -1);
  EXPECT_EQ(Value(registry, "recplat_http_request_latency_seconds", "/v1/items/{id}", "GET", "200"),
            2);
}

TEST(RouteMetricsTest, BoundsTheMethodLabel) {
  EXPECT_EQ(RouteMetrics::MethodLabel("GET"), "GET");
  EXPECT_EQ(RouteMetrics::MethodLabel("OPTIONS"), "OPTIONS");
  EXPECT_EQ(RouteMetrics::MethodLabel("get"), "other");  // methods are case-sensitive
  EXPECT_EQ(RouteMetrics::MethodLabel("X-RANDOM-1234"), "other");
  EXPECT_EQ(RouteMetrics::MethodLabel(""), "other");
  prometheus::Registry registry;
  RouteMetrics metrics(registry);
  for (const char* m : {"A", "B", "C"}) metrics.Record("unmatched", m, 405, 0.001);
  EXPECT_EQ(Value(registry, "recplat_http_requests_total", "unmatched", "other", "405"), 3);
}

TEST(RouteMetricsTest, ConcurrentRecordsAreAllCounted) {
  prometheus::Registry registry;
  RouteMetrics metrics(registry);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 500; ++i) metrics.Record("/r", "GET", t % 2 ? 200 : 500, 0.0001);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Value(registry, "recplat_http_requests_total", "/r", "GET", "200"), 1000);
  EXPECT_EQ(Value(registry, "recplat_http_requests_total", "/r", "GET", "500"), 1000);
}

}  // namespace
}  // namespace recplat::http
