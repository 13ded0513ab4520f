// File: dlae_family.h
//
// The `dlae` and `edlae` families: the dropout-denoising linear autoencoders of Steck,
// "Autoencoders that don't overfit towards the Identity" (NeurIPS 2020), in closed form on
// EASE's solver (ease_solver.h) and served by EaseModel (ease_model.h). With G = XᵀX (X binary
// over the kept items, user_item_matrix.h) and dropout probability p:
//
//   Λ = p / (1 − p) · diagMat(diag(G)) + λI          P = (G + Λ)⁻¹   (Cholesky, float32)
//   dlae:   B = I − P Λ,   i.e. B[i][j] = −P[i][j] Λ[j][j] for i ≠ j
//   edlae:  B = I − P diagMat(1 ⊘ diag(P)),  i.e. B[i][j] = −P[i][j] / P[j][j]  (diag(B) = 0,
//           the "emphasized" denoising; EASE is edlae with p = 0)
//
// DLAE's diagonal 1 − P[j][j] Λ[j][j] only ever scores an item already in the request, which
// serving excludes, so it is stored as 0 and both families serve exactly as `ease` does.
// Memory and time are EASE's (one n² float buffer, n³ flops).
//
// Params (defaults: what `recplat tune` picked on the training files of ml-100k u1 and
// amazonelectronics-bars-m1, between them; docs/models.md):
//   l2         double > 0, default 200: λ
//   dropout    double in [0, 0.95], default 0.5: p
//   max_items  int in [1, 46000], default 35000 (kDefaultMaxItems)
// Search space (`recplat tune`): l2 log-uniform in [1, 5000] (grid 10, 50, 100, 200, 400, 800)
// × dropout in [0.05, 0.9] (grid 0.1, 0.25, 0.5, 0.75): 24 grid points.
//
// Thread-safety: the families are stateless; their models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::ease {

class DlaeFamily final : public models::ModelFamily {
 public:
  // `emphasized`: edlae (zero diagonal) instead of dlae.
  explicit DlaeFamily(bool emphasized) : emphasized_(emphasized) {}
  absl::string_view name() const override { return emphasized_ ? "edlae" : "dlae"; }
  models::SearchSpace TuningSpace() const override;
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  // FAILED_PRECONDITION when `data` has no usable interaction.
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;

 private:
  const bool emphasized_;
};

// Registers "dlae" and "edlae". ALREADY_EXISTS when a name is taken.
absl::Status RegisterDlaeFamilies(models::ModelFamilyRegistry* registry);

}  // namespace recplat::ease
