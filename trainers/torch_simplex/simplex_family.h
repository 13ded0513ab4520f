// File: simplex_family.h
//
// The `simplex` family: SimpleX (Mao et al., CIKM 2021, "SimpleX: A Simple and Strong Baseline
// for Collaborative Filtering"): a user vector aggregated from the user's items, cosine scores,
// and the cosine contrastive loss (CCL) over many sampled negatives (simplex_weights.h has the
// model, internal/simplex_trainer.cc the training), trained with LibTorch on the CPU and served
// with Eigen by folding the request's items in (simplex_model.h).
//
// Fit: a user's items are their distinct interactions whose event type weight is > 0 (binary,
// as ials); the known items (those with such an interaction) are the negatives' pool and the
// only items served. FAILED_PRECONDITION when there is no such interaction.
//
// Differences from the paper, on purpose: the negatives of a mini-batch are shared by its rows
// (one matrix product instead of a gather per positive, so hundreds of negatives are cheap on
// a CPU); the aggregation leaves the positive out of the user's items (as at serving, where
// history items are never candidates); the aggregation is the mean (the paper's simplest
// variant); serving never uses the per-user embedding (requests carry no user identity), so
// gamma > 0 trains a user table that acts only as a regulariser of the aggregation.
//
// Params (all optional; defaults chosen on dev splits of the training files of ml-100k u1 and
// amazonelectronics-bars-m1, docs/models.md):
//   dim              int in [1, 1024], default 64
//   negatives        int in [1, 100000], default 500: negatives per mini-batch
//   margin           double in [-1, 1], default 0.1: m of the CCL
//   negative_weight  double in [0, 1e6], default 5: w of the CCL
//   gamma            double in [0, 0.99], default 0: weight of the user's own embedding
//   epochs           int in [1, 100000], default 20
//   lr               double in [1e-9, 10], default 0.002 (Adam)
//   l2               double in [0, 1000], default 1e-6: on the embeddings a batch touches and V
//   dropout          double in [0, 0.95], default 0.1: on the user vector while training
//   separate_history bool, default false: aggregate the history from a second item table
//   batch_size       int in [1, 1048576], default 512 (positives per mini-batch)
//   seed             int >= 0, default 42
//   threads          int in [1, 256], default 1 (torch intra-op and OpenBLAS threads)
//   max_seconds      double in [0, 1e7], default 0 (none): training ends after the mini-batch
//                    that crosses it (then the fit is not reproducible)
//
// Search space (`recplat tune`): margin [0, 0.8], negative_weight log [1, 100], l2 log
// [1e-8, 1e-3], lr log [5e-4, 5e-3]; negatives fixed at 500; epochs 1 → 3 → 9 under
// successive halving (docs/models.md).
//
// Metrics() of a fitted model: users, items, positives, epochs, train_loss, train_seconds,
// time_capped.
//
// This header includes no torch header: apps register the family without torch.
//
// Thread-safety: the family is stateless, its models immutable. Fit sets torch's process-wide
// intra-op thread count.
#pragma once

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "core/models/model_family.h"
#include "trainers/torch_simplex/simplex_weights.h"

namespace recplat::simplex {

class SimplexFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return "simplex"; }
  models::SearchSpace TuningSpace() const override;
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
};

// The typed params (see the file comment). INVALID_ARGUMENT naming a bad or unknown key.
absl::StatusOr<SimplexParams> ParseSimplexParams(const models::ModelParams& params);

// The trainer's input from training data; `known` gets the known items, ascending.
SimplexTrainData BuildSimplexTrainData(const models::TrainingData& data,
                                       std::vector<uint32_t>* known);

// Registers SimplexFamily under "simplex". ALREADY_EXISTS when the name is taken.
absl::Status RegisterSimplexFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::simplex
