// File: ncf_model.h
//
// NcfModel: the serving half of the `ncf` family: the network of ncf_weights.h evaluated with
// Eigen, no torch. At load time every service's half of the first MLP and content layers is
// computed once ([num_items, mlp_layers[0]] and [num_items, content_layers[0]]); a request
// then costs one user half (from its history) and, per candidate, the remaining layers.
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

  const NcfWeights& weights() const { return w_; }
  const ItemFeatures& features() const { return features_; }

 private:
  struct Precomputed;
  NcfModel(NcfWeights weights, ItemFeatures features,
           std::vector<std::pair<std::string, double>> metrics);

  NcfWeights w_;
  ItemFeatures features_;
  std::vector<std::pair<std::string, double>> metrics_;
  std::unique_ptr<Precomputed> pre_;
};

// Artifact I/O of the weights (the family's Save/Load; core/models/artifact_io.h).
absl::Status SaveNcf(const NcfWeights& w, const ItemFeatures& f,
                     const std::vector<std::pair<std::string, double>>& metrics,
                     const std::filesystem::path& dir);
absl::StatusOr<std::unique_ptr<NcfModel>> LoadNcf(const std::filesystem::path& dir);

}  // namespace recplat::ncf
