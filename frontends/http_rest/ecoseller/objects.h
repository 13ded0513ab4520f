// File: objects.h
//
// The payloads of the ecoseller recommender's `POST /store_object` and `POST /store_objects`
// (seed-systems.md section 3.2): one typed struct per `_model_class`, and parsers that validate
// them the way the original's pydantic v1 models do.
//
// Validation is pydantic v1's, as the shared json_fields.h implements it (coercions, datetimes,
// its deviations from pydantic, errors "<path>: required" / "must not be null" / "expected
// <type>, got <json type>"; extra fields are ignored). Paths name the field from the request
// root: "objects[3].product_translations[0].title" for ParseStoreObjects,
// "product_translations[0].title" for ParseStoreObject.
//
// `create_at` of events (ProductAddToCart, ProductDetailEnter, ProductDetailLeave,
// RecommendationView, TrainerQueueItem, Config) defaults to the request time `now` when absent or
// null. The original evaluated `datetime.now()` once at import, so every such event got the
// server start time; that QUIRK is deliberately fixed here.
//
// Not here: storage or HTTP. This module only turns bytes into validated structs.
//
// Thread-safety: all functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontends/http_rest/ecoseller/config_object.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller {

// Bodies larger than this are rejected (the HTTP layer's body limit normally triggers first).
inline constexpr size_t kMaxStoreBodyBytes = size_t{64} << 20;
// JSON nesting deeper than this is rejected; real payloads nest at most four levels.
inline constexpr int kMaxJsonDepth = 64;

// ---- Catalog ----------------------------------------------------------------------------------

struct Attribute {
  int64_t id = 0;
  int64_t type = 0;  // AttributeType id.
  std::optional<std::string> raw_value;
  std::optional<int64_t> order;
  std::vector<int64_t> ext_attributes;
  // Derived: float(raw_value) when raw_value parses as a finite number, else empty.
  std::optional<double> numeric_value;
  bool deleted = false;
  bool operator==(const Attribute&) const = default;
};

struct AttributeType {
  int64_t id = 0;
  std::string type;  // "NUMERICAL" or "CATEGORICAL" (not enforced, as in the original).
  std::optional<std::string> type_name;
  std::optional<std::string> unit;
  bool deleted = false;
  bool operator==(const AttributeType&) const = default;
};

struct Category {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  bool deleted = false;
  bool operator==(const Category&) const = default;
};

struct ProductTranslation {
  int64_t id = 0;
  std::string language_code;
  std::string title;
  std::string meta_title;
  std::string meta_description;
  std::optional<std::string> short_description;
  std::optional<std::string> description;
  std::string slug;
  bool deleted = false;
  bool operator==(const ProductTranslation&) const = default;
};

struct Product {
  int64_t id = 0;
  bool published = false;
  std::optional<int64_t> category_id;
  std::optional<int64_t> type_id;
  std::vector<ProductTranslation> product_translations;
  std::vector<std::string> product_variants;  // SKUs.
  absl::Time update_at;
  absl::Time create_at;
  bool deleted = false;
  bool operator==(const Product&) const = default;
};

struct ProductType {
  int64_t id = 0;
  std::optional<std::string> name;
  absl::Time update_at;
  absl::Time create_at;
  std::vector<int64_t> products;         // Product ids.
  std::vector<int64_t> attribute_types;  // AttributeType ids.
  bool deleted = false;
  bool operator==(const ProductType&) const = default;
};

struct ProductVariant {
  std::string sku;
  std::string ean;
  std::optional<double> weight;
  int64_t stock_quantity = 0;
  double recommendation_weight = 0.0;
  absl::Time update_at;
  absl::Time create_at;
  std::vector<int64_t> attributes;  // Attribute ids.
  bool deleted = false;
  bool operator==(const ProductVariant&) const = default;
};

struct ProductPrice {
  int64_t id = 0;
  std::string price_list_code;
  std::optional<std::string> product_variant_sku;
  double price = 0.0;
  absl::Time update_at;
  absl::Time create_at;
  bool deleted = false;
  bool operator==(const ProductPrice&) const = default;
};

// One `[sku, quantity]` pair of Order.product_variants.
struct OrderLine {
  std::string sku;
  int64_t quantity = 0;
  bool operator==(const OrderLine&) const = default;
};

struct Order {
  std::string token;
  std::string session_id;
  std::vector<OrderLine> product_variants;
  absl::Time update_at;
  absl::Time create_at;
  bool deleted = false;
  bool operator==(const Order&) const = default;
};

// ---- Feedback events --------------------------------------------------------------------------

struct ProductAddToCart {
  std::string session_id;
  std::optional<int64_t> user_id;
  int64_t product_id = 0;
  std::string product_variant_sku;
  absl::Time create_at;  // Absent -> request time.
  bool deleted = false;
  bool operator==(const ProductAddToCart&) const = default;
};

struct ProductDetailEnter {
  std::string session_id;
  std::optional<int64_t> user_id;
  int64_t product_id = 0;
  std::string product_variant_sku;
  // Set when the visit came from a recommendation (feeds hitRate on the dashboard).
  std::optional<std::string> recommendation_type;
  std::optional<std::string> model_identifier;
  std::optional<std::string> model_name;
  std::optional<int64_t> position;
  absl::Time create_at;  // Absent -> request time.
  bool deleted = false;
  bool operator==(const ProductDetailEnter&) const = default;
};

struct ProductDetailLeave {
  std::string session_id;
  std::optional<int64_t> user_id;
  int64_t product_id = 0;
  std::string product_variant_sku;
  double time_spent = 0.0;  // Seconds.
  absl::Time create_at;     // Absent -> request time.
  bool deleted = false;
  bool operator==(const ProductDetailLeave&) const = default;
};

struct RecommendationView {
  std::string session_id;
  std::optional<int64_t> user_id;
  int64_t product_id = 0;
  std::string product_variant_sku;
  std::string recommendation_type;
  std::string model_identifier;
  std::optional<int64_t> position;
  absl::Time create_at;  // Absent -> request time.
  bool deleted = false;
  bool operator==(const RecommendationView&) const = default;
};

struct Review {
  int64_t id = 0;
  std::string session_id;
  int64_t user_id = 0;
  int64_t product_id = 0;
  std::string product_variant_sku;
  int64_t rating = 0;
  absl::Time update_at;
  absl::Time create_at;
  bool deleted = false;
  bool operator==(const Review&) const = default;
};

// A manual "train now" request. `model_name` is not checked here (the trainer ignores names
// it does not know, as the original did).
struct TrainerQueueItem {
  std::optional<int64_t> id;
  std::string model_name;
  absl::Time create_at;  // Absent -> request time.
  std::optional<bool> processed;
  bool deleted = false;
  bool operator==(const TrainerQueueItem&) const = default;
};

// One parsed `/store_object(s)` payload; `_model_class` "Config" yields EcosellerConfig.
using StoreObject = std::variant<Attribute, AttributeType, Category, EcosellerConfig, Order,
                                 Product, ProductAddToCart, ProductDetailEnter, ProductDetailLeave,
                                 ProductPrice, ProductTranslation, ProductType, ProductVariant,
                                 RecommendationView, Review, TrainerQueueItem>;

// The `_model_class` name of `object` ("Attribute", ..., "Config", ..., "TrainerQueueItem").
absl::string_view ModelClassName(const StoreObject& object);

// The sixteen accepted `_model_class` names, sorted.
const std::vector<std::string>& ModelClassNames();

// Validates one decoded object (which must carry `_model_class`). `now` is the request time used
// for defaulted `create_at` (truncated to microseconds).
// Returns INVALID_ARGUMENT when `object` is not a JSON object, `_model_class` is missing, not a
// string or unknown (the message names it), or a field fails validation (the message names the
// field path, see the file comment).
absl::StatusOr<StoreObject> ParseStoreObject(const nlohmann::json& object, absl::Time now);

// The body of `POST /store_object`: one JSON object. Errors as ParseStoreObject, plus
// INVALID_ARGUMENT for malformed JSON ("invalid JSON at byte <n>: ...", n counting from 1 up to
// the byte where parsing failed, then nlohmann's line/column description), nesting deeper than
// kMaxJsonDepth, or a body over kMaxStoreBodyBytes.
absl::StatusOr<StoreObject> ParseStoreObjectBody(absl::string_view body, absl::Time now);

// The body of `POST /store_objects`: a JSON array of objects, classes may be mixed. All-or-nothing:
// the first invalid element fails the whole batch with INVALID_ARGUMENT whose message starts with
// "objects[<index>]". A body that is not an array is INVALID_ARGUMENT. JSON errors as
// ParseStoreObjectBody.
absl::StatusOr<std::vector<StoreObject>> ParseStoreObjects(absl::string_view body, absl::Time now);

}  // namespace recplat::http::ecoseller
