// The scoring stage's sort (core/engine/scoring_stage.h): a prefix of the stable order by
// score, as long as the ordering stages and the answer look.
#include "core/engine/scoring_stage.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace recplat::engine {
namespace {

std::vector<Candidate> RandomCandidates(size_t n, int distinct_scores, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> score(0, distinct_scores - 1);
  std::vector<Candidate> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].scored.item = static_cast<uint32_t>(i);
    out[i].scored.score = score(rng) * 0.5 - 3;  // Many ties.
  }
  return out;
}

std::vector<uint32_t> Items(const std::vector<Candidate>& c) {
  std::vector<uint32_t> out;
  for (const Candidate& x : c) out.push_back(x.scored.item);
  return out;
}

TEST(ScoringStageTest, APrefixIsExactlyTheStableSortsPrefix) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    for (int distinct : {1, 3, 50, 100000}) {
      std::vector<Candidate> all = RandomCandidates(997, distinct, seed);
      std::vector<Candidate> reference = all;
      std::stable_sort(reference.begin(), reference.end(), [](const Candidate& a, const Candidate& b) {
        return a.scored.score > b.scored.score;
      });
      for (size_t prefix : {size_t{0}, size_t{1}, size_t{3}, size_t{50}, size_t{997}, size_t{5000}}) {
        std::vector<Candidate> got = all;
        SortCandidates(prefix, &got);
        const size_t want = std::min(prefix, all.size());
        ASSERT_EQ(got.size(), want);
        EXPECT_EQ(Items(got),
                  Items(std::vector<Candidate>(reference.begin(),
                                               reference.begin() + static_cast<std::ptrdiff_t>(want))))
            << "seed " << seed << " distinct " << distinct << " prefix " << prefix;
      }
    }
  }
}

TEST(ScoringStageTest, ThePrefixCoversTheAnswerAndTheDiversityHead) {
  config::SurfaceConfig surface;
  surface.diversity.ordering_size = 50;
  v1::RecommendRequest request;
  request.set_k(10);
  surface.ordering = {};
  EXPECT_EQ(OrderedPrefix(request, surface, 10000), 10u);
  EXPECT_EQ(OrderedPrefix(request, surface, 4), 4u);
  surface.ordering = {"diversity"};
  EXPECT_EQ(OrderedPrefix(request, surface, 10000), 50u);
  request.set_diversity_head(200);
  EXPECT_EQ(OrderedPrefix(request, surface, 10000), 200u);
  request.set_k(500);
  EXPECT_EQ(OrderedPrefix(request, surface, 10000), 500u);
  // available_first moves items of the whole list: everything is sorted.
  surface.ordering = {"diversity", "available_first"};
  EXPECT_EQ(OrderedPrefix(request, surface, 10000), 10000u);
  surface.ordering = {"available_first"};
  request.set_k(1);
  EXPECT_EQ(OrderedPrefix(request, surface, 7), 7u);
}

}  // namespace
}  // namespace recplat::engine
