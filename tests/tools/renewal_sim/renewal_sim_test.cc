// The Renewal backend simulator: HS256 JWTs, MIND replay data, and recplat's real recsystem
// (RenewalFrontend on an in-process core, config/renewal.yaml) connected to the simulator.
#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "apps/recplat/runtime.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/websocket.hpp"
#include "core/config/config_loader.h"
#include "frontends/renewal_ws/renewal_frontend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "tools/renewal_sim/jwt.h"
#include "tools/renewal_sim/mind_data.h"
#include "tools/renewal_sim/sim_backend.h"

namespace recplat::renewal_sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using nlohmann::json;
using ::testing::ElementsAre;

constexpr char kSecret[] = "sim-secret";

// A small MIND-format data set (news.tsv, behaviors.tsv) written once into a temporary
// directory, so the tests need nothing outside the repository: 300 news N1000..N1299 in six
// categories ("news" first), and 20 users each clicking news of two favourite categories.
const std::string& MindFixtureDir() {
  static const std::string* dir = [] {
    static recplat::testing::TempDir tmp;
    const char* categories[] = {"news", "sports", "finance", "travel", "health", "music"};
    std::ofstream news(tmp.path() / "news.tsv");
    for (int i = 0; i < 300; ++i) {
      const char* c = categories[i % 6];
      news << "N" << 1000 + i << "\t" << c << "\t" << c << "sub" << "\tTitle " << i
           << "\tAbstract of news " << i << "\thttps://example.org/" << i << "\t[]\t[]\n";
    }
    std::ofstream behaviors(tmp.path() / "behaviors.tsv");
    for (int u = 0; u < 20; ++u) {
      behaviors << u + 1 << "\tU" << u << "\t11/12/2019 2:14:46 PM\t";
      for (int k = 0; k < 6; ++k) {
        behaviors << (k > 0 ? " " : "") << "N" << 1000 + (u % 6) + 6 * (k * 7 % 50);
      }
      behaviors << "\t";
      for (int k = 0; k < 4; ++k) {
        behaviors << (k > 0 ? " " : "") << "N" << 1000 + ((u + 1) % 6) + 6 * (k * 11 % 50)
                  << (k % 2 == 0 ? "-1" : "-0");
      }
      behaviors << "\n";
    }
    return new std::string(tmp.path().string());
  }();
  return *dir;
}

TEST(JwtTest, RoundTripAndClaims) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const std::string token = RecsystemToken("rs-1", kSecret, now, absl::Hours(1));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(token, '.')).size(), 3u);
  ASSERT_OK_AND_ASSIGN(json claims, VerifyHs256(token, kSecret, now + absl::Minutes(5)));
  EXPECT_EQ(claims["sub"], "rs-1");
  EXPECT_EQ(claims["iat"], 1700000000);
  EXPECT_EQ(claims["exp"], 1700003600);
  EXPECT_EQ(claims["renewal_role"], "recsystem");
  // Expired, issued in the future.
  EXPECT_FALSE(VerifyHs256(token, kSecret, now + absl::Hours(2)).ok());
  EXPECT_FALSE(VerifyHs256(token, kSecret, now - absl::Hours(1)).ok());
  // No exp: never expires; exp 2^64-1 (the 2020 backend's tokens) as well.
  ASSERT_OK(VerifyHs256(SignHs256({{"sub", "x"}}, kSecret), kSecret, now));
  ASSERT_OK(VerifyHs256(SignHs256({{"sub", "x"}, {"exp", UINT64_MAX}}, kSecret), kSecret, now));
  // No sub.
  EXPECT_EQ(VerifyHs256(SignHs256({{"iat", 1}}, kSecret), kSecret, now).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(JwtTest, TamperingIsDetected) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const std::string token = RecsystemToken("rs-1", kSecret, now);
  EXPECT_FALSE(VerifyHs256(token, "other-secret", now).ok());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  // Claims swapped for another sub, signature kept.
  const std::string forged_claims = absl::StrCat(
      parts[0], ".", absl::WebSafeBase64Escape(json{{"sub", "admin"}}.dump()), ".", parts[2]);
  EXPECT_FALSE(VerifyHs256(forged_claims, kSecret, now).ok());
  // One character of the signature changed.
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyHs256(flipped, kSecret, now).ok());
  // alg none, truncated, garbage.
  const std::string none = absl::StrCat(
      absl::WebSafeBase64Escape(json{{"alg", "none"}}.dump()), ".", parts[1], ".");
  EXPECT_FALSE(VerifyHs256(none, kSecret, now).ok());
  EXPECT_FALSE(VerifyHs256(absl::StrCat(parts[0], ".", parts[1]), kSecret, now).ok());
  EXPECT_FALSE(VerifyHs256("a.b.c", kSecret, now).ok());
  EXPECT_FALSE(VerifyHs256("", kSecret, now).ok());
}

TEST(MindDataTest, LoadsArticlesAndUsers) {
  MindLoadOptions options;
  options.max_articles = 50;
  options.max_users = 5;
  options.min_clicks = 1;
  ASSERT_OK_AND_ASSIGN(MindData data, LoadMind(MindFixtureDir(), options));
  ASSERT_EQ(data.articles.size(), 50u);
  EXPECT_EQ(data.articles[0].article_id, 1);
  EXPECT_EQ(data.articles[0].mind_id, "N1000");
  EXPECT_EQ(data.articles[0].doc["keywords"][0], "news");
  EXPECT_EQ(data.articles[49].doc["article_id"], 50);
  EXPECT_FALSE(data.users.empty());
  for (const SimUser& u : data.users) {
    double total = 0;
    for (const auto& [c, share] : u.affinity) total += share;
    EXPECT_NEAR(total, 1.0, 1e-9) << u.user_id;
  }
  EXPECT_FALSE(LoadMind("/nonexistent", options).ok());
}

// The status of a WebSocket upgrade request to the simulator's event stream with `token` (101
// when accepted; the connection is then dropped). Raw HTTP, to read the refusals' status.
unsigned UpgradeStatus(uint16_t port, const std::string& token) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  http::request<http::empty_body> req{http::verb::get, "/v1/event_stream", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  http::write(stream, req, ec);
  if (ec) return 0;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  http::read_header(stream, buffer, parser, ec);
  if (ec) return 0;
  const unsigned status = parser.get().result_int();
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream.close();
  return status;
}

// A GET to the simulator: status and parsed body.
std::pair<unsigned, json> Get(uint16_t port, const std::string& target, const std::string& token) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {0, json()};
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return {0, json()};
  return {res.result_int(), json::parse(res.body(), nullptr, false)};
}

class RenewalSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::ConfigSources sources;
    sources.profile_path = (recplat::testing::SourceDir() / "config" / "renewal.yaml").string();
    absl::StatusOr<config::Config> config = config::LoadConfig(sources);
    ASSERT_OK(config);
    config->data_dir = (dir_.path() / "data").string();
    config->training.enabled = false;
    config->log.sync = config::SyncPolicy::kNone;
    config->grpc.enabled = config->http.enabled = config->metrics.enabled = false;
    auto runtime = app::Runtime::Open({*config, sources.profile_path});
    ASSERT_OK(runtime);
    runtime_ = *std::move(runtime);
    ASSERT_OK(runtime_->Start(/*serve=*/false));

    MindLoadOptions load;
    load.max_articles = 200;
    load.max_users = 8;
    load.min_clicks = 1;
    ASSERT_OK_AND_ASSIGN(MindData data, LoadMind(MindFixtureDir(), load));
    SimOptions options;
    options.secret = kSecret;
    options.initial_articles = 40;
    options.recommend_limit = 10;
    auto backend = SimBackend::Start(options, std::move(data));
    ASSERT_OK(backend);
    backend_ = *std::move(backend);
  }

  void TearDown() override {
    if (frontend_ != nullptr) frontend_->Shutdown();
    frontend_.reset();
    if (backend_ != nullptr) backend_->Stop();
    if (runtime_ != nullptr) runtime_->Shutdown(absl::Seconds(1));
  }

  void StartFrontend(const std::string& sub) {
    renewal_ws::RenewalOptions options;
    options.token = backend_->TokenFor(sub);
    options.api_base_uri = backend_->base_uri();
    options.reconnect_base = absl::Milliseconds(50);
    options.reconnect_max = absl::Milliseconds(200);
    options.connect_timeout = absl::Seconds(2);
    options.request_timeout = absl::Seconds(2);
    options.idle_timeout = absl::Seconds(10);
    options.page_size = 15;
    auto frontend = renewal_ws::RenewalFrontend::Start(&runtime_->service(), std::move(options));
    ASSERT_OK(frontend);
    frontend_ = *std::move(frontend);
  }

  bool HasItem(const std::string& id) {
    v1::GetItemRequest req;
    req.set_id(id);
    return runtime_->service().GetItem(req).ok();
  }

  static bool Eventually(const std::function<bool()>& done,
                         absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (done()) return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return done();
  }

  recplat::testing::TempDir dir_;
  std::unique_ptr<app::Runtime> runtime_;
  std::unique_ptr<SimBackend> backend_;
  std::unique_ptr<renewal_ws::RenewalFrontend> frontend_;
};

TEST_F(RenewalSimTest, RestApiAndAuth) {
  const uint16_t port = backend_->port();
  const std::string token = backend_->TokenFor("rs");
  EXPECT_EQ(Get(port, "/v1", "").second, json({{"version", 1}}));
  EXPECT_EQ(Get(port, "/v1/articles", "").first, 401u);
  EXPECT_EQ(Get(port, "/v1/articles", RecsystemToken("rs", "wrong", absl::Now())).first, 401u);
  auto [status, page] = Get(port, "/v1/articles?limit=3&max_id=10", token);
  EXPECT_EQ(status, 200u);
  ASSERT_EQ(page.size(), 3u) << page.dump();
  EXPECT_EQ(page[0]["article_id"], 9);
  EXPECT_EQ(page[2]["article_id"], 7);
  EXPECT_EQ(Get(port, "/v1/articles?since_id=35", token).second.size(), 5u);
  EXPECT_EQ(Get(port, "/v1/articles/12", token).second["article_id"], 12);
  EXPECT_EQ(Get(port, "/v1/articles/41", token).first, 404u);  // not released yet
  EXPECT_EQ(Get(port, "/v1/user_assignments", token).second.size(), 8u);
  EXPECT_EQ(UpgradeStatus(port, ""), 401u);
  EXPECT_EQ(UpgradeStatus(port, RecsystemToken("rs", "wrong", absl::Now())), 401u);
  EXPECT_GE(backend_->unauthorized(), 4);
}

TEST_F(RenewalSimTest, RealRecsystemConnectsSyncsAndIsScored) {
  StartFrontend("recplat");
  // Greeting: the simulator's ping was answered with "pong".
  ASSERT_TRUE(backend_->WaitForGreeted(1, absl::Seconds(5)));
  EXPECT_THAT(backend_->greeted(), ElementsAre("recplat"));
  EXPECT_TRUE(frontend_->connected());
  // The sync read the 40 released articles and the 8 assigned users.
  EXPECT_EQ(frontend_->syncs(), 1);
  EXPECT_EQ(frontend_->service().article_count(), 40u);
  EXPECT_EQ(frontend_->service().newest_article_id(), 40);
  EXPECT_EQ(frontend_->service().assigned_users().size(), 8u);
  EXPECT_TRUE(HasItem("1"));

  // A second event stream for the same recsystem is refused before the upgrade.
  EXPECT_EQ(UpgradeStatus(backend_->port(), backend_->TokenFor("recplat")), 403u);
  EXPECT_EQ(backend_->duplicates_refused(), 1);
  EXPECT_TRUE(frontend_->connected());
  // Another recsystem may connect.
  EXPECT_EQ(UpgradeStatus(backend_->port(), backend_->TokenFor("other")), 101u);

  // Replay: new_article notifications reach the core.
  EXPECT_EQ(backend_->ReleaseArticles(5), 5u);
  EXPECT_EQ(backend_->released_articles(), 45u);
  ASSERT_TRUE(Eventually([&] { return HasItem("45"); }));
  EXPECT_TRUE(Eventually([&] { return frontend_->service().article_count() == 45u; }));

  // Simulated steps: each of the 8 users asks recplat for 10 articles per step.
  for (int step = 0; step < 3; ++step) {
    backend_->ReleaseArticles(2);
    backend_->Step();
  }
  const auto stats = backend_->stats();
  ASSERT_TRUE(stats.contains("recplat"));
  const RecsystemStats& st = stats.at("recplat");
  EXPECT_EQ(st.recommend_calls, 24);
  EXPECT_EQ(st.failed_calls, 0);
  EXPECT_GT(st.recommended, 0);
  EXPECT_LE(st.recommended, 240);
  EXPECT_GE(st.clicks, 0);
  EXPECT_LE(st.clicks, 24);
  EXPECT_GE(st.ctr(), 0.0);
  EXPECT_LE(st.ctr(), 1.0);
  std::cout << "recplat: recommended " << st.recommended << " clicks " << st.clicks << " ctr "
            << st.ctr() << "\n";
  // The interactions were recorded: a user's history is not empty.
  EXPECT_TRUE(Eventually([&] {
    v1::GetUserRequest req;
    req.set_id(frontend_->service().assigned_users().front());
    req.set_history_limit(100);
    absl::StatusOr<v1::GetUserResponse> user = runtime_->service().GetUser(req);
    return user.ok() && user->history_size() > 0;
  }));
}

}  // namespace
}  // namespace recplat::renewal_sim
