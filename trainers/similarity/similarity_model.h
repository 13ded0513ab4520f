// File: similarity_model.h
//
// ContentSimilarityModel: the serving half of the `content_similarity` family (see
// similarity_family.h for the features, the distance and the params), and DiversityRerank,
// the engine's diversity re-rank built on its distances.
//
// The model keeps the feature matrices of the featurised (live at fit time) items and each
// item's nearest neighbours, so that a neighbour list is a lookup and any other pair's distance
// is computed exactly at serve time (O(D + K)), equal bit for bit to the fitted one. Scores
// are -distance (higher is better).
//
//   Ready(ctx)      ctx.anchors holds a known item.
//   Retrieve        the nearest items to the first known anchor (the frontend puts the chosen
//                   anchor first), nearest first, skipping ctx.filter's exclusions and the anchor
//                   itself. When the stored list runs out before n items pass, the remaining
//                   ones come from an exact scan of all featurised items (O(items * (D + K))),
//                   so the answer is always what an unbounded list would give.
//   Score           -distance(first known anchor, item); items not featurised get
//                   kUnknownScore, and so does everything when no anchor is known.
//   Similar(item)   as Retrieve with `item` as the anchor.
//
// Thread-safety: immutable; every const method may be called concurrently.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/models/model.h"
#include "trainers/similarity/internal/features.h"
#include "trainers/similarity/internal/neighbors.h"

namespace recplat::similarity {

// The family's name, as written in profiles and artifacts.
inline constexpr char kContentSimilarityFamily[] = "content_similarity";
// The score of items the model knows nothing of (as the built-in families): below every
// -distance.
inline constexpr double kUnknownScore = -1e300;

class ContentSimilarityModel final : public models::Model {
 public:
  ContentSimilarityModel(internal::ItemFeatures features, internal::NeighborLists lists);

  // Reads an artifact written by Save. DATA_LOSS when it is missing, corrupt or inconsistent.
  static absl::StatusOr<std::unique_ptr<ContentSimilarityModel>> Load(
      const std::filesystem::path& dir);

  bool Ready(const models::RecommendContext& ctx) const override;
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                       std::vector<models::ScoredItem>* out) const override;
  // The engine's diversity stage (Model::Diversify): RerankForDiversity.
  absl::Status Diversify(size_t head, std::vector<models::ScoredItem>* items) const override {
    RerankForDiversity(head, items);
    return absl::OkStatus();
  }
  absl::Status Save(const std::filesystem::path& dir) const override;
  // items (featurised), numeric_columns (D, price included), categorical_columns (K),
  // patterns, neighbor_pairs.
  std::vector<std::pair<std::string, double>> Metrics() const override;

  // Whether `item` was featurised.
  bool Known(uint32_t item) const { return features_.RowOf(item) != internal::kNoRow; }
  // The distance of two featurised items; nullopt when either is unknown.
  std::optional<double> Distance(uint32_t a, uint32_t b) const;

  // The diversity re-rank of spec 3.6 (a) on the first min(head, size) items of `items`
  // (the rest keep their places): item 0 stays first, then the remaining item that maximises
  // the mean pairwise distance of the chosen items plus itself is appended, until none is
  // left. The mean over the full (k+1) x (k+1) matrix of a step differs between candidates
  // only by the candidate's summed distance to the chosen items, so that sum is maximised,
  // kept incrementally: O(head^2) distance evaluations in all. Ties go to the earlier item.
  // Items not featurised are at distance 0 from everything (the original's value for a pair
  // it has no stored distance of). Scores are carried along unchanged.
  void RerankForDiversity(size_t head, std::vector<models::ScoredItem>* items) const;

  const internal::ItemFeatures& features() const { return features_; }
  const internal::NeighborLists& neighbor_lists() const { return lists_; }

 private:
  uint32_t FirstKnownAnchorRow(const models::RecommendContext& ctx) const;
  // Appends up to n nearest items to `row` that pass `filter` (may be null), nearest first.
  void Nearest(uint32_t row, size_t n, const models::CandidateFilter* filter,
               std::vector<models::ScoredItem>* out) const;

  const internal::ItemFeatures features_;
  const internal::NeighborLists lists_;
};

// Re-ranks `items` for diversity with `model`'s distances (ContentSimilarityModel::
// RerankForDiversity). FAILED_PRECONDITION, leaving `items` untouched, when `model` is not a
// content_similarity model.
absl::Status DiversityRerank(const models::Model& model, size_t head,
                             std::vector<models::ScoredItem>* items);

}  // namespace recplat::similarity
