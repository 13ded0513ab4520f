// File: internal/item_similarity.h
//
// Item-item cosine similarity over co-interactions, the fitting half of the item_knn family
// (not part of the models API).
//
// From TrainingData it builds the user x item matrix R (r(u,i) = 1, or the largest positive
// event-type weight of u's interactions with i when `weighted`; interactions whose event type
// weight is <= 0 are ignored), then for every item i
//
//   sim(i, j) = co(i, j) / (|R_i| * |R_j| + shrink),   co(i, j) = sum_u r(u,i) * r(u,j)
//
// and keeps the `neighbors` most similar j != i (sim > 0). Work is sparse: each row of co is
// accumulated in a dense per-thread buffer of num_items doubles, touching only the items
// co-occurring with i; memory is O(num_items * neighbors + interactions), never num_items^2.
//
// Thread-safety: ComputeItemNeighbors is reentrant; it runs `threads` worker threads itself.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/training_data.h"

namespace recplat::models {

// Neighbour lists of all items in CSR form: item i's neighbours are
// items[offsets[i] .. offsets[i+1]) with similarities sims[same range], most similar first
// (ties by lower item index). offsets has num_items + 1 entries.
struct NeighborLists {
  std::vector<uint64_t> offsets = {0};
  std::vector<uint32_t> items;
  std::vector<float> sims;

  uint32_t num_items() const { return static_cast<uint32_t>(offsets.size() - 1); }
  std::span<const uint32_t> ItemsOf(uint32_t i) const {
    return {items.data() + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
  std::span<const float> SimsOf(uint32_t i) const {
    return {sims.data() + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
};

struct SimilarityOptions {
  uint32_t neighbors = 100;
  double shrink = 10.0;
  bool weighted = false;
  // Worker threads; 0 = std::thread::hardware_concurrency().
  int threads = 0;
};

// FAILED_PRECONDITION when `data` holds no usable interaction (none, or all of weight <= 0);
// CANCELLED when `data.stop` is requested while it runs (checked between chunks of items).
absl::StatusOr<NeighborLists> ComputeItemNeighbors(const TrainingData& data,
                                                   const SimilarityOptions& options);

}  // namespace recplat::models
