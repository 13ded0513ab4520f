// File: internal/torch_trainer.h
//
// The LibTorch half of the gru4rec family (private to trainers/torch_gru4rec): trains
// GruWeights on sessions with session-parallel mini-batches, sampled negatives and Adagrad with
// momentum, as GRU4Rec does (Hidasi et al. ICLR'16, CIKM'18):
//
//   per step: the M active slots' input items and targets (session_data.h), plus n_sample
//   negatives shared by the batch (negative_sampler.h, support^sample_alpha); scores of the
//   targets and samples, M × (M + n_sample); the loss of internal/losses.h divided by
//   batch_size; gradients by autograd, with the hidden state carried between steps but not
//   back-propagated through (truncated at one step) and reset to zero where a session starts.
//   Updates: Adagrad (acc += g², step = g / sqrt(acc + 1e-6)) with momentum
//   (v = momentum·v − lr·step, w += v). Item tables (E, one-hot Wx0, Wy, By) are updated only
//   on the rows the batch touched, after summing the gradients of repeated rows.
//   Dropout: dropout_p_embed on the input embedding, dropout_p_hidden on every layer's output
//   (which is also the carried state, as in GRU4Rec).
//
// Torch's intra-op thread count is process-wide: TrainGru sets it to params.threads (the
// caller serialises trainings, see core/training/trainer.h). This header does not include
// torch: the functions below forward (torch_api.cc) to the module librecplat_gru4rec_torch.so,
// loaded on first use (torch_api.h says why), where torch_trainer.cc implements them.
// FAILED_PRECONDITION when the module cannot be loaded.
//
// Thread-safety: TrainGru and TorchScoresForTest are reentrant apart from the thread-count
// setting above.
#pragma once

#include <cstdint>
#include <span>
#include <stop_token>
#include <vector>

#include "absl/status/statusor.h"
#include "trainers/torch_gru4rec/gru4rec_params.h"
#include "trainers/torch_gru4rec/gru4rec_weights.h"
#include "trainers/torch_gru4rec/session_data.h"

namespace recplat::gru4rec::internal {

struct TrainStats {
  int64_t steps = 0;
  // Training events: next-item predictions made (mini-batch rows), over all epochs.
  int64_t events = 0;
  double seconds = 0;
  double events_per_second = 0;
  // Mean loss per event of each epoch.
  std::vector<double> epoch_loss;
};

struct TrainRequest {
  // Sessions of model item indices (< weights->num_items).
  const SessionSet* sessions = nullptr;
  // Per model item: its count in the training data (sampling weights, logQ correction).
  std::span<const double> support;
  int epochs = 1;
  uint64_t seed = 42;
  // Checked before every mini-batch: when requested, training ends with CANCELLED
  // (models::CheckStop) and the weights are left as they were.
  std::stop_token stop;
};

// Trains `weights` in place, continuing from the Adagrad accumulators in `adagrad` (same
// shapes; zero for a fresh start), which are updated too. INVALID_ARGUMENT when shapes do not
// match; INTERNAL when torch fails or the loss becomes NaN (the weights are then left as they
// were).
absl::StatusOr<TrainStats> TrainGru(const Gru4RecParams& params, const TrainRequest& request,
                                    GruWeights* weights, GruWeights* adagrad);

// The torch forward of `weights` (inference: no dropout) after feeding `session` (model item
// indices, oldest first): the raw scores of every model item. For tests comparing it with the
// Eigen serving forward. INVALID_ARGUMENT on an empty session or an out-of-range item.
absl::StatusOr<std::vector<float>> TorchScoresForTest(const GruWeights& weights,
                                                      std::span<const uint32_t> session);

}  // namespace recplat::gru4rec::internal
