// File: rl_agent.h
//
// The RL agent's entry points (rl_types.h describes it): create a policy (fresh or from saved
// weights) and train one with TD3 from SARS tuples. Both forward to the LibTorch module
// (internal/torch_api.h) and answer FAILED_PRECONDITION when it cannot be loaded.
//
// Thread-safety: thread-safe; a training runs on the calling thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "trainers/torch_rl/rl_types.h"

namespace recplat::rl {

// A policy with freshly initialised weights (seeded by params.seed), or with `blob` (from
// RlPolicy::Serialize with the same params and sizes) when not null.
absl::StatusOr<std::unique_ptr<RlPolicy>> CreatePolicy(const RlParams& params, int64_t num_users,
                                                       const RlItemSpace& items,
                                                       const std::string* blob = nullptr);

// Trains a policy from scratch on data.transitions (every action holds params.k services).
// Cancellable: `stop` (may be null) and params.max_seconds are checked between batches; a
// stopped training returns the weights it reached, with stats.stopped_early set.
absl::StatusOr<RlTrainStats> TrainPolicy(const RlParams& params, const RlTrainData& data,
                                         const std::atomic<bool>* stop,
                                         std::unique_ptr<RlPolicy>* policy);

}  // namespace recplat::rl
