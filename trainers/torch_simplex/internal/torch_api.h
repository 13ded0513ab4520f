// File: internal/torch_api.h
//
// The boundary between the simplex family and LibTorch, as for gru4rec and ncf
// (trainers/torch_gru4rec/internal/torch_api.h explains why torch is never linked into
// executables): the trainer is built into the module librecplat_simplex_torch.so, loaded with
// dlopen the first time a model trains. Serving is plain Eigen and never loads torch.
//
// Module search order: $RECPLAT_SIMPLEX_TORCH_MODULE; the path the build put it at; next to the
// running executable; then the dynamic linker's search path (trainers/torch_common).
//
// Thread-safety: LoadSimplexTorchApi is thread-safe (loads once); the table is immutable.
#pragma once

#include "absl/status/statusor.h"
#include "trainers/torch_simplex/simplex_weights.h"

namespace recplat::simplex::internal {

// Bumped when the table or the types it passes change, so that a stale module is refused.
inline constexpr int kSimplexTorchApiVersion = 1;

struct SimplexTorchApi {
  int version;
  // Trains from scratch for params.epochs (or until params.max_seconds) and exports the item
  // table and V. INVALID_ARGUMENT for inconsistent data; CANCELLED when data.stop is requested;
  // INTERNAL when torch fails or the loss becomes NaN.
  absl::StatusOr<SimplexTrainStats> (*train)(const SimplexParams& params,
                                             const SimplexTrainData& data,
                                             SimplexWeights* weights);
};

// The module's table. FAILED_PRECONDITION naming the paths tried when it cannot be loaded.
absl::StatusOr<const SimplexTorchApi*> LoadSimplexTorchApi();

// Forwards to the module (FAILED_PRECONDITION when it cannot be loaded).
absl::StatusOr<SimplexTrainStats> TrainSimplex(const SimplexParams& params,
                                               const SimplexTrainData& data,
                                               SimplexWeights* weights);

}  // namespace recplat::simplex::internal
