// Unit tests of apps/recplat/runtime_metrics: the scrape-time metrics of a recplat process
// (serving model versions, their training time and quality; the materializer's lag; the data
// directory's filesystem; readiness).
#include "apps/recplat/runtime_metrics.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "core/ingest/materializer.h"
#include "core/log/event_log.h"
#include "core/state/state_store.h"
#include "gtest/gtest.h"
#include "recplat/v1/log_record.pb.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_model_family.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::app {
namespace {

// "<family>{<label>=<value>,...}" -> value for every series `collector` reports (labels in
// name order).
std::map<std::string, double> Collected(const prometheus::Collectable& collector) {
  std::map<std::string, double> out;
  for (const prometheus::MetricFamily& f : collector.Collect()) {
    EXPECT_EQ(f.type, prometheus::MetricType::Gauge) << f.name;
    for (const prometheus::ClientMetric& m : f.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& l : m.label) labels[l.name] = l.value;
      std::string key = f.name + "{";
      for (const auto& [k, v] : labels) key += k + "=" + v + ",";
      out[key + "}"] = m.gauge.value;
    }
  }
  return out;
}

class ModelCollectorTest : public ::testing::Test {
 protected:
  ModelCollectorTest() {
    auto fake = std::make_unique<testing::FakeModelFamily>("fake");
    fake_ = fake.get();
    EXPECT_OK(families_.Register(std::move(fake)));
    EXPECT_OK(families_.Register(std::make_unique<testing::FakeModelFamily>("fixed", false)));
    registry::RegistryOptions options;
    options.root = dir_.path() / "models";
    options.families = &families_;
    options.clock = &clock_;
    options.models["knn"].family = "fake";
    options.models["static"].family = "fixed";
    auto registry = registry::ModelRegistry::Create(options);
    EXPECT_OK(registry.status());
    registry_ = *std::move(registry);
  }

  // Trains, commits and promotes a version of (tenant, knn) whose quality figure "value" is
  // `value`, at the clock's time.
  void Publish(const std::string& tenant, double value) {
    auto pending = registry_->BeginVersion(tenant, "knn");
    ASSERT_OK(pending.status());
    ASSERT_OK(registry_->CommitVersion(*pending, *fake_->MakeModel(value), v1::TrainingStats()));
    ASSERT_OK(registry_->Promote(tenant, "knn", pending->version).status());
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{1'700'000'000'000};
  models::ModelFamilyRegistry families_;
  testing::FakeModelFamily* fake_ = nullptr;
  std::unique_ptr<registry::ModelRegistry> registry_;
};

TEST_F(ModelCollectorTest, ReportsTheServingVersionItsTrainingTimeAndQuality) {
  const ModelCollector collector(*registry_);
  EXPECT_TRUE(Collected(collector).empty());  // no tenant has a version yet
  Publish("shop", 0.5);
  clock_.AdvanceMs(60'000);
  Publish("shop", 0.75);
  const std::map<std::string, double> got = Collected(collector);
  // The untrained model has no series; the trained one reports its second version.
  EXPECT_EQ(
      got, (std::map<std::string, double>{
               {"recplat_model_current_version{model=knn,tenant=shop,}", 2},
               {"recplat_model_created_timestamp_seconds{model=knn,tenant=shop,}", 1'700'000'060.0},
               {"recplat_model_quality{metric=value,model=knn,tenant=shop,}", 0.75}}));
}

TEST(LogLagCollectorTest, ReportsWhatTheLogHoldsBeyondTheAppliedOffset) {
  testing::TempDir dir;
  testing::FakeClock clock;
  std::unique_ptr<log::EventLog> log = log::NewInMemoryEventLog();
  state::StateStoreOptions so;
  so.path = (dir.path() / "state").string();
  so.clock = &clock;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<state::StateStore> state, state::OpenRocksDbStateStore(so));
  ingest::Materializer materializer(*log, *state, ingest::MaterializerOptions{});
  const LogLagCollector collector(*log, materializer);
  EXPECT_EQ(Collected(collector)["recplat_materializer_lag_records{}"], 0);
  // Appended but not applied (the materializer is not running): the lag grows.
  std::vector<std::string> records;
  for (int i = 0; i < 3; ++i) {
    v1::LogRecord r;
    r.mutable_item_upsert()->set_tenant("t");
    r.mutable_item_upsert()->set_id("i" + std::to_string(i));
    records.push_back(r.SerializeAsString());
  }
  ASSERT_OK(log->Append(records).status());
  EXPECT_EQ(Collected(collector)["recplat_materializer_lag_records{}"], 3);
  ASSERT_OK(materializer.CatchUp());
  EXPECT_EQ(Collected(collector)["recplat_materializer_lag_records{}"], 0);
}

TEST(StateMemoryCollectorTest, ReportsTheStateDatabaseMemoryAndItsBound) {
  testing::TempDir dir;
  testing::FakeClock clock;
  state::StateStoreOptions so;
  so.path = (dir.path() / "state").string();
  so.clock = &clock;
  so.block_cache_bytes = 64 << 20;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<state::StateStore> state, state::OpenRocksDbStateStore(so));
  const StateMemoryCollector collector(*state);
  std::map<std::string, double> got = Collected(collector);
  EXPECT_EQ(got["recplat_state_block_cache_capacity_bytes{}"], 64 << 20);
  ASSERT_TRUE(got.count("recplat_state_memory_bytes{kind=memtables,}"));
  ASSERT_TRUE(got.count("recplat_state_memory_bytes{kind=table_readers,}"));
  ASSERT_TRUE(got.count("recplat_state_memory_bytes{kind=block_cache,}"));
  // A write lands in a memtable, which the next scrape shows.
  const double before = got["recplat_state_memory_bytes{kind=memtables,}"];
  v1::LogRecord r;
  r.mutable_item_upsert()->set_tenant("t");
  r.mutable_item_upsert()->set_id(std::string(4096, 'x'));
  std::vector<state::OffsetRecord> batch = {{0, &r}};
  ASSERT_OK(state->Apply(batch));
  EXPECT_GT(Collected(collector)["recplat_state_memory_bytes{kind=memtables,}"], before);
}

TEST(LogMemoryCollectorTest, ReportsTheLogDatabaseMemory) {
  testing::TempDir dir;
  log::RocksDbEventLogOptions lo;
  lo.path = (dir.path() / "log").string();
  lo.sync = false;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<log::EventLog> log, log::OpenRocksDbEventLog(lo));
  const LogMemoryCollector collector(*log);
  std::map<std::string, double> got = Collected(collector);
  EXPECT_EQ(got["recplat_log_block_cache_capacity_bytes{}"], 8 << 20);
  ASSERT_TRUE(got.count("recplat_log_memory_bytes{kind=table_readers,}"));
  ASSERT_TRUE(got.count("recplat_log_memory_bytes{kind=block_cache,}"));
  const double before = got["recplat_log_memory_bytes{kind=memtables,}"];
  ASSERT_OK(log->Append({std::string(64 << 10, 'x')}).status());
  EXPECT_GE(Collected(collector)["recplat_log_memory_bytes{kind=memtables,}"], before + (64 << 10));
  // A log kept in memory has no database: zeros.
  std::unique_ptr<log::EventLog> memory = log::NewInMemoryEventLog();
  EXPECT_EQ(Collected(LogMemoryCollector(*memory))["recplat_log_memory_bytes{kind=memtables,}"], 0);
}

TEST(DataDirCollectorTest, ReportsTheFilesystemOrNothing) {
  testing::TempDir dir;
  std::map<std::string, double> got = Collected(DataDirCollector(dir.path().string()));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_GT(got["recplat_data_dir_avail_bytes{}"], 0);
  EXPECT_GE(got["recplat_data_dir_size_bytes{}"], got["recplat_data_dir_avail_bytes{}"]);
  EXPECT_TRUE(Collected(DataDirCollector((dir.path() / "missing").string())).empty());
}

TEST(ReadyCollectorTest, FollowsReadiness) {
  std::atomic<bool> ready{false};
  const ReadyCollector collector([&ready] { return ready.load(); });
  EXPECT_EQ(Collected(collector)["recplat_ready{}"], 0);
  ready = true;
  EXPECT_EQ(Collected(collector)["recplat_ready{}"], 1);
}

}  // namespace
}  // namespace recplat::app
