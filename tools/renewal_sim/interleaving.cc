#include "tools/renewal_sim/interleaving.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace recplat::renewal_sim {

Interleaving TeamDraft(const std::vector<std::vector<int64_t>>& rankings, size_t length,
                       std::mt19937_64& rng) {
  Interleaving out;
  std::unordered_set<int64_t> used;
  std::vector<size_t> next(rankings.size(), 0);  // cursor into each ranking
  std::vector<size_t> picks(rankings.size(), 0);
  // Advances team t's cursor past articles already merged; whether it has one left.
  auto has_next = [&](size_t t) {
    while (next[t] < rankings[t].size() && used.contains(rankings[t][next[t]])) ++next[t];
    return next[t] < rankings[t].size();
  };
  std::vector<size_t> eligible;
  while (out.ids.size() < length) {
    eligible.clear();
    size_t fewest = std::numeric_limits<size_t>::max();
    for (size_t t = 0; t < rankings.size(); ++t) {
      if (!has_next(t)) continue;
      if (picks[t] < fewest) {
        fewest = picks[t];
        eligible.clear();
      }
      if (picks[t] == fewest) eligible.push_back(t);
    }
    if (eligible.empty()) break;
    size_t team = eligible[0];
    if (eligible.size() > 1) {
      std::uniform_int_distribution<size_t> draw(0, eligible.size() - 1);
      team = eligible[draw(rng)];
    }
    const int64_t id = rankings[team][next[team]];
    used.insert(id);
    out.ids.push_back(id);
    out.team.push_back(team);
    ++picks[team];
  }
  return out;
}

std::vector<int64_t> CreditClicks(const Interleaving& merged,
                                  const std::vector<size_t>& clicked_positions, size_t teams) {
  std::vector<int64_t> credited(teams, 0);
  for (size_t p : clicked_positions) {
    if (p < merged.team.size() && merged.team[p] < teams) ++credited[merged.team[p]];
  }
  return credited;
}

std::vector<std::vector<int>> PairwiseOutcome(const std::vector<int64_t>& credited) {
  const size_t n = credited.size();
  std::vector<std::vector<int>> outcome(n, std::vector<int>(n, 0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      outcome[i][j] = credited[i] > credited[j] ? 1 : (credited[i] < credited[j] ? -1 : 0);
    }
  }
  return outcome;
}

}  // namespace recplat::renewal_sim
