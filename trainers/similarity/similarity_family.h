// File: similarity_family.h
//
// The `content_similarity` family: content-based item-to-item similarity over the items'
// numeric and categorical attributes, the ecoseller "similarity" model (spec 3.7) with its
// quirks fixed (docs/models.md, "content_similarity"). It needs no interactions: fitting reads
// only the live items' attributes (ItemInfo::numeric / categorical).
//
// Features (internal/features.h): numeric = [normalised price (param `price_attribute`,
// min-max; missing -> 0.5)] + one min-max normalised column per other numeric attribute
// (missing -> the normalised mean); categorical = per attribute the rank of the value by
// frequency (missing -> 0, the most frequent); masks record which attributes really exist.
//
//   d(u, v) = Euclidean(num_u, num_v) * w(nmask_u, nmask_v)
//           + (#differing categorical / K) * w(cmask_u, cmask_v)
//   w(a, b) = |a ∪ b| / |a ∩ b|, or |a ∪ b| when a ∩ b is empty.
//
// Fitting keeps each item's `neighbors` nearest items (exact, blocked, multithreaded:
// internal/neighbors.h) and the feature matrices, so serving can compute any pair exactly.
// Serving and the diversity re-rank: similarity_model.h.
//
// Params:
//   price_attribute  non-empty string, default "price": the numeric attribute used as price
//   neighbors        int in [1, 100000], default 100: neighbours kept per item
//   threads          int in [0, 1024], default 0 (one per hardware thread): fitting threads
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/models/model_family.h"

namespace recplat::similarity {

class ContentSimilarityFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override;
  bool uses_item_attributes() const override { return true; }
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  // FAILED_PRECONDITION when there is no live item or no live item has an attribute.
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
};

// Registers ContentSimilarityFamily. ALREADY_EXISTS when the name is taken.
absl::Status RegisterSimilarityFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::similarity
