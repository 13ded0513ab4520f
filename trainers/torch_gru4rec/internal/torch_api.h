// File: internal/torch_api.h
//
// The boundary between the gru4rec family and LibTorch. Everything that includes torch is built
// into a separate shared module, librecplat_gru4rec_torch.so (target recplat_gru4rec_torch),
// which the family loads with dlopen the first time it trains (LoadTorchApi). Processes that
// never train (and the serving path, which is plain Eigen) never load torch at all.
//
// Why not link torch into the executable: Debian's LibTorch brings glog (30 KB of static TLS)
// and torch_cpu (10 KB) into every thread's static TLS block, next to OpenBLAS's 60 KB; over
// 100 KB, civetweb (prometheus-cpp's /metrics server, 100 KB thread stacks) can no longer
// create its threads and `recplat serve` fails to start. Libraries loaded with dlopen get their
// TLS allocated dynamically and leave the static block alone.
//
// Module search order: $RECPLAT_GRU4REC_TORCH_MODULE; the path the build put it at; next to
// the running executable; then the dynamic linker's search path (trainers/torch_common).
//
// Thread-safety: LoadTorchApi is thread-safe (loads once); the table is immutable.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "trainers/torch_gru4rec/internal/torch_trainer.h"

namespace recplat::gru4rec::internal {

// Bumped when the table or the types it passes change, so that a stale module is refused.
inline constexpr int kTorchApiVersion = 2;

struct TorchApi {
  int version;
  absl::StatusOr<TrainStats> (*train)(const Gru4RecParams& params, const TrainRequest& request,
                                      GruWeights* weights, GruWeights* adagrad);
  absl::StatusOr<std::vector<float>> (*scores)(const GruWeights& weights,
                                               std::span<const uint32_t> session);
};

// The module's table. FAILED_PRECONDITION naming the paths tried (with dlerror) when the
// module cannot be loaded or is of another version. The first outcome is kept.
absl::StatusOr<const TorchApi*> LoadTorchApi();

}  // namespace recplat::gru4rec::internal
