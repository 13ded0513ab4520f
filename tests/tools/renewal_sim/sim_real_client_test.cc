// recplat's real recsystem (RenewalFrontend on an in-process core, config/renewal.yaml) against
// the simulator: greeting, sync, notifications, scoring in both recommend styles, assignments,
// restart + reconnect + catch-up, TLS with a self-signed certificate (and refusal), and the test
// utility.
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "apps/recplat/runtime.h"
#include "core/config/config_loader.h"
#include "frontends/renewal_ws/renewal_frontend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/frontends/renewal_ws/renewal_core.h"
#include "tests/frontends/renewal_ws/test_certs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "tests/tools/renewal_sim/mind_fixture.h"
#include "tools/renewal_sim/sim_backend.h"
#include "tools/renewal_sim/trigger.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;
using recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecret[] = "sim-secret";

bool Eventually(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(5)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return done();
}

class SimRealClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(runtime_, recplat::testing::StartRenewalCore(dir_.path() / "data"));
  }

  void TearDown() override {
    if (frontend_ != nullptr) frontend_->Shutdown();
    frontend_.reset();
    if (sim_ != nullptr) sim_->Stop();
    if (runtime_ != nullptr) runtime_->Shutdown(absl::Seconds(1));
  }

  static SimOptions Defaults() {
    SimOptions options;
    options.secret = kSecret;
    options.initial_articles = 40;
    options.min_articles = 5;
    options.max_articles = 10;
    options.shown = 10;
    return options;
  }

  void StartSim(SimOptions options) {
    MindLoadOptions load;
    load.max_articles = 200;
    load.max_users = 8;
    load.min_clicks = 1;
    auto data = LoadMind(testing::MindFixtureDir(), load);
    ASSERT_OK(data);
    auto sim = SimBackend::Start(std::move(options), *std::move(data));
    ASSERT_OK(sim);
    sim_ = *std::move(sim);
  }

  renewal_ws::RenewalOptions ClientOptions(const std::string& sub) {
    renewal_ws::RenewalOptions options;
    options.token = sim_->TokenFor(sub);
    options.api_base_uri = sim_->base_uri();
    options.reconnect_base = absl::Milliseconds(50);
    options.reconnect_max = absl::Milliseconds(200);
    options.connect_timeout = absl::Seconds(2);
    options.request_timeout = absl::Seconds(2);
    options.idle_timeout = absl::Seconds(10);
    options.page_size = 15;
    return options;
  }

  void StartFrontend(renewal_ws::RenewalOptions options) {
    auto frontend = renewal_ws::RenewalFrontend::Start(&runtime_->service(), std::move(options));
    ASSERT_OK(frontend);
    frontend_ = *std::move(frontend);
  }

  bool HasItem(const std::string& id) {
    v1::GetItemRequest req;
    req.set_id(id);
    return runtime_->service().GetItem(req).ok();
  }

  recplat::testing::TempDir dir_;
  std::unique_ptr<app::Runtime> runtime_;
  std::unique_ptr<SimBackend> sim_;
  std::unique_ptr<renewal_ws::RenewalFrontend> frontend_;
};

TEST_F(SimRealClientTest, ConnectsSyncsIsNotifiedAndScored) {
  SimOptions options = Defaults();
  options.recsystems = {"recplat"};
  StartSim(options);
  StartFrontend(ClientOptions("recplat"));
  // Greeting: the simulator's ping was answered with "pong".
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(5)));
  EXPECT_THAT(sim_->greeted(), ElementsAre("recplat"));
  EXPECT_TRUE(frontend_->connected());
  // The sync read the 40 released articles (pages of 15) and the 8 assigned users.
  EXPECT_EQ(frontend_->syncs(), 1);
  EXPECT_EQ(frontend_->service().article_count(), 40u);
  EXPECT_EQ(frontend_->service().newest_article_id(), 40);
  EXPECT_EQ(frontend_->service().assigned_users().size(), 8u);
  EXPECT_TRUE(HasItem("1"));

  // Replay: new_article notifications reach the core.
  EXPECT_EQ(sim_->ReleaseArticles(5), 5u);
  ASSERT_TRUE(Eventually([&] { return HasItem("45"); }));
  EXPECT_TRUE(Eventually([&] { return frontend_->service().article_count() == 45u; }));

  // Refreshes: 8 users, one recommend each per step (2021 params).
  for (int step = 0; step < 2; ++step) sim_->Step();
  RecsystemStats st = sim_->stats().at("recplat");
  EXPECT_EQ(st.recommend_calls, 16);
  EXPECT_EQ(st.failed_calls, 0);
  EXPECT_EQ(st.discarded, 0);
  EXPECT_EQ(st.shown, 160);
  EXPECT_GE(st.clicks, 1);
  std::cout << "recplat (2021): shown " << st.shown << " clicks " << st.clicks << "\n";
  // The interactions were recorded in the core: a user's history is not empty.
  EXPECT_TRUE(Eventually([&] {
    v1::GetUserRequest req;
    req.set_id("U0");
    req.set_history_limit(100);
    absl::StatusOr<v1::GetUserResponse> user = runtime_->service().GetUser(req);
    return user.ok() && user->history_size() > 0;
  }));
}

TEST_F(SimRealClientTest, The2020RecommendStyle) {
  SimOptions options = Defaults();
  options.style = RecommendStyle::k2020;
  options.recsystems = {"recplat"};
  StartSim(options);
  StartFrontend(ClientOptions("recplat"));
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(5)));
  sim_->Step();
  sim_->Step();
  const RecsystemStats st = sim_->stats().at("recplat");
  EXPECT_EQ(st.recommend_calls, 16);
  EXPECT_EQ(st.failed_calls, 0);
  EXPECT_EQ(st.discarded, 0);
  EXPECT_EQ(st.shown, 160);  // limit 10 answered in full from 40 articles
}

TEST_F(SimRealClientTest, AssignmentNotificationsReachTheRealClient) {
  SimOptions options = Defaults();
  options.recsystems = {"other"};  // "recplat" is unknown until it connects
  options.recsystems_per_user = 1;
  options.rotate_every = 1;
  StartSim(options);
  StartFrontend(ClientOptions("recplat"));
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(5)));
  // Its sync found no user; the greeting assigned it half of them by notification.
  const std::vector<std::string> mine = sim_->UsersOf("recplat");
  ASSERT_EQ(mine.size(), 4u);
  EXPECT_TRUE(Eventually([&] { return frontend_->service().assigned_users() == mine; }));
  sim_->Step();
  sim_->Step();  // rotation: the other half
  const std::vector<std::string> rotated = sim_->UsersOf("recplat");
  EXPECT_NE(rotated, mine);
  EXPECT_TRUE(Eventually([&] { return frontend_->service().assigned_users() == rotated; }));
}

TEST_F(SimRealClientTest, ReconnectsAfterARestartAndCatchesUp) {
  SimOptions options = Defaults();
  options.recsystems = {"recplat"};
  StartSim(options);
  StartFrontend(ClientOptions("recplat"));
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(5)));
  EXPECT_EQ(frontend_->service().article_count(), 40u);
  const uint16_t port = sim_->port();

  // The backend goes away; it comes back on the same port with 5 more articles.
  sim_->Stop();
  EXPECT_TRUE(Eventually([&] { return !frontend_->connected(); }));
  options.port = port;
  options.initial_articles = 45;
  StartSim(options);
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(10)));
  EXPECT_EQ(frontend_->connections(), 2);
  EXPECT_EQ(frontend_->syncs(), 2);
  EXPECT_EQ(frontend_->service().article_count(), 45u);
  EXPECT_TRUE(HasItem("45"));
  sim_->Step();
  EXPECT_EQ(sim_->stats().at("recplat").failed_calls, 0);
  EXPECT_EQ(sim_->stats().at("recplat").recommend_calls, 8);
}

TEST_F(SimRealClientTest, TriggerUtilityAgainstTheRealClient) {
  StartSim(Defaults());
  StartFrontend(ClientOptions("recplat"));
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(5)));
  ASSERT_OK_AND_ASSIGN(TriggerResult ping, sim_->Trigger("recplat", "ping", nullptr));
  EXPECT_EQ(ping.line, "ping() -> 'pong'");
  ASSERT_OK_AND_ASSIGN(TriggerResult rec, sim_->Trigger("recplat", "recommend", nullptr));
  EXPECT_THAT(rec.line,
              StartsWith("recommend(user_id='fake-user', max_articles=200, min_articles=15) -> ["));
  ASSERT_TRUE(rec.answer.is_array());
  EXPECT_EQ(rec.answer.size(), 40u);  // every released article: at least 15, at most 200
  ASSERT_OK_AND_ASSIGN(TriggerResult click,
                       sim_->Trigger("recplat", "article_interaction", nullptr));
  EXPECT_THAT(click.line, HasSubstr(") -> None"));
  ASSERT_OK_AND_ASSIGN(TriggerResult unknown, sim_->Trigger("recplat", "square", nullptr));
  EXPECT_THAT(unknown.line, HasSubstr("square() -> error: {'code': -32601"));
}

class SimTlsTest : public SimRealClientTest {
 protected:
  void StartTlsSim() {
    auto cert = renewal_ws::renewal_test::MakeSelfSignedCert("renewal-sim-test",
                                                             "IP:127.0.0.1,DNS:localhost");
    ASSERT_OK(cert);
    ca_file_ = (dir_.path() / "ca.pem").string();
    std::ofstream(ca_file_) << cert->cert_pem;
    SimOptions options = Defaults();
    options.recsystems = {"recplat"};
    options.tls_cert_pem = cert->cert_pem;
    options.tls_key_pem = cert->key_pem;
    StartSim(options);
    ASSERT_THAT(sim_->base_uri(), StartsWith("https://127.0.0.1:"));
  }

  std::string ca_file_;
};

TEST_F(SimTlsTest, AcceptedWithTheConfiguredCa) {
  StartTlsSim();
  renewal_ws::RenewalOptions options = ClientOptions("recplat");
  options.ca_file = ca_file_;
  StartFrontend(std::move(options));
  ASSERT_TRUE(sim_->WaitForGreeted(1, absl::Seconds(5)));
  EXPECT_EQ(frontend_->service().article_count(), 40u);
  sim_->Step();
  EXPECT_EQ(sim_->stats().at("recplat").failed_calls, 0);
  EXPECT_EQ(sim_->stats().at("recplat").shown, 80);
  EXPECT_EQ(sim_->tls_failures(), 0);
  // The test utility's client over https, verifying with the same CA (and refusing without).
  TriggerRequest request;
  request.api_base_uri = sim_->base_uri();
  request.token = sim_->TokenFor("recplat");
  request.method = "ping";
  request.ca_file = ca_file_;
  ASSERT_OK_AND_ASSIGN(json body, PostTrigger(request));
  EXPECT_EQ(body["line"], "ping() -> 'pong'");
  request.ca_file.clear();
  EXPECT_THAT(PostTrigger(request), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(SimTlsTest, RefusedWhenTheClientDoesNotTrustTheCertificate) {
  StartTlsSim();
  StartFrontend(ClientOptions("recplat"));                             // system store only
  EXPECT_TRUE(Eventually([&] { return sim_->tls_failures() >= 2; }));  // retried
  EXPECT_FALSE(sim_->WaitForGreeted(1, absl::Milliseconds(200)));
  EXPECT_EQ(frontend_->connections(), 0);
  EXPECT_EQ(frontend_->service().article_count(), 0u);
}

}  // namespace
}  // namespace recplat::renewal_sim
