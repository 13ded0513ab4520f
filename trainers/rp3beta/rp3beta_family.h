// File: rp3beta_family.h
//
// The `rp3beta` family: RP3β, the three-step random walk item graph with popularity
// penalisation (Paudel, Christoffel, Newell & Bernstein, "Updatable, Accurate, Diverse, and
// Scalable Recommendations for Interactive Applications", TiiS 2017; as in Dacrema et al.'s
// "Are We Really Making Much Progress?" baselines). From the binary users × items matrix X:
//
//   P_ui = (x_ui / deg(u))^α      P_iu = (x_ui / deg(i))^α
//   W_ij = Σ_u P_iu · P_uj / deg(j)^β        (i ≠ j)
//
// and every item keeps only its `neighbors` largest W_ij (the top-k-pruned item graph, so memory
// is O(items × neighbors), never items²). Rows are accumulated sparsely like item_knn: a dense
// per-thread buffer touching only co-occurring items, rows spread over threads. Serving
// (item_graph_model.h): score(j) = Σ over the request's distinct known source items h of W_hj.
//
// Params:
//   alpha       double in [0, 3], default 1
//   beta        double in [0, 2], default 0.5
//   neighbors   int in [1, 100000], default 200
//   threads     int >= 0, default 0 (one per hardware thread)
// Search space (`recplat tune`): alpha in [0.2, 1.5] (grid 0.5, 0.75, 1), beta in [0, 1]
// (grid 0.2, 0.4, 0.6), neighbors log-uniform in [20, 1000] (grid 50, 100, 200, 500).
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::rp3beta {

class Rp3BetaFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return "rp3beta"; }
  models::SearchSpace TuningSpace() const override;
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  // FAILED_PRECONDITION when `data` has no usable interaction.
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
};

// Registers Rp3BetaFamily under "rp3beta". ALREADY_EXISTS when the name is taken.
absl::Status RegisterRp3BetaFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::rp3beta
