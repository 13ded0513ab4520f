// The Renewal recsystem side against a fake Renewal backend on 127.0.0.1 (plain and TLS), with
// a real in-process core (Runtime on a temporary data directory, config/renewal.yaml).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "apps/recplat/runtime.h"
#include "core/config/config_loader.h"
#include "frontends/renewal_ws/renewal_codec.h"
#include "frontends/renewal_ws/renewal_frontend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/frontends/renewal_ws/fake_renewal_backend.h"
#include "tests/frontends/renewal_ws/renewal_core.h"
#include "tests/frontends/renewal_ws/test_certs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;
using renewal_test::FakeBackendOptions;
using renewal_test::FakeRenewalBackend;
using renewal_test::FakeSession;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kToken[] = "test-token";

json Article(int64_t id) {
  const absl::Time published = absl::FromUnixSeconds(1601428481) + absl::Minutes(id);
  return json{
      {"article_id", id},
      {"url", absl::StrCat("https://news.example/", id)},
      {"title", absl::StrCat("Article ", id)},
      {"summary", absl::StrCat("Summary of ", id)},
      {"keywords", {absl::StrCat("k", id % 3)}},
      {"lang", "fr"},
      {"publish_date", absl::FormatTime("%Y-%m-%dT%H:%M:%S", published, absl::UTCTimeZone())},
      {"metrics", {{"likes", 0}, {"dislikes", 0}, {"bookmarks", 0}, {"clicks", 0}}},
      {"site", {{"name", "Le Monde"}, {"url", "https://lemonde.fr"}}},
      {"times_seen", 1}};
}

std::vector<json> Articles(int64_t first, int64_t last) {
  std::vector<json> out;
  for (int64_t id = first; id <= last; ++id) out.push_back(Article(id));
  return out;
}

bool Eventually(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(5)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return done();
}

// The ids of a recommend result; adds a failure when it is not an array of distinct integers.
std::vector<int64_t> Ids(const json& result) {
  std::vector<int64_t> ids;
  EXPECT_TRUE(result.is_array()) << result.dump();
  if (!result.is_array()) return ids;
  for (const json& id : result) {
    EXPECT_TRUE(id.is_number_integer()) << result.dump();
    if (id.is_number_integer()) ids.push_back(id.get<int64_t>());
  }
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), ids.size()) << result.dump();
  return ids;
}

class RenewalWsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(runtime_, recplat::testing::StartRenewalCore(dir_.path() / "data"));
  }

  void TearDown() override {
    if (frontend_ != nullptr) frontend_->Shutdown();
    frontend_.reset();
    if (runtime_ != nullptr) runtime_->Shutdown(absl::Seconds(1));
  }

  api::Api& api() { return runtime_->service(); }

  RenewalOptions Options(const std::string& base_uri) {
    RenewalOptions options;
    options.token = kToken;
    options.api_base_uri = base_uri;
    options.reconnect_base = absl::Milliseconds(50);
    options.reconnect_max = absl::Milliseconds(200);
    options.connect_timeout = absl::Seconds(2);
    options.request_timeout = absl::Seconds(2);
    options.idle_timeout = absl::Seconds(10);
    options.page_size = 12;
    return options;
  }

  void StartFrontend(RenewalOptions options) {
    auto frontend = RenewalFrontend::Start(&api(), std::move(options));
    ASSERT_OK(frontend);
    frontend_ = *std::move(frontend);
  }

  bool HasItem(const std::string& id) {
    v1::GetItemRequest req;
    req.set_id(id);
    return api().GetItem(req).ok();
  }

  std::string CertFile(const renewal_test::TestCert& cert, const std::string& name) {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path) << cert.cert_pem;
    return path;
  }

  recplat::testing::TempDir dir_;
  std::unique_ptr<app::Runtime> runtime_;
  std::unique_ptr<RenewalFrontend> frontend_;
};

TEST_F(RenewalWsIntegrationTest, SyncGreetingNotificationsAndRecommend) {
  auto backend = FakeRenewalBackend::Start({});
  ASSERT_OK(backend);
  (*backend)->SetArticles(Articles(1, 30));
  (*backend)->SetAssignments(json::array(
      {{{"user_id", "alice"},
        {"interactions",
         {{{"article_id", 30}, {"recommended", true}}, {{"article_id", 29}, {"clicked", true}}}}},
       "bob"}));
  StartFrontend(Options((*backend)->base_uri()));

  // Greeting: the backend's first call is ping.
  std::shared_ptr<FakeSession> session = (*backend)->WaitForSession(absl::Seconds(5));
  ASSERT_NE(session, nullptr);
  ASSERT_OK_AND_ASSIGN(json pong, session->Call("ping", nullptr));
  EXPECT_EQ(pong, "pong");

  // The sync ran before the connection: articles paged newest first, then assignments.
  EXPECT_EQ(frontend_->syncs(), 1);
  EXPECT_TRUE(frontend_->connected());
  EXPECT_THAT((*backend)->rest_requests(),
              ElementsAre("/v1/articles?limit=12", "/v1/articles?limit=12&max_id=19",
                          "/v1/articles?limit=12&max_id=7", "/v1/articles?limit=12&max_id=1",
                          "/v1/user_assignments"));
  EXPECT_EQ(frontend_->service().article_count(), 30u);
  EXPECT_EQ(frontend_->service().newest_article_id(), 30);
  EXPECT_THAT(frontend_->service().assigned_users(), ElementsAre("alice", "bob"));
  // The interactions listed with alice became events, each once however often she is listed.
  auto history_of = [&](const std::string& user) {
    v1::GetUserRequest req;
    req.set_id(user);
    req.set_history_limit(100);
    std::vector<std::string> out;
    absl::StatusOr<v1::GetUserResponse> got = api().GetUser(req);
    if (!got.ok()) return out;
    for (const auto& h : got->history()) out.push_back(h.type() + ":" + h.item_id());
    std::sort(out.begin(), out.end());
    return out;
  };
  ASSERT_TRUE(Eventually([&] { return history_of("alice").size() == 2; }));
  EXPECT_THAT(history_of("alice"), ElementsAre("click:29", "recommended:30"));
  ASSERT_OK(frontend_->service().SetAssignments(json::array(
      {{{"user_id", "alice"},
        {"interactions",
         {{{"article_id", 30}, {"recommended", true}},
          {{"article_id", 29}, {"clicked", true}, {"rating", 1}, {"prev_rating", 0}}}}},
       "bob"})));
  ASSERT_TRUE(Eventually([&] { return history_of("alice").size() == 3; }));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_THAT(history_of("alice"), ElementsAre("click:29", "rating:29", "recommended:30"));
  v1::GetItemRequest get;
  get.set_id("7");
  ASSERT_OK_AND_ASSIGN(v1::Item item, api().GetItem(get));
  EXPECT_EQ(item.title(), "Article 7");
  EXPECT_THAT(item.categories(), ElementsAre("k1"));
  EXPECT_EQ(item.categorical_attributes().at("site"), "Le Monde");

  // new_article: an item and the stored article (without raw contents).
  json fresh = Article(31);
  fresh["title"] = "Breaking";
  fresh["contents"] = "<html>raw</html>";
  fresh["publish_date"] = "2020-09-30T01:14:41";
  session->Notify("new_article", {{"article", fresh}});
  ASSERT_TRUE(Eventually([&] { return HasItem("31"); }));
  get.set_id("31");
  ASSERT_OK_AND_ASSIGN(item, api().GetItem(get));
  EXPECT_EQ(item.title(), "Breaking");
  EXPECT_EQ(item.published_at_ms(), 1601428481000);
  EXPECT_EQ(item.numeric_attributes().at("article_id"), 31);

  // article_interaction: metrics follow the backend's rules, in arrival order.
  for (json x : {json{{"clicked", true}}, json{{"rating", 1}, {"prev_rating", 0}},
                 json{{"bookmarked", true}}, json{{"rating", -1}, {"prev_rating", 1}}}) {
    x["user_id"] = "alice";
    x["article_id"] = 31;
    session->Notify("article_interaction", {{"interaction", x}});
  }
  const ArticleMetrics expected{/*clicks=*/1, /*likes=*/0, /*dislikes=*/1, /*bookmarks=*/1};
  EXPECT_TRUE(Eventually([&] {
    absl::StatusOr<ArticleMetrics> m = frontend_->service().Metrics(31);
    return m.ok() && *m == expected;
  }));

  // assigned_user / unassigned_user, as an id or a user object.
  session->Notify("assigned_user", {{"user_id", "carol"}});
  session->Notify("assigned_user",
                  {{"user", {{"user_id", "dave"}, {"interactions", {{{"article_id", 1}}}}}}});
  session->Notify("unassigned_user", {{"user_id", "bob"}});
  EXPECT_TRUE(Eventually([&] {
    return frontend_->service().assigned_users() ==
           std::vector<std::string>{"alice", "carol", "dave"};
  }));
  v1::ScanDocumentsRequest scan;
  scan.set_collection(kAssignedUsersCollection);
  ASSERT_OK_AND_ASSIGN(v1::ScanDocumentsResponse users, api().ScanDocuments(scan));
  EXPECT_EQ(users.documents_size(), 3);

  // recommend, 2021 style: never what alice saw (29, 30 from the assignments, 31 from the
  // interactions) nor what she was recommended before; at least min when the corpus allows.
  std::set<int64_t> served;
  for (size_t expected_size : {10u, 10u, 8u, 0u}) {
    ASSERT_OK_AND_ASSIGN(json result, session->Call("recommend", {{"user_id", "alice"},
                                                                  {"min_articles", 5},
                                                                  {"max_articles", 10}}));
    std::vector<int64_t> ids = Ids(result);
    EXPECT_EQ(ids.size(), expected_size) << result.dump();
    for (int64_t id : ids) {
      EXPECT_TRUE(id >= 1 && id <= 28) << id;
      EXPECT_TRUE(served.insert(id).second) << "repeated " << id;
    }
  }
  EXPECT_EQ(served.size(), 28u);

  // min_articles is met when the corpus allows it; max_articles caps.
  ASSERT_OK_AND_ASSIGN(
      json all, session->Call("recommend",
                              {{"user_id", "gina"}, {"min_articles", 15}, {"max_articles", 200}}));
  EXPECT_EQ(Ids(all).size(), 31u);
  ASSERT_OK_AND_ASSIGN(
      json three,
      session->Call("recommend", {{"user_id", "hank"}, {"min_articles", 2}, {"max_articles", 3}}));
  EXPECT_EQ(Ids(three).size(), 3u);

  // recommend, 2020 style: limit within (since_id, max_id), fresh ids on each call.
  ASSERT_OK_AND_ASSIGN(
      json first,
      session->Call("recommend",
                    {{"user_id", "erin"}, {"limit", 4}, {"since_id", 10}, {"max_id", 20}}));
  ASSERT_OK_AND_ASSIGN(
      json rest,
      session->Call("recommend",
                    {{"user_id", "erin"}, {"limit", 30}, {"since_id", 10}, {"max_id", nullptr}}));
  std::vector<int64_t> a = Ids(first), b = Ids(rest);
  EXPECT_EQ(a.size(), 4u);
  for (int64_t id : a) EXPECT_TRUE(id > 10 && id < 20) << id;
  EXPECT_EQ(b.size(), 21u - 4u);  // 11..31 minus the four served
  for (int64_t id : b) {
    EXPECT_GT(id, 10);
    EXPECT_EQ(std::count(a.begin(), a.end(), id), 0) << id;
  }
  // Positional params (2020 order: user_id, limit, since_id, max_id).
  ASSERT_OK_AND_ASSIGN(json positional, session->Call("recommend", json::array({"frank", 3})));
  EXPECT_EQ(Ids(positional).size(), 3u);

  // A `recommended` interaction excludes the article from later answers.
  session->Notify(
      "article_interaction",
      {{"interaction", {{"user_id", "ivy"}, {"article_id", 3}, {"recommended", true}}}});
  EXPECT_TRUE(Eventually([&] {
    v1::GetUserRequest req;
    req.set_id("ivy");
    req.set_history_limit(10);
    absl::StatusOr<v1::GetUserResponse> user = api().GetUser(req);
    return user.ok() && user->history_size() == 1;
  }));
  ASSERT_OK_AND_ASSIGN(json ivy, session->Call("recommend", {{"user_id", "ivy"}, {"limit", 100}}));
  std::vector<int64_t> ivy_ids = Ids(ivy);
  EXPECT_EQ(ivy_ids.size(), 30u);
  EXPECT_EQ(std::count(ivy_ids.begin(), ivy_ids.end(), 3), 0);

  // Bad params are JSON-RPC errors -32602.
  ASSERT_OK_AND_ASSIGN(json missing, session->Call("recommend", {{"limit", 3}}));
  EXPECT_EQ(missing["error"]["code"], -32602) << missing.dump();
  ASSERT_OK_AND_ASSIGN(json bad, session->Call("recommend", {{"user_id", "x"}, {"limit", "a"}}));
  EXPECT_EQ(bad["error"]["code"], -32602) << bad.dump();

  // Notifications are never answered.
  EXPECT_THAT(session->unexpected_frames(), IsEmpty());
}

TEST_F(RenewalWsIntegrationTest, ReconnectsAfterRestartAndCatchesUp) {
  auto backend = FakeRenewalBackend::Start({});
  ASSERT_OK(backend);
  (*backend)->SetArticles(Articles(1, 5));
  StartFrontend(Options((*backend)->base_uri()));
  std::shared_ptr<FakeSession> session = (*backend)->WaitForSession(absl::Seconds(5));
  ASSERT_NE(session, nullptr);
  ASSERT_OK_AND_ASSIGN(json pong, session->Call("ping", nullptr));
  EXPECT_EQ(pong, "pong");
  const uint16_t port = (*backend)->port();

  // The backend goes away; articles 6..8 are published meanwhile; it comes back on the port.
  (*backend)->Stop();
  EXPECT_TRUE(session->WaitClosed(absl::Seconds(2)));
  EXPECT_TRUE(Eventually([&] { return !frontend_->connected(); }));
  absl::SleepFor(absl::Milliseconds(150));  // a few failed attempts
  FakeBackendOptions again;
  again.port = port;
  auto restarted = FakeRenewalBackend::Start(again);
  ASSERT_OK(restarted);
  (*restarted)->SetArticles(Articles(1, 8));
  (*restarted)->SetAssignments(json::array({"zoe"}));

  std::shared_ptr<FakeSession> second = (*restarted)->WaitForSession(absl::Seconds(5));
  ASSERT_NE(second, nullptr);
  ASSERT_OK_AND_ASSIGN(pong, second->Call("ping", nullptr));
  EXPECT_EQ(pong, "pong");
  EXPECT_EQ(frontend_->connections(), 2);
  EXPECT_EQ(frontend_->syncs(), 2);
  // Catch-up asks only for what is newer than the newest cached article.
  EXPECT_THAT((*restarted)->rest_requests(), Contains("/v1/articles?limit=12&since_id=5"));
  EXPECT_EQ(frontend_->service().article_count(), 8u);
  EXPECT_TRUE(HasItem("8"));
  EXPECT_THAT(frontend_->service().assigned_users(), ElementsAre("zoe"));
}

// The value of the series of `name` whose labels include all of `labels`; -1 when none.
double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::map<std::string, std::string>& labels = {}) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& m : family.metric) {
      size_t matched = 0;
      for (const prometheus::ClientMetric::Label& l : m.label) {
        auto it = labels.find(l.name);
        if (it != labels.end() && it->second == l.value) ++matched;
      }
      if (matched != labels.size()) continue;
      if (family.type == prometheus::MetricType::Histogram) {
        return static_cast<double>(m.histogram.sample_count);
      }
      return family.type == prometheus::MetricType::Gauge ? m.gauge.value : m.counter.value;
    }
  }
  return -1;
}

TEST_F(RenewalWsIntegrationTest, MetricsFollowCallsConnectionsAndSyncs) {
  prometheus::Registry registry;
  auto backend = FakeRenewalBackend::Start({});
  ASSERT_OK(backend);
  (*backend)->SetArticles(Articles(1, 5));
  RenewalOptions options = Options((*backend)->base_uri());
  options.metrics = &registry;
  StartFrontend(std::move(options));
  std::shared_ptr<FakeSession> session = (*backend)->WaitForSession(absl::Seconds(5));
  ASSERT_NE(session, nullptr);
  ASSERT_OK(session->Call("ping", nullptr).status());
  ASSERT_OK(session->Call("recommend", {{"user_id", "u1"}, {"limit", 2}}).status());
  (void)session->Call("recommend", {{"limit", 2}});  // No user_id: -32602.
  (void)session->Call("drop_tables", nullptr);       // Unknown: must not make a new series.
  ASSERT_TRUE(Eventually([&] {
    return MetricValue(registry, "recplat_renewal_calls_total",
                       {{"method", "other"}, {"code", "UNIMPLEMENTED"}}) == 1;
  }));
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_calls_total",
                        {{"method", "ping"}, {"code", "OK"}}), 1);
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_calls_total",
                        {{"method", "recommend"}, {"code", "OK"}}), 1);
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_calls_total",
                        {{"method", "recommend"}, {"code", "INVALID_ARGUMENT"}}), 1);
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_calls_total", {{"method", "drop_tables"}}), -1);
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_call_seconds", {{"method", "recommend"}}), 2);
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_connected"), 1);
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_connections_total"), 1);
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_syncs_total", {{"result", "ok"}}), 1);
  EXPECT_EQ(MetricValue(registry, "recplat_renewal_synced_articles_total"), 5);

  (*backend)->Stop();
  EXPECT_TRUE(Eventually([&] { return MetricValue(registry, "recplat_renewal_connected") == 0; }));
  // While the backend is away, the syncs before each attempt fail.
  EXPECT_TRUE(Eventually([&] {
    return MetricValue(registry, "recplat_renewal_syncs_total", {{"result", "error"}}) >= 1;
  }));
}

TEST_F(RenewalWsIntegrationTest, WrongTokenIsRefusedAndRetried) {
  auto backend = FakeRenewalBackend::Start({});
  ASSERT_OK(backend);
  (*backend)->SetArticles(Articles(1, 3));
  RenewalOptions options = Options((*backend)->base_uri());
  options.token = "wrong-token";
  StartFrontend(std::move(options));
  EXPECT_TRUE(Eventually([&] { return (*backend)->unauthorized() >= 2; }));  // retried
  EXPECT_EQ((*backend)->WaitForSession(absl::Milliseconds(100)), nullptr);
  EXPECT_EQ(frontend_->connections(), 0);
  EXPECT_EQ(frontend_->syncs(), 0);
}

class RenewalWsTlsTest : public RenewalWsIntegrationTest {
 protected:
  void SetUpTls(const std::string& names) {
    auto cert = renewal_test::MakeSelfSignedCert("renewal-test", names);
    ASSERT_OK(cert);
    cert_ = *std::move(cert);
    FakeBackendOptions options;
    options.cert_pem = cert_.cert_pem;
    options.key_pem = cert_.key_pem;
    auto backend = FakeRenewalBackend::Start(options);
    ASSERT_OK(backend);
    backend_ = *std::move(backend);
    backend_->SetArticles(Articles(1, 4));
  }

  // Expects no connection: the TLS handshakes fail (and are retried).
  void ExpectRefused() {
    EXPECT_TRUE(Eventually([&] { return backend_->tls_failures() >= 2; }));
    EXPECT_EQ(backend_->WaitForSession(absl::Milliseconds(100)), nullptr);
    EXPECT_THAT(backend_->rest_requests(), IsEmpty());
    EXPECT_EQ(frontend_->connections(), 0);
    EXPECT_EQ(frontend_->service().article_count(), 0u);
  }

  renewal_test::TestCert cert_;
  std::unique_ptr<FakeRenewalBackend> backend_;
};

TEST_F(RenewalWsTlsTest, AcceptedWithTheConfiguredCa) {
  SetUpTls("IP:127.0.0.1,DNS:localhost");
  ASSERT_EQ(backend_->base_uri().rfind("https://", 0), 0u);
  RenewalOptions options = Options(backend_->base_uri());
  options.ca_file = CertFile(cert_, "ca.pem");
  StartFrontend(std::move(options));
  std::shared_ptr<FakeSession> session = backend_->WaitForSession(absl::Seconds(5));
  ASSERT_NE(session, nullptr);
  ASSERT_OK_AND_ASSIGN(json pong, session->Call("ping", nullptr));
  EXPECT_EQ(pong, "pong");
  EXPECT_EQ(frontend_->service().article_count(), 4u);
  ASSERT_OK_AND_ASSIGN(
      json ids,
      session->Call("recommend", {{"user_id", "u"}, {"min_articles", 1}, {"max_articles", 2}}));
  EXPECT_EQ(Ids(ids).size(), 2u);
  frontend_->Shutdown();
  EXPECT_TRUE(session->WaitClosed(absl::Seconds(2)));
}

TEST_F(RenewalWsTlsTest, RefusedWhenTheCertificateIsNotTrusted) {
  SetUpTls("IP:127.0.0.1,DNS:localhost");
  StartFrontend(Options(backend_->base_uri()));  // system store only
  ExpectRefused();
}

TEST_F(RenewalWsTlsTest, RefusedWhenTheCertificateNamesAnotherHost) {
  SetUpTls("DNS:other.example");
  RenewalOptions options = Options(backend_->base_uri());
  options.ca_file = CertFile(cert_, "ca.pem");
  StartFrontend(std::move(options));
  ExpectRefused();
}

TEST_F(RenewalWsTlsTest, InsecureFlagSkipsVerification) {
  SetUpTls("DNS:other.example");
  RenewalOptions options = Options(backend_->base_uri());
  options.insecure_skip_verify = true;
  StartFrontend(std::move(options));
  std::shared_ptr<FakeSession> session = backend_->WaitForSession(absl::Seconds(5));
  ASSERT_NE(session, nullptr);
  ASSERT_OK_AND_ASSIGN(json pong, session->Call("ping", nullptr));
  EXPECT_EQ(pong, "pong");
}

TEST_F(RenewalWsIntegrationTest, ServiceKeepsTheNewestArticlesAndReloadsItsState) {
  // The article cache is the core's retention: a core keeping 5 articles.
  runtime_.reset();
  ASSERT_OK_AND_ASSIGN(runtime_, recplat::testing::StartRenewalCore(dir_.path() / "data5", 5));
  RenewalServiceOptions options;
  options.cache_size = 5;
  options.write_batch = 2;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RenewalService> service,
                       RenewalService::Create(&api(), options));
  ASSERT_OK(service->AddArticles(Articles(1, 8)));
  EXPECT_EQ(service->article_count(), 5u);
  EXPECT_FALSE(HasItem("3"));  // evicted: no longer recommendable
  EXPECT_TRUE(HasItem("4"));
  // Full: an article older than everything kept is ignored, like ArticleCollection.push.
  ASSERT_OK(service->AddArticles({Article(2)}));
  EXPECT_FALSE(HasItem("2"));
  EXPECT_EQ(service->article_count(), 5u);
  EXPECT_THAT(service->AddArticles({json{{"title", "no id"}}}),
              recplat::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK(service->SetAssignments(json::array({"u1", {{"user_id", "u2"}}})));
  ASSERT_OK(service->UnassignUser("u1"));

  // Another process (or a restarted one) finds the articles and assignments in the core.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RenewalService> reloaded,
                       RenewalService::Create(&api(), options));
  EXPECT_EQ(reloaded->article_count(), 5u);
  EXPECT_EQ(reloaded->newest_article_id(), 8);
  EXPECT_THAT(reloaded->assigned_users(), ElementsAre("u2"));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> ids,
                       reloaded->Recommend({{"user_id", "v"}, {"max_articles", 10}}));
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()), (std::set<int64_t>{4, 5, 6, 7, 8}));
}

TEST_F(RenewalWsIntegrationTest, StartRejectsBadOptions) {
  RenewalOptions options = Options("http://127.0.0.1:1/v1/");
  options.token.clear();
  EXPECT_THAT(RenewalFrontend::Start(&api(), options),
              recplat::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  options = Options("ftp://127.0.0.1/v1/");
  EXPECT_THAT(RenewalFrontend::Start(&api(), options),
              recplat::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  options = Options("https://127.0.0.1/v1/");
  options.ca_file = (dir_.path() / "missing.pem").string();
  EXPECT_THAT(RenewalFrontend::Start(&api(), options),
              recplat::testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RenewalWsIntegrationTest, ResolveToken) {
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoieCJ9.c2lnbmF0dXJl";
  EXPECT_EQ(*ResolveToken(jwt), jwt);
  const std::string path = (dir_.path() / "token").string();
  std::ofstream(path) << "\n  " << jwt << "  \n";
  EXPECT_EQ(*ResolveToken(path), jwt);
  EXPECT_THAT(ResolveToken((dir_.path() / "none").string()),
              recplat::testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::renewal_ws
