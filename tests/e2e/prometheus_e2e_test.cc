// End-to-end with the real tools: five recplat processes (the default, ecoseller, renewal, eosc
// and article_rec profiles; renewal against the Renewal backend simulator) under traffic, scraped
// every second by Debian's `prometheus` with the rule files of deploy/prometheus loaded. Every
// query of every dashboard in deploy/grafana must be valid (the query API answers "success"); the
// overview's Traffic and Latency panels, the route panels of the ecoseller, eosc and article_rec
// dashboards and the renewal dashboard's JSON-RPC panels must return data; and every recording
// and alerting rule must evaluate without error.
//
// Skipped (with the reason) only when no `prometheus` binary is on PATH; scripts/install-deps.sh
// installs it, so CI runs this test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/grpc_client.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/test_env.h"
#include "tools/renewal_sim/sim_backend.h"

namespace recplat::testing {
namespace {

using nlohmann::json;

// The first `name` on PATH that is executable, or "".
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path == nullptr ? "" : path, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = absl::StrCat(dir, "/", name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A port that was free a moment ago on 127.0.0.1 (Prometheus cannot report a port 0 choice).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string UrlEncode(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

// A child process (here: prometheus) with its stderr in a file; SIGTERM and reaped on
// destruction, SIGKILLed by the kernel if the test dies.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& log) : log_(log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  bool Exited() const { return pid_ <= 0 || ::waitpid(pid_, nullptr, WNOHANG) == pid_; }
  std::string Log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

// Requests of every kind the overview shows, to the default-profile process.
void DefaultTraffic(HttpClient& http, GrpcClient& grpc, int round) {
  json items = json::array();
  for (int i = 0; i < 10; ++i) {
    items.push_back({{"id", absl::StrCat("i", i)}, {"categories", {i % 2 ? "a" : "b"}}});
  }
  EXPECT_EQ(http.Post("/v1/items", json{{"items", items}}.dump()).status, 200);
  json events = json::array();
  for (int i = 0; i < 10; ++i) {
    events.push_back({{"user_id", absl::StrCat("u", i % 3)},
                      {"item_id", absl::StrCat("i", (i + round) % 10)},
                      {"type", i % 4 ? "view" : "order"}});
  }
  EXPECT_EQ(http.Post("/v1/events", json{{"events", events}}.dump()).status, 200);
  // A refused event (unknown type) and an unknown path.
  EXPECT_EQ(http.Post("/v1/events", R"({"events": [{"item_id": "i1", "type": "nope"}]})").status,
            400);
  EXPECT_EQ(http.Get("/no/such/route").status, 404);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        http.Post("/v1/recommend", json{{"user_id", absl::StrCat("u", i)}, {"k", 3}}.dump()).status,
        200);
  }
  EXPECT_EQ(http.Get("/readyz").status, 200);
  v1::RecommendRequest rq;
  rq.set_user_id("u1");
  rq.set_k(3);
  v1::RecommendResponse rs;
  EXPECT_TRUE(grpc.recommend->Recommend(Ctx().get(), rq, &rs).ok());
  v1::GetItemRequest gi;
  gi.set_id("missing");
  v1::Item item;
  EXPECT_EQ(grpc.catalog->GetItem(Ctx().get(), gi, &item).error_code(), grpc::NOT_FOUND);
}

// The ecoseller backend's calls: a catalog write and predictions.
void EcosellerTraffic(HttpClient& http) {
  const json objects =
      json::array({{{"_model_class", "Category"}, {"id", 1}, {"parent_id", nullptr}},
                   {{"_model_class", "Category"}, {"id", 2}, {"parent_id", 1}}});
  EXPECT_EQ(http.Post("/store_objects", objects.dump()).status, 200);
  const HttpResult predicted = http.Post(
      "/predict",
      json{{"recommendation_type", "HOMEPAGE"}, {"session_id", "s1"}, {"limit", 3}}.dump());
  EXPECT_NE(predicted.status, 0);
  EXPECT_EQ(http.Get("/").status, 200);
}

// A few calls of the eosc and article_rec routes (an empty catalogue: the answers are errors or
// empty, which the route metrics count all the same).
void EoscTraffic(HttpClient& http) {
  EXPECT_EQ(http.Get("/health").status, 200);
  EXPECT_EQ(http.Post("/recommendations", R"({"panel_id": "nope"})").status, 400);
}

void ArticleRecTraffic(HttpClient& http) {
  EXPECT_EQ(http.Get("/health").status, 200);
  EXPECT_EQ(http.Get("/models").status, 200);
  EXPECT_EQ(http.Get("/recs?source_entity_id=abc").status, 400);
}

// A small MIND-like data set for the Renewal backend simulator: 30 articles, three users.
renewal_sim::MindData RenewalData() { return renewal_sim::SyntheticMind(30, 3, {"news", "sports"}); }

class PrometheusE2eTest : public ::testing::Test {
 protected:
  // The answer of the instant query API for `expr`; "status" is "error" with "error" set when
  // the query is invalid.
  json Query(const std::string& expr) {
    HttpResult r = prom_->Get("/api/v1/query?query=" + UrlEncode(expr));
    json out = json::parse(r.body, nullptr, false);
    if (out.is_discarded()) return {{"status", "no answer"}, {"error", r.body}};
    return out;
  }

  size_t ResultSize(const std::string& expr) {
    json r = Query(expr);
    return r["status"] == "success" ? r["data"]["result"].size() : 0;
  }

  std::unique_ptr<HttpClient> prom_;
};

// The dashboard variables as a viewer of every instance would have them.
std::string Substitute(const std::string& expr) {
  return absl::StrReplaceAll(
      expr, {{"$__rate_interval", "15s"}, {"$job", "recplat"}, {"$instance", ".*"}});
}

// (dashboard file, row) whose every query must return data after the traffic of this test.
const std::set<std::pair<std::string, std::string>> kMustHaveData = {
    {"recplat-overview.json", "Traffic"},
    {"recplat-overview.json", "Latency"},
    {"recplat-ecoseller.json", "ecoseller routes"},
    {"recplat-renewal.json", "JSON-RPC calls"},
    {"recplat-eosc.json", "eosc routes"},
    {"recplat-article_rec.json", "article_rec routes"},
};

TEST_F(PrometheusE2eTest, DashboardQueriesAreValidAndTheOverviewHasData) {
  const std::string prometheus = FindOnPath("prometheus");
  if (prometheus.empty()) {
    GTEST_SKIP() << "no `prometheus` binary on PATH: install Debian's prometheus package "
                    "(scripts/install-deps.sh does)";
  }
  TempDir dir;
  const std::filesystem::path config = SourceDir() / "config";
  ServerProcess plain({"--profile", (config / "default.yaml").string(), "--data-dir",
                       (dir.path() / "default").string()});
  ServerProcess shop({"--profile", (config / "ecoseller.yaml").string(), "--data-dir",
                      (dir.path() / "ecoseller").string()});
  renewal_sim::SimOptions sim_options;
  sim_options.initial_articles = 20;
  sim_options.release_per_step = 1;
  sim_options.min_articles = 3;
  sim_options.max_articles = 5;
  sim_options.shown = 3;
  auto sim = renewal_sim::SimBackend::Start(sim_options, RenewalData());
  ASSERT_TRUE(sim.ok()) << sim.status();
  const std::string token_file = (dir.path() / "token").string();
  std::ofstream(token_file) << (*sim)->TokenFor("prom") << "\n";
  ServerProcess news({"--profile", (config / "renewal.yaml").string(), "--data-dir",
                      (dir.path() / "renewal").string(), "--token", token_file, "--api-base-uri",
                      (*sim)->base_uri()});
  ServerProcess eosc({"--profile", (config / "eosc.yaml").string(), "--data-dir",
                      (dir.path() / "eosc").string()});
  ServerProcess articles({"--profile", (config / "article_rec.yaml").string(), "--data-dir",
                          (dir.path() / "article_rec").string()});
  ASSERT_TRUE(plain.Start()) << plain.ReadStderr();
  ASSERT_TRUE(eosc.Start()) << eosc.ReadStderr();
  ASSERT_TRUE(articles.Start()) << articles.ReadStderr();
  ASSERT_TRUE(shop.Start()) << shop.ReadStderr();
  ASSERT_TRUE(news.Start()) << news.ReadStderr();
  ASSERT_TRUE((*sim)->WaitForGreeted(1, absl::Seconds(20))) << news.ReadStderr();
  (*sim)->Run(2);
  ASSERT_FALSE(plain.metrics_address().empty());
  ASSERT_FALSE(shop.metrics_address().empty());
  HttpClient http(plain.http_address());
  HttpClient shop_http(shop.http_address());
  HttpClient eosc_http(eosc.http_address());
  HttpClient articles_http(articles.http_address());
  GrpcClient grpc(plain.grpc_address());
  DefaultTraffic(http, grpc, 0);
  EcosellerTraffic(shop_http);
  EoscTraffic(eosc_http);
  ArticleRecTraffic(articles_http);
  // A trained model, so the model panels have a version, its age and its training.
  EXPECT_EQ(http.Post("/v1/models/train", R"({"model": "popularity", "wait": true})").status, 200);

  const std::filesystem::path rules = SourceDir() / "deploy" / "prometheus";
  const std::filesystem::path prom_config = dir.path() / "prometheus.yml";
  {
    std::ofstream out(prom_config);
    out << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        << "rule_files:\n"
        << "  - " << (rules / "recplat-recording.yaml").string() << "\n"
        << "  - " << (rules / "recplat-alerts.yaml").string() << "\n"
        << "scrape_configs:\n"
        << "  - job_name: recplat\n"
        << "    static_configs:\n"
        << "      - targets: ['" << plain.metrics_address() << "', '" << shop.metrics_address()
        << "', '" << news.metrics_address() << "', '" << eosc.metrics_address() << "', '"
        << articles.metrics_address() << "']\n";
  }
  // The port may be taken between FreePort() and the bind: try a few.
  std::unique_ptr<Child> server;
  std::string prom_address;
  for (int attempt = 0; attempt < 3 && prom_address.empty(); ++attempt) {
    const std::string address = absl::StrCat("127.0.0.1:", FreePort());
    server = std::make_unique<Child>(
        std::vector<std::string>{prometheus, "--config.file=" + prom_config.string(),
                                 "--storage.tsdb.path=" + (dir.path() / "tsdb").string(),
                                 "--web.listen-address=" + address, "--log.level=warn"},
        dir.path() / "prometheus.log");
    HttpClient probe(address);
    for (int i = 0; i < 300 && !server->Exited(); ++i) {
      if (probe.Get("/-/ready").status == 200) {
        prom_address = address;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_FALSE(prom_address.empty()) << "prometheus did not become ready:\n" << server->Log();
  prom_ = std::make_unique<HttpClient>(prom_address);

  // Under traffic until each target was scraped at least 4 times within the rate window and the
  // recording rules have results (for the four processes that serve HTTP traffic; the renewal
  // one is a JSON-RPC client): every rate then has two samples or more.
  bool scraped = false;
  for (int round = 1; round <= 60 && !scraped; ++round) {
    DefaultTraffic(http, grpc, round);
    EcosellerTraffic(shop_http);
    EoscTraffic(eosc_http);
    ArticleRecTraffic(articles_http);
    (*sim)->Step();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    scraped = ResultSize("count_over_time(up{job=\"recplat\"}[15s]) >= 4") == 5 &&
              ResultSize("recplat:latency_slow_ratio:rate5m") == 4 &&
              ResultSize("up{job=\"recplat\"} == 1") == 5;
  }
  ASSERT_TRUE(scraped) << "prometheus did not scrape the five processes:\n" << server->Log();

  // Every query of every dashboard is valid; the overview's traffic and latency have data.
  size_t queries = 0;
  std::vector<std::string> empty_overview;
  std::vector<std::filesystem::path> dashboards;
  for (const auto& entry :
       std::filesystem::directory_iterator(SourceDir() / "deploy" / "grafana")) {
    if (entry.path().extension() == ".json") dashboards.push_back(entry.path());
  }
  ASSERT_GE(dashboards.size(), 5u);
  for (const std::filesystem::path& path : dashboards) {
    std::ifstream in(path);
    const json dashboard = json::parse(in, nullptr, false);
    ASSERT_FALSE(dashboard.is_discarded()) << path;
    const bool overview = path.filename() == "recplat-overview.json";
    std::string row;
    for (const json& panel : dashboard["panels"]) {
      if (panel["type"] == "row") {
        row = panel["title"];
        continue;
      }
      for (const json& target : panel["targets"]) {
        const std::string expr = Substitute(target["expr"]);
        const json answer = Query(expr);
        ++queries;
        EXPECT_EQ(answer["status"], "success")
            << path.filename() << " / " << panel["title"] << ": " << expr << "\n"
            << answer.dump();
        const bool has_data = answer["status"] == "success" && !answer["data"]["result"].empty();
        if (overview && !has_data) empty_overview.push_back(panel["title"]);
        if (kMustHaveData.contains({path.filename().string(), row})) {
          EXPECT_TRUE(has_data) << path.filename() << " / " << row << " / " << panel["title"]
                                << " returned no data: " << expr;
        }
      }
    }
  }
  std::cout << "prometheus e2e: " << queries << " dashboard queries checked; overview panels "
            << "without data in this short run: "
            << (empty_overview.empty() ? "none" : absl::StrJoin(empty_overview, "; ")) << "\n";

  // Every rule evaluates without error (e.g. no many-to-many matches on real series), once
  // each has been evaluated ("unknown" before).
  json rules_json;
  for (int i = 0; i < 100; ++i) {
    HttpResult rules_answer = prom_->Get("/api/v1/rules");
    rules_json = json::parse(rules_answer.body, nullptr, false);
    ASSERT_FALSE(rules_json.is_discarded()) << rules_answer.body;
    if (rules_answer.body.find(R"("health":"unknown")") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  size_t rule_count = 0;
  for (const json& group : rules_json["data"]["groups"]) {
    for (const json& rule : group["rules"]) {
      ++rule_count;
      EXPECT_EQ(rule["health"], "ok") << rule["name"] << ": " << rule.value("lastError", "");
    }
  }
  // Every rule of the two files was loaded: one "- record:" or "- alert:" line per rule.
  size_t written = 0;
  for (const char* file : {"deploy/prometheus/recplat-recording.yaml",
                           "deploy/prometheus/recplat-alerts.yaml"}) {
    std::ifstream in(SourceDir() / file);
    for (std::string line; std::getline(in, line);) {
      const std::string trimmed(absl::StripLeadingAsciiWhitespace(line));
      if (absl::StartsWith(trimmed, "- record:") || absl::StartsWith(trimmed, "- alert:")) {
        ++written;
      }
    }
  }
  EXPECT_GE(written, 24u);  // 8 recording rules, 16 alerts when this was written
  EXPECT_EQ(rule_count, written);
  (*sim)->Stop();
}

}  // namespace
}  // namespace recplat::testing
