// GRU4Rec (trainers/torch_gru4rec) training throughput and serving latency.
//
// Training: fits the gru4rec family on rsc15-100k _train_full (the shared datasets; each
// session one user) when found, else on synthetic sessions, and prints training events/s
// (next-item predictions per second, all epochs). Serving: fits on synthetic sessions over
// --items items (default 20,000; 1 epoch) and times, single-threaded, Retrieve of 20 items
// (the session's items excluded through the filter) and Score of 500 random candidates for
// sessions of 1 to 10 items, printing p50/p99 in milliseconds. Results: bench/RESULTS.md and
// docs/gru4rec.md.
//
//   build/bench/gru4rec_bench [--rsc15 <train_full.txt>] [--epochs 1] [--items 20000]
//                             [--requests 2000] [--params key=value,...] [--threads 1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "core/models/model_family.h"
#include "core/eval/session_dataset.h"
#include "core/eval/session_file.h"
#include "trainers/torch_gru4rec/gru4rec_family.h"
#include "trainers/torch_gru4rec/gru4rec_model.h"

namespace {

using namespace recplat;  // NOLINT

class ExcludeSession final : public models::CandidateFilter {
 public:
  explicit ExcludeSession(const std::vector<uint32_t>& items) : items_(items) {}
  bool Excluded(uint32_t item) const override {
    return std::find(items_.begin(), items_.end(), item) != items_.end();
  }

 private:
  const std::vector<uint32_t>& items_;
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Sessions of 2-12 clicks over `items` items: Zipf-popular starts, then mostly one of a few
// fixed successors of the current item (so there is something to learn), sometimes a jump.
models::TrainingData Synthetic(uint32_t items, int sessions, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> cdf(items);
  double sum = 0;
  for (uint32_t i = 0; i < items; ++i) cdf[i] = (sum += 1.0 / (i + 10.0));
  auto zipf = [&] {
    const double u = std::uniform_real_distribution<double>(0, sum)(rng);
    return static_cast<uint32_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
  };
  models::TrainingData d;
  d.num_items = items;
  d.event_types = {"view"};
  d.event_type_weights = {1};
  for (int s = 0; s < sessions; ++s) {
    const uint32_t user = d.num_users++;
    uint32_t item = zipf();
    const int length = 2 + static_cast<int>(rng() % 11);
    for (int k = 0; k < length; ++k) {
      d.interactions.push_back({user, item, 0, 1.0f, s * int64_t{3600000} + k * int64_t{60000}});
      item = rng() % 5 == 0 ? zipf() : static_cast<uint32_t>((item * 7 + 1 + rng() % 3) % items);
    }
  }
  return d;
}

std::unique_ptr<models::Model> FitAndReport(const models::TrainingData& data,
                                            const std::map<std::string, std::string>& params,
                                            const char* what) {
  gru4rec::Gru4RecFamily family;
  auto fitted = family.Fit(data, models::ModelParams(params));
  if (!fitted.ok()) {
    std::fprintf(stderr, "fit failed: %s\n", fitted.status().ToString().c_str());
    std::exit(1);
  }
  std::map<std::string, double> m;
  for (const auto& [k, v] : (*fitted)->Metrics()) m[k] = v;
  std::printf("train %-28s items %6.0f sessions %6.0f epochs %2.0f events %8.0f  %7.2f s  "
              "%8.0f events/s  final loss %.4f\n",
              what, m["items"], m["sessions"], m["epochs"], m["train_events"], m["train_seconds"],
              m["events_per_second"], m["final_loss"]);
  return std::move(fitted).value();
}

}  // namespace

int main(int argc, char** argv) {
  std::string rsc15 = std::string(RECPLAT_SOURCE_DIR) +
                      "/../shared/datasets/rsc15-yoochoose-100k-sample/"
                      "yoochoose-clicks-100k_train_full.txt";
  if (const char* env = std::getenv("RECPLAT_DATASETS")) {
    rsc15 = std::string(env) + "/rsc15-yoochoose-100k-sample/yoochoose-clicks-100k_train_full.txt";
  }
  uint32_t items = 20000;
  int requests = 2000;
  std::map<std::string, std::string> params = {{"session_gap_minutes", "0"}, {"epochs", "1"}};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    const std::string v = argv[i + 1];
    if (f == "--rsc15") {
      rsc15 = v;
    } else if (f == "--epochs") {
      params["epochs"] = v;
    } else if (f == "--threads") {
      params["threads"] = v;
    } else if (f == "--items") {
      items = static_cast<uint32_t>(std::atoi(v.c_str()));
    } else if (f == "--requests") {
      requests = std::atoi(v.c_str());
    } else if (f == "--params") {
      for (absl::string_view kv : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        std::vector<std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
        if (p.size() == 2) params[p[0]] = p[1];
      }
    } else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  if (std::filesystem::exists(rsc15)) {
    auto file = eval::ReadSessionFile(rsc15);
    auto ds = file.ok() ? eval::BuildSessionDataset(file->sessions, {}) : file.status();
    if (!ds.ok()) {
      std::fprintf(stderr, "%s: %s\n", rsc15.c_str(), ds.status().ToString().c_str());
      return 1;
    }
    FitAndReport(ds->train, params, "rsc15-100k train_full");
  } else {
    std::printf("rsc15-100k not found at %s: training on synthetic sessions only\n",
                rsc15.c_str());
  }
  const models::TrainingData data = Synthetic(items, 8 * static_cast<int>(items), 7);
  std::unique_ptr<models::Model> model =
      FitAndReport(data, params, ("synthetic " + std::to_string(items) + " items").c_str());

  std::mt19937_64 rng(11);
  std::vector<double> retrieve_ms, score_ms;
  std::vector<models::ScoredItem> out, candidates(500);
  for (int r = 0; r < requests; ++r) {
    std::vector<uint32_t> session(1 + rng() % 10);
    for (uint32_t& item : session) item = static_cast<uint32_t>(rng() % items);
    const ExcludeSession filter(session);
    models::RecommendContext ctx;
    ctx.session_items = session;
    ctx.filter = &filter;
    out.clear();
    auto t0 = std::chrono::steady_clock::now();
    if (!model->Retrieve(ctx, 20, &out).ok() || out.size() != 20) return 1;
    auto t1 = std::chrono::steady_clock::now();
    for (models::ScoredItem& c : candidates) c = {static_cast<uint32_t>(rng() % items), 0};
    auto t2 = std::chrono::steady_clock::now();
    if (!model->Score(ctx, candidates).ok()) return 1;
    auto t3 = std::chrono::steady_clock::now();
    retrieve_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    score_ms.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
  }
  std::printf("serve %u items, %d requests, 1 thread: Retrieve-20 p50 %.3f ms p99 %.3f ms | "
              "Score-500 p50 %.3f ms p99 %.3f ms\n",
              items, requests, Percentile(retrieve_ms, 0.5), Percentile(retrieve_ms, 0.99),
              Percentile(score_ms, 0.5), Percentile(score_ms, 0.99));
  return 0;
}
