// File: gru4rec_params.h
//
// Gru4RecParams: the validated hyper-parameters of the `gru4rec` family, parsed from the
// profile's string params (models::ModelParams). Every key, its default and its range is listed
// in ParseGru4RecParams below and in docs/gru4rec.md; unknown keys are INVALID_ARGUMENT naming
// the key, as are values that do not parse or are out of range.
//
// Thread-safety: plain data; the parser is reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model_family.h"

namespace recplat::gru4rec {

enum class GruLoss { kCrossEntropy, kBprMax, kTop1Max };

// The activation applied to the output scores before the loss. Monotonic, so serving ranks by
// the raw scores (h·Wyᵀ + by) whatever it is.
enum class FinalActivation { kSoftmax, kLinear, kElu, kTanh };

// Defaults: the best of the settings tried on rsc15-100k _train_tr -> _train_valid
// (docs/gru4rec.md, "Tuning"): BPR-max with elu-0.5, one layer of 100, constrained embedding.
struct Gru4RecParams {
  GruLoss loss = GruLoss::kBprMax;
  // GRU layer sizes, input side first ("100" or "100,100").
  std::vector<int> layers = {100};
  // Size of a separate input embedding; 0 = none (one-hot input: the first layer's input
  // weights are the item table).
  int embedding = 0;
  // The output item table Wy is also the input embedding (then `embedding` must be 0).
  bool constrained_embedding = true;
  FinalActivation final_act = FinalActivation::kElu;
  // The α of elu-α (final_act = elu-<α>).
  double elu_alpha = 0.5;
  int batch_size = 32;
  double learning_rate = 0.05;
  double momentum = 0.15;
  // Extra negatives shared by the mini-batch, drawn with probability ∝ support^sample_alpha.
  int n_sample = 2048;
  double sample_alpha = 0.3;
  // Score regularisation of BPR-max.
  double bpreg = 0.9;
  // Strength of the log(Q) sampling correction of cross-entropy (0 = none).
  double logq = 0.0;
  double dropout_p_embed = 0.5;
  double dropout_p_hidden = 0.3;
  int epochs = 10;
  uint64_t seed = 42;
  // Torch intra-op threads while training.
  int threads = 1;
  // Idle gap that splits a user's interactions into sessions; 0 = never split.
  int64_t session_gap_minutes = 30;
  // Serving: at most this many of the most recent session (or history) items are fed.
  int max_session_length = 50;
  // Event type names whose interactions make the sessions; empty = every type.
  std::vector<std::string> event_types;
  int incremental_epochs = 1;
  int64_t full_retrain_every = models::kDefaultFullRetrainEvery;
};

// Parses and validates `params` (defaults above when a key is absent). INVALID_ARGUMENT naming
// the key for unknown keys, unparsable or out-of-range values and inconsistent combinations
// (final_act softmax without cross-entropy and the reverse, embedding with
// constrained_embedding).
absl::StatusOr<Gru4RecParams> ParseGru4RecParams(const models::ModelParams& params);

// "cross-entropy", "bpr-max", "top1-max".
const char* LossName(GruLoss loss);

}  // namespace recplat::gru4rec
