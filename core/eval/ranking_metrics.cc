#include "core/eval/ranking_metrics.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace recplat::eval {

RankingMetrics ComputeRankingMetrics(std::span<const uint32_t> ranked,
                                     std::span<const uint32_t> relevant, size_t num_relevant,
                                     int k) {
  RankingMetrics m;
  if (num_relevant == 0 || k <= 0) {
    return m;
  }
  const size_t cut = std::min(ranked.size(), static_cast<size_t>(k));
  std::vector<uint32_t> hit_items;
  double dcg = 0;
  for (size_t pos = 0; pos < cut; ++pos) {
    const uint32_t item = ranked[pos];
    if (!std::binary_search(relevant.begin(), relevant.end(), item) ||
        std::find(hit_items.begin(), hit_items.end(), item) != hit_items.end()) {
      continue;
    }
    if (hit_items.empty()) {
      m.mrr = 1.0 / static_cast<double>(pos + 1);
    }
    hit_items.push_back(item);
    dcg += 1.0 / std::log2(static_cast<double>(pos) + 2.0);
  }
  double idcg = 0;
  const size_t ideal = std::min(num_relevant, static_cast<size_t>(k));
  for (size_t pos = 0; pos < ideal; ++pos) {
    idcg += 1.0 / std::log2(static_cast<double>(pos) + 2.0);
  }
  m.recall = static_cast<double>(hit_items.size()) / static_cast<double>(num_relevant);
  m.ndcg = dcg / idcg;
  m.hit_rate = hit_items.empty() ? 0.0 : 1.0;
  return m;
}

}  // namespace recplat::eval
