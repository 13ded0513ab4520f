// File: ncf_family.h
//
// The `ncf` family: the EOSC recommender's pre-agent (../shared/specs/seed-systems.md 2.9),
// Neural Collaborative Filtering with a content tower: GMF ‖ MLP ‖ content MLP -> sigmoid
// (ncf_weights.h), trained with LibTorch on the CPU (binary cross-entropy, sampled negatives,
// best-validation checkpoint; internal/ncf_trainer.cc) and served with Eigen (ncf_model.h).
//
// Fit: the accessed services of each user are their interactions of the `event_types` param
// (default "order"), distinct, oldest first; users with at least `min_validation_history` of
// them hold the last one out for validation. Service features are the one-hot encoding of the
// item's category labels that start with one of `feature_prefixes` (eosc's "c:", "provider:",
// "domain:", ... labels: categories, countries, providers, resource organisation, scientific
// domains, platforms, target users, access modes and types, TRLs, life-cycle statuses,
// research steps). FAILED_PRECONDITION when no user accessed a service.
//
// Differences from the seed, on purpose: a user is the mean of per-service user-side
// embeddings over their accessed services (and of their services' features) rather than an
// embedding per user id, so that a user is served from what they accessed even when that
// changed after the training or they were not there at all; the one-hot vectors enter the
// content tower's first layer directly (a learned projection) instead of through separately
// trained autoencoders; features are labels (ids), not names, which also removes the seed's
// per-character encoding of `resource_organisation`.
//
// Metrics() of a fitted model: users, train_pairs, validation_users, features, epochs,
// best_epoch, validation_loss, train_loss, train_seconds.
//
// Params (all optional): dim (64), mlp_layers ("64,32,16,8"), content_layers ("128,64,32"),
// epochs (30), batch_size (256), learning_rate (0.005), grad_clip (1), weight_decay (1e-4),
// negatives (1),
// min_validation_history (3), eval_every (1), threads (1), seed (42), event_types ("order"),
// feature_prefixes (the list above, comma-separated).
//
// This header includes no torch header: apps register the family without torch.
//
// Thread-safety: the family is stateless, its models immutable. Fit sets torch's process-wide
// intra-op thread count (the trainer runs one training at a time).
#pragma once

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "core/models/model_family.h"
#include "trainers/torch_ncf/ncf_weights.h"

namespace recplat::ncf {

class NcfFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return "ncf"; }
  bool uses_item_attributes() const override { return true; }
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
};

// The typed params (see the file comment). INVALID_ARGUMENT naming a bad or unknown key.
absl::StatusOr<NcfParams> ParseNcfParams(const models::ModelParams& params);

// The trainer's input from training data (exposed for tests and the offline evaluation).
// `holdout` false puts every accessed service into training.
NcfTrainData BuildNcfTrainData(const models::TrainingData& data, const NcfParams& params,
                               bool holdout = true);

// Registers NcfFamily under "ncf". ALREADY_EXISTS when the name is taken.
absl::Status RegisterNcfFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::ncf
