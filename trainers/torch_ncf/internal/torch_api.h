// File: internal/torch_api.h
//
// The boundary between the ncf family and LibTorch, as for gru4rec
// (trainers/torch_gru4rec/internal/torch_api.h explains why torch is never linked into
// executables): the trainer is built into the module librecplat_ncf_torch.so, loaded with
// dlopen the first time a model trains. Serving is plain Eigen and never loads torch.
//
// Module search order: $RECPLAT_NCF_TORCH_MODULE; the path the build put it at; next to the
// running executable; then the dynamic linker's search path (trainers/torch_common).
//
// Thread-safety: LoadNcfTorchApi is thread-safe (loads once); the table is immutable.
#pragma once

#include "absl/status/statusor.h"
#include "trainers/torch_ncf/ncf_weights.h"

namespace recplat::ncf::internal {

// Bumped when the table or the types it passes change, so that a stale module is refused.
inline constexpr int kNcfTorchApiVersion = 3;

struct NcfTorchApi {
  int version;
  // Trains from scratch and returns the weights of the epoch with the best validation loss
  // (the last epoch when there is no validation data). INVALID_ARGUMENT for inconsistent data;
  // INTERNAL when torch fails or the loss becomes NaN.
  absl::StatusOr<NcfTrainStats> (*train)(const NcfParams& params, const NcfTrainData& data,
                                         NcfWeights* weights);
};

// The module's table. FAILED_PRECONDITION naming the paths tried when it cannot be loaded.
absl::StatusOr<const NcfTorchApi*> LoadNcfTorchApi();

// Forwards to the module (FAILED_PRECONDITION when it cannot be loaded).
absl::StatusOr<NcfTrainStats> TrainNcf(const NcfParams& params, const NcfTrainData& data,
                                       NcfWeights* weights);

}  // namespace recplat::ncf::internal
