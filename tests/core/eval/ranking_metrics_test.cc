// Ranking metrics on hand-computed cases. log2(3) = 1.584963, log2(5) = 2.321928.
#include "core/eval/ranking_metrics.h"

#include <vector>

#include "gtest/gtest.h"

namespace recplat::eval {
namespace {

TEST(RankingMetricsTest, OneHitAtRankTwo) {
  // Ranked [5, 1, 7, 3]; relevant {1, 3, 9} plus one test item unseen in train (|test| = 4);
  // K = 3: only item 1 (rank 2) is a hit within the cut.
  //   Recall = 1/4 = 0.25; DCG = 1/log2(3) = 0.630930;
  //   IDCG over min(4, 3) = 3 ranks = 1 + 0.630930 + 0.5 = 2.130930; NDCG = 0.296082;
  //   HitRate = 1; MRR = 1/2.
  const std::vector<uint32_t> ranked = {5, 1, 7, 3};
  const std::vector<uint32_t> relevant = {1, 3, 9};
  RankingMetrics m = ComputeRankingMetrics(ranked, relevant, 4, 3);
  EXPECT_NEAR(m.recall, 0.25, 1e-9);
  EXPECT_NEAR(m.ndcg, 0.296082, 1e-6);
  EXPECT_EQ(m.hit_rate, 1.0);
  EXPECT_NEAR(m.mrr, 0.5, 1e-9);
}

TEST(RankingMetricsTest, TwoHitsWithinK) {
  // Same lists, K = 4: hits at ranks 2 and 4.
  //   Recall = 2/4 = 0.5; DCG = 0.630930 + 1/log2(5) = 0.630930 + 0.430677 = 1.061606;
  //   IDCG over 4 ranks = 2.130930 + 0.430677 = 2.561606; NDCG = 0.414430; MRR = 0.5.
  const std::vector<uint32_t> ranked = {5, 1, 7, 3};
  const std::vector<uint32_t> relevant = {1, 3, 9};
  RankingMetrics m = ComputeRankingMetrics(ranked, relevant, 4, 4);
  EXPECT_NEAR(m.recall, 0.5, 1e-9);
  EXPECT_NEAR(m.ndcg, 0.414430, 1e-6);
  EXPECT_EQ(m.hit_rate, 1.0);
  EXPECT_NEAR(m.mrr, 0.5, 1e-9);
}

TEST(RankingMetricsTest, PerfectRankingScoresOne) {
  // Both test items first: DCG = IDCG, every metric 1 (K larger than the list).
  const std::vector<uint32_t> ranked = {3, 1, 8};
  const std::vector<uint32_t> relevant = {1, 3};
  RankingMetrics m = ComputeRankingMetrics(ranked, relevant, 2, 20);
  EXPECT_NEAR(m.recall, 1.0, 1e-12);
  EXPECT_NEAR(m.ndcg, 1.0, 1e-12);
  EXPECT_EQ(m.hit_rate, 1.0);
  EXPECT_EQ(m.mrr, 1.0);
}

TEST(RankingMetricsTest, NoHitOrNoTestItemsScoresZero) {
  const std::vector<uint32_t> ranked = {4, 5};
  const std::vector<uint32_t> relevant = {1};
  RankingMetrics m = ComputeRankingMetrics(ranked, relevant, 1, 20);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.ndcg, 0.0);
  EXPECT_EQ(m.hit_rate, 0.0);
  EXPECT_EQ(m.mrr, 0.0);
  RankingMetrics none = ComputeRankingMetrics(ranked, {}, 0, 20);
  EXPECT_EQ(none.recall, 0.0);
  EXPECT_EQ(none.ndcg, 0.0);
  // An unseen test item can never be hit: Recall = 0/1.
  RankingMetrics unseen = ComputeRankingMetrics(ranked, {}, 1, 20);
  EXPECT_EQ(unseen.recall, 0.0);
}

TEST(RankingMetricsTest, RepeatedItemCountsOnce) {
  // Ranked [1, 1], |test| = 2, K = 2: one hit at rank 1 (the repeat is ignored).
  //   Recall = 0.5; DCG = 1; IDCG = 1 + 0.630930; NDCG = 0.613147; MRR = 1.
  const std::vector<uint32_t> ranked = {1, 1};
  const std::vector<uint32_t> relevant = {1, 2};
  RankingMetrics m = ComputeRankingMetrics(ranked, relevant, 2, 2);
  EXPECT_NEAR(m.recall, 0.5, 1e-9);
  EXPECT_NEAR(m.ndcg, 0.613147, 1e-6);
  EXPECT_EQ(m.mrr, 1.0);
}

}  // namespace
}  // namespace recplat::eval
