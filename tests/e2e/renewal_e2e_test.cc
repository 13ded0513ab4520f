// End-to-end test of the renewal profile as users run it: the real `recplat --profile
// config/renewal.yaml` binary against the Renewal backend simulator (tools/renewal_sim) on
// 127.0.0.1. Covers the command line (--token as a file, --api-base-uri) and the RENEWAL_*
// environment variables, recommendations flowing to simulated users, the renewal metrics on
// /metrics, and a restart that keeps the state (the users' histories survive it).
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/test_env.h"
#include "tools/renewal_sim/sim_backend.h"

namespace recplat::testing {
namespace {

using renewal_sim::MindData;
using renewal_sim::SimBackend;
using renewal_sim::SimOptions;

// 60 articles in three categories; four users, each fond of one category.
MindData Data() { return renewal_sim::SyntheticMind(60, 4, {"sports", "news", "finance"}); }

class RenewalE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimOptions options;
    options.initial_articles = 40;
    options.release_per_step = 2;
    options.min_articles = 3;
    options.max_articles = 5;
    options.shown = 5;
    auto sim = SimBackend::Start(options, Data());
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = *std::move(sim);
    token_file_ = (dir_.path() / "token").string();
    std::ofstream(token_file_) << sim_->TokenFor("e2e") << "\n";
  }

  void TearDown() override {
    ::unsetenv("RENEWAL_TOKEN");
    ::unsetenv("RENEWAL_API_BASE_URI");
    if (sim_ != nullptr) sim_->Stop();
  }

  std::vector<std::string> BaseArgs() {
    return {"--profile", (SourceDir() / "config" / "renewal.yaml").string(), "--data-dir",
            (dir_.path() / "data").string()};
  }

  // Length of user U0's history as the core keeps it (native HTTP API).
  static size_t HistoryLength(const ServerProcess& server) {
    HttpClient http(server.http_address());
    const HttpResult r = http.Get("/v1/users/U0?history_limit=1000");
    if (r.status == 404) return 0;  // No event of U0 applied yet.
    EXPECT_EQ(r.status, 200) << r.body;
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    return body.is_object() && body.contains("history") ? body["history"].size() : 0;
  }

  TempDir dir_;
  std::unique_ptr<SimBackend> sim_;
  std::string token_file_;
};

TEST_F(RenewalE2eTest, RecommendsToSimulatedUsersAndKeepsItsStateAcrossARestart) {
  std::vector<std::string> args = BaseArgs();
  args.insert(args.end(), {"--token", token_file_, "--api-base-uri", sim_->base_uri()});
  ServerProcess server(args);
  ASSERT_TRUE(server.Start()) << server.ReadStderr();
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(20))) << server.ReadStderr();

  sim_->Run(4);
  const auto stats = sim_->stats();
  ASSERT_EQ(stats.count("e2e"), 1u);
  const renewal_sim::RecsystemStats& s = stats.at("e2e");
  EXPECT_EQ(s.recommend_calls, 16);  // 4 users x 4 steps.
  EXPECT_EQ(s.failed_calls, 0);
  EXPECT_EQ(s.discarded, 0);
  EXPECT_EQ(s.shown, 16 * 5);

  HttpClient metrics(server.metrics_address());
  const HttpResult page = metrics.Get("/metrics");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("recplat_renewal_connected 1"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("recplat_renewal_calls_total{code=\"OK\",method=\"recommend\"} 16"),
            std::string::npos)
      << page.body;
  const std::string token = sim_->TokenFor("e2e");
  EXPECT_EQ(server.ReadStderr().find(token), std::string::npos) << "the token was logged";
  // Notifications apply asynchronously: wait for at least what U0 was shown (4 lists of 5),
  // then for the history to stay the same for a second (the simulator has sent everything; on a
  // loaded machine the last ones can take a while to apply).
  size_t history = 0;
  int unchanged = 0;
  for (int i = 0; i < 600 && unchanged < 20; ++i) {
    const size_t now = HistoryLength(server);
    unchanged = now >= 4u * 5u && now == history ? unchanged + 1 : 0;
    history = now;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_GE(history, 4u * 5u);
  ASSERT_EQ(server.Terminate(), 0) << server.ReadStderr();

  // Restart configured through the environment only; the kept articles are not fetched again.
  ::setenv("RENEWAL_TOKEN", token.c_str(), 1);
  ::setenv("RENEWAL_API_BASE_URI", sim_->base_uri().c_str(), 1);
  ServerProcess again(BaseArgs());
  ASSERT_TRUE(again.Start()) << again.ReadStderr();
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(20))) << again.ReadStderr();
  EXPECT_EQ(HistoryLength(again), history);
  sim_->Run(1);
  EXPECT_EQ(sim_->stats().at("e2e").recommend_calls, 20);
  EXPECT_EQ(sim_->stats().at("e2e").failed_calls, 0);
  EXPECT_EQ(again.ReadStderr().find(token), std::string::npos) << "the token was logged";
  EXPECT_EQ(again.Terminate(), 0) << again.ReadStderr();
}

}  // namespace
}  // namespace recplat::testing
