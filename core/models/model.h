// File: model.h
//
// Model: the serving half of a model family: an immutable, loaded snapshot that retrieves and
// scores items for a request. Models are created by a ModelFamily (model_family.h), either by
// fitting on TrainingData or by loading an artifact, and are shared read-only between request
// threads as std::shared_ptr<const Model>.
//
// Items are the tenant's dense catalog indices (core/catalog/catalog.h).
//
// Thread-safety: every const method must be safe to call concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/common/random.h"
#include "core/catalog/catalog.h"

namespace recplat::models {

// An item with a score; higher is better.
struct ScoredItem {
  uint32_t item = 0;
  double score = 0.0;
};

// Decides whether an item may be returned for the current request (already seen, already
// recommended, explicitly excluded, unavailable, outside the candidate restriction).
// Thread-safety: used by one request thread.
class CandidateFilter {
 public:
  virtual ~CandidateFilter() = default;
  // True when `item` must not be returned.
  virtual bool Excluded(uint32_t item) const = 0;
};

// Everything a model may look at to answer one request. Not owned by the model; valid only for
// the duration of the call.
struct RecommendContext {
  // The user's recent interactions, most recent first, as item indices (may repeat).
  std::span<const uint32_t> user_history;
  // The current session's items, most recent first.
  std::span<const uint32_t> session_items;
  // Anchor items of the request (the product being viewed, the cart), in request order.
  std::span<const uint32_t> anchors;
  // Applies all exclusions; models should skip excluded items while retrieving so that they can
  // still deliver n items.
  const CandidateFilter* filter = nullptr;
  // Read lock on the tenant's catalog (ids, availability, recency).
  const catalog::Catalog::Reader* catalog = nullptr;
  // Randomness for this request.
  common::Rng* rng = nullptr;
  // Request time, Unix epoch milliseconds.
  int64_t now_ms = 0;
  // How many items the request asks for (RecommendRequest.k); 0 when not known. For models
  // whose answer depends on its length (the EOSC RL agent has one policy per panel size).
  size_t k = 0;
};

class Model {
 public:
  virtual ~Model() = default;

  // Whether the model can answer this request (e.g. item_knn needs a history or anchors).
  // Cascades skip models that are not ready.
  virtual bool Ready(const RecommendContext& ctx) const = 0;

  // Appends up to `n` items that pass ctx.filter, best first, to `out`. Fewer when the model
  // knows fewer. Errors are INTERNAL (a broken artifact) and make the cascade move on.
  virtual absl::Status Retrieve(const RecommendContext& ctx, size_t n,
                                std::vector<ScoredItem>* out) const = 0;

  // Sets the score of every item in `items` (higher is better). Items the model knows nothing of
  // get a score below all known ones (the caller keeps their relative order).
  virtual absl::Status Score(const RecommendContext& ctx, std::span<ScoredItem> items) const = 0;

  // Appends up to `n` items most similar to `item` that pass `filter` (may be null), best first.
  // UNIMPLEMENTED for models without a notion of similarity.
  virtual absl::Status Similar(uint32_t item, size_t n, const CandidateFilter* filter,
                               std::vector<ScoredItem>* out) const {
    return absl::UnimplementedError("this model does not answer similarity queries");
  }

  // Re-orders the first `head` of `items` (best first) for diversity, e.g. greedily by pairwise
  // distance; the rest keeps its order. UNIMPLEMENTED for models without a notion of distance.
  virtual absl::Status Diversify(size_t head, std::vector<ScoredItem>* items) const {
    return absl::UnimplementedError("this model does not re-rank for diversity");
  }

  // Writes the artifact into `dir` (which exists and is empty); ModelFamily::Load reads it back.
  virtual absl::Status Save(const std::filesystem::path& dir) const = 0;

  // Quality figures measured while fitting (e.g. validation metrics); may be empty.
  virtual std::vector<std::pair<std::string, double>> Metrics() const { return {}; }
};

}  // namespace recplat::models
