// File: recent_family.h
//
// The `recent` family: the catalog's newest recommendable items first (news, new arrivals). It
// needs no training (trainable() is false); it reads publication times from the live catalog
// on every request, so it follows catalog changes without a new version.
//
// Params:
//   max_age_hours  double >= 0, default 0: only items published within this many hours before
//                  the request time (ctx.now_ms) are retrieved; 0 means no limit.
//
// Retrieve walks Catalog::NewestFirst() skipping excluded and unrecommendable items; Score is
// the publication time in milliseconds (newer is higher; unknown items score below all).
// Ready when the catalog has at least one recommendable item.
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::models {

class RecentFamily final : public ModelFamily {
 public:
  absl::string_view name() const override { return "recent"; }
  bool trainable() const override { return false; }
  absl::Status ValidateParams(const ModelParams& params) const override;
  // Ignores `data` (may be empty).
  absl::StatusOr<std::unique_ptr<Model>> Fit(const TrainingData& data,
                                             const ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<Model>> Load(const std::filesystem::path& dir,
                                              const ModelParams& params) const override;
};

}  // namespace recplat::models
