// File: objects_test_util.h
//
// Shared by the ecoseller object tests: a fixed request time, UTC construction, typed parsing,
// and one minimal valid payload per `_model_class`.
#pragma once

#include <map>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller::test {

// The request time used by the tests; it has sub-microsecond digits on purpose.
inline const absl::Time kNow = absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(987654321);
// kNow as parsed objects carry it (truncated to Python's microsecond resolution).
inline const absl::Time kNowMicros = absl::FromUnixSeconds(1700000000) + absl::Microseconds(987654);

inline absl::Time Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
                      int micros = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                         absl::UTCTimeZone()) +
         absl::Microseconds(micros);
}

// ParseStoreObject, then the alternative `T` (INTERNAL if another class came out).
template <typename T>
absl::StatusOr<T> ParseAs(const nlohmann::json& object) {
  absl::StatusOr<StoreObject> parsed = ParseStoreObject(object, kNow);
  if (!parsed.ok()) {
    return parsed.status();
  }
  if (!std::holds_alternative<T>(*parsed)) {
    return absl::InternalError("parsed into another class");
  }
  return std::get<T>(std::move(*parsed));
}

// The smallest valid payload of each class (all required fields, nothing else).
inline std::map<std::string, nlohmann::json> MinimalPayloads() {
  const std::string t = "2023-08-01T10:00:00Z";
  return {
      {"Attribute", {{"id", 1}, {"type", 2}, {"ext_attributes", nlohmann::json::array()}}},
      {"AttributeType", {{"id", 1}, {"type", "NUMERICAL"}}},
      {"Category", {{"id", 1}}},
      {"Config", nlohmann::json::object()},
      {"Order",
       {{"token", "t"},
        {"session_id", "s"},
        {"product_variants", nlohmann::json::array()},
        {"update_at", t},
        {"create_at", t}}},
      {"Product",
       {{"id", 1},
        {"published", true},
        {"product_translations", nlohmann::json::array()},
        {"product_variants", nlohmann::json::array()},
        {"update_at", t},
        {"create_at", t}}},
      {"ProductAddToCart", {{"session_id", "s"}, {"product_id", 1}, {"product_variant_sku", "A"}}},
      {"ProductDetailEnter",
       {{"session_id", "s"}, {"product_id", 1}, {"product_variant_sku", "A"}}},
      {"ProductDetailLeave",
       {{"session_id", "s"}, {"product_id", 1}, {"product_variant_sku", "A"}, {"time_spent", 1.5}}},
      {"ProductPrice",
       {{"id", 1}, {"price_list_code", "czk"}, {"price", 10}, {"update_at", t}, {"create_at", t}}},
      {"ProductTranslation",
       {{"id", 1},
        {"language_code", "en"},
        {"title", "T"},
        {"meta_title", "M"},
        {"meta_description", "D"},
        {"slug", "s"}}},
      {"ProductType",
       {{"id", 1},
        {"update_at", t},
        {"create_at", t},
        {"products", nlohmann::json::array()},
        {"attribute_types", nlohmann::json::array()}}},
      {"ProductVariant",
       {{"sku", "A"},
        {"ean", "E"},
        {"stock_quantity", 1},
        {"recommendation_weight", 1.0},
        {"update_at", t},
        {"create_at", t},
        {"attributes", nlohmann::json::array()}}},
      {"RecommendationView",
       {{"session_id", "s"},
        {"product_id", 1},
        {"product_variant_sku", "A"},
        {"recommendation_type", "HOMEPAGE"},
        {"model_identifier", "ease"}}},
      {"Review",
       {{"id", 1},
        {"session_id", "s"},
        {"user_id", 2},
        {"product_id", 3},
        {"product_variant_sku", "A"},
        {"rating", 5},
        {"update_at", t},
        {"create_at", t}}},
      {"TrainerQueueItem", {{"model_name", "ease"}}},
  };
}

// MinimalPayloads()[model_class] with `_model_class` set.
inline nlohmann::json Minimal(const std::string& model_class) {
  nlohmann::json object = MinimalPayloads().at(model_class);
  object["_model_class"] = model_class;
  return object;
}

}  // namespace recplat::http::ecoseller::test
