// Fit time of the content_similarity family on a synthetic e-shop catalogue.
//
//   ninja -C build-sim similarity_fit_bench
//   build-sim/bench/similarity_fit_bench [--benchmark_filter=...]
//
// Catalogue: `items` live items of 60 product types. Every item has a log-normal price (98%);
// each type has 3 of 6 numeric attributes (weight, width, ...) and 4 of 8 categorical ones
// (brand with 500 Zipf-distributed values, colour, material, ...), each present on 90% of
// the type's items. That is D = 7 numeric columns (price included), K = 8 categorical ones
// and a few hundred attribute patterns. Fit = featurisation + exact top-100 neighbours, 2
// threads. The second argument, `attrs`, selects the attributes: 0 all, 1 numeric only (no
// categorical), 2 price and categorical only (to see what each part costs).
// Results are recorded in docs/models.md ("content_similarity").
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/models/model_family.h"
#include "trainers/similarity/similarity_family.h"

namespace recplat::similarity {
namespace {

models::TrainingData Catalogue(uint32_t n, uint32_t seed, int attrs) {
  const std::vector<std::string> numeric = {"weight", "width", "height",
                                            "depth",  "power", "capacity"};
  const std::vector<std::pair<std::string, int>> categorical = {
      {"brand", 500},  {"colour", 15}, {"material", 20}, {"size", 10},
      {"country", 30}, {"season", 4},  {"pattern", 12},  {"fit", 6}};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::lognormal_distribution<double> price(3.5, 1.0);
  constexpr int kTypes = 60;
  // Each type: 3 numeric and 4 categorical attribute indices.
  std::vector<std::vector<int>> type_numeric(kTypes), type_categorical(kTypes);
  for (int t = 0; t < kTypes; ++t) {
    for (int k = 0; k < 3; ++k) type_numeric[t].push_back((t + 2 * k) % 6);
    for (int k = 0; k < 4; ++k) type_categorical[t].push_back((t * 3 + 2 * k) % 8);
  }
  models::TrainingData d;
  d.num_items = n;
  d.items.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    models::ItemInfo& info = d.items[i];
    const int t = static_cast<int>(u(rng) * kTypes);
    if (u(rng) < 0.98) info.numeric.push_back({"price", std::round(price(rng) * 100) / 100});
    for (int a : type_numeric[t]) {
      if (attrs != 2 && u(rng) < 0.9)
        info.numeric.push_back({numeric[a], std::round(u(rng) * 1000) / 10});
    }
    for (int a : type_categorical[t]) {
      if (attrs == 1 || u(rng) >= 0.9) continue;
      const auto& [name, values] = categorical[a];
      // Zipf-like: value v with probability ~ 1 / (v + 1).
      const int v = static_cast<int>(std::exp(u(rng) * std::log(values + 1.0))) - 1;
      info.categorical.push_back({name, absl::StrCat("v", v)});
    }
    std::sort(info.numeric.begin(), info.numeric.end());
    std::sort(info.categorical.begin(), info.categorical.end());
  }
  return d;
}

void BM_FitContentSimilarity(benchmark::State& state) {
  const models::TrainingData data =
      Catalogue(static_cast<uint32_t>(state.range(0)), 42, static_cast<int>(state.range(1)));
  const models::ModelParams params({{"neighbors", "100"}, {"threads", "2"}});
  ContentSimilarityFamily family;
  for (auto _ : state) {
    auto model = family.Fit(data, params);
    if (!model.ok()) {
      state.SkipWithError(model.status().ToString().c_str());
      return;
    }
    for (const auto& [name, value] : (*model)->Metrics()) state.counters[name] = value;
    benchmark::DoNotOptimize(model);
  }
  const double n = static_cast<double>(state.range(0));
  state.counters["pairs_per_s"] = benchmark::Counter(
      n * (n - 1) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FitContentSimilarity)
    ->ArgNames({"items", "attrs"})
    ->Args({20000, 0})
    ->Args({100000, 0})
    ->Args({20000, 1})
    ->Args({20000, 2})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace recplat::similarity

BENCHMARK_MAIN();
