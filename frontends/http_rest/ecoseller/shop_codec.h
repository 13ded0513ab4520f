// File: shop_codec.h
//
// The document shapes of ShopStore (private to the ecoseller module): where each stored
// `_model_class` goes (collection and key) and the JSON body it is kept as.
//
// Shape: a document body is the object's `/store_object` wire payload, with snake_case field
// names, `_model_class` set, datetimes as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC) and optional fields
// that are absent written as null; `deleted` is never written (deleted objects are deleted
// documents). Bodies are therefore read back with ParseStoreObject, which yields an object equal
// to the one written. Config versions use EcosellerConfig::ToStoredJson (plus `_model_class`).
// Prediction records have their own shape (PredictionToJson).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "frontends/http_rest/ecoseller/shop_store.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller::shop {

// Collections of the id-keyed classes (key = decimal id, SKU for variants, token for orders).
inline constexpr absl::string_view kAttributes = "eco.attribute";
inline constexpr absl::string_view kAttributeTypes = "eco.attribute_type";
inline constexpr absl::string_view kCategories = "eco.category";
inline constexpr absl::string_view kOrders = "eco.order";
inline constexpr absl::string_view kProducts = "eco.product";
inline constexpr absl::string_view kPrices = "eco.product_price";
inline constexpr absl::string_view kTranslations = "eco.product_translation";
inline constexpr absl::string_view kProductTypes = "eco.product_type";
inline constexpr absl::string_view kVariants = "eco.product_variant";
inline constexpr absl::string_view kReviews = "eco.review";
// Collections of the time-keyed classes (key = TimeKey(create_at, discriminator)).
inline constexpr absl::string_view kConfigs = "eco.config";
inline constexpr absl::string_view kAddToCarts = "eco.add_to_cart";
inline constexpr absl::string_view kDetailEnters = "eco.detail_enter";
inline constexpr absl::string_view kDetailLeaves = "eco.detail_leave";
inline constexpr absl::string_view kRecommendationViews = "eco.recommendation_view";
inline constexpr absl::string_view kTrainerQueue = "eco.trainer_queue";
inline constexpr absl::string_view kPredictions = "eco.prediction";

// The collection `object` is stored in.
absl::string_view CollectionOf(const StoreObject& object);

// The key of an id-keyed object (decimal id, SKU or order token); nullopt for time-keyed
// classes, whose key is TimeKey(CreateAtOf(object), discriminator).
std::optional<std::string> IdKeyOf(const StoreObject& object);

// `create_at` of `object` (every class has one except the catalog classes without dates,
// Attribute, AttributeType, Category and ProductTranslation, which give the Unix epoch).
absl::Time CreateAtOf(const StoreObject& object);

// The document body of `object` (see the file comment). Config: `config.id` must be set.
nlohmann::json ToDocumentJson(const StoreObject& object);

// Reads a body written by ToDocumentJson. DATA_LOSS when it is not JSON or does not parse.
absl::StatusOr<StoreObject> FromDocumentBody(absl::string_view body);

// {"create_at", "session_id", "user_id" (int or null), "recommendation_type",
//  "retrieval_model", "retrieval_identifier", "scoring_model", "scoring_identifier",
//  "retrieval_seconds", "scoring_seconds", "ordering_seconds", "predicted_items": [sku]}.
nlohmann::json PredictionToJson(const PredictionRecord& record);
// DATA_LOSS when `body` is not such an object.
absl::StatusOr<PredictionRecord> PredictionFromBody(absl::string_view body);

// The longest prefix of `text` of at most `max` bytes that does not split a UTF-8 sequence.
std::string TruncateUtf8(const std::string& text, size_t max);

// "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC).
std::string FormatDocumentTime(absl::Time time);

}  // namespace recplat::http::ecoseller::shop
