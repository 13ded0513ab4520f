// Benchmark of the renewal recsystem's two hot paths, in process (no socket): the JSON-RPC
// frames go through the same dispatchers, RenewalService and core as in `recplat --profile
// config/renewal.yaml` (notifications on one ordered strand, requests on the thread pool, as
// renewal_frontend.cc arranges them), so only the WebSocket framing is left out.
//
//   1. notification throughput: --articles `new_article` frames, then --users × --clicks
//      `article_interaction` frames ({recommended} for every 4th article shown, {clicked} for
//      the rest), each batch timed from the first frame to the last completed call;
//   2. `recommend` latency: after training the profile's models, --requests calls
//      (min_articles 15, max_articles 30, users round robin) from one client, one at a time,
//      then the same from --clients concurrent clients; p50/p99/max and calls/s.
//
// Articles are synthetic news: a title of 6 words and a text of 60 from a Zipf vocabulary of
// 5,000 words, two keywords from 20 topics; users click articles of their two favourite topics.
//
//   build/bench/renewal_bench [--articles 10000] [--users 1000] [--clicks 20]
//       [--requests 2000] [--clients 4] [--threads 4] [--sync always|none]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "apps/recplat/frontends.h"
#include "apps/recplat/runtime.h"
#include "boost/asio/post.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/thread_pool.hpp"
#include "core/common/logging.h"
#include "core/config/config_loader.h"
#include "frontends/renewal_ws/jsonrpc_dispatcher.h"
#include "frontends/renewal_ws/renewal_service.h"
#include "nlohmann/json.hpp"

namespace {

using nlohmann::json;
using recplat::renewal_ws::JsonRpcDispatcher;
using Clock = std::chrono::steady_clock;

struct Args {
  int articles = 10000;
  int users = 1000;
  int clicks = 20;
  int requests = 2000;
  int clients = 4;
  int threads = 4;
  std::string sync = "always";
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    const char* v = argv[i + 1];
    if (f == "--articles") a.articles = std::atoi(v);
    else if (f == "--users") a.users = std::atoi(v);
    else if (f == "--clicks") a.clicks = std::atoi(v);
    else if (f == "--requests") a.requests = std::atoi(v);
    else if (f == "--clients") a.clients = std::atoi(v);
    else if (f == "--threads") a.threads = std::atoi(v);
    else if (f == "--sync") a.sync = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      std::exit(2);
    }
  }
  return a;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

std::string Frame(const char* method, json params, int64_t id = -1) {
  json f = {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
  if (id >= 0) f["id"] = id;
  return f.dump();
}

// Sends `frames` through `dispatcher` and waits until every call completed (notifications
// included: `completed` counts the observer's calls). Returns frames per second.
double Pump(JsonRpcDispatcher& dispatcher, const std::vector<std::string>& frames,
            std::atomic<int64_t>& completed) {
  const int64_t target = completed.load() + static_cast<int64_t>(frames.size());
  const auto start = Clock::now();
  for (const std::string& f : frames) dispatcher.HandleFrame(f, [](std::string) {});
  while (completed.load() < target) std::this_thread::sleep_for(std::chrono::microseconds(200));
  return static_cast<double>(frames.size()) / Seconds(Clock::now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  (void)recplat::common::InitLogging(recplat::common::LogLevel::kWarn, "text");
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("renewal_bench_", getpid());
  auto frontends = recplat::app::ConfigFrontends();
  if (!frontends.ok()) {
    std::fprintf(stderr, "frontends: %s\n", frontends.status().ToString().c_str());
    return 1;
  }
  recplat::config::ConfigSources sources;
  sources.profile_path = std::string(RECPLAT_BENCH_SOURCE_DIR) + "/config/renewal.yaml";
  sources.frontends = &*frontends;
  sources.set_flags = {absl::StrCat("data_dir=", dir.string()), "grpc.listen=127.0.0.1:0",
                       "http.listen=127.0.0.1:0", "metrics.listen=127.0.0.1:0",
                       absl::StrCat("log.sync=", args.sync), "training.enabled=false"};
  auto cfg = recplat::config::LoadConfig(sources);
  if (!cfg.ok()) {
    std::fprintf(stderr, "config: %s\n", cfg.status().ToString().c_str());
    return 1;
  }
  auto runtime = recplat::app::Runtime::Open({*cfg, sources.profile_path});
  if (!runtime.ok() || !(*runtime)->Start(false).ok()) {
    std::fprintf(stderr, "runtime: %s\n", runtime.status().ToString().c_str());
    return 1;
  }
  recplat::api::Api& api = (*runtime)->service();
  auto service = recplat::renewal_ws::RenewalService::Create(&api, {});
  if (!service.ok()) return 1;

  std::atomic<int64_t> completed{0}, failed{0};
  recplat::renewal_ws::DispatcherOptions dispatch;
  dispatch.observer = [&](std::string_view, const absl::Status& s, absl::Duration) {
    if (!s.ok()) failed.fetch_add(1);
    completed.fetch_add(1);
  };
  boost::asio::thread_pool pool(static_cast<size_t>(args.threads));
  auto strand = boost::asio::make_strand(pool.get_executor());
  JsonRpcDispatcher concurrent(
      [&pool](std::function<void()> t) { boost::asio::post(pool, std::move(t)); }, dispatch);
  JsonRpcDispatcher ordered(
      [&strand](std::function<void()> t) { boost::asio::post(strand, std::move(t)); }, dispatch);
  if (!(*service)->RegisterMethods(concurrent).ok() || !(*service)->RegisterMethods(ordered).ok()) {
    return 1;
  }

  // Synthetic corpus.
  std::mt19937_64 rng(7);
  std::vector<std::string> vocab;
  for (int i = 0; i < 5000; ++i) vocab.push_back(absl::StrCat("w", i, "x"));
  std::vector<double> zipf(vocab.size());
  for (size_t i = 0; i < zipf.size(); ++i) zipf[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<size_t> word(zipf.begin(), zipf.end());
  auto words = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) absl::StrAppend(&s, i ? " " : "", vocab[word(rng)]);
    return s;
  };
  constexpr int kTopics = 20;
  std::vector<int> topic(static_cast<size_t>(args.articles) + 1);
  std::vector<std::string> frames;
  for (int id = 1; id <= args.articles; ++id) {
    topic[id] = static_cast<int>(rng() % kTopics);
    json article = {{"article_id", id},
                    {"url", absl::StrCat("https://example.org/", id)},
                    {"title", words(6)},
                    {"summary", words(20)},
                    {"text", words(60)},
                    {"keywords", {absl::StrCat("topic", topic[id]), absl::StrCat("sub", rng() % 100)}},
                    {"lang", "en"},
                    {"publish_date", "2026-11-30T10:00:00"},
                    {"metrics", {{"likes", 0}, {"dislikes", 0}, {"bookmarks", 0}, {"clicks", 0}}},
                    {"site", {{"name", "Example"}, {"url", "https://example.org"}}}};
    frames.push_back(Frame("new_article", {{"article", std::move(article)}}));
  }
  const double article_rate = Pump(ordered, frames, completed);
  std::printf("new_article notifications:         %9.0f /s  (%d articles, log.sync=%s)\n",
              article_rate, args.articles, args.sync.c_str());

  frames.clear();
  for (int u = 0; u < args.users; ++u) {
    const int t1 = static_cast<int>(rng() % kTopics), t2 = static_cast<int>(rng() % kTopics);
    for (int c = 0; c < args.clicks; ++c) {
      int id = 1 + static_cast<int>(rng() % static_cast<uint64_t>(args.articles));
      for (int tries = 0; tries < 50 && topic[id] != t1 && topic[id] != t2; ++tries) {
        id = 1 + static_cast<int>(rng() % static_cast<uint64_t>(args.articles));
      }
      json interaction = {{"user_id", absl::StrCat("u", u)}, {"article_id", id}};
      if (c % 4 == 0) interaction["recommended"] = true;
      else interaction["clicked"] = true;
      frames.push_back(Frame("article_interaction", {{"interaction", std::move(interaction)}}));
    }
  }
  const double interaction_rate = Pump(ordered, frames, completed);
  std::printf("article_interaction notifications: %9.0f /s  (%zu interactions)\n",
              interaction_rate, frames.size());
  if (failed.load() > 0) std::printf("FAILED notifications: %lld\n", (long long)failed.load());

  for (const auto& [name, model] : cfg->models) {
    if (model.family == "random" || model.family == "recent") continue;
    recplat::v1::TrainRequest req;
    req.set_model(name);
    req.set_wait(true);
    const auto start = Clock::now();
    auto r = api.Train(req);
    std::printf("train %-20s %s in %.2f s\n", name.c_str(), r.ok() ? "ok" : r.status().ToString().c_str(),
                Seconds(Clock::now() - start));
  }

  // Recommend latency: one client, then several.
  std::atomic<int64_t> next_id{1};
  auto call = [&](int user, std::vector<double>* latencies, int64_t* short_answers) {
    const int64_t id = next_id.fetch_add(1);
    std::promise<std::string> reply;
    auto got = reply.get_future();
    const std::string f =
        Frame("recommend", {{"user_id", absl::StrCat("u", user)}, {"min_articles", 15}, {"max_articles", 30}}, id);
    const auto start = Clock::now();
    concurrent.HandleFrame(f, [&reply](std::string frame) { reply.set_value(std::move(frame)); });
    const std::string answer = got.get();
    latencies->push_back(Seconds(Clock::now() - start) * 1e3);
    json parsed = json::parse(answer, nullptr, false);
    if (!parsed.contains("result") || parsed["result"].size() < 15) ++*short_answers;
  };
  for (int clients : {1, args.clients}) {
    std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
    std::vector<int64_t> shorts(static_cast<size_t>(clients), 0);
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        for (int i = c; i < args.requests; i += clients) call(i % args.users, &lat[c], &shorts[c]);
      });
    }
    for (auto& t : threads) t.join();
    const double elapsed = Seconds(Clock::now() - start);
    std::vector<double> all;
    int64_t short_total = 0;
    for (int c = 0; c < clients; ++c) {
      all.insert(all.end(), lat[c].begin(), lat[c].end());
      short_total += shorts[c];
    }
    std::printf("recommend, %d client(s): %7.0f calls/s  p50 %.3f ms  p99 %.3f ms  max %.3f ms"
                "  (%zu calls, %lld short or failed)\n",
                clients, static_cast<double>(all.size()) / elapsed, Percentile(all, 0.5),
                Percentile(all, 0.99), Percentile(all, 1.0), all.size(), (long long)short_total);
  }
  pool.join();
  (*runtime)->Shutdown(absl::Seconds(5));
  std::filesystem::remove_all(dir);
  return 0;
}
