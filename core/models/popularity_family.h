// File: popularity_family.h
//
// The `popularity` family: items ranked by their weighted, optionally time-decayed, number of
// interactions. Trained on TrainingData; the same list is served to every user (minus what the
// request filters out), which makes it the usual cold-start model.
//
//   score(item) = sum over the item's interactions x of
//                   event_type_weights[x.type] * (use_value ? x.value : 1) * 2^(-(now - x.ts) / h)
//
// with h = half_life_hours (no decay when 0) and now = TrainingData::now_ms (the latest
// interaction time when now_ms is 0); events after `now` count with decay 1. Missing event type
// weights count as 1.
//
// Params:
//   half_life_hours  double >= 0, default 0 (no decay)
//   use_value        bool, default false: multiply by Interaction::value (rating, quantity)
//   min_count        int >= 0, default 0: drop items with fewer interactions than this
//   formula          sum (default: the weighted sum above) or renewal: the Renewal reference
//                    baseline's key max(1, clicks) * ((likes - dislikes) or 1), with clicks the
//                    number of `click_type` events (default "click") and likes - dislikes the
//                    sum of `rating_type` event values (default "rating"; each carries
//                    rating - prev_rating); only items with such events are ranked
//
// Serving: Retrieve walks the items in score order skipping excluded ones (O(n + skipped));
// Score looks scores up (items never seen score below all known ones). Ready when at least one
// item was scored.
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::models {

class PopularityFamily final : public ModelFamily {
 public:
  absl::string_view name() const override { return "popularity"; }
  absl::Status ValidateParams(const ModelParams& params) const override;
  // FAILED_PRECONDITION when `data` has no interactions, or no item reaches min_count.
  absl::StatusOr<std::unique_ptr<Model>> Fit(const TrainingData& data,
                                             const ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<Model>> Load(const std::filesystem::path& dir,
                                              const ModelParams& params) const override;
};

}  // namespace recplat::models
