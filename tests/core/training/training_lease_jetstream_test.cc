// The training lease in a JetStream KV bucket (NatsCoordination::Bucket + KvTrainingLease)
// against real nats-server processes (tests/testing/nats_cluster.h): a 3-node cluster with an R3
// bucket, and a single node for the outage.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/log/nats_coordination.h"
#include "core/training/kv_training_lease.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/status_matchers.h"

namespace recplat::training {
namespace {

using ::recplat::testing::NatsCluster;
using ::recplat::testing::StatusIs;

bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

std::unique_ptr<log::NatsCoordination> Connect(const std::vector<std::string>& urls) {
  log::NatsCoordinationOptions o;
  o.servers = urls;
  o.connect_timeout = absl::Milliseconds(500);
  auto c = log::NatsCoordination::Connect(o);
  EXPECT_OK(c.status());
  if (!c.ok()) return nullptr;
  WaitUntil([&] { return (*c)->Connected(); }, absl::Seconds(10));
  return *std::move(c);
}

std::unique_ptr<TrainingLease> Lease(log::NatsCoordination& nats, const std::string& holder,
                                     int replicas, absl::Duration renew = absl::ZeroDuration(),
                                     const common::Clock* clock = nullptr) {
  KvTrainingLeaseOptions o;
  o.bucket = nats.Bucket("test-leases", replicas);
  o.holder_id = holder;
  o.lease_duration = absl::Seconds(1);
  o.renew_every = renew;
  o.clock = clock;
  return NewKvTrainingLease(std::move(o));
}

class JetStreamLeaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!NatsCluster::Available()) return;
    auto cluster = NatsCluster::Start(3);
    ASSERT_OK(cluster.status());
    cluster_ = cluster->release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (!NatsCluster::Available()) GTEST_SKIP() << "no " << NatsCluster::kServerBinary;
    a_ = Connect({cluster_->Url(0)});
    b_ = Connect({cluster_->Url(1), cluster_->Url(2)});
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(b_, nullptr);
  }

  // A (tenant, model) of its own per test: the bucket is shared by the suite.
  std::string Model() const {
    return ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  static NatsCluster* cluster_;
  std::unique_ptr<log::NatsCoordination> a_;
  std::unique_ptr<log::NatsCoordination> b_;
};
NatsCluster* JetStreamLeaseTest::cluster_ = nullptr;

TEST_F(JetStreamLeaseTest, OnlyOneOfTwoContendersHoldsIt) {
  auto la = Lease(*a_, "replica-a", 3);
  auto lb = Lease(*b_, "replica-b", 3);
  // Both at once, many times over: exactly one wins each round (after its confirmation).
  for (int round = 0; round < 5; ++round) {
    const std::string model = absl::StrCat(Model(), round);
    absl::StatusOr<LeaseGrant> ga, gb;
    std::thread ta([&] { ga = la->Acquire("t", model); });
    std::thread tb([&] { gb = lb->Acquire("t", model); });
    ta.join();
    tb.join();
    ASSERT_OK(ga.status()) << ga.status();
    ASSERT_OK(gb.status()) << gb.status();
    const int acquired = (ga->hold != nullptr) + (gb->hold != nullptr);
    ASSERT_GE(acquired, 1) << "round " << round;
    if (acquired == 1) {
      const std::string loser_sees = ga->hold != nullptr ? gb->holder : ga->holder;
      EXPECT_EQ(loser_sees, ga->hold != nullptr ? "replica-a" : "replica-b");
      continue;
    }
    // Both compare-and-sets of the same revision landed: nats-server before 2.9.21 (issue
    // #4320) allows it, and Debian's is 2.9.10. The confirmation a trainer makes before any
    // shared side effect settles it: exactly one of two concurrent confirmations succeeds.
    absl::Status ca, cb;
    std::thread fa([&] { ca = ga->hold->Confirm(); });
    std::thread fb([&] { cb = gb->hold->Confirm(); });
    fa.join();
    fb.join();
    EXPECT_EQ(ca.ok() + cb.ok(), 1) << "round " << round << ": " << ca << " / " << cb;
    EXPECT_EQ(ga->hold->Lost() + gb->hold->Lost(), 1) << "round " << round;
  }
}

// Expiry on a clock the test moves (both contenders read it, as replicas read synchronised wall
// clocks), so that a loaded machine cannot make the 1 s lease expire early or the check late; the
// real clock's side (renewal keeping it) is RenewalKeepsIt's.
TEST_F(JetStreamLeaseTest, AHolderThatStopsRenewingLosesItAfterExpiry) {
  ::recplat::testing::FakeClock clock;
  auto la = Lease(*a_, "replica-a", 3, /*renew=*/absl::Hours(1), &clock);
  auto lb = Lease(*b_, "replica-b", 3, absl::ZeroDuration(), &clock);
  ASSERT_OK_AND_ASSIGN(LeaseGrant ga, la->Acquire("t", Model()));
  ASSERT_NE(ga.hold, nullptr);
  ASSERT_OK_AND_ASSIGN(LeaseGrant gb, lb->Acquire("t", Model()));
  EXPECT_EQ(gb.hold, nullptr);
  EXPECT_EQ(gb.holder, "replica-a");
  clock.AdvanceMs(999);
  EXPECT_FALSE(ga.hold->Lost());
  ASSERT_OK_AND_ASSIGN(gb, lb->Acquire("t", Model()));
  EXPECT_EQ(gb.hold, nullptr) << "taken 1 ms before the expiry";
  clock.AdvanceMs(101);
  EXPECT_TRUE(ga.hold->Lost());
  ASSERT_OK_AND_ASSIGN(gb, lb->Acquire("t", Model()));
  ASSERT_NE(gb.hold, nullptr);
  gb.hold->Release(uint64_t{9});
  ASSERT_OK_AND_ASSIGN(LeaseGrant again, la->Acquire("t", Model()));
  ASSERT_NE(again.hold, nullptr);
  EXPECT_EQ(again.trained_offset, 9u);
}

TEST_F(JetStreamLeaseTest, RenewalKeepsIt) {
  auto la = Lease(*a_, "replica-a", 3);  // Renews every third of a second.
  auto lb = Lease(*b_, "replica-b", 3);
  ASSERT_OK_AND_ASSIGN(LeaseGrant ga, la->Acquire("t", Model()));
  ASSERT_NE(ga.hold, nullptr);
  for (int i = 0; i < 5; ++i) {
    absl::SleepFor(absl::Milliseconds(500));
    ASSERT_OK_AND_ASSIGN(LeaseGrant gb, lb->Acquire("t", Model()));
    EXPECT_EQ(gb.hold, nullptr) << "after " << (i + 1) * 500 << " ms";
  }
  EXPECT_FALSE(ga.hold->Lost());
  ga.hold->Release(std::nullopt);
  ASSERT_OK_AND_ASSIGN(LeaseGrant gb, lb->Acquire("t", Model()));
  EXPECT_NE(gb.hold, nullptr);
}

TEST_F(JetStreamLeaseTest, CompareAndSetConflictsAreFailedPrecondition) {
  auto ba = a_->Bucket("test-leases", 3);
  auto bb = b_->Bucket("test-leases", 3);
  const std::string key = "cas." + Model();
  ASSERT_OK_AND_ASSIGN(uint64_t rev, ba->Create(key, "one"));
  EXPECT_THAT(bb->Create(key, "two"), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(uint64_t rev2, bb->Update(key, "two", rev));
  EXPECT_GT(rev2, rev);
  EXPECT_THAT(ba->Update(key, "three", rev), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(std::optional<log::KeyValueEntry> now, ba->Get(key));
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(now->value, "two");
  EXPECT_EQ(now->revision, rev2);
}

TEST_F(JetStreamLeaseTest, AnnouncementsReachListeners) {
  absl::Mutex mu;
  std::vector<std::string> got;
  auto listener = b_->Listen("test.promotions", [&](const std::string& body) {
    absl::MutexLock lock(&mu);
    got.push_back(body);
  });
  // The subscription is made on the listener's thread: publish until it is heard.
  ASSERT_TRUE(WaitUntil(
      [&] {
        EXPECT_OK(a_->Publish("test.promotions", "hello"));
        absl::MutexLock lock(&mu);
        return !got.empty();
      },
      absl::Seconds(10)));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(got.front(), "hello");
}

TEST(JetStreamLeaseOutageTest, UnreachableNatsIsUnavailable) {
  log::NatsCoordinationOptions o;
  o.servers = {"nats://127.0.0.1:1"};
  o.connect_timeout = absl::Milliseconds(200);
  ASSERT_OK_AND_ASSIGN(auto nats, log::NatsCoordination::Connect(o));
  auto lease = Lease(*nats, "replica-a", 1);
  const absl::Time start = absl::Now();
  EXPECT_THAT(lease->Acquire("t", "m"), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_THAT(nats->Publish("x.promotions", "y"), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(JetStreamLeaseOutageTest, AHolderCutOffFromNatsLosesItsLease) {
  if (!NatsCluster::Available()) GTEST_SKIP() << "no " << NatsCluster::kServerBinary;
  ASSERT_OK_AND_ASSIGN(auto node, NatsCluster::Start(1));
  auto nats = Connect({node->Url(0)});
  ASSERT_NE(nats, nullptr);
  auto lease = Lease(*nats, "replica-a", 1);
  ASSERT_OK_AND_ASSIGN(LeaseGrant g, lease->Acquire("t", "m"));
  ASSERT_NE(g.hold, nullptr);
  node->Kill(0);
  EXPECT_TRUE(WaitUntil([&] { return g.hold->Lost(); }, absl::Seconds(5)));
  EXPECT_THAT(lease->Acquire("t", "m"), StatusIs(absl::StatusCode::kUnavailable));
  g.hold->Release(std::nullopt);  // Must not hang or crash.
}

}  // namespace
}  // namespace recplat::training
