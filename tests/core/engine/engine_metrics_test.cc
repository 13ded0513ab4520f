// The engine's metrics: which model and version served each stage, and stage latencies per
// surface.
#include <map>
#include <string>

#include "core/engine/engine.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_fixture.h"

namespace recplat::engine {
namespace {

// The counter value, or histogram sample count, of the series of `family` with exactly
// `labels`; -1 when there is none.
double Series(prometheus::Registry& registry, const std::string& family,
              const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      std::map<std::string, std::string> got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got != labels) continue;
      return f.type == prometheus::MetricType::Histogram
                 ? static_cast<double>(m.histogram.sample_count)
                 : m.counter.value;
    }
  }
  return -1;
}

TEST_F(EngineTest, CountsTheModelAndVersionOfEveryStage) {
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  s.scoring = {"scorer"};
  Build({{"ranker", {{"items", "2:3,3:2"}}},
         {"scorer", {{"family", "scripted_trained"}, {"items", "3:5,2:1"}}}},
        s);
  ASSERT_EQ(Publish("scorer"), 1);
  ASSERT_OK(engine_->Recommend(Request(2)).status());
  ASSERT_EQ(Publish("scorer"), 2);
  ASSERT_OK(engine_->Recommend(Request(2)).status());
  ASSERT_OK(engine_->Recommend(Request(2)).status());
  const char* kStage = "recplat_recommend_stage_total";
  EXPECT_EQ(
      Series(
          metrics_, kStage,
          {{"surface", "default"}, {"stage", "retrieval"}, {"model", "ranker"}, {"version", "0"}}),
      3);
  EXPECT_EQ(
      Series(metrics_, kStage,
             {{"surface", "default"}, {"stage", "scoring"}, {"model", "scorer"}, {"version", "1"}}),
      1);
  EXPECT_EQ(
      Series(metrics_, kStage,
             {{"surface", "default"}, {"stage", "scoring"}, {"model", "scorer"}, {"version", "2"}}),
      2);
}

TEST_F(EngineTest, TimesEveryStageOfEverySurface) {
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  extra_surfaces_["feed"] = config::SurfaceConfig{};
  Build({{"ranker", {{"items", "2:3,3:2"}}}}, s);
  ASSERT_OK(engine_->Recommend(Request(2)).status());
  ASSERT_OK(engine_->Recommend(Request(2)).status());
  const char* kLatency = "recplat_engine_stage_latency_seconds";
  for (const char* stage : {"context", "retrieval", "scoring", "ordering"}) {
    EXPECT_EQ(Series(metrics_, kLatency, {{"surface", "default"}, {"stage", stage}}), 2) << stage;
    // Declared for every configured surface, so dashboards see it before its first request.
    EXPECT_EQ(Series(metrics_, kLatency, {{"surface", "feed"}, {"stage", stage}}), 0) << stage;
  }
}

}  // namespace
}  // namespace recplat::engine
