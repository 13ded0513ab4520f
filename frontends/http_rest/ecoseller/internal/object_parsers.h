// File: internal/object_parsers.h
//
// Private to the ecoseller route set: one parser per `_model_class`, each reading the fields of
// an already type-checked JSON object through an ObjectReader (whose path prefixes errors).
// objects.cc dispatches on `_model_class`; objects_catalog.cc and objects_events.cc implement.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "frontends/http_rest/json_fields.h"
#include "nlohmann/json.hpp"

namespace recplat::http::ecoseller::internal {

// The parsers read through the shared pydantic-v1 field helpers (json_fields.h). Every object's
// `deleted: bool = False` is read with Defaulted("deleted", ...).
using json_fields::CheckPositive;
using json_fields::Convert;
using json_fields::FieldError;
using json_fields::FormatDateTime;
using json_fields::IndexPath;
using json_fields::JoinPath;
using json_fields::ObjectReader;
using json_fields::ParseDateTime;
using json_fields::ParseFiniteDouble;
using json_fields::ParseJsonText;
using json_fields::QuoteForMessage;
using json_fields::TruncateToMicros;
using json_fields::TypeMismatch;

// objects_catalog.cc
absl::StatusOr<Attribute> ParseAttribute(const ObjectReader& reader);
absl::StatusOr<AttributeType> ParseAttributeType(const ObjectReader& reader);
absl::StatusOr<Category> ParseCategory(const ObjectReader& reader);
absl::StatusOr<Order> ParseOrder(const ObjectReader& reader);
absl::StatusOr<Product> ParseProduct(const ObjectReader& reader);
absl::StatusOr<ProductPrice> ParseProductPrice(const ObjectReader& reader);
absl::StatusOr<ProductTranslation> ParseProductTranslation(const ObjectReader& reader);
absl::StatusOr<ProductType> ParseProductType(const ObjectReader& reader);
absl::StatusOr<ProductVariant> ParseProductVariant(const ObjectReader& reader);

// objects_events.cc; `now` is the default `create_at` (already truncated to microseconds).
absl::StatusOr<ProductAddToCart> ParseProductAddToCart(const ObjectReader& reader, absl::Time now);
absl::StatusOr<ProductDetailEnter> ParseProductDetailEnter(const ObjectReader& reader,
                                                           absl::Time now);
absl::StatusOr<ProductDetailLeave> ParseProductDetailLeave(const ObjectReader& reader,
                                                           absl::Time now);
absl::StatusOr<RecommendationView> ParseRecommendationView(const ObjectReader& reader,
                                                           absl::Time now);
absl::StatusOr<Review> ParseReview(const ObjectReader& reader);
absl::StatusOr<TrainerQueueItem> ParseTrainerQueueItem(const ObjectReader& reader, absl::Time now);

// config_object.cc: ParseEcosellerConfig with errors prefixed by the reader's path.
absl::StatusOr<EcosellerConfig> ParseConfigObject(const ObjectReader& reader, absl::Time now);

}  // namespace recplat::http::ecoseller::internal
