// Per-request serving latency of each model family at a catalogue size (default 20k items):
// fits popularity, item_knn, ease, content_similarity, rp3beta, ials and simplex (when built with
// LibTorch; one epoch capped at 60 s) (or the comma-separated
// --families) on one synthetic data set (Zipf item popularity, users with 20-60 interactions,
// items with a price, a size and a colour), then
// times, per request, Retrieve of 20 items for a user with a 20-item history (anchor = the
// user's last item) and Score of 500 candidates, single-threaded, and prints p50/p99 per model.
//
//   build/bench/model_scoring_bench [--items 20000] [--users 40000] [--requests 2000]
//                                   [--families rp3beta,ials]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "apps/recplat/runtime.h"
#include "core/catalog/catalog.h"
#include "core/common/random.h"
#include "core/models/model_family.h"

namespace {

using namespace recplat;  // NOLINT

struct NoFilter final : models::CandidateFilter {
  bool Excluded(uint32_t) const override { return false; }
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t items = 20000, users = 40000;
  int requests = 2000;
  std::vector<std::string> only;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    if (f == "--families") {
      for (absl::string_view name : absl::StrSplit(argv[i + 1], ',')) only.emplace_back(name);
      continue;
    }
    if (f == "--items") items = static_cast<uint32_t>(std::atoi(argv[i + 1]));
    else if (f == "--users") users = static_cast<uint32_t>(std::atoi(argv[i + 1]));
    else if (f == "--requests") requests = std::atoi(argv[i + 1]);
    else { std::fprintf(stderr, "unknown flag %s\n", f.c_str()); return 2; }
  }
  std::mt19937_64 rng(7);
  models::TrainingData data;
  data.num_items = items;
  data.num_users = users;
  data.event_types = {"view"};
  data.event_type_weights = {1.0f};
  std::vector<double> cdf(items);
  double sum = 0;
  for (uint32_t i = 0; i < items; ++i) cdf[i] = (sum += 1.0 / (i + 10.0));
  auto zipf = [&] {
    const double u = std::uniform_real_distribution<double>(0, sum)(rng);
    return static_cast<uint32_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
  };
  std::vector<std::vector<uint32_t>> history(users);
  for (uint32_t u = 0; u < users; ++u) {
    const int n = 20 + static_cast<int>(rng() % 41);
    for (int k = 0; k < n; ++k) {
      const uint32_t item = zipf();
      history[u].push_back(item);
      data.interactions.push_back({u, item, 0, 1.0f, 1'700'000'000'000 + k});
    }
  }
  data.items.resize(items);
  catalog::Catalog catalog;
  for (uint32_t i = 0; i < items; ++i) {
    data.items[i].numeric = {{"price", 5.0 + static_cast<double>(rng() % 50000) / 100.0},
                             {"size", static_cast<double>(36 + rng() % 10)}};
    data.items[i].categorical = {{"colour", absl::StrCat("c", rng() % 20)}};
    catalog.Set(i, absl::StrCat("i", i), true, true, 1.0f, 0, {});
  }
  models::ModelFamilyRegistry families;
  if (!app::RegisterAllFamilies(&families).ok()) return 1;
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> specs = {
      {"popularity", {}}, {"item_knn", {}},  {"ease", {}},
      {"content_similarity", {}}, {"rp3beta", {}}, {"ials", {}},
      // LibTorch-trained (absent from builds without torch): one epoch, at most 60 s.
      {"simplex", {{"epochs", "1"}, {"max_seconds", "60"}}}};
  std::printf("{\"items\": %u, \"users\": %u, \"interactions\": %zu, \"models\": [\n", items,
              users, data.interactions.size());
  bool first = true;
  for (const auto& [family_name, params] : specs) {
    if (!only.empty() && std::find(only.begin(), only.end(), family_name) == only.end()) continue;
    const models::ModelFamily* family = families.Find(family_name);
    if (family == nullptr) {
      std::fprintf(stderr, "%s: not in this build, skipped\n", family_name.c_str());
      continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto model = family->Fit(data, models::ModelParams(params));
    const double fit =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!model.ok()) {
      std::fprintf(stderr, "%s: %s\n", family_name.c_str(), model.status().ToString().c_str());
      return 1;
    }
    auto reader = catalog.Read();
    NoFilter filter;
    common::Rng req_rng(11);
    std::vector<double> retrieve_us, score_us;
    for (int r = 0; r < requests; ++r) {
      const std::vector<uint32_t>& h = history[req_rng.Uniform(users)];
      std::vector<uint32_t> recent(h.rbegin(), h.rbegin() + std::min<size_t>(20, h.size()));
      std::vector<uint32_t> anchors = {recent.front()};
      models::RecommendContext ctx;
      ctx.user_history = recent;
      ctx.anchors = anchors;
      ctx.filter = &filter;
      ctx.catalog = &reader;
      ctx.rng = &req_rng;
      std::vector<models::ScoredItem> out;
      auto a = std::chrono::steady_clock::now();
      (void)(*model)->Retrieve(ctx, 20, &out);
      auto b = std::chrono::steady_clock::now();
      std::vector<models::ScoredItem> candidates(500);
      for (auto& c : candidates) c.item = static_cast<uint32_t>(req_rng.Uniform(items));
      (void)(*model)->Score(ctx, candidates);
      auto c = std::chrono::steady_clock::now();
      retrieve_us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
      score_us.push_back(std::chrono::duration<double, std::micro>(c - b).count());
    }
    std::printf("%s  {\"family\": \"%s\", \"fit_seconds\": %.2f, \"retrieve20_p50_us\": %.0f, "
                "\"retrieve20_p99_us\": %.0f, \"score500_p50_us\": %.0f, "
                "\"score500_p99_us\": %.0f}",
                first ? "" : ",\n", family_name.c_str(), fit, Percentile(retrieve_us, 0.5),
                Percentile(retrieve_us, 0.99), Percentile(score_us, 0.5),
                Percentile(score_us, 0.99));
    first = false;
  }
  std::printf("\n]}\n");
  return 0;
}
