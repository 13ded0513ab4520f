// File: negative_sampler.h
//
// NegativeSampler: draws the extra negative items GRU4Rec adds to every mini-batch (CIKM'18,
// "additional samples"): item i with probability support_i^alpha / Σ_j support_j^alpha, where
// support is the item's count in the training data. alpha = 0 is uniform over all items
// (including those of support 0: 0^0 = 1), alpha = 1 is proportional to popularity.
//
// Draws take O(1) (Walker's alias method: one uniform slot, one biased coin).
//
// Thread-safety: immutable after construction; Sample takes the caller's generator.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/common/random.h"

namespace recplat::gru4rec {

class NegativeSampler {
 public:
  // REQUIRES: support non-empty, entries >= 0 and finite, alpha in [0, 1]; with alpha > 0 at
  // least one entry > 0.
  NegativeSampler(std::span<const double> support, double alpha);

  // One item index in [0, support.size()).
  uint32_t Sample(common::Rng& rng) const;
  // Fills `out` with independent draws.
  void Sample(common::Rng& rng, std::span<int64_t> out) const;

  // The probability of drawing `item`.
  double Probability(uint32_t item) const { return probability_[item]; }
  size_t num_items() const { return probability_.size(); }

 private:
  std::vector<double> probability_;
  // Alias table: slot i yields i with probability keep_[i], else alias_[i].
  std::vector<double> keep_;
  std::vector<uint32_t> alias_;
};

}  // namespace recplat::gru4rec
