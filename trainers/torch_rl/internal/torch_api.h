// File: internal/torch_api.h
//
// The boundary between the RL agent and LibTorch, as for ncf and gru4rec
// (trainers/torch_gru4rec/internal/torch_api.h explains why torch is never linked into
// executables): the networks, TD3 and selection live in the module librecplat_rl_torch.so,
// loaded with dlopen on first use.
//
// Module search order: $RECPLAT_RL_TORCH_MODULE; the path the build put it at; next to the
// running executable; then the dynamic linker's search path (trainers/torch_common).
//
// Thread-safety: LoadRlTorchApi is thread-safe (loads once); the table is immutable.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "trainers/torch_rl/rl_types.h"

namespace recplat::rl::internal {

inline constexpr int kRlTorchApiVersion = 1;

struct RlTorchApi {
  int version;
  // A policy with freshly initialised weights (seeded by params.seed), or with `blob` (from
  // RlPolicy::Serialize of a policy with the same params and sizes) when not null.
  // INVALID_ARGUMENT for inconsistent sizes or a blob that does not fit.
  absl::StatusOr<std::unique_ptr<RlPolicy>> (*create)(const RlParams& params, int64_t num_users,
                                                      const RlItemSpace& items,
                                                      const std::string* blob);
  // Trains from scratch with TD3 on data.transitions; checks `stop` (may be null) and
  // params.max_seconds between batches and then keeps the weights it has.
  absl::StatusOr<RlTrainStats> (*train)(const RlParams& params, const RlTrainData& data,
                                        const std::atomic<bool>* stop,
                                        std::unique_ptr<RlPolicy>* policy);
};

// The module's table. FAILED_PRECONDITION naming the paths tried when it cannot be loaded.
absl::StatusOr<const RlTorchApi*> LoadRlTorchApi();

}  // namespace recplat::rl::internal
