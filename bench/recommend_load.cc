// Load driver: Recommend over gRPC against an in-process recplat core with a large catalog.
//
// Loads N items and M events (Zipf-distributed item popularity, users with histories), trains
// popularity and item_knn, then runs C client threads, each on its own channel, issuing unary
// Recommend calls (k=20, surface `default`: item_knn -> popularity -> random) for a fixed time,
// and prints throughput and latency percentiles. Clients and server share the machine.
//
//   build/bench/recommend_load --items 100000 --users 20000 --events 400000 --clients 8 --seconds 10
//     [--k 20] [--surface default] [--dry-run 1] [--echo 1] [--nats nats://127.0.0.1:4222]
//
// --nats URL runs the core with log.backend jetstream on that NATS server (stream of its own,
// one replica): writes go through the stream, reads stay local (bench/recommend_backends.sh
// runs both backends in one go).
//
// --echo 1 measures the ceiling instead: a bare gRPC server (callback API, no core) whose
// Recommend answers a canned k-item response, loaded by the same clients.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "apps/recplat/runtime.h"
#include "core/common/logging.h"
#include "grpcpp/grpcpp.h"
#include "recplat/v1/recommend.grpc.pb.h"

namespace {

struct Args {
  int items = 100000;
  int users = 20000;
  int events = 400000;
  int clients = 8;
  double seconds = 10;
  int k = 20;
  std::string surface = "default";
  std::string nats;
  // Skip recording what was served (RecommendRequest.dry_run), to measure its cost.
  bool dry_run = false;
  // Load a bare gRPC echo server instead of recplat.
  bool echo = false;
};

// The bare gRPC server of --echo: Recommend answers `canned`, nothing else runs.
class EchoRecommend final : public recplat::v1::RecommendService::CallbackService {
 public:
  explicit EchoRecommend(recplat::v1::RecommendResponse canned) : canned_(std::move(canned)) {}
  grpc::ServerUnaryReactor* Recommend(grpc::CallbackServerContext* ctx,
                                      const recplat::v1::RecommendRequest*,
                                      recplat::v1::RecommendResponse* out) override {
    *out = canned_;
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const recplat::v1::RecommendResponse canned_;
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    const char* v = argv[i + 1];
    if (f == "--items") a.items = std::atoi(v);
    else if (f == "--users") a.users = std::atoi(v);
    else if (f == "--events") a.events = std::atoi(v);
    else if (f == "--clients") a.clients = std::atoi(v);
    else if (f == "--seconds") a.seconds = std::atof(v);
    else if (f == "--k") a.k = std::atoi(v);
    else if (f == "--surface") a.surface = v;
    else if (f == "--dry-run") a.dry_run = std::string(v) == "1";
    else if (f == "--echo") a.echo = std::string(v) == "1";
    else if (f == "--nats") a.nats = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      std::exit(2);
    }
  }
  return a;
}

template <typename T>
void Check(const absl::StatusOr<T>& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.status().ToString().c_str());
    std::exit(1);
  }
}

// Runs args.clients client threads against `address` for args.seconds (after a warm-up second)
// and prints one JSON line of throughput and latency percentiles.
void RunClients(const Args& args, const std::string& address) {
  using namespace recplat;
  std::atomic<bool> go{false}, stop{false}, measuring{false};
  std::vector<std::vector<double>> latencies(args.clients);
  std::vector<int64_t> errors(args.clients, 0);
  std::vector<std::thread> threads;
  for (int c = 0; c < args.clients; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments ch_args;
      ch_args.SetInt("grpc.channel_id", c);  // One connection per client.
      auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), ch_args);
      auto stub = v1::RecommendService::NewStub(channel);
      std::mt19937_64 local(c + 1);
      v1::RecommendRequest req;
      req.set_k(args.k);
      req.set_dry_run(args.dry_run);
      req.set_surface(args.surface);
      while (!go.load()) std::this_thread::yield();
      while (!stop.load()) {
        // 80% known users (item_knn path), 20% unknown (popularity fallback).
        const uint64_t u = local() % args.users;
        req.set_user_id(local() % 5 == 0 ? absl::StrCat("new-", u) : absl::StrCat("user-", u));
        v1::RecommendResponse resp;
        grpc::ClientContext ctx;
        const auto t0 = std::chrono::steady_clock::now();
        grpc::Status st = stub->Recommend(&ctx, req, &resp);
        const double us =
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        if (!measuring.load()) continue;
        if (!st.ok() || resp.items_size() != args.k) ++errors[c];
        latencies[c].push_back(us);
      }
    });
  }
  // Warm-up second, then measure.
  go = true;
  std::this_thread::sleep_for(std::chrono::seconds(1));
  measuring = true;
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
  measuring = false;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  for (auto& t : threads) t.join();
  std::vector<double> all;
  int64_t errs = 0;
  for (int c = 0; c < args.clients; ++c) {
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    errs += errors[c];
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))]; };
  std::printf(
      "{\"clients\": %d, \"requests\": %zu, \"rps\": %.0f, \"p50_us\": %.0f, \"p90_us\": %.0f, "
      "\"p99_us\": %.0f, \"p999_us\": %.0f, \"errors\": %lld, \"items\": %d}\n",
      args.clients, all.size(), all.size() / elapsed, pct(0.5), pct(0.9), pct(0.99), pct(0.999),
      static_cast<long long>(errs), args.items);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace recplat;
  const Args args = Parse(argc, argv);
  common::InitLogging(common::LogLevel::kWarn, "text").IgnoreError();
  if (args.echo) {
    v1::RecommendResponse canned;
    for (int i = 0; i < args.k; ++i) {
      v1::RecommendedItem* item = canned.add_items();
      item->set_item_id(absl::StrCat("item-", i));
      item->set_score(1.0 / (i + 1));
      item->set_model("item_knn");
      item->set_model_version(1);
      item->set_position(i);
    }
    canned.set_recommendation_id("0123456789abcdef0123456789abcdef");
    EchoRecommend service(std::move(canned));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (server == nullptr || port == 0) return 1;
    std::printf("bare gRPC echo server on 127.0.0.1:%d\n", port);
    RunClients(args, absl::StrCat("127.0.0.1:", port));
    server->Shutdown();
    return 0;
  }
  auto dir = std::filesystem::temp_directory_path() /
             absl::StrCat("recplat_load_", std::random_device()());
  config::Config cfg;
  cfg.data_dir = dir.string();
  cfg.grpc.listen = "127.0.0.1:0";
  cfg.metrics.enabled = false;
  cfg.http.enabled = false;
  cfg.log.sync = config::SyncPolicy::kNone;
  if (!args.nats.empty()) {
    cfg.log.backend = "jetstream";
    cfg.nats.servers = {args.nats};
    cfg.nats.stream = absl::StrCat("load", std::random_device()() % 1000000);
    cfg.nats.replicas = 1;
  }
  cfg.event_types = {{"view", {1.0}}, {"order", {8.0}}};
  cfg.models["popularity"].family = "popularity";
  cfg.models["item_knn"].family = "item_knn";
  cfg.models["random"].family = "random";
  for (auto* m : {&cfg.models["popularity"], &cfg.models["item_knn"]}) m->train.on_start = false;
  config::SurfaceConfig s;
  s.retrieval = {"item_knn", "popularity", "random"};
  cfg.surfaces["default"] = s;
  auto runtime = app::Runtime::Open({cfg, ""});
  Check(runtime, "open");
  if (!(*runtime)->Start(true).ok()) return 1;
  api::Api& api = (*runtime)->service();

  const auto t_load = std::chrono::steady_clock::now();
  for (int start = 0; start < args.items; start += 10000) {
    v1::UpsertItemsRequest req;
    for (int i = start; i < std::min(args.items, start + 10000); ++i) {
      v1::Item* item = req.add_items();
      item->set_id(absl::StrCat("item-", i));
      item->add_categories(absl::StrCat("cat-", i % 50));
    }
    Check(api.UpsertItems(req), "upsert");
  }
  std::mt19937_64 rng(42);
  // Zipf(1.0) over items via inverse CDF on a precomputed table.
  std::vector<double> cdf(args.items);
  double sum = 0;
  for (int i = 0; i < args.items; ++i) cdf[i] = (sum += 1.0 / (i + 1));
  auto zipf = [&] {
    double u = std::uniform_real_distribution<double>(0, sum)(rng);
    return static_cast<int>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
  };
  for (int start = 0; start < args.events; start += 10000) {
    v1::AppendEventsRequest req;
    req.set_wait_applied(true);
    for (int i = start; i < std::min(args.events, start + 10000); ++i) {
      v1::Event* e = req.add_events();
      e->set_user_id(absl::StrCat("user-", rng() % args.users));
      e->set_item_id(absl::StrCat("item-", zipf()));
      e->set_type(rng() % 10 == 0 ? "order" : "view");
    }
    Check(api.AppendEvents(req), "append");
  }
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
  for (const char* model : {"popularity", "item_knn"}) {
    v1::TrainRequest req;
    req.set_model(model);
    req.set_wait(true);
    auto r = api.Train(req);
    Check(r, "train");
    std::printf("trained %s v%lld in %.2f s\n", model,
                static_cast<long long>(r->version().version()),
                r->version().training().duration_seconds());
  }
  std::printf("loaded %d items, %d events for %d users in %.1f s\n", args.items, args.events,
              args.users, load_s);

  RunClients(args, (*runtime)->ports().grpc);
  (*runtime)->Shutdown(absl::Seconds(5));
  runtime->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
