// File: catalog_rule_families.h
//
// Two untrained families that rank the catalog by a rule, for profiles that need the simple
// fallbacks of the systems they replace (ecoseller's `dummy` and `selection`):
//
//   catalog_order    Retrieve: the first n recommendable items in catalog (insertion) order.
//                    Score: catalog order (earlier items first). Always ready.
//   weighted_random  Retrieve: the n recommendable items with the largest u * weight, u uniform
//                    in [0, 1) per item and request (the item's recommendation weight, so a
//                    weight of 0 is never preferred over a positive one). Score: weight, ties
//                    keep their order. Always ready.
//
// Params: none. Both are trainable() == false, like `random`.
//
// Thread-safety: stateless; models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::models {

class CatalogOrderFamily final : public ModelFamily {
 public:
  absl::string_view name() const override { return "catalog_order"; }
  bool trainable() const override { return false; }
  absl::Status ValidateParams(const ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<Model>> Fit(const TrainingData& data,
                                             const ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<Model>> Load(const std::filesystem::path& dir,
                                              const ModelParams& params) const override;
};

class WeightedRandomFamily final : public ModelFamily {
 public:
  absl::string_view name() const override { return "weighted_random"; }
  bool trainable() const override { return false; }
  absl::Status ValidateParams(const ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<Model>> Fit(const TrainingData& data,
                                             const ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<Model>> Load(const std::filesystem::path& dir,
                                              const ModelParams& params) const override;
};

}  // namespace recplat::models
