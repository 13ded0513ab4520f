// File: ease_family.h
//
// The `ease` family: EASE, the item-item linear autoencoder of Steck ("Embarrassingly Shallow
// Autoencoders for Sparse Data", WWW 2019), fitted in closed form.
//
// Fitting builds the users x items matrix X over the kept items:
//   binary    x_ui = 1 when u has any interaction with i whose event type weight is > 0
//   weighted  x_ui = min(weight_cap, Σ event_type_weights[type] × (use_value ? value : 1))
//             over those interactions; entries <= 0 are dropped
// and computes B = argmin ‖X − XB‖² + λ‖B‖², diag(B) = 0, as −G⁻¹ / diag(G⁻¹) with
// G = XᵀX + λI (ease_solver.h: Cholesky in float32 through OpenBLAS/LAPACK). Serving is in
// ease_model.h (binary sum of B rows over the request's distinct history/session/anchor items).
//
// Kept items: those with at least one interaction; when more than max_items, the max_items
// with the most interactions (ties: lower index). Other items are unknown to the model (scored
// kUnknownScore, never retrieved); to cover a catalogue beyond max_items, blend EASE with a
// family that has no item cap (rp3beta, item_knn): the blend ranks the tail by that family.
//
// λ selection: with l2_grid, each candidate is really evaluated. A seeded random
// validation_fraction of the users with >= 2 entries (at most 5000 users, at least one) hold
// out max(1, ⌊20%⌋) of their entries; B is fitted on the rest for every λ and scored by NDCG@20
// (binary relevance, IDCG over min(|held out|, 20)) over the full ranking of the kept items
// minus the user's remaining items. The best λ (ties: the earlier one in the list) is then
// refitted on all the data. Metrics() records `l2`, `items`, `users`, `entries` and, with a
// grid, `validation_users`, `validation_ndcg@20` (of the chosen λ) and one
// `validation_ndcg@20_l2=<λ as written in l2_grid>` per candidate.
//
// Memory: fitting holds one n² float buffer (G, then G⁻¹, then B, in place: n² × 4 bytes,
// 4.9 GB at n = 35000, 1.6 GB at 20000, 400 MB at 10000) plus X (~20 bytes per entry); a grid
// holds one such buffer at a time. The model keeps B (n² × 4 bytes). Fit time is dominated by
// n³ flops of spotrf + spotri (bench/RESULTS.md, "EASE fit vs numpy", with the figures at 10k,
// 20k and 35k items).
//
// Params (l2 tuned on the five MovieLens-100k folds, see docs/models.md):
//   l2                   double > 0, default 400: λ when no grid is given
//   l2_grid              comma-separated λ values > 0 (at most 32), default none
//   weighting            binary | weighted, default binary
//   use_value            bool, default false: weighted only, multiply by Interaction::value
//   weight_cap           double > 0, default 10: weighted only, cap of x_ui
//   max_items            int in [1, 46000], default 35000 (kDefaultMaxItems)
//   validation_fraction  double in (0, 1], default 0.1: grid only, share of eligible users
//   seed                 int >= 0, default 42: grid only, seeds the validation split
//   event_weights        "type:w,type:w" (w >= 0), default none: this model's own event-type
//                        weights, replacing the profile's event_types weights (unlisted types
//                        count 0), so EASE can learn from reviews and carts while popularity
//                        counts orders only
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::ease {

class EaseFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return "ease"; }
  // l2 (log scale, 10 .. 20000; grid 20 .. 2000), for `recplat tune`.
  models::SearchSpace TuningSpace() const override;
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  // FAILED_PRECONDITION when `data` has no usable interaction, or when a grid is given and no
  // user has two entries to hold one out.
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
};

// Registers EaseFamily under "ease". ALREADY_EXISTS when the name is taken.
absl::Status RegisterEaseFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::ease
