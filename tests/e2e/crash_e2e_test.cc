// Crash test: a client appends events while the server is killed with SIGKILL mid-stream; after
// a restart, every acknowledged event is in the state exactly once.
#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/grpc_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

constexpr char kProfile[] = R"(
profile: crash
log: {sync: always}
api: {require_known_items: false}
event_types: {view: {weight: 1}}
models:
  popularity: {family: popularity, train: {on_start: false}}
surfaces:
  default: {retrieval: [popularity]}
)";

TEST(CrashE2eTest, AcknowledgedEventsSurviveKill9ExactlyOnce) {
  TempDir dir;
  const std::string profile = (dir.path() / "profile.yaml").string();
  std::ofstream(profile) << kProfile;
  ServerProcess server({"--profile", profile, "--data-dir", (dir.path() / "data").string()});
  ASSERT_TRUE(server.Start()) << server.ReadStderr();

  // Each batch goes to its own user, so a user's event count tells how often the batch was
  // applied. Several writers keep appends in flight when the kill lands.
  constexpr int kWriters = 3;
  constexpr int kBatch = 50;
  std::atomic<int> acked_batches{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acked_users;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      GrpcClient client(server.grpc_address());
      for (int b = 0; !stop.load(); ++b) {
        const std::string user = absl::StrCat("w", w, "-b", b);
        v1::AppendEventsRequest req;
        for (int i = 0; i < kBatch; ++i) {
          v1::Event* e = req.add_events();
          e->set_user_id(user);
          e->set_item_id(absl::StrCat("item", (b * 7 + i) % 500));
          e->set_type("view");
        }
        v1::AppendEventsResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (client.events->AppendEvents(&ctx, req, &resp).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acked_users.push_back(user);
          ++acked_batches;
        } else {
          return;  // The server is gone.
        }
      }
    });
  }
  while (acked_batches.load() < 60) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.Kill();
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GE(acked_users.size(), 60u);

  ASSERT_TRUE(server.Start()) << server.ReadStderr();
  GrpcClient client(server.grpc_address());
  v1::GetStatsResponse stats;
  ASSERT_TRUE(client.admin->GetStats(Ctx().get(), {}, &stats).ok());
  EXPECT_EQ(stats.materializer_lag(), 0u);
  // Every acknowledged batch is there, once. Unacknowledged in-flight batches may be there too
  // (whole or not at all), so the total is at least the acknowledged count.
  for (const std::string& user : acked_users) {
    v1::GetUserRequest req;
    req.set_id(user);
    v1::GetUserResponse resp;
    grpc::Status s = client.catalog->GetUser(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << user << ": " << s.error_message();
    EXPECT_EQ(resp.user().event_count(), static_cast<uint64_t>(kBatch)) << user;
  }
  ASSERT_EQ(stats.tenants_size(), 1);
  EXPECT_GE(stats.tenants(0).events(), acked_users.size() * kBatch);
  EXPECT_EQ(stats.tenants(0).events() % kBatch, 0u);  // Batches are all-or-nothing.
  EXPECT_EQ(server.Terminate(), 0);
}

}  // namespace
}  // namespace recplat::testing
