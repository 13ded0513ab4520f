// File: similarity_test_util.h
//
// Helpers for the content_similarity tests: TrainingData from per-item attribute lists, and a
// random catalogue with missing attributes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/models/training_data.h"

namespace recplat::similarity::testing {

struct Attrs {
  std::vector<std::pair<std::string, double>> num;
  std::vector<std::pair<std::string, std::string>> cat;
  bool live = true;
};

// One item per entry, attributes sorted by name as the builder leaves them.
inline models::TrainingData MakeItems(std::vector<Attrs> items) {
  models::TrainingData d;
  d.num_items = static_cast<uint32_t>(items.size());
  for (Attrs& a : items) {
    models::ItemInfo info;
    info.live = a.live;
    info.numeric = std::move(a.num);
    info.categorical = std::move(a.cat);
    std::sort(info.numeric.begin(), info.numeric.end());
    std::sort(info.categorical.begin(), info.categorical.end());
    d.items.push_back(std::move(info));
  }
  return d;
}

// `n` items with a price (90% of them), `numeric` other numeric attributes and `categorical`
// categorical attributes (each present with probability `presence`, values from small
// vocabularies), every 10th item deleted.
inline models::TrainingData RandomItems(uint32_t n, int numeric, int categorical, double presence,
                                        uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Attrs> items(n);
  for (uint32_t i = 0; i < n; ++i) {
    Attrs& a = items[i];
    a.live = i % 10 != 7;
    if (u(rng) < 0.9) a.num.push_back({"price", std::floor(u(rng) * 1000) / 10});
    for (int c = 0; c < numeric; ++c) {
      if (u(rng) < presence) a.num.push_back({absl::StrCat("n", c), std::floor(u(rng) * 20)});
    }
    for (int c = 0; c < categorical; ++c) {
      if (u(rng) < presence) {
        a.cat.push_back({absl::StrCat("c", c), absl::StrCat("v", static_cast<int>(u(rng) * 5))});
      }
    }
  }
  return MakeItems(std::move(items));
}

}  // namespace recplat::similarity::testing
