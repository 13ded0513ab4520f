// File: predictor.h
//
// Predictor: the ecoseller prediction pipeline (seed-systems.md sections 3.3, 3.5, 3.6) on top
// of the core's Recommend:
//   1. CATEGORY_LIST cache: answers for (category_id, session_id) are kept in an LRU of
//      `cache_size` entries for `cache_ttl` (the original looked the cache up but never stored
//      into it); a cached answer carries an empty rs_info, as the original's would.
//   2. Model selection per step: the current Config version's cascade, minus disabled models,
//      minus models the ecoseller readiness rules reject (popularity needs #orders > #variants;
//      similarity a trained model and, for CART, a non-empty cart; gru4rec a trained model and a
//      session; ease a trained model and a user id — int user ids work, the original's string
//      key mismatch is fixed), minus models the core has not configured; `dummy` ends every
//      cascade. The core then applies its own readiness (trained? user known?).
//   3. Retrieval: CATEGORY_LIST restricts candidates to the category's variants (with
//      descendants); PRODUCT_DETAIL anchors on one of `variants` chosen uniformly at random;
//      CART anchors on `variants_in_cart`. Anchors and the viewed product's variants are not
//      recommended back.
//   4. Scoring by the scoring cascade; ordering: diversity re-rank of the top `orderingSize` by
//      the `similarity` model when the profile configures it (the core skips it while that model
//      is untrained, as the original did), in-stock variants first for CATEGORY_LIST (stable),
//      then truncation to `limit`.
//   5. A PredictionRecord per call for the dashboard (ShopStore::RecordPrediction).
//
// Errors: INVALID_ARGUMENT for a malformed request (names the field), NOT_FOUND when every SKU
// of `variants`/`variants_in_cart` is unknown or `category_id` names no known category.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "frontends/http_rest/ecoseller/shop_store.h"

namespace recplat::http::ecoseller {

// The body of POST /predict and /predict/product_positions.
struct PredictRequest {
  std::string recommendation_type;
  std::string session_id;
  std::optional<int64_t> user_id;
  std::optional<int64_t> limit;
  std::optional<int64_t> category_id;
  std::vector<std::string> variants;
  std::vector<std::string> variants_in_cart;
};

// Parses and validates a request body. `recommendation_type` and `session_id` are required and
// `user_id` must be present (null allowed), as in the original; unknown keys are ignored.
absl::StatusOr<PredictRequest> ParsePredictRequest(absl::string_view body);

struct PredictedItem {
  std::string sku;
  // Empty when served from the cache (rs_info is then {}).
  std::string model_name;
  std::string model_identifier;
  int64_t position = 0;
};

struct PredictorOptions {
  std::string tenant = "default";
  // RS_CACHE_SIZE of the original.
  size_t cache_size = 1000;
  absl::Duration cache_ttl = absl::Seconds(60);
};

class Predictor {
 public:
  // `api` and `shop` must outlive the predictor.
  Predictor(api::Api* api, ShopStore* shop, PredictorOptions options);
  ~Predictor();

  absl::StatusOr<std::vector<PredictedItem>> Predict(const PredictRequest& request);

  // product id -> minimum position of its variants in the CATEGORY_LIST prediction (variants
  // not predicted count as the list's length), for every product of the category.
  absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> ProductPositions(
      const PredictRequest& request);

 private:
  struct CacheEntry;
  // The effective cascade of `step` for the request; always ends with "dummy".
  std::vector<std::string> Cascade(const EcosellerConfig& config, RecommendationType type,
                                   PipelineStep step, const PredictRequest& request,
                                   const ShopCounts& counts);
  // Model name + version -> identifier ("ease_2023-08-01T10:00:00"); bare names for the
  // untrained models and popularity.
  std::string Identifier(const std::string& model, int64_t version);
  void RefreshModels();

  api::Api* const api_;
  ShopStore* const shop_;
  const PredictorOptions options_;

  absl::Mutex models_mu_;
  absl::flat_hash_set<std::string> configured_ ABSL_GUARDED_BY(models_mu_);
  absl::flat_hash_map<std::string, std::string> identifiers_ ABSL_GUARDED_BY(models_mu_);
  absl::Time models_refreshed_ ABSL_GUARDED_BY(models_mu_) = absl::InfinitePast();

  absl::Mutex cache_mu_;
  std::list<std::string> lru_ ABSL_GUARDED_BY(cache_mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<CacheEntry>> cache_ ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace recplat::http::ecoseller
