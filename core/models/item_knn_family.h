// File: item_knn_family.h
//
// The `item_knn` family: item-to-item collaborative filtering. Fitting computes, for every
// item, its `neighbors` most similar items by shrunk cosine similarity over co-interactions
// (see internal/item_similarity.h):
//
//   sim(i, j) = co(i, j) / (sqrt(n_i) * sqrt(n_j) + shrink)
//
// where co counts the users who interacted with both (binary weighting) or sums the products
// of their event-type weights (weighted), and n_i is the same over item i alone.
//
// Serving: the request's source items are the user's history (most recent first, the item at
// position p weighing history_decay^p, at most max_history of them), the session items and the
// anchors (weight 1 each; an item present several times keeps its largest weight). Then
//
//   score(j) = sum over source items h of weight(h) * sim(h, j)
//
// Retrieve accumulates over the sources' neighbour lists and returns the best n that pass the
// filter; Score computes the same sums (0 for known items no source reaches, below all known
// scores for items the model has no neighbours for). Similar(item) is the item's neighbour
// list, filtered. Ready when at least one source item has neighbours.
//
// Params (defaults tuned on MovieLens-100k u1, see docs/models.md):
//   neighbors      int in [1, 100000], default 100
//   shrink         double >= 0, default 10
//   weighting      binary | weighted, default binary
//   history_decay  double in (0, 1], default 1 (no decay)
//   max_history    int >= 1, default 200
//   threads        int >= 0, default 0 (one per hardware thread): fitting threads
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::models {

class ItemKnnFamily final : public ModelFamily {
 public:
  absl::string_view name() const override { return "item_knn"; }
  // neighbors (log scale 10 .. 1000; grid 50, 100, 200, 400) x shrink (0 .. 100; grid 0, 5, 10,
  // 20, 50), for `recplat tune`.
  SearchSpace TuningSpace() const override;
  absl::Status ValidateParams(const ModelParams& params) const override;
  // FAILED_PRECONDITION when `data` has no usable interactions.
  absl::StatusOr<std::unique_ptr<Model>> Fit(const TrainingData& data,
                                             const ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<Model>> Load(const std::filesystem::path& dir,
                                              const ModelParams& params) const override;
};

}  // namespace recplat::models
