// File: random_family.h
//
// The `random` family: uniform random recommendations among the catalog's recommendable items.
// It needs no training (trainable() is false) and is always ready, which makes it the cascade's
// fallback of last resort. It is not a quality model.
//
// Params: none.
//
// Thread-safety: the family is stateless; its models are immutable (randomness comes from
// ctx.rng, one per request, or a thread-local generator when the request has none).
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::models {

class RandomFamily final : public ModelFamily {
 public:
  absl::string_view name() const override { return "random"; }
  bool trainable() const override { return false; }
  absl::Status ValidateParams(const ModelParams& params) const override;
  // Ignores `data` (may be empty).
  absl::StatusOr<std::unique_ptr<Model>> Fit(const TrainingData& data,
                                             const ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<Model>> Load(const std::filesystem::path& dir,
                                              const ModelParams& params) const override;
};

}  // namespace recplat::models
