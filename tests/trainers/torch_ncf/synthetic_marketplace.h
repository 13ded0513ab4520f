// File: synthetic_marketplace.h
//
// A synthetic EOSC marketplace for model tests and the offline evaluation (docs/eosc.md):
// services with a category and a scientific domain (as the eosc profile labels them, "c:<id>",
// "domain:<id>", plus a provider), and users with a hidden preference for one category and one
// domain, whose orders follow it: each order is, with probability `affinity`, a service of the
// preferred category or domain (uniformly among those), otherwise any service. Each user's
// last order is held out.
//
// Thread-safety: plain data.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/models/training_data.h"

namespace recplat::testing {

struct SyntheticMarketplace {
  models::TrainingData train;
  // Per user: the held-out (last) order, and the orders in `train`.
  std::vector<uint32_t> held_out;
  std::vector<std::vector<uint32_t>> history;
  // Per user: the hidden preference.
  std::vector<int> favourite_category, favourite_domain;
  std::vector<int> category, domain;  // Per service.
};

inline SyntheticMarketplace MakeSyntheticMarketplace(int services, int users, int categories,
                                                     int domains, double affinity, uint64_t seed) {
  SyntheticMarketplace m;
  std::mt19937_64 rng(seed);
  m.train.num_items = services;
  m.train.num_users = users;
  m.train.event_types = {"order"};
  m.train.event_type_weights = {1};
  m.train.items.resize(services);
  std::vector<std::vector<uint32_t>> by_category(categories), by_domain(domains);
  for (int s = 0; s < services; ++s) {
    const int c = static_cast<int>(rng() % categories), d = static_cast<int>(rng() % domains);
    m.category.push_back(c);
    m.domain.push_back(d);
    by_category[c].push_back(s);
    by_domain[d].push_back(s);
    m.train.items[s].categories = {absl::StrCat("c:", c), absl::StrCat("domain:", d),
                                   absl::StrCat("provider:", rng() % 5)};
    m.train.item_ids.push_back(absl::StrCat(s));
  }
  std::uniform_real_distribution<double> u01(0, 1);
  for (int u = 0; u < users; ++u) {
    const int fc = static_cast<int>(rng() % categories), fd = static_cast<int>(rng() % domains);
    m.favourite_category.push_back(fc);
    m.favourite_domain.push_back(fd);
    const int n = 3 + static_cast<int>(rng() % 5);
    std::vector<uint32_t> orders;
    for (int tries = 0; static_cast<int>(orders.size()) < n && tries < 100; ++tries) {
      uint32_t s;
      if (u01(rng) < affinity) {
        const auto& pool = (rng() % 2 == 0 && !by_category[fc].empty()) || by_domain[fd].empty()
                               ? by_category[fc]
                               : by_domain[fd];
        if (pool.empty()) continue;
        s = pool[rng() % pool.size()];
      } else {
        s = static_cast<uint32_t>(rng() % services);
      }
      if (std::find(orders.begin(), orders.end(), s) == orders.end()) orders.push_back(s);
    }
    m.held_out.push_back(orders.back());
    orders.pop_back();
    for (size_t k = 0; k < orders.size(); ++k) {
      m.train.interactions.push_back(
          {static_cast<uint32_t>(u), orders[k], 0, 1.0f, static_cast<int64_t>(1000 + k)});
    }
    m.history.push_back(std::move(orders));
  }
  return m;
}

}  // namespace recplat::testing
