// File: gru4rec_test_util.h
//
// Synthetic session data for the gru4rec tests.
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/random.h"
#include "core/models/training_data.h"

namespace recplat::gru4rec::testing {

// Appends `sessions` sessions (one new user each) to `d`: each starts at a random item of
// [first, first + span) and walks the cycle i → first + (i − first + 1) % span for 3 to 5
// items, one minute apart; sessions start an hour apart from `t0_ms`.
inline void AddChainSessions(models::TrainingData* d, uint32_t first, uint32_t span,
                             int sessions, uint64_t seed, int64_t t0_ms) {
  common::Rng rng(seed);
  if (d->event_types.empty()) {
    d->event_types = {"view"};
    d->event_type_weights = {1};
  }
  for (int s = 0; s < sessions; ++s) {
    const uint32_t user = d->num_users++;
    uint32_t item = first + static_cast<uint32_t>(rng.Uniform(span));
    const int length = 3 + static_cast<int>(rng.Uniform(3));
    for (int k = 0; k < length; ++k) {
      d->interactions.push_back(
          {user, item, 0, 1.0f, t0_ms + s * int64_t{3600000} + k * int64_t{60000}});
      item = first + (item - first + 1) % span;
    }
    d->num_items = std::max(d->num_items, first + span);
  }
}

}  // namespace recplat::gru4rec::testing
