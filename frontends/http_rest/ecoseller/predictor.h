// File: predictor.h
//
// Predictor: the /predict and /predict/product_positions codec (seed-systems.md 3.3, 3.5,
// 3.6). It turns a request into ONE core Recommend on the surface named by the recommendation
// type and encodes the answer; the pipeline itself is the core's, configured by the profile
// (config/ecoseller.yaml, docs/ecoseller.md):
//   - model selection: the request carries the current Config version's cascades for the type,
//     minus disabled models, closed by `dummy`; the core leaves out the models its profile does
//     not configure (skip_unconfigured_models), and its readiness then decides (a trained version, the models' `serve_gate` — popularity
//     needs more orders than variants — and `serve_requires` — ease a user, gru4rec a session
//     with history, similarity an anchor);
//   - retrieval: CATEGORY_LIST is a catalog query on the category label (its sub-categories
//     included: the core's items carry their category's ancestors); PRODUCT_DETAIL anchors on
//     one of `variants` chosen uniformly at random by the core (ANCHORS_RANDOM_ONE); CART on
//     the cart (ANCHORS_RANDOM_FIRST);
//   - ordering: the diversity re-rank by `similarity` over the Config's `orderingSize` head,
//     and the surface's `available_first` stage (CATEGORY_LIST lists out-of-stock variants
//     last); the engine's response cache (surface `cache`) answers repeated requests; a cached
//     CATEGORY_LIST answer has `rs_info: {}` as the original's cache would;
//   - monitoring: the engine records every answer it serves (the dashboard: Api::EvaluateServed).
//
// Errors: INVALID_ARGUMENT for a malformed request (names the field), NOT_FOUND when every SKU
// of `variants`/`variants_in_cart` is unknown or `category_id` names no stored category.
//
// Thread-safety: thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/api/api.h"
#include "frontends/http_rest/ecoseller/shop_reads.h"

namespace recplat::http::ecoseller {

// Largest answer asked of the core (the profile's surfaces allow it).
inline constexpr int64_t kMaxPredictK = 100000;

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
  // Empty when rs_info is {} (a cached CATEGORY_LIST answer).
  std::string model_name;
  std::string model_identifier;
  int64_t position = 0;
};

// The /predict answer: [{"product_variant_sku", "rs_info": {"model_identifier", "model_name",
// "position", "recommendation_type"}}] (keys in this order, as the original's sorted JSON), with
// `rs_info: {}` for items without a model name. Written directly: it is the hot path.
std::string EncodePredictions(const std::vector<PredictedItem>& items,
                              absl::string_view recommendation_type);

class Predictor {
 public:
  // `api` and `reads` must outlive the predictor.
  Predictor(api::Api* api, ShopReads* reads);

  absl::StatusOr<std::vector<PredictedItem>> Predict(const PredictRequest& request);

  // product id -> minimum position of its variants in the CATEGORY_LIST prediction (variants
  // not predicted count as the list's length), for every product of the category that has a
  // stored, published variant; ascending product ids.
  absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> ProductPositions(
      const PredictRequest& request);

  // The core request of a parsed request under `config` (exposed for tests).
  v1::RecommendRequest ToRecommendRequest(const PredictRequest& request,
                                          const EcosellerConfig& config);

 private:
  api::Api* const api_;
  ShopReads* const reads_;
};

}  // namespace recplat::http::ecoseller
