// Parsers of the feedback `_model_class`es: ProductAddToCart, ProductDetailEnter,
// ProductDetailLeave, RecommendationView, Review, and the manual TrainerQueueItem.
//
// `create_at` of the events defaults to `now`, the time of the request being parsed. The original
// declared `create_at: datetime = datetime.now()`, evaluated once when the module was imported,
// so all such events were stamped with the server start time (QUIRK, fixed on purpose).
#include "absl/status/status.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/internal/object_parsers.h"
#include "frontends/http_rest/json_fields.h"

namespace recplat::http::ecoseller::internal {
namespace {

// The fields every product event shares.
template <typename Event>
absl::Status ParseEventCommon(const ObjectReader& reader, absl::Time now, Event* event) {
  RECPLAT_RETURN_IF_ERROR(reader.Required("session_id", &event->session_id));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("user_id", &event->user_id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("product_id", &event->product_id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("product_variant_sku", &event->product_variant_sku));
  event->create_at = now;
  RECPLAT_RETURN_IF_ERROR(reader.NullableDefaulted("create_at", &event->create_at));
  return reader.Defaulted("deleted", &event->deleted);
}

}  // namespace

absl::StatusOr<ProductAddToCart> ParseProductAddToCart(const ObjectReader& reader, absl::Time now) {
  ProductAddToCart event;
  RECPLAT_RETURN_IF_ERROR(ParseEventCommon(reader, now, &event));
  return event;
}

absl::StatusOr<ProductDetailEnter> ParseProductDetailEnter(const ObjectReader& reader,
                                                           absl::Time now) {
  ProductDetailEnter event;
  RECPLAT_RETURN_IF_ERROR(ParseEventCommon(reader, now, &event));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("recommendation_type", &event.recommendation_type));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("model_identifier", &event.model_identifier));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("model_name", &event.model_name));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("position", &event.position));
  return event;
}

absl::StatusOr<ProductDetailLeave> ParseProductDetailLeave(const ObjectReader& reader,
                                                           absl::Time now) {
  ProductDetailLeave event;
  RECPLAT_RETURN_IF_ERROR(ParseEventCommon(reader, now, &event));
  RECPLAT_RETURN_IF_ERROR(reader.Required("time_spent", &event.time_spent));
  return event;
}

absl::StatusOr<RecommendationView> ParseRecommendationView(const ObjectReader& reader,
                                                           absl::Time now) {
  RecommendationView event;
  RECPLAT_RETURN_IF_ERROR(ParseEventCommon(reader, now, &event));
  RECPLAT_RETURN_IF_ERROR(reader.Required("recommendation_type", &event.recommendation_type));
  RECPLAT_RETURN_IF_ERROR(reader.Required("model_identifier", &event.model_identifier));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("position", &event.position));
  return event;
}

absl::StatusOr<Review> ParseReview(const ObjectReader& reader) {
  Review review;
  RECPLAT_RETURN_IF_ERROR(reader.Required("id", &review.id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("session_id", &review.session_id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("user_id", &review.user_id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("product_id", &review.product_id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("product_variant_sku", &review.product_variant_sku));
  RECPLAT_RETURN_IF_ERROR(reader.Required("rating", &review.rating));
  RECPLAT_RETURN_IF_ERROR(reader.Required("update_at", &review.update_at));
  RECPLAT_RETURN_IF_ERROR(reader.Required("create_at", &review.create_at));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &review.deleted));
  return review;
}

absl::StatusOr<TrainerQueueItem> ParseTrainerQueueItem(const ObjectReader& reader, absl::Time now) {
  TrainerQueueItem item;
  RECPLAT_RETURN_IF_ERROR(reader.Optional("id", &item.id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("model_name", &item.model_name));
  item.create_at = now;
  RECPLAT_RETURN_IF_ERROR(reader.NullableDefaulted("create_at", &item.create_at));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("processed", &item.processed));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &item.deleted));
  return item;
}

}  // namespace recplat::http::ecoseller::internal
