#include "core/training/trainer.h"

#include <deque>

#include "absl/time/clock.h"

#include "core/training/training_data_builder.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_model_family.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::training {
namespace {

using ::recplat::testing::FakeClock;
using ::recplat::testing::FakeModelFamily;
using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fake = std::make_unique<FakeModelFamily>("fake");
    fake_ = fake.get();
    ASSERT_OK(families_.Register(std::move(fake)));
    ASSERT_OK(families_.Register(std::make_unique<FakeModelFamily>("untrained", false)));
    state::StateStoreOptions so;
    so.path = (dir_.path() / "state").string();
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(state_, state::OpenRocksDbStateStore(so));
  }

  void Build(config::ModelConfig model, config::TrainingConfig training = {}) {
    model.family = "fake";
    registry::RegistryOptions ro;
    ro.root = dir_.path() / "models";
    ro.families = &families_;
    ro.clock = &clock_;
    ro.models["m"] = model;
    config::ModelConfig u;
    u.family = "untrained";
    ro.models["u"] = u;
    ASSERT_OK_AND_ASSIGN(registry_, registry::ModelRegistry::Create(ro));
    TrainerOptions to;
    to.event_types = {{"view", {1.0}}, {"buy", {5.0}}};
    to.training = training;
    trainer_ = std::make_unique<Trainer>(to, *state_, *registry_, clock_, metrics_);
  }

  void Events(int n, const std::string& tenant = "default") {
    std::deque<v1::LogRecord> records(n);
    std::vector<state::OffsetRecord> batch;
    for (int i = 0; i < n; ++i) {
      v1::Event* e = records[i].mutable_event();
      e->set_tenant(tenant);
      e->set_user_id("u" + std::to_string(i % 3));
      e->set_item_id("i" + std::to_string(i % 4));
      e->set_type(i % 2 == 0 ? "view" : "buy");
      e->set_timestamp_ms(1000 + i);
      batch.push_back({offset_++, &records[i]});
    }
    ASSERT_OK(state_->Apply(batch));
  }

  TempDir dir_;
  FakeClock clock_;
  prometheus::Registry metrics_;
  models::ModelFamilyRegistry families_;
  FakeModelFamily* fake_ = nullptr;
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<registry::ModelRegistry> registry_;
  std::unique_ptr<Trainer> trainer_;
  uint64_t offset_ = 0;
};

TEST_F(TrainerTest, TrainingDataReflectsTheState) {
  Events(6);
  ASSERT_OK_AND_ASSIGN(BuiltTrainingData built,
                       BuildTrainingData(*state_, "default", {{"buy", {5.0}}}, 42));
  const models::TrainingData& d = built.data;
  EXPECT_EQ(built.log_offset, 6u);
  EXPECT_EQ(d.num_users, 3u);
  EXPECT_EQ(d.num_items, 4u);
  ASSERT_EQ(d.interactions.size(), 6u);
  EXPECT_EQ(d.now_ms, 42);
  for (size_t i = 1; i < d.interactions.size(); ++i) {
    const auto& a = d.interactions[i - 1];
    const auto& b = d.interactions[i];
    EXPECT_TRUE(a.user < b.user || (a.user == b.user && a.timestamp_ms <= b.timestamp_ms));
  }
  ASSERT_EQ(d.event_types.size(), 2u);
  for (size_t t = 0; t < d.event_types.size(); ++t) {
    EXPECT_FLOAT_EQ(d.event_type_weights[t], d.event_types[t] == "buy" ? 5.0f : 1.0f);
  }
  EXPECT_EQ(d.item_ids[2], "i2");
}

TEST_F(TrainerTest, TrainNowRecordsStatsAndPromotes) {
  Build({});
  Events(10);
  ASSERT_OK_AND_ASSIGN(v1::ModelVersion v, trainer_->TrainNow("default", "m", "cli"));
  EXPECT_EQ(v.version(), 1);
  EXPECT_EQ(v.status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(v.training().trigger(), "cli");
  EXPECT_EQ(v.training().num_interactions(), 10);
  EXPECT_EQ(v.training().num_users(), 3);
  EXPECT_EQ(v.training().log_offset(), 10u);
  EXPECT_GT(v.training().peak_memory_bytes(), 0);
  ASSERT_NE(registry_->Current("default", "m"), nullptr);
  EXPECT_EQ(registry_->Current("default", "m")->version, 1);
}

TEST_F(TrainerTest, FailedTrainingKeepsThePreviousVersionServing) {
  Build({});
  Events(4);
  ASSERT_OK(trainer_->TrainNow("default", "m", "api").status());
  fake_->set_fail_fit(true);
  EXPECT_THAT(trainer_->TrainNow("default", "m", "api"), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(registry_->Current("default", "m")->version, 1);
  auto versions = registry_->List("default", "m");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].status(), v1::MODEL_STATUS_FAILED);
  EXPECT_FALSE(versions[0].error().empty());
}

TEST_F(TrainerTest, WithoutAutoPromoteVersionsStayPending) {
  config::ModelConfig mc;
  mc.auto_promote = false;
  Build(mc);
  Events(4);
  ASSERT_OK_AND_ASSIGN(v1::ModelVersion v, trainer_->TrainNow("default", "m", "api"));
  EXPECT_EQ(v.status(), v1::MODEL_STATUS_PENDING);
  EXPECT_EQ(registry_->Current("default", "m"), nullptr);
}

TEST_F(TrainerTest, UnknownAndUntrainableModelsAreRejected) {
  Build({});
  bool queued;
  EXPECT_THAT(trainer_->Enqueue("default", "nope", "api", &queued),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(trainer_->Enqueue("default", "u", "api", &queued),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(TrainerTest, QueueIsDeduplicatedAndTheWorkerTrains) {
  Build({});
  Events(4);
  bool queued_a = false, queued_b = false;
  // Not started yet: both requests land in the queue as one.
  ASSERT_OK_AND_ASSIGN(TrainingFuture a, trainer_->Enqueue("default", "m", "api", &queued_a));
  ASSERT_OK_AND_ASSIGN(TrainingFuture b, trainer_->Enqueue("default", "m", "api", &queued_b));
  EXPECT_TRUE(queued_a);
  EXPECT_FALSE(queued_b);
  EXPECT_EQ(trainer_->queue_length(), 1u);
  trainer_->Start();
  const auto& result = b.get();
  ASSERT_OK(result.status());
  EXPECT_EQ(result->version(), 1);
  EXPECT_EQ(fake_->fits(), 1);
  trainer_->Stop();
}

TEST_F(TrainerTest, EventThresholdTriggersTraining) {
  config::ModelConfig mc;
  mc.train.every_events = 5;
  mc.train.on_start = false;
  Build(mc);
  trainer_->Start();
  Events(3);
  ingest::AppliedBatch batch;
  batch.events_by_tenant["default"] = 3;
  trainer_->OnApplied(batch);
  EXPECT_EQ(trainer_->queue_length(), 0u);
  Events(3);
  trainer_->OnApplied(batch);  // 6 >= 5.
  for (int i = 0; i < 500 && registry_->Current("default", "m") == nullptr; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_NE(registry_->Current("default", "m"), nullptr);
  EXPECT_EQ(registry_->List("default", "m")[0].training().trigger(), "events");
  trainer_->Stop();
}

TEST_F(TrainerTest, EveryEventsCountsOnlyTheListedTypes) {
  config::ModelConfig mc;
  mc.train.every_events = 3;
  mc.train.event_types = {"buy"};
  mc.train.on_start = false;
  Build(mc);
  ingest::AppliedBatch batch;
  batch.events_by_tenant["default"] = 10;
  batch.events_by_tenant_type["default"] = {{"view", 8}, {"buy", 2}};
  trainer_->OnApplied(batch);  // 2 buys.
  EXPECT_EQ(trainer_->queue_length(), 0u);
  batch.events_by_tenant_type["default"] = {{"view", 1}};
  trainer_->OnApplied(batch);  // Still 2.
  EXPECT_EQ(trainer_->queue_length(), 0u);
  batch.events_by_tenant_type["default"] = {{"buy", 1}};
  trainer_->OnApplied(batch);  // 3 >= 3.
  EXPECT_EQ(trainer_->queue_length(), 1u);
}

TEST_F(TrainerTest, ItemWritesTriggerTraining) {
  config::ModelConfig mc;
  mc.train.every_item_writes = 5;
  mc.train.on_start = false;
  Build(mc);
  ingest::AppliedBatch batch;
  batch.item_writes_by_tenant["shop"] = 3;
  trainer_->OnApplied(batch);
  EXPECT_EQ(trainer_->queue_length(), 0u);
  batch.events_by_tenant["default"] = 100;  // Events do not count as item writes.
  trainer_->OnApplied(batch);               // 6 >= 5 for "shop".
  EXPECT_EQ(trainer_->queue_length(), 1u);
  trainer_->Start();
  for (int i = 0; i < 500 && registry_->Current("shop", "m") == nullptr; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_NE(registry_->Current("shop", "m"), nullptr);
  EXPECT_EQ(registry_->List("shop", "m")[0].training().trigger(), "item_writes");
  EXPECT_EQ(registry_->Current("default", "m"), nullptr);
  trainer_->Stop();
}

TEST_F(TrainerTest, TheGateHoldsBackAutomaticTrainingOnly) {
  config::ModelConfig mc;
  mc.train.every_events = 1;
  mc.train.gate = {"buy", 1.0};  // More buys than live items.
  Build(mc);
  Events(4);  // Items i0..i3 (4 live), 2 buys: closed.
  ASSERT_FALSE(state::GateHolds(*state_, "default", "buy", 1.0));
  ingest::AppliedBatch batch;
  batch.events_by_tenant["default"] = 4;
  trainer_->OnApplied(batch);
  EXPECT_EQ(trainer_->queue_length(), 0u);
  ASSERT_OK(trainer_->TrainNow("default", "m", "api").status());  // Explicit: not gated.
  Events(6);  // 5 buys > 4 items: open.
  ASSERT_TRUE(state::GateHolds(*state_, "default", "buy", 1.0));
  trainer_->OnApplied(batch);
  EXPECT_EQ(trainer_->queue_length(), 1u);
}

TEST_F(TrainerTest, StopEndsTheTrainingInProgress) {
  config::TrainingConfig training;
  training.enabled = true;
  Build({}, training);
  Events(4);
  fake_->set_fit_until_stopped(true);
  trainer_->Start();
  bool queued = false;
  ASSERT_OK_AND_ASSIGN(TrainingFuture f, trainer_->Enqueue("default", "m", "api", &queued));
  while (!fake_->fit_running()) absl::SleepFor(absl::Milliseconds(1));
  // Returns only once the fit has seen the stop request (it never ends otherwise).
  trainer_->Stop();
  EXPECT_FALSE(fake_->fit_running());
  EXPECT_THAT(f.get(), StatusIs(absl::StatusCode::kCancelled));
  const std::vector<v1::ModelVersion> versions = registry_->List("default", "m");
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].status(), v1::MODEL_STATUS_FAILED);
}

TEST_F(TrainerTest, StopCancelsQueuedTrainings) {
  Build({});
  bool queued;
  ASSERT_OK_AND_ASSIGN(TrainingFuture f, trainer_->Enqueue("default", "m", "api", &queued));
  trainer_->Stop();
  EXPECT_THAT(f.get(), StatusIs(absl::StatusCode::kCancelled));
}

}  // namespace
}  // namespace recplat::training
