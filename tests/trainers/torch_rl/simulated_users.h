// File: simulated_users.h
//
// Simulated EOSC Marketplace users for the RL agent's evaluation (docs/eosc.md): the catalogue
// and the hidden preferences of the synthetic marketplace (tests/trainers/torch_ncf/
// synthetic_marketplace.h: a favourite category and scientific domain per user), and a
// response model: shown a recommended service that matches m of the user's two preferences
// (m = 0, 1, 2), the user opens it from the services list with probability kOpen[m] (a
// mild_interest transition), goes on to its offers with kOffers[m] (interest), and orders it
// through the summary with kOrder[m] (an order). The journeys are scored with the real
// transition table (rl_reward.h), so the simulated reward is the agent's reward.
//
// Thread-safety: plain data; the functions take their own Rng.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/trainers/torch_ncf/synthetic_marketplace.h"
#include "trainers/torch_rl/rl_reward.h"
#include "trainers/torch_rl/rl_types.h"

namespace recplat::testing {

inline constexpr double kOpen[] = {0.05, 0.4, 0.8};
inline constexpr double kOffers[] = {0.1, 0.4, 0.7};
inline constexpr double kOrder[] = {0.0, 0.2, 0.5};

inline int Matches(const SyntheticMarketplace& m, int user, int64_t service) {
  return (m.category[service] == m.favourite_category[user] ? 1 : 0) +
         (m.domain[service] == m.favourite_domain[user] ? 1 : 0);
}

// One sampled journey of `user` after being shown `service`; *ordered says whether it ends in
// an order.
inline std::vector<rl::JourneyAction> SampleJourney(const SyntheticMarketplace& m, int user,
                                                    int64_t service, std::mt19937_64& rng,
                                                    bool* ordered) {
  std::uniform_real_distribution<double> u01(0, 1);
  const int match = Matches(m, user, service);
  const std::string page = absl::StrCat("/services/", service);
  std::vector<rl::JourneyAction> journey;
  *ordered = false;
  if (u01(rng) >= kOpen[match]) return journey;
  journey.push_back({"/services", page, false});
  if (u01(rng) >= kOffers[match]) return journey;
  journey.push_back({page, page + "/offers", false});
  if (u01(rng) >= kOrder[match]) return journey;
  journey.push_back({page + "/offers", page + "/summary", false});
  journey.push_back({page + "/summary", page + "/summary", true});
  *ordered = true;
  return journey;
}

// The reward of showing `services` to `user` once (RMS of the journeys' rewards); the ordered
// services are appended to *orders when it is not null.
inline double SampleReward(const SyntheticMarketplace& m, const rl::TransitionTable& table,
                           int user, const std::vector<int64_t>& services, std::mt19937_64& rng,
                           std::vector<int64_t>* orders) {
  std::vector<double> sub;
  for (int64_t s : services) {
    bool ordered = false;
    sub.push_back(rl::JourneyReward(table, SampleJourney(m, user, s, rng, &ordered)));
    if (ordered && orders != nullptr) orders->push_back(s);
  }
  return rl::CombineRewards(sub);
}

// The state of `user` with the given orders: every other service is allowed.
inline rl::RlState StateOf(const SyntheticMarketplace& m, int user,
                           const std::vector<int64_t>& orders) {
  rl::RlState state;
  state.user = user;
  state.history = orders;
  for (int64_t s = 0; s < static_cast<int64_t>(m.category.size()); ++s) {
    if (std::find(orders.begin(), orders.end(), s) == orders.end()) state.allowed.push_back(s);
  }
  return state;
}

// SARS tuples of `steps`-long episodes per user, served by uniformly random lists of `k`
// allowed services (as the Random engine serves before the agent is trained).
inline std::vector<rl::RlTransition> RandomEpisodes(const SyntheticMarketplace& m,
                                                    const rl::TransitionTable& table, int k,
                                                    int steps, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<rl::RlTransition> out;
  for (int u = 0; u < static_cast<int>(m.history.size()); ++u) {
    std::vector<int64_t> orders(m.history[u].begin(), m.history[u].end());
    for (int step = 0; step < steps; ++step) {
      rl::RlTransition t;
      t.state = StateOf(m, u, orders);
      std::vector<int64_t> pool = t.state.allowed;
      std::shuffle(pool.begin(), pool.end(), rng);
      t.action.assign(pool.begin(), pool.begin() + k);
      t.reward = static_cast<float>(SampleReward(m, table, u, t.action, rng, &orders));
      t.next_state = StateOf(m, u, orders);
      t.done = step + 1 == steps;
      out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace recplat::testing
