// File: stored_recs_model.h
//
// StoredRecsModel: the serving half of both article_rec families: precomputed recommendation
// lists, as the original job stored them in its `recommendation` table. The `article` model has
// one list per source article (its nearest articles, §4.6); the `popularity` model one list
// under kDefaultSource (the default recommendations, §4.4). Scores are the stored ones.
//
// Serving: Similar(item) answers the item's list; Retrieve answers the first anchor's list
// when the request has anchors, otherwise the default list; Score gives listed items their
// stored score. Excluded items are skipped, so fewer than the list may come back.
//
// Artifact (core/models/artifact_io.h, family name as given): sections "sources" (u32, the
// source item of each list, kDefaultSource for the default list), "offsets" (u32, size
// lists + 1), "items" (u32) and "scores" (f64), plus "metrics" names/values (string, f64).
//
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/models/model.h"
#include "trainers/article_rec/article_recs.h"

namespace recplat::article_rec {

inline constexpr uint32_t kDefaultSource = std::numeric_limits<uint32_t>::max();

class StoredRecsModel final : public models::Model {
 public:
  using MetricList = std::vector<std::pair<std::string, double>>;

  StoredRecsModel(std::string family, absl::flat_hash_map<uint32_t, std::vector<ScoredArticle>> lists,
                  MetricList metrics);

  // DATA_LOSS for a missing, corrupt or inconsistent artifact.
  static absl::StatusOr<std::unique_ptr<StoredRecsModel>> Load(const std::filesystem::path& dir,
                                                               std::string family);

  bool Ready(const models::RecommendContext& ctx) const override;
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                       std::vector<models::ScoredItem>* out) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  std::vector<std::pair<std::string, double>> Metrics() const override { return metrics_; }

  // The list of `source` (nullptr when none).
  const std::vector<ScoredArticle>* List(uint32_t source) const;

 private:
  const std::vector<ScoredArticle>* ListFor(const models::RecommendContext& ctx) const;

  std::string family_;
  absl::flat_hash_map<uint32_t, std::vector<ScoredArticle>> lists_;
  std::vector<std::pair<std::string, double>> metrics_;
};

}  // namespace recplat::article_rec
