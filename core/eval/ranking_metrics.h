// File: ranking_metrics.h
//
// Per-user top-K ranking metrics of offline evaluation (binary relevance):
//
//   Recall@K   = hits / num_relevant
//   NDCG@K     = DCG / IDCG, DCG = sum over hits at 1-based rank r <= K of 1 / log2(r + 1),
//                IDCG = sum over r = 1 .. min(num_relevant, K) of 1 / log2(r + 1)
//   HitRate@K  = 1 when there is at least one hit, else 0
//   MRR@K      = 1 / rank of the first hit, 0 when none
//
// `num_relevant` may exceed the relevant items a model can rank (test items never seen in
// training count in the denominators but can never be hit). An item listed twice in the
// ranking counts once.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>

namespace recplat::eval {

struct RankingMetrics {
  double recall = 0;
  double ndcg = 0;
  double hit_rate = 0;
  double mrr = 0;
};

// `ranked`: the recommendations, best first (only the first k count). `relevant`: the test
// items that can be hit, sorted ascending, distinct. `num_relevant` >= relevant.size(): the
// size of the user's test set. REQUIRES: k >= 1. All zeros when num_relevant is 0.
RankingMetrics ComputeRankingMetrics(std::span<const uint32_t> ranked,
                                     std::span<const uint32_t> relevant, size_t num_relevant,
                                     int k);

}  // namespace recplat::eval
