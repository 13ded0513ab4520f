// Unit tests of core/common/metrics: request metrics, the /metrics exposer, address parsing.
#include "core/common/metrics/metrics.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "tests/e2e/http_client.h"
#include "tests/testing/status_matchers.h"

namespace recplat::metrics {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// The value of the series of `family` whose labels include every pair of `labels`.
double Value(prometheus::Registry& registry, const std::string& family,
             const std::map<std::string, std::string>& labels, bool histogram_count = false) {
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      bool match = true;
      for (const auto& [k, v] : labels) {
        bool found = false;
        for (const prometheus::ClientMetric::Label& l : m.label) {
          found = found || (l.name == k && l.value == v);
        }
        match = match && found;
      }
      if (match) {
        return histogram_count ? static_cast<double>(m.histogram.sample_count) : m.counter.value;
      }
    }
  }
  return -1;
}

TEST(RequestMetricsTest, CountsAndTimesByMethodAndCode) {
  prometheus::Registry registry;
  RequestMetrics metrics(registry, "unit");
  metrics.Record("Recommend", "OK", 0.002);
  metrics.Record("Recommend", "OK", 0.004);
  metrics.Record("Recommend", "NOT_FOUND", 0.001);
  metrics.Record("Train", "OK", 1.5);
  EXPECT_EQ(
      Value(registry, "recplat_unit_requests_total", {{"method", "Recommend"}, {"code", "OK"}}), 2);
  EXPECT_EQ(Value(registry, "recplat_unit_requests_total",
                  {{"method", "Recommend"}, {"code", "NOT_FOUND"}}),
            1);
  EXPECT_EQ(Value(registry, "recplat_unit_request_latency_seconds",
                  {{"method", "Train"}, {"code", "OK"}}, /*histogram_count=*/true),
            1);
}

TEST(RequestMetricsTest, ConcurrentRecordsAreAllCounted) {
  prometheus::Registry registry;
  RequestMetrics metrics(registry, "conc");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) metrics.Record(t % 2 ? "A" : "B", "OK", 0.0001);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Value(registry, "recplat_conc_requests_total", {{"method", "A"}}), 2000);
  EXPECT_EQ(Value(registry, "recplat_conc_requests_total", {{"method", "B"}}), 2000);
}

// Label values that would collide if joined naively stay distinct series, and a call with the
// wrong number of values counts nothing.
TEST(RequestSeriesTest, KeepsValueTuplesApartAndIgnoresMismatchedCalls) {
  prometheus::Registry registry;
  auto& requests = prometheus::BuildCounter().Name("t_requests_total").Register(registry);
  auto& latency = prometheus::BuildHistogram().Name("t_latency_seconds").Register(registry);
  RequestSeries series(requests, latency, {"a", "b"});
  series.Record({"x", "yz"}, 0.001);
  series.Record({"xy", "z"}, 0.001);
  series.Record({"xy", "z"}, 0.003);
  series.Record({"", ""}, 0.001);
  series.Record({"only-one"}, 0.001);
  series.Record({"x", "y", "z"}, 0.001);
  EXPECT_EQ(Value(registry, "t_requests_total", {{"a", "x"}, {"b", "yz"}}), 1);
  EXPECT_EQ(Value(registry, "t_requests_total", {{"a", "xy"}, {"b", "z"}}), 2);
  EXPECT_EQ(Value(registry, "t_requests_total", {{"a", ""}, {"b", ""}}), 1);
  EXPECT_EQ(Value(registry, "t_latency_seconds", {{"a", "xy"}, {"b", "z"}}, true), 2);
  size_t series_count = 0;
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    if (f.name == "t_requests_total") series_count = f.metric.size();
  }
  EXPECT_EQ(series_count, 3u);
}

TEST(BucketsTest, AreSortedAndCoverTheirRanges) {
  for (const auto* buckets : {&LatencyBuckets(), &JobDurationBuckets()}) {
    ASSERT_FALSE(buckets->empty());
    EXPECT_TRUE(std::is_sorted(buckets->begin(), buckets->end()));
  }
  EXPECT_LE(LatencyBuckets().front(), 0.0001);
  EXPECT_GE(LatencyBuckets().back(), 5.0);
  EXPECT_GE(JobDurationBuckets().back(), 3600.0);
}

TEST(SplitHostPortTest, ParsesHostsAndRejectsGarbage) {
  ASSERT_OK_AND_ASSIGN(auto v4, SplitHostPort("127.0.0.1:9464"));
  EXPECT_EQ(v4.first, "127.0.0.1");
  EXPECT_EQ(v4.second, 9464);
  ASSERT_OK_AND_ASSIGN(auto v6, SplitHostPort("[::1]:0"));
  EXPECT_EQ(v6.first, "[::1]");  // Kept in brackets, so host + ":" + port stays valid.
  EXPECT_EQ(v6.second, 0);
  EXPECT_THAT(SplitHostPort("no-port").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SplitHostPort("h:99999").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SplitHostPort("h:x1").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

class OneGauge final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily f;
    f.name = "recplat_unit_collected";
    f.help = "A value reported at scrape time";
    f.type = prometheus::MetricType::Gauge;
    prometheus::ClientMetric m;
    m.gauge.value = 42;
    f.metric.push_back(m);
    return {f};
  }
};

TEST(MetricsExposerTest, ServesTheRegistryAndCollectablesOnAFreePort) {
  auto registry = std::make_shared<prometheus::Registry>();
  RequestMetrics metrics(*registry, "served");
  metrics.Record("Get", "OK", 0.01);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MetricsExposer> exposer,
                       MetricsExposer::Start("127.0.0.1:0", registry));
  EXPECT_THAT(exposer->bound_address(), ::testing::StartsWith("127.0.0.1:"));
  EXPECT_NE(exposer->bound_address(), "127.0.0.1:0");
  auto extra = std::make_shared<OneGauge>();
  exposer->Register(extra);
  recplat::testing::HttpClient client(exposer->bound_address());
  recplat::testing::HttpResult got = client.Get("/metrics");
  ASSERT_EQ(got.status, 200);
  EXPECT_THAT(got.body, HasSubstr("recplat_served_requests_total{"));
  EXPECT_THAT(got.body, HasSubstr("recplat_unit_collected 42"));
  // Every exposer also reports the process it runs in.
  EXPECT_THAT(got.body, HasSubstr("process_resident_memory_bytes "));
  EXPECT_THAT(got.body, HasSubstr("process_open_fds "));
}

// Uses about `levels` KiB of stack: more than the 100 KiB thread stacks of the civetweb listener
// the exposer replaced.
int DeepRecursion(int levels) {
  volatile char frame[1024];
  frame[0] = 1;
  if (levels == 0) return 0;
  return DeepRecursion(levels - 1) + frame[0];
}

class DeepGauge : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily f;
    f.name = "recplat_unit_deep";
    f.help = "Collected with 1 MiB of stack";
    f.type = prometheus::MetricType::Gauge;
    prometheus::ClientMetric m;
    m.gauge.value = DeepRecursion(1024);
    f.metric.push_back(m);
    return {f};
  }
};

TEST(MetricsExposerTest, ACollectableMayUseAMebibyteOfStack) {
  auto registry = std::make_shared<prometheus::Registry>();
  ASSERT_OK_AND_ASSIGN(auto exposer, MetricsExposer::Start("127.0.0.1:0", registry));
  auto deep = std::make_shared<DeepGauge>();
  exposer->Register(deep);
  recplat::testing::HttpClient client(exposer->bound_address());
  recplat::testing::HttpResult got = client.Get("/metrics");
  ASSERT_EQ(got.status, 200);
  EXPECT_THAT(got.body, HasSubstr("recplat_unit_deep 1024"));
}

TEST(MetricsExposerTest, OtherPathsAndMethodsAreRefusedAndTheConnectionIsKept) {
  auto registry = std::make_shared<prometheus::Registry>();
  ASSERT_OK_AND_ASSIGN(auto exposer, MetricsExposer::Start("127.0.0.1:0", registry));
  recplat::testing::HttpClient client(exposer->bound_address());
  EXPECT_EQ(client.Get("/").status, 404);
  EXPECT_EQ(client.Send(boost::beast::http::verb::post, "/metrics", "").status, 405);
  recplat::testing::HttpResult got = client.Get("/metrics?debug=1");
  EXPECT_EQ(got.status, 200);
  EXPECT_THAT(got.content_type, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(got.body, HasSubstr("process_open_fds "));
  // A body is not accepted (the connection is closed without an answer).
  EXPECT_EQ(client.Post("/metrics", "{}").status, 0);
  EXPECT_EQ(client.Get("/metrics").status, 200);
}

TEST(MetricsExposerTest, AnExpiredCollectableIsDropped) {
  auto registry = std::make_shared<prometheus::Registry>();
  ASSERT_OK_AND_ASSIGN(auto exposer, MetricsExposer::Start("127.0.0.1:0", registry));
  auto extra = std::make_shared<OneGauge>();
  exposer->Register(extra);
  recplat::testing::HttpClient client(exposer->bound_address());
  EXPECT_THAT(client.Get("/metrics").body, HasSubstr("recplat_unit_collected 42"));
  extra.reset();
  EXPECT_THAT(client.Get("/metrics").body, Not(HasSubstr("recplat_unit_collected")));
}

TEST(MetricsExposerTest, ABusyPortIsUnavailable) {
  auto registry = std::make_shared<prometheus::Registry>();
  ASSERT_OK_AND_ASSIGN(auto first, MetricsExposer::Start("127.0.0.1:0", registry));
  EXPECT_THAT(MetricsExposer::Start(first->bound_address(), registry).status(),
              StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace recplat::metrics
