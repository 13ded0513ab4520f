// File: blend_model.h
//
// BlendModel: the serving half of the `blend` family (blend_family.h): per request, every
// component scores every item, the scores are standardised per component and summed with the
// weights. Ready when any component is Ready. Retrieve returns the best n items passing the
// filter among those some component knows; Score looks the sums up (models::kUnknownScore for
// items no component knows). Cost: the components' Score over all items, plus O(items) per
// component.
//
// Thread-safety: immutable; const methods may run concurrently if the components' may.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model.h"

namespace recplat::blend {

class BlendModel final : public models::Model {
 public:
  using MetricList = std::vector<std::pair<std::string, double>>;

  // REQUIRES: components.size() == weights.size() >= 1.
  BlendModel(uint32_t num_items, std::vector<std::unique_ptr<models::Model>> components,
             std::vector<double> weights, MetricList metrics);

  // The standardised scores of component k for the request over items [0, num_items), and
  // whether it was Ready (all zeros when not). Items it does not know get its lowest z.
  static std::vector<float> NormalisedScores(const models::Model& component,
                                             const models::RecommendContext& ctx,
                                             uint32_t num_items, std::vector<uint8_t>* known);

  bool Ready(const models::RecommendContext& ctx) const override;
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  // Writes component_<k>/ for each component and model.rpa (num_items, weights).
  absl::Status Save(const std::filesystem::path& dir) const override;
  MetricList Metrics() const override { return metrics_; }

  const std::vector<double>& weights() const { return weights_; }

 private:
  // The blended score of every item; `known` marks items some component knows.
  std::vector<float> Combined(const models::RecommendContext& ctx,
                              std::vector<uint8_t>* known) const;

  const uint32_t num_items_;
  const std::vector<std::unique_ptr<models::Model>> components_;
  const std::vector<double> weights_;
  const MetricList metrics_;
};

}  // namespace recplat::blend
