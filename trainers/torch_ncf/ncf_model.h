// File: ncf_model.h
//
// NcfModel: the serving half of the `ncf` family: the network of ncf_weights.h evaluated with
// Eigen, no torch (internal/ncf_forward.h). At load time every service's half of the first MLP
// and content layers is computed once and the BatchNorms are folded into the next layers; a
// request then costs one user half (from its history) and, per block of candidates, a few
// small GEMMs.
//
// The user is their history (RecommendContext::user_history: the services they accessed; the
// profile keeps other events out of it), so a user who accessed services after the training,
// or who was not there at all, is served from what they accessed. Scores are probabilities.
//
// Thread-safety: immutable after construction.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model.h"
#include "trainers/torch_ncf/ncf_weights.h"

namespace recplat::ncf {

namespace internal {
class NcfForward;
}  // namespace internal

class NcfModel final : public models::Model {
 public:
  // INVALID_ARGUMENT when the shapes do not fit together.
  static absl::StatusOr<std::unique_ptr<NcfModel>> Create(
      NcfWeights weights, ItemFeatures features,
      std::vector<std::pair<std::string, double>> metrics);
  ~NcfModel() override;

  bool Ready(const models::RecommendContext& ctx) const override { return true; }
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  std::vector<std::pair<std::string, double>> Metrics() const override { return metrics_; }

  // The probabilities of `items` (model item indices; unknown ones get -1) for a user with
  // `history`. Shapes: history and items any length.
  std::vector<float> Probabilities(std::span<const uint32_t> history,
                                   std::span<const uint32_t> items) const;
  // The same into `out` (out.size() == items.size(); when not, only the first
  // min(items, out) are written); no allocation once the thread is warm.
  void Probabilities(std::span<const uint32_t> history, std::span<const uint32_t> items,
                     std::span<float> out) const;

  const NcfWeights& weights() const { return w_; }
  const ItemFeatures& features() const { return features_; }

 private:
  NcfModel(NcfWeights weights, ItemFeatures features,
           std::vector<std::pair<std::string, double>> metrics);

  NcfWeights w_;
  ItemFeatures features_;
  std::vector<std::pair<std::string, double>> metrics_;
  std::unique_ptr<internal::NcfForward> forward_;
};

// Artifact I/O of the weights (the family's Save/Load; core/models/artifact_io.h).
absl::Status SaveNcf(const NcfWeights& w, const ItemFeatures& f,
                     const std::vector<std::pair<std::string, double>>& metrics,
                     const std::filesystem::path& dir);
absl::StatusOr<std::unique_ptr<NcfModel>> LoadNcf(const std::filesystem::path& dir);

}  // namespace recplat::ncf
