// End-to-end: log.backend jetstream (issue 12). Two recplat processes (role all, separate data
// directories) share one event log on a 3-node NATS JetStream cluster (tests/testing/
// nats_cluster.h). Writers append event batches through both; mid-stream one NATS node and one
// replica are killed with SIGKILL and restarted. Afterwards every acknowledged batch is applied
// exactly once in both replicas (user histories read through the gRPC API), both hold the same
// log, a read with min_offset on the other replica sees a write, and a third replica started
// afterwards catches up from the stream.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/e2e/grpc_client.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

constexpr char kProfile[] = R"(
profile: jetstream
log: {sync: none}
api: {require_known_items: false}
training: {enabled: false}
event_types: {view: {weight: 1}}
models:
  popularity: {family: popularity, train: {on_start: false}}
surfaces:
  default: {retrieval: [popularity]}
)";
constexpr int kBatch = 10;

class JetStreamE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NatsCluster::Available()) {
      GTEST_SKIP() << NatsCluster::kServerBinary << " is not installed";
    }
    auto cluster = NatsCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    profile_ = (dir_.path() / "profile.yaml").string();
    std::ofstream(profile_) << kProfile;
  }

  std::unique_ptr<ServerProcess> StartReplica(const std::string& name) {
    auto p = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--profile", profile_, "--data-dir", (dir_.path() / name).string(), "--set",
        "log.backend=jetstream", "--set",
        absl::StrCat("nats.servers=[", absl::StrJoin(cluster_->Urls(), ","), "]"), "--set",
        "nats.ack_timeout_ms=3000", "--set", "nats.connect_timeout_ms=500"});
    EXPECT_TRUE(p->Start()) << p->ReadStderr();
    return p;
  }

  // Appends one batch of kBatch events for `user` through `address`; the first offset, or -1.
  static int64_t AppendBatch(const std::string& address, const std::string& user) {
    GrpcClient client(address);
    v1::AppendEventsRequest req;
    for (int i = 0; i < kBatch; ++i) {
      v1::Event* e = req.add_events();
      e->set_user_id(user);
      e->set_item_id(absl::StrCat("item", i));
      e->set_type("view");
    }
    v1::AppendEventsResponse resp;
    if (!client.events->AppendEvents(Ctx(8).get(), req, &resp).ok()) return -1;
    return static_cast<int64_t>(resp.offsets(0));
  }

  static v1::GetStatsResponse Stats(const std::string& address) {
    GrpcClient client(address);
    v1::GetStatsResponse stats;
    client.admin->GetStats(Ctx(5).get(), {}, &stats);
    return stats;
  }

  // Waits up to 60 s until `address` has applied at least `offset` records. Generous: after a
  // node kill a replica's consumer resubscribes, which took over 20 s on a loaded 2-core machine.
  static bool WaitApplied(const std::string& address, uint64_t offset) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Stats(address).applied_offset() >= offset) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Events in `user`'s history on `address` (0 when the user is unknown).
  static int HistorySize(const std::string& address, const std::string& user) {
    GrpcClient client(address);
    v1::GetUserRequest req;
    req.set_id(user);
    req.set_history_limit(1000);
    v1::GetUserResponse resp;
    if (!client.catalog->GetUser(Ctx(5).get(), req, &resp).ok()) return 0;
    return resp.history_size();
  }

  TempDir dir_;
  std::unique_ptr<NatsCluster> cluster_;
  std::string profile_;
};

TEST_F(JetStreamE2eTest, AcknowledgedWritesApplyOnceInEveryReplicaThroughNodeAndReplicaKills) {
  std::unique_ptr<ServerProcess> a = StartReplica("a");
  std::unique_ptr<ServerProcess> b = StartReplica("b");
  ASSERT_TRUE(a->running() && b->running());

  // Writers keep appending through their replica (its current address); a batch that fails is
  // not retried (its user may hold the batch once or not at all). Each batch has its own user.
  std::mutex mu;
  std::map<std::string, std::string> address = {{"a", a->grpc_address()}, {"b", b->grpc_address()}};
  std::vector<std::string> acked;
  std::vector<std::string> failed;
  std::map<std::string, std::atomic<int>> acked_by;
  acked_by["a"] = 0;
  acked_by["b"] = 0;
  std::atomic<bool> stop{false};
  constexpr int kMaxBatches = 200;  // Per writer: a bounded load.
  auto writer = [&](const std::string& name) {
    for (int b = 0; b < kMaxBatches && !stop.load();) {
      std::string target;
      {
        std::lock_guard<std::mutex> lock(mu);
        target = address[name];
      }
      if (target.empty()) {  // The replica is down: wait for it.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      const std::string user = absl::StrCat(name, "-", b++);
      const bool ok = AppendBatch(target, user) >= 0;
      std::lock_guard<std::mutex> lock(mu);
      (ok ? acked : failed).push_back(user);
      if (ok) {
        ++acked_by[name];
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  };
  // Waits up to 60 s until writer `name` has `n` acknowledged batches (a bound for failures
  // only; loaded machines need more than 20 s after a node kill).
  auto wait_acked = [&](const std::string& name, int n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acked_by[name].load() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return acked_by[name].load() >= n;
  };
  std::thread wa(writer, "a");
  std::thread wb(writer, "b");
  ASSERT_TRUE(wait_acked("a", 20) && wait_acked("b", 20)) << a->ReadStderr() << b->ReadStderr();

  // Mid-stream: one NATS node and replica b die.
  cluster_->Kill(1);
  {
    std::lock_guard<std::mutex> lock(mu);
    address["b"] = "";
  }
  b->Kill();
  EXPECT_TRUE(wait_acked("a", acked_by["a"].load() + 20))
      << "replica a stopped acknowledging writes\n"
      << a->ReadStderr();
  ASSERT_TRUE(cluster_->Restart(1).ok());
  ASSERT_TRUE(b->Start()) << b->ReadStderr();
  {
    std::lock_guard<std::mutex> lock(mu);
    address["b"] = b->grpc_address();
  }
  EXPECT_TRUE(wait_acked("b", acked_by["b"].load() + 20)) << b->ReadStderr();
  stop = true;
  wa.join();
  wb.join();
  std::printf("batches acknowledged: %zu, failed: %zu\n", acked.size(), failed.size());
  ASSERT_GE(acked.size(), 90u);

  // Both replicas hold the same log and have applied all of it.
  v1::GetStatsResponse sa = Stats(a->grpc_address());
  ASSERT_TRUE(WaitApplied(b->grpc_address(), sa.log_next_offset()));
  ASSERT_TRUE(WaitApplied(a->grpc_address(), Stats(b->grpc_address()).log_next_offset()));
  sa = Stats(a->grpc_address());
  v1::GetStatsResponse sb = Stats(b->grpc_address());
  EXPECT_EQ(sa.log_next_offset(), sb.log_next_offset());
  EXPECT_EQ(sa.applied_offset(), sb.applied_offset());
  ASSERT_EQ(sa.tenants_size(), 1);
  ASSERT_EQ(sb.tenants_size(), 1);
  EXPECT_EQ(sa.tenants(0).events(), sb.tenants(0).events());
  EXPECT_EQ(sa.tenants(0).events() % kBatch, 0u);  // Batches are all-or-nothing.
  EXPECT_GE(sa.tenants(0).events(), acked.size() * kBatch);

  // Every acknowledged batch is applied exactly once in both; a failed one at most once, alike.
  for (const std::string& user : acked) {
    EXPECT_EQ(HistorySize(a->grpc_address(), user), kBatch) << user;
    EXPECT_EQ(HistorySize(b->grpc_address(), user), kBatch) << user;
  }
  for (const std::string& user : failed) {
    const int in_a = HistorySize(a->grpc_address(), user);
    EXPECT_TRUE(in_a == 0 || in_a == kBatch) << user;
    EXPECT_EQ(HistorySize(b->grpc_address(), user), in_a) << user;
  }

  // Read-your-writes across replicas: a write through a, read on b with its offset.
  const int64_t offset = AppendBatch(a->grpc_address(), "ryw");
  ASSERT_GE(offset, 0);
  {
    GrpcClient client(b->grpc_address());
    v1::GetUserRequest req;
    req.set_id("ryw");
    req.set_history_limit(1000);
    req.set_min_offset(static_cast<uint64_t>(offset) + kBatch - 1);
    v1::GetUserResponse resp;
    grpc::Status s = client.catalog->GetUser(Ctx(10).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.history_size(), kBatch);
  }

  // A third replica started afterwards rebuilds the same state from the stream.
  std::unique_ptr<ServerProcess> c = StartReplica("c");
  sa = Stats(a->grpc_address());
  ASSERT_TRUE(WaitApplied(c->grpc_address(), sa.log_next_offset())) << c->ReadStderr();
  const v1::GetStatsResponse sc = Stats(c->grpc_address());
  EXPECT_EQ(sc.log_next_offset(), sa.log_next_offset());
  ASSERT_EQ(sc.tenants_size(), 1);
  EXPECT_EQ(sc.tenants(0).events(), sa.tenants(0).events());
  for (size_t i = 0; i < acked.size(); i += 7) {
    EXPECT_EQ(HistorySize(c->grpc_address(), acked[i]), kBatch) << acked[i];
  }

  // The replication metrics are exported; a's publishes were timed.
  const std::string metrics = HttpClient(a->metrics_address()).Get("/metrics").body;
  for (const char* name : {"recplat_log_stream_sequence ", "recplat_log_stream_lag ",
                           "recplat_log_publish_seconds_count "}) {
    EXPECT_NE(metrics.find(name), std::string::npos) << name << "\n" << metrics.substr(0, 2000);
  }
  EXPECT_EQ(c->Terminate(), 0) << c->ReadStderr();
  EXPECT_EQ(b->Terminate(), 0) << b->ReadStderr();
  EXPECT_EQ(a->Terminate(), 0) << a->ReadStderr();
}

}  // namespace
}  // namespace recplat::testing
