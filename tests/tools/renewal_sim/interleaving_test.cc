// Team-draft interleaving and the user assignments (tools/renewal_sim/interleaving.h,
// assignments.h) on hand-made lists.
#include "tools/renewal_sim/interleaving.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/renewal_sim/assignments.h"

namespace recplat::renewal_sim {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

size_t Picks(const Interleaving& m, size_t team) {
  return static_cast<size_t>(std::count(m.team.begin(), m.team.end(), team));
}

// Team-draft invariants: no repeats; each team's picks are its highest-ranked articles not
// picked before, in its own order; pick counts stay level while teams have articles left.
void CheckDraft(const std::vector<std::vector<int64_t>>& rankings, const Interleaving& m) {
  ASSERT_EQ(m.ids.size(), m.team.size());
  std::set<int64_t> used;
  std::vector<size_t> picks(rankings.size(), 0);
  for (size_t i = 0; i < m.ids.size(); ++i) {
    const std::vector<int64_t>& r = rankings[m.team[i]];
    auto best = std::find_if(r.begin(), r.end(), [&](int64_t id) { return !used.contains(id); });
    ASSERT_NE(best, r.end());
    EXPECT_EQ(*best, m.ids[i]) << "pick " << i;
    // The team picking had the fewest picks among the teams that could pick.
    for (size_t t = 0; t < rankings.size(); ++t) {
      const bool can = std::any_of(rankings[t].begin(), rankings[t].end(),
                                   [&](int64_t id) { return !used.contains(id); });
      if (can) {
        EXPECT_LE(picks[m.team[i]], picks[t]) << "pick " << i;
      }
    }
    used.insert(m.ids[i]);
    ++picks[m.team[i]];
  }
}

TEST(TeamDraftTest, DisjointListsAlternateInPairs) {
  std::mt19937_64 rng(1);
  const std::vector<std::vector<int64_t>> lists = {{1, 2, 3, 4}, {5, 6, 7, 8}};
  for (int t = 0; t < 20; ++t) {
    Interleaving m = TeamDraft(lists, 4, rng);
    ASSERT_EQ(m.ids.size(), 4u);
    // Each round gives one pick to each team, in a random order.
    EXPECT_THAT(std::vector<int64_t>(m.ids.begin(), m.ids.begin() + 2), UnorderedElementsAre(1, 5));
    EXPECT_THAT(std::vector<int64_t>(m.ids.begin() + 2, m.ids.end()), UnorderedElementsAre(2, 6));
    EXPECT_EQ(Picks(m, 0), 2u);
    CheckDraft(lists, m);
  }
}

TEST(TeamDraftTest, SharedArticlesGoToTheTeamThatPicksThemFirst) {
  // Both rank 1 then 2 first: whoever wins the coin takes 1, the other takes 2.
  const std::vector<std::vector<int64_t>> lists = {{1, 2, 3}, {1, 2, 4}};
  std::map<size_t, int> first_team;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::mt19937_64 rng(seed);
    Interleaving m = TeamDraft(lists, 4, rng);
    ASSERT_THAT(std::vector<int64_t>(m.ids.begin(), m.ids.begin() + 2), ElementsAre(1, 2));
    EXPECT_NE(m.team[0], m.team[1]);
    EXPECT_THAT(std::vector<int64_t>(m.ids.begin() + 2, m.ids.end()), UnorderedElementsAre(3, 4));
    ++first_team[m.team[0]];
    CheckDraft(lists, m);
  }
  // The coin is fair: each team goes first about half the time.
  EXPECT_GT(first_team[0], 70);
  EXPECT_GT(first_team[1], 70);
}

TEST(TeamDraftTest, IdenticalListsKeepTheirOrder) {
  std::mt19937_64 rng(4);
  const std::vector<std::vector<int64_t>> lists = {{7, 8, 9}, {7, 8, 9}};
  Interleaving m = TeamDraft(lists, 10, rng);
  EXPECT_THAT(m.ids, ElementsAre(7, 8, 9));
  EXPECT_EQ(std::max(Picks(m, 0), Picks(m, 1)), 2u);
}

TEST(TeamDraftTest, ShortListsRepeatsAndThreeTeams) {
  std::mt19937_64 rng(2);
  // An exhausted team stops picking; the other fills the list.
  const std::vector<std::vector<int64_t>> uneven = {{1}, {2, 3, 4, 5}};
  Interleaving m = TeamDraft(uneven, 4, rng);
  EXPECT_EQ(m.ids.size(), 4u);
  EXPECT_EQ(Picks(m, 0), 1u);
  CheckDraft(uneven, m);
  // Repeats within one list are skipped; the length is capped by the union.
  const std::vector<std::vector<int64_t>> repeats = {{1, 1, 2}, {2, 3}};
  m = TeamDraft(repeats, 10, rng);
  EXPECT_THAT(m.ids, UnorderedElementsAre(1, 2, 3));
  // Three teams: counts stay within one of each other.
  const std::vector<std::vector<int64_t>> three = {
      {1, 2, 3, 4, 5}, {6, 1, 7, 8, 9}, {10, 11, 2, 12, 13}};
  for (int t = 0; t < 30; ++t) {
    m = TeamDraft(three, 7, rng);
    ASSERT_EQ(m.ids.size(), 7u);
    CheckDraft(three, m);
    const size_t lo = std::min({Picks(m, 0), Picks(m, 1), Picks(m, 2)});
    const size_t hi = std::max({Picks(m, 0), Picks(m, 1), Picks(m, 2)});
    EXPECT_LE(hi - lo, 1u);
  }
  // Nothing to merge.
  EXPECT_TRUE(TeamDraft({{}, {}}, 5, rng).ids.empty());
  EXPECT_TRUE(TeamDraft({{1, 2}}, 0, rng).ids.empty());
}

TEST(TeamDraftTest, ClicksAreCreditedToTheContributingTeam) {
  const Interleaving m{{1, 5, 2, 6, 3}, {0, 1, 0, 1, 0}};
  EXPECT_THAT(CreditClicks(m, {0, 2, 3}, 2), ElementsAre(2, 1));
  EXPECT_THAT(CreditClicks(m, {1, 3}, 2), ElementsAre(0, 2));
  EXPECT_THAT(CreditClicks(m, {}, 2), ElementsAre(0, 0));
  EXPECT_THAT(CreditClicks(m, {9}, 2), ElementsAre(0, 0));  // out of range: ignored
  const auto outcome = PairwiseOutcome({2, 1, 2});
  EXPECT_THAT(outcome[0], ElementsAre(0, 1, 0));
  EXPECT_THAT(outcome[1], ElementsAre(-1, 0, -1));
  EXPECT_THAT(outcome[2], ElementsAre(0, 1, 0));
}

TEST(AssignmentsTest, OneRecsystemPerUserRotates) {
  Assignments a({"U0", "U1", "U2", "U3"}, 1);
  std::vector<Assignments::Change> changes = a.AddRecsystem("a");
  EXPECT_EQ(changes.size(), 4u);  // a gets everyone
  changes = a.AddRecsystem("b");
  // b's users first, then a's losses.
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].recsystem, "b");
  EXPECT_EQ(changes[0].user_id, "U1");
  EXPECT_TRUE(changes[0].assigned);
  EXPECT_EQ(changes[1].user_id, "U3");
  EXPECT_EQ(changes[2].recsystem, "a");
  EXPECT_FALSE(changes[2].assigned);
  EXPECT_THAT(a.UsersOf("a"), ElementsAre("U0", "U2"));
  EXPECT_THAT(a.UsersOf("b"), ElementsAre("U1", "U3"));
  EXPECT_TRUE(a.AddRecsystem("a").empty());  // known
  EXPECT_THAT(a.RecsystemsOf(1), ElementsAre(1u));

  changes = a.Rotate();
  EXPECT_EQ(a.epoch(), 1);
  ASSERT_EQ(changes.size(), 8u);
  for (size_t i = 0; i < 4; ++i) EXPECT_FALSE(changes[i].assigned);  // unassignments first
  EXPECT_THAT(a.UsersOf("a"), ElementsAre("U1", "U3"));
  EXPECT_THAT(a.UsersOf("b"), ElementsAre("U0", "U2"));
  a.Rotate();
  EXPECT_THAT(a.UsersOf("a"), ElementsAre("U0", "U2"));
  EXPECT_TRUE(a.UsersOf("unknown").empty());
  EXPECT_FALSE(a.Knows("unknown"));
}

TEST(AssignmentsTest, EveryRecsystemGetsEveryUserByDefault) {
  Assignments a({"U0", "U1", "U2"}, 0);
  a.AddRecsystem("a");
  a.AddRecsystem("b");
  a.AddRecsystem("c");
  EXPECT_THAT(a.UsersOf("c"), ElementsAre("U0", "U1", "U2"));
  EXPECT_THAT(a.RecsystemsOf(2), ElementsAre(0u, 1u, 2u));
  EXPECT_TRUE(a.Rotate().empty());
  // Two of three per user: a balanced head-to-head.
  Assignments two({"U0", "U1", "U2"}, 2);
  for (const char* r : {"a", "b", "c"}) two.AddRecsystem(r);
  EXPECT_THAT(two.RecsystemsOf(0), ElementsAre(0u, 1u));
  EXPECT_THAT(two.RecsystemsOf(2), ElementsAre(0u, 2u));
  EXPECT_EQ(two.UsersOf("a").size() + two.UsersOf("b").size() + two.UsersOf("c").size(), 6u);
}

}  // namespace
}  // namespace recplat::renewal_sim
