// File: blend_family.h
//
// The `blend` family: a weighted sum of the normalised scores of other models, with the weights
// fitted on a validation split carved from the training data.
//
//   components  "ease:l2=200;ials:l2=0.02,factors=128": families (any registered but blend)
//               with their params, ';'-separated (at most 4)
//   weights     optional "0.6,0.4": fixed weights instead of fitted ones
//   validation_fraction  double in (0, 1), default 0.2; seed  int >= 0, default 42
//
// Normalisation, per request and component: the component scores every item (Model::Score);
// the scores of the items it knows are standardised (z = (s − mean) / std over them), items it
// does not know get the lowest z among those, and a component that is not Ready contributes 0.
// score(i) = Σ_k w_k z_k(i).
//
// Fitting without `weights`: every user with ≥ 2 distinct items holds out a seeded random
// max(1, round(validation_fraction × items)) of them (the holdout of `recplat tune`); the
// components are fitted on the rest; for up to 2000 seeded validation users their normalised
// scores are computed once, and the weights are chosen on the simplex (steps of 0.1 for up to 3
// components, 0.25 for 4) by NDCG@20 of the held-out items (the users' other items excluded,
// ties: the earlier grid point). Then the components are refitted on all the data. Metrics():
// `weight_<k>`, `validation_ndcg@20` and `validation_ndcg@20_component_<k>` (each alone).
//
// Artifact: one sub-directory `component_<k>` per component (its own artifact) and `model.rpa`
// (family "blend": num_items, weights).
//
// Thread-safety: the family only reads the registry it was given, which must outlive it and
// not change; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::blend {

class BlendFamily final : public models::ModelFamily {
 public:
  // `registry` (not owned) holds the component families; it may be the registry this family is
  // registered in.
  explicit BlendFamily(const models::ModelFamilyRegistry* registry) : registry_(registry) {}
  absl::string_view name() const override { return "blend"; }
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  // FAILED_PRECONDITION when no user has two items to hold out (without fixed weights), or a
  // component's own error.
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;

 private:
  const models::ModelFamilyRegistry* const registry_;
};

// Registers BlendFamily over `registry` itself. ALREADY_EXISTS when the name is taken.
absl::Status RegisterBlendFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::blend
