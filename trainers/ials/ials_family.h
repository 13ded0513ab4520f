// File: ials_family.h
//
// The `ials` family: implicit matrix factorisation by alternating least squares with the
// frequency-scaled regularisation of Rendle et al. 2022 ("Revisiting the Performance of iALS on
// Item Recommendation Benchmarks"); the solver is trainers/als/ials_solver.h, serving folds the
// request in (ials_model.h).
//
// Fitting builds the binary users × items matrix (x_ui = 1 when u has an interaction with i
// whose event type weight is > 0) and runs FitIals on it. Only the item factors are kept: users
// are folded in at request time from their history, exactly as the last user half-step of the
// fit solves them.
//
// Params (defaults rounded from `recplat tune` runs on the training files of ml-100k u1 and
// amazonelectronics-bars-m1, docs/models.md):
//   factors             int in [1, 1024], default 128: dimension d
//   epochs              int in [1, 200], default 16 (the budget of successive halving)
//   l2                  double > 0, default 0.02: λ
//   unobserved_weight   double >= 0, default 0.15: α0
//   nu                  double in [0, 2], default 1: exponent of the frequency scaling of λ
//   cg_steps            int in [0, 100], default 3: conjugate-gradient steps per row solve,
//                       warm-started; 0 = exact Cholesky solves (slower, same quality here)
//   init_stddev         double >= 0, default 0.1
//   seed                int >= 0, default 42: seeds the initialisation
//   threads             int >= 0, default 0 (one per hardware thread)
//
// Search space (`recplat tune`): l2 log-uniform in [1e-3, 1], unobserved_weight log-uniform
// in [0.01, 1], factors in {64, 128, 256}; epochs from 2 to 16 under successive halving.
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::ials {

class IalsFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return "ials"; }
  models::SearchSpace TuningSpace() const override;
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  // FAILED_PRECONDITION when `data` has no usable interaction.
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
};

// Registers IalsFamily under "ials". ALREADY_EXISTS when the name is taken.
absl::Status RegisterIalsFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::ials
