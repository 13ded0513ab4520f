// The training leases (in-process and key-value) over an in-memory bucket with a fake clock,
// and the trainer's use of them: skips when held elsewhere or unavailable, no version when
// skipped, no second version of the same data. The same lease against a real JetStream
// cluster: training_lease_jetstream_test.cc.
#include <deque>
#include <functional>
#include <map>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/log/key_value_bucket.h"
#include "core/training/kv_training_lease.h"
#include "core/training/trainer.h"
#include "core/training/training_lease.h"
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

// KeyValueBucket in memory, with the contract of key_value_bucket.h; `unavailable` makes every
// call fail as an unreachable store would.
class MemoryBucket final : public log::KeyValueBucket {
 public:
  absl::StatusOr<std::optional<log::KeyValueEntry>> Get(const std::string& key) override {
    absl::MutexLock lock(&mu_);
    if (unavailable_) return absl::UnavailableError("memory bucket down");
    auto it = data_.find(key);
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<uint64_t> Create(const std::string& key, const std::string& value) override {
    absl::MutexLock lock(&mu_);
    if (unavailable_) return absl::UnavailableError("memory bucket down");
    if (data_.contains(key)) return absl::FailedPreconditionError("exists");
    data_[key] = {value, ++rev_};
    return rev_;
  }
  absl::StatusOr<uint64_t> Update(const std::string& key, const std::string& value,
                                  uint64_t expected) override {
    absl::MutexLock lock(&mu_);
    if (unavailable_) return absl::UnavailableError("memory bucket down");
    auto it = data_.find(key);
    if (it == data_.end() || it->second.revision != expected) {
      return absl::FailedPreconditionError("revision moved");
    }
    it->second = {value, ++rev_};
    const uint64_t rev = rev_;
    std::function<void()> after = std::move(after_next_update_);
    after_next_update_ = nullptr;
    if (after) {
      mu_.Unlock();
      after();
      mu_.Lock();
    }
    return rev;
  }
  // Runs `fn` (once) right after the next successful Update: a contender whose compare-and-set
  // of the same revision was accepted too and landed just after (nats-server issue #4320).
  void AfterNextUpdate(std::function<void()> fn) {
    absl::MutexLock lock(&mu_);
    after_next_update_ = std::move(fn);
  }
  // A write by someone else (a contender that wrote first).
  void Overwrite(const std::string& key, const std::string& value) {
    absl::MutexLock lock(&mu_);
    data_[key] = {value, ++rev_};
  }
  void set_unavailable(bool u) {
    absl::MutexLock lock(&mu_);
    unavailable_ = u;
  }
  uint64_t revision(const std::string& key) {
    absl::MutexLock lock(&mu_);
    return data_.contains(key) ? data_[key].revision : 0;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, log::KeyValueEntry> data_ ABSL_GUARDED_BY(mu_);
  uint64_t rev_ ABSL_GUARDED_BY(mu_) = 0;
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> after_next_update_ ABSL_GUARDED_BY(mu_);
};

std::unique_ptr<TrainingLease> KvLease(std::shared_ptr<MemoryBucket> bucket, const FakeClock& clock,
                                       const std::string& holder,
                                       absl::Duration renew = absl::Hours(1)) {
  KvTrainingLeaseOptions o;
  o.bucket = std::move(bucket);
  o.holder_id = holder;
  o.lease_duration = absl::Seconds(1);
  o.renew_every = renew;
  o.clock = &clock;
  return NewKvTrainingLease(std::move(o));
}

TEST(InProcessTrainingLeaseTest, OneHolderPerModelUntilReleased) {
  std::unique_ptr<TrainingLease> lease = NewInProcessTrainingLease();
  ASSERT_OK_AND_ASSIGN(LeaseGrant a, lease->Acquire("t", "m"));
  ASSERT_NE(a.hold, nullptr);
  ASSERT_OK_AND_ASSIGN(LeaseGrant again, lease->Acquire("t", "m"));
  EXPECT_EQ(again.hold, nullptr);
  ASSERT_OK_AND_ASSIGN(LeaseGrant other, lease->Acquire("t", "other"));
  EXPECT_NE(other.hold, nullptr);
  a.hold.reset();
  ASSERT_OK_AND_ASSIGN(LeaseGrant after, lease->Acquire("t", "m"));
  EXPECT_NE(after.hold, nullptr);
}

TEST(LeaseKeyTest, DistinctNamesGiveDistinctValidKeys) {
  const std::vector<std::pair<std::string, std::string>> names = {
      {"default", "ease"}, {"a.b", "m"}, {"a", "b.m"}, {"", "m"}, {"=", "m"}, {"a b", "m*>"}};
  std::set<std::string> keys;
  for (const auto& [tenant, model] : names) {
    const std::string key = LeaseKey(tenant, model);
    keys.insert(key);
    for (char c : key) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                  c == '=' || c == '.')
          << key;
    }
    EXPECT_NE(key.front(), '.');
    EXPECT_NE(key.back(), '.');
  }
  EXPECT_EQ(keys.size(), names.size());
}

TEST(KvTrainingLeaseTest, OnlyOneOfTwoContendersHoldsIt) {
  auto bucket = std::make_shared<MemoryBucket>();
  FakeClock clock;
  auto a = KvLease(bucket, clock, "a");
  auto b = KvLease(bucket, clock, "b");
  ASSERT_OK_AND_ASSIGN(LeaseGrant ga, a->Acquire("t", "m"));
  ASSERT_NE(ga.hold, nullptr);
  ASSERT_OK_AND_ASSIGN(LeaseGrant gb, b->Acquire("t", "m"));
  EXPECT_EQ(gb.hold, nullptr);
  EXPECT_EQ(gb.holder, "a");
  // Released: b takes it, and a (asking again) does not.
  ga.hold->Release(std::nullopt);
  ASSERT_OK_AND_ASSIGN(gb, b->Acquire("t", "m"));
  ASSERT_NE(gb.hold, nullptr);
  ASSERT_OK_AND_ASSIGN(ga, a->Acquire("t", "m"));
  EXPECT_EQ(ga.hold, nullptr);
  EXPECT_EQ(ga.holder, "b");
}

TEST(KvTrainingLeaseTest, AnUnrenewedLeaseExpiresAndPassesOn) {
  auto bucket = std::make_shared<MemoryBucket>();
  FakeClock clock;
  clock.SetMs(1'000'000);
  auto a = KvLease(bucket, clock, "a");
  auto b = KvLease(bucket, clock, "b");
  ASSERT_OK_AND_ASSIGN(LeaseGrant ga, a->Acquire("t", "m"));
  ASSERT_NE(ga.hold, nullptr);
  clock.AdvanceMs(999);
  ASSERT_OK_AND_ASSIGN(LeaseGrant gb, b->Acquire("t", "m"));
  EXPECT_EQ(gb.hold, nullptr);
  clock.AdvanceMs(2);
  EXPECT_TRUE(ga.hold->Lost());
  ASSERT_OK_AND_ASSIGN(gb, b->Acquire("t", "m"));
  ASSERT_NE(gb.hold, nullptr);
  EXPECT_FALSE(gb.hold->Lost());
  // a's late release must not free b's lease.
  ga.hold->Release(uint64_t{5});
  ASSERT_OK_AND_ASSIGN(LeaseGrant again, a->Acquire("t", "m"));
  EXPECT_EQ(again.hold, nullptr);
  EXPECT_EQ(again.holder, "b");
  EXPECT_EQ(again.trained_offset, 0u);
}

TEST(KvTrainingLeaseTest, RenewalKeepsItPastTheFirstExpiry) {
  auto bucket = std::make_shared<MemoryBucket>();
  FakeClock clock;
  clock.SetMs(1'000'000);
  auto a = KvLease(bucket, clock, "a", absl::Milliseconds(10));
  auto b = KvLease(bucket, clock, "b");
  ASSERT_OK_AND_ASSIGN(LeaseGrant ga, a->Acquire("t", "m"));
  ASSERT_NE(ga.hold, nullptr);
  const uint64_t first = bucket->revision(LeaseKey("t", "m"));
  clock.AdvanceMs(600);
  // Wait for a renewal at the advanced time (expiry 1'001'600).
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (bucket->revision(LeaseKey("t", "m")) == first && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  absl::SleepFor(absl::Milliseconds(50));
  clock.AdvanceMs(600);  // Past the first expiry (1'001'000), before the renewed one.
  ASSERT_OK_AND_ASSIGN(LeaseGrant gb, b->Acquire("t", "m"));
  EXPECT_EQ(gb.hold, nullptr);
  EXPECT_FALSE(ga.hold->Lost());
}

TEST(KvTrainingLeaseTest, ALostCompareAndSetMarksTheHoldLost) {
  auto bucket = std::make_shared<MemoryBucket>();
  FakeClock clock;
  clock.SetMs(1'000'000);
  auto a = KvLease(bucket, clock, "a", absl::Milliseconds(10));
  ASSERT_OK_AND_ASSIGN(LeaseGrant ga, a->Acquire("t", "m"));
  ASSERT_NE(ga.hold, nullptr);
  bucket->Overwrite(LeaseKey("t", "m"),
                    R"({"holder":"intruder","expires_ms":9000000000000,"trained_offset":0})");
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!ga.hold->Lost() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_TRUE(ga.hold->Lost());
  // Releasing a lost hold leaves the intruder's value alone.
  const uint64_t rev = bucket->revision(LeaseKey("t", "m"));
  ga.hold->Release(uint64_t{7});
  EXPECT_EQ(bucket->revision(LeaseKey("t", "m")), rev);
}

// A key-value lease (1 s, renewals off) held by "a" on (t, m), for the Confirm tests.
class KvHoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock.SetMs(1'000'000);
    ASSERT_OK_AND_ASSIGN(ga, a->Acquire("t", "m"));
    ASSERT_NE(ga.hold, nullptr);
  }

  std::shared_ptr<MemoryBucket> bucket = std::make_shared<MemoryBucket>();
  FakeClock clock;
  std::unique_ptr<TrainingLease> a = KvLease(bucket, clock, "a");
  LeaseGrant ga;
};

TEST_F(KvHoldTest, ConfirmRenewsWhileHeldAndFailsOnceAnotherHolderWrote) {
  const uint64_t acquired = bucket->revision(LeaseKey("t", "m"));
  // Confirming is a compare-and-set that also renews: past the first expiry it still holds.
  clock.AdvanceMs(900);
  ASSERT_OK(ga.hold->Confirm());
  EXPECT_GT(bucket->revision(LeaseKey("t", "m")), acquired);
  clock.AdvanceMs(900);
  EXPECT_FALSE(ga.hold->Lost());
  ASSERT_OK(ga.hold->Confirm());
  // Another holder's write (a second acquisition the bucket accepted): the next confirmation
  // fails, and the hold stays lost.
  bucket->Overwrite(LeaseKey("t", "m"),
                    R"({"holder":"b","expires_ms":9000000000000,"trained_offset":0})");
  EXPECT_THAT(ga.hold->Confirm(), StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(ga.hold->Lost());
  EXPECT_THAT(ga.hold->Confirm(), StatusIs(absl::StatusCode::kAborted));
  const uint64_t rev = bucket->revision(LeaseKey("t", "m"));
  ga.hold->Release(uint64_t{7});
  EXPECT_EQ(bucket->revision(LeaseKey("t", "m")), rev);
}

TEST_F(KvHoldTest, ConfirmIsUnavailableWhileTheStoreIsDownAndAbortedAfterExpiry) {
  bucket->set_unavailable(true);
  EXPECT_THAT(ga.hold->Confirm(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_FALSE(ga.hold->Lost());
  bucket->set_unavailable(false);
  clock.AdvanceMs(1500);  // Past the 1 s lease without a renewal.
  EXPECT_THAT(ga.hold->Confirm(), StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(ga.hold->Lost());
}

TEST(InProcessTrainingLeaseTest, ConfirmAlwaysHolds) {
  std::unique_ptr<TrainingLease> lease = NewInProcessTrainingLease();
  ASSERT_OK_AND_ASSIGN(LeaseGrant g, lease->Acquire("t", "m"));
  ASSERT_NE(g.hold, nullptr);
  EXPECT_OK(g.hold->Confirm());
}

TEST(KvTrainingLeaseTest, AnUnreadableValueCountsAsReleased) {
  auto bucket = std::make_shared<MemoryBucket>();
  FakeClock clock;
  for (const char* junk : {"", "not json", "[1,2]", R"({"holder": 7, "expires_ms": "x"})"}) {
    bucket->Overwrite(LeaseKey("t", "m"), junk);
    auto a = KvLease(bucket, clock, "a");
    ASSERT_OK_AND_ASSIGN(LeaseGrant g, a->Acquire("t", "m"));
    EXPECT_NE(g.hold, nullptr) << junk;
    EXPECT_EQ(g.trained_offset, 0u) << junk;
  }
}

TEST(KvTrainingLeaseTest, UnreachableStoreIsUnavailable) {
  auto bucket = std::make_shared<MemoryBucket>();
  bucket->set_unavailable(true);
  FakeClock clock;
  auto a = KvLease(bucket, clock, "a");
  EXPECT_THAT(a->Acquire("t", "m"), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(KvTrainingLeaseTest, ReleaseRemembersTheTrainedOffset) {
  auto bucket = std::make_shared<MemoryBucket>();
  FakeClock clock;
  clock.SetMs(5'000);
  auto a = KvLease(bucket, clock, "a");
  auto b = KvLease(bucket, clock, "b");
  ASSERT_OK_AND_ASSIGN(LeaseGrant ga, a->Acquire("t", "m"));
  ga.hold->Release(uint64_t{42});
  ASSERT_OK_AND_ASSIGN(LeaseGrant gb, b->Acquire("t", "m"));
  ASSERT_NE(gb.hold, nullptr);
  EXPECT_EQ(gb.trained_offset, 42u);
  EXPECT_EQ(gb.trained_at_ms, 5'000);
  gb.hold->Release(std::nullopt);  // A failed training keeps the record.
  ASSERT_OK_AND_ASSIGN(ga, a->Acquire("t", "m"));
  EXPECT_EQ(ga.trained_offset, 42u);
}

// --- The trainer with a lease ---

double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    if (f.name != name) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      std::map<std::string, std::string> got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got != labels) continue;
      return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return 0;
}

class TrainerLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(families_.Register(std::make_unique<FakeModelFamily>("fake")));
    state::StateStoreOptions so;
    so.path = (dir_.path() / "state").string();
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(state_, state::OpenRocksDbStateStore(so));
    registry::RegistryOptions ro;
    ro.root = dir_.path() / "models";
    ro.families = &families_;
    ro.clock = &clock_;
    config::ModelConfig m;
    m.family = "fake";
    ro.models["m"] = m;
    ASSERT_OK_AND_ASSIGN(registry_, registry::ModelRegistry::Create(ro));
  }

  std::unique_ptr<Trainer> MakeTrainer(std::shared_ptr<TrainingLease> lease) {
    TrainerOptions to;
    to.event_types = {{"view", {1.0}}};
    to.training.enabled = false;
    to.lease = std::move(lease);
    return std::make_unique<Trainer>(to, *state_, *registry_, clock_, metrics_);
  }

  void Events(int n) {
    std::deque<v1::LogRecord> records(n);
    std::vector<state::OffsetRecord> batch;
    for (int i = 0; i < n; ++i) {
      v1::Event* e = records[i].mutable_event();
      e->set_tenant("default");
      e->set_user_id("u" + std::to_string(i % 3));
      e->set_item_id("i" + std::to_string(i % 4));
      e->set_type("view");
      e->set_timestamp_ms(1000 + i);
      batch.push_back({offset_++, &records[i]});
    }
    ASSERT_OK(state_->Apply(batch));
  }

  TempDir dir_;
  FakeClock clock_;
  prometheus::Registry metrics_;
  models::ModelFamilyRegistry families_;
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<registry::ModelRegistry> registry_;
  uint64_t offset_ = 0;
};

TEST_F(TrainerLeaseTest, HeldElsewhereSkipsWithoutAVersion) {
  std::shared_ptr<TrainingLease> lease = NewInProcessTrainingLease();
  auto trainer = MakeTrainer(lease);
  Events(6);
  ASSERT_OK_AND_ASSIGN(LeaseGrant other, lease->Acquire("default", "m"));
  EXPECT_THAT(trainer->TrainNow("default", "m", "events"), StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(registry_->List("default", "m").empty());
  EXPECT_EQ(MetricValue(metrics_, "recplat_training_lease_skips_total",
                        {{"model", "m"}, {"reason", "held"}}),
            1);
  other.hold.reset();
  ASSERT_OK_AND_ASSIGN(v1::ModelVersion v, trainer->TrainNow("default", "m", "events"));
  EXPECT_EQ(v.version(), 1);
  EXPECT_EQ(MetricValue(metrics_, "recplat_training_lease_held", {{"model", "m"}}), 0);
  // The trainer released it.
  ASSERT_OK_AND_ASSIGN(LeaseGrant after, lease->Acquire("default", "m"));
  EXPECT_NE(after.hold, nullptr);
}

TEST_F(TrainerLeaseTest, UnavailableLeaseSkipsWithoutAVersion) {
  auto bucket = std::make_shared<MemoryBucket>();
  bucket->set_unavailable(true);
  auto trainer = MakeTrainer(KvLease(bucket, clock_, "a"));
  Events(6);
  EXPECT_THAT(trainer->TrainNow("default", "m", "api"), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(registry_->List("default", "m").empty());
  EXPECT_EQ(MetricValue(metrics_, "recplat_training_lease_skips_total",
                        {{"model", "m"}, {"reason", "unavailable"}}),
            1);
  bucket->set_unavailable(false);
  EXPECT_OK(trainer->TrainNow("default", "m", "api").status());
}

TEST_F(TrainerLeaseTest, AutomaticTrainingOfAlreadyTrainedDataIsSkipped) {
  auto bucket = std::make_shared<MemoryBucket>();
  auto a = MakeTrainer(KvLease(bucket, clock_, "a"));
  auto b = MakeTrainer(KvLease(bucket, clock_, "b"));
  Events(6);
  ASSERT_OK_AND_ASSIGN(v1::ModelVersion v, a->TrainNow("default", "m", "events"));
  EXPECT_EQ(v.version(), 1);
  // b reacts to the same events: nothing newer than what a trained.
  EXPECT_THAT(b->TrainNow("default", "m", "events"), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(MetricValue(metrics_, "recplat_training_lease_skips_total",
                        {{"model", "m"}, {"reason", "up_to_date"}}),
            1);
  EXPECT_EQ(registry_->List("default", "m").size(), 1u);
  // An explicit request trains anyway; new events make an automatic one train again.
  ASSERT_OK_AND_ASSIGN(v, b->TrainNow("default", "m", "api"));
  EXPECT_EQ(v.version(), 2);
  Events(2);
  ASSERT_OK_AND_ASSIGN(v, b->TrainNow("default", "m", "events"));
  EXPECT_EQ(v.version(), 3);
}

TEST_F(TrainerLeaseTest, ARacingSecondAcquisitionMakesTheLoserSkipBeforeNumberingAVersion) {
  auto bucket = std::make_shared<MemoryBucket>();
  auto a = MakeTrainer(KvLease(bucket, clock_, "a"));
  Events(6);
  // A released lease (so acquiring is an update at its revision). a's acquisition succeeds,
  // and so does b's of the same revision, landing just after it.
  bucket->Overwrite(LeaseKey("default", "m"), R"({"holder":"","expires_ms":0,"trained_offset":0})");
  bucket->AfterNextUpdate([&] {
    bucket->Overwrite(LeaseKey("default", "m"),
                      R"({"holder":"b","expires_ms":9000000000000,"trained_offset":0})");
  });
  EXPECT_THAT(a->TrainNow("default", "m", "events"), StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(registry_->List("default", "m").empty());
  EXPECT_EQ(MetricValue(metrics_, "recplat_training_lease_skips_total",
                        {{"model", "m"}, {"reason", "lost"}}),
            1);
  EXPECT_EQ(MetricValue(metrics_, "recplat_trainings_total", {{"model", "m"}, {"outcome", "ok"}}),
            0);
}

}  // namespace
}  // namespace recplat::training
