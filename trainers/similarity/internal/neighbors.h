// File: internal/neighbors.h
//
// The fitting half of the content_similarity family (not part of its API): for every
// featurised row, its `neighbors` nearest other rows by RowDistance (features.h).
//
// The computation is exact, blocked and multithreaded. The rows are first copied in pattern
// order (rows sharing attribute masks become adjacent). Worker threads take blocks of 64 rows;
// for a block the columns are swept in chunks of 1024 rows whose features stay in cache while
// the block's rows are compared with them, starting from the block's own chunk (same-pattern
// rows are usually the nearest, so the bounds tighten early). Per (row, chunk):
//   - the squared numeric distances, accumulated with Eigen array expressions (vectorised),
//   - the categorical mismatch counts (a vectorised counting loop),
//   - the pattern weights, looked up once per chunk for all the block's rows of one pattern in
//     a pattern x pattern table (computed per pair beyond 1024 patterns),
//   - a branch-free, conservative test against the row's current k-th distance that needs no
//     square root; only the survivors (a few percent) get their exact distance and go to the
//     row's selection buffer (cut back to the best k with nth_element when it fills up).
// Time O(rows^2 * (D + K)), memory O(rows * neighbors) plus the features: a 100k-item
// catalogue never materialises its 10^10 pairs.
//
// The result is deterministic: independent of the thread count and the blocking, every list
// is sorted by (distance, item index), and each distance equals RowDistance bit for bit.
//
// Thread-safety: ComputeNeighbors is reentrant; it runs its worker threads itself.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "trainers/similarity/internal/features.h"

namespace recplat::similarity::internal {

// Every row has the same number of neighbours, per_row = min(neighbors, rows - 1).
struct NeighborLists {
  uint32_t per_row = 0;
  // rows x per_row, row-major: row r's neighbours as item indices, nearest first (ties by lower
  // item index), and their distances.
  std::vector<uint32_t> items;
  std::vector<float> distances;

  std::span<const uint32_t> ItemsOf(uint32_t row) const {
    return {items.data() + static_cast<size_t>(row) * per_row, per_row};
  }
  std::span<const float> DistancesOf(uint32_t row) const {
    return {distances.data() + static_cast<size_t>(row) * per_row, per_row};
  }
};

struct NeighborOptions {
  // Neighbours kept per row (>= 1).
  uint32_t neighbors = 100;
  // Worker threads; 0 = std::thread::hardware_concurrency().
  int threads = 0;
};

// INTERNAL when a worker thread cannot be started.
absl::StatusOr<NeighborLists> ComputeNeighbors(const ItemFeatures& f,
                                               const NeighborOptions& options);

}  // namespace recplat::similarity::internal
