// File: config_object.h
//
// The ecoseller recommender's runtime configuration (seed-systems.md section 3.4): the object a
// `/store_object(s)` payload with `_model_class: "Config"` carries, which cascade of models serves
// each (recommendation type, pipeline step), and the JSON the `/dashboard/configuration` page
// shows.
//
// Every field may be given by its camelCase alias or its snake_case name (pydantic's
// allow_population_by_field_name; the alias wins when both appear), nested ones included. Absent
// fields, and null cascades, take the defaults below. Validation: sizes and option values must
// be positive (multipliers, L2 values and incremental_trainings non-negative), option lists
// non-empty, and cascades may only name the models in kEcosellerModelNames.
//
// Not here: where configs are stored or which version is current (the latest `create_at` wins).
//
// Thread-safety: plain value types; functions are pure.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller {

// The model names a cascade may use (the original's `Meta.model_name`s).
inline constexpr std::array<absl::string_view, 6> kEcosellerModelNames = {
    "dummy", "selection", "popularity", "similarity", "gru4rec", "ease"};

// True when `name` is one of kEcosellerModelNames.
bool IsEcosellerModelName(absl::string_view name);

// The `recommendation_type` of /predict requests and of feedback events.
enum class RecommendationType { kHomepage, kCategoryList, kProductDetail, kCart };
// The pipeline step a cascade serves.
enum class PipelineStep { kRetrieval, kScoring };

// "HOMEPAGE", "CATEGORY_LIST", "PRODUCT_DETAIL", "CART" (exact case). INVALID_ARGUMENT otherwise.
absl::StatusOr<RecommendationType> ParseRecommendationType(absl::string_view text);
absl::string_view RecommendationTypeName(RecommendationType type);

// EASE hyper-parameters (alias `easeConfig`).
struct EaseConfig {
  // `l2Options`: L2 regularisation values tried by the grid search.
  std::vector<double> l2_options = {1, 10, 100};
  // `reviewsMultiplier`: trainable once #reviews > reviews_multiplier * #variants.
  double reviews_multiplier = 0.5;
  bool operator==(const EaseConfig&) const = default;
};

// GRU4Rec hyper-parameters (alias `gru4recConfig`).
struct Gru4RecConfig {
  std::vector<int64_t> num_epochs_options = {1};         // `numEpochsOptions`
  std::vector<int64_t> batch_size_options = {64};        // `batchSizeOptions`
  std::vector<int64_t> embedding_size_options = {100};   // `embeddingSizeOptions`
  std::vector<int64_t> hidden_size_options = {100};      // `hiddenSizeOptions`
  std::vector<double> learning_rate_options = {0.0001};  // `learningRateOptions`
  // `incrementalTrainings`: incremental trainings between two full trainings.
  int64_t incremental_trainings = 10;
  // `eventsMultiplier`: trainable once #product-detail enters > events_multiplier * #variants.
  double events_multiplier = 10;
  bool operator==(const Gru4RecConfig&) const = default;
};

struct EcosellerConfig {
  // Set by the store layer for stored versions; never part of the wire payload.
  std::optional<int64_t> id;
  // Version time; absent -> the request time (not the import time, see objects.h).
  absl::Time create_at;
  int64_t retrieval_size = 1000;  // `retrievalSize`: items kept by the retrieval step.
  int64_t ordering_size = 50;     // `orderingSize`: head re-ranked for diversity.
  // `models_disabled` (no alias): model name -> disabled. Unlisted models are enabled.
  std::map<std::string, bool> models_disabled;
  std::vector<std::string> homepage_retrieval_cascade = {"ease", "popularity", "selection"};
  std::vector<std::string> homepage_scoring_cascade = {"ease", "gru4rec", "popularity",
                                                       "selection"};
  // Category-list retrieval always takes the category's variants: no cascade.
  std::vector<std::string> category_list_scoring_cascade = {"ease", "gru4rec", "popularity",
                                                            "selection"};
  std::vector<std::string> product_detail_retrieval_cascade = {"similarity", "popularity",
                                                               "selection"};
  std::vector<std::string> product_detail_scoring_cascade = {"ease", "gru4rec", "similarity",
                                                             "popularity", "selection"};
  std::vector<std::string> cart_retrieval_cascade = {"similarity", "popularity", "selection"};
  std::vector<std::string> cart_scoring_cascade = {"ease", "gru4rec", "similarity", "popularity",
                                                   "selection"};
  EaseConfig ease_config;
  Gru4RecConfig gru4rec_config;
  // Accepted like on every API model; a config version is append-only, so the store ignores it.
  bool deleted = false;

  bool operator==(const EcosellerConfig&) const = default;

  // The cascade for (type, step), in priority order. Empty for CATEGORY_LIST retrieval.
  absl::Span<const std::string> CascadeFor(RecommendationType type, PipelineStep step) const;
  // models_disabled[model], false when unlisted.
  bool IsDisabled(absl::string_view model) const;

  // The `config` object of GET /dashboard/configuration: camelCase keys (`models_disabled` has
  // no alias), without `id`, `create_at`, `deleted` and `categoryListRetrievalCascade`.
  nlohmann::json ToDashboardJson() const;
  // Every field by snake_case name (`deleted` included, `id` when set), `create_at` as
  // "YYYY-MM-DDTHH:MM:SS.ffffffZ"; ParseEcosellerConfig reads it back to an equal config (for
  // storing versions).
  nlohmann::json ToStoredJson() const;
};

// Validates a config object (the `_model_class` key, if present, is ignored). `now` (truncated to
// microseconds) becomes `create_at` when that is absent or null.
// Returns INVALID_ARGUMENT naming the field path ("easeConfig.l2Options[1]: expected a number,
// got string", "homepageScoringCascade[0]: unknown model \"foo\"") when `object` is not an
// object or a field is invalid.
absl::StatusOr<EcosellerConfig> ParseEcosellerConfig(const nlohmann::json& object, absl::Time now);

// The `info` object of GET /dashboard/configuration: for every field shown there (and for
// `categoryListRetrievalCascade`, which the page displays read-only) {"title", "description"},
// keyed by alias; `easeConfig` and `gru4recConfig` hold the same for their fields.
const nlohmann::json& EcosellerConfigInfoJson();

}  // namespace recplat::http::ecoseller
