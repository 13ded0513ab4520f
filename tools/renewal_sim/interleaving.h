// File: interleaving.h
//
// Team-draft interleaving (Radlinski, Kurup & Joachims, "How does clickthrough data reflect
// retrieval quality?", CIKM 2008), generalised to two or more rankings the way team-draft
// multileaving does (Schuth et al., CIKM 2014): the merged list is built pick by pick; at each
// pick the teams (input rankings) that still have an article not yet in the merged list and
// that have made the fewest picks so far are eligible, one of them is drawn uniformly at random,
// and it contributes its highest-ranked article not yet in the merged list. With two teams this
// is the original algorithm (the team behind goes next; a coin flip when level).
//
// A click on the merged list is credited to the team that contributed the clicked article. One
// refresh is a contest between each pair of teams: the team with more credited clicks wins it;
// equal counts (including none) are a tie. Ties with no click at all are reported apart, as
// they say nothing about the rankings.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace recplat::renewal_sim {

struct Interleaving {
  std::vector<int64_t> ids;  // the merged list, best first
  std::vector<size_t> team;  // team[i]: index of the ranking that contributed ids[i]
};

// Merges `rankings` (each best first; repeated ids within one ranking are ignored) into at most
// `length` articles. Uses `rng` only when several teams are eligible for a pick.
Interleaving TeamDraft(const std::vector<std::vector<int64_t>>& rankings, size_t length,
                       std::mt19937_64& rng);

// Credited clicks per team (size `teams`) for clicks at the given positions of the merged list
// (positions out of range are ignored).
std::vector<int64_t> CreditClicks(const Interleaving& merged,
                                  const std::vector<size_t>& clicked_positions, size_t teams);

// Pairwise outcome of one contest from the credited clicks: outcome[i][j] = +1 when team i
// got more clicks than team j, -1 when fewer, 0 when equal.
std::vector<std::vector<int>> PairwiseOutcome(const std::vector<int64_t>& credited);

}  // namespace recplat::renewal_sim
