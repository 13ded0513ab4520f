#include "core/shop/shop_entity.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace recplat::shop {
namespace {

namespace pbu = google::protobuf::util;

// The kind's message of the entity, or nullptr.
const google::protobuf::Message* KindMessage(const v1::ShopEntity& e) {
  switch (e.kind_case()) {
    case v1::ShopEntity::kCategory: return &e.category();
    case v1::ShopEntity::kProduct: return &e.product();
    case v1::ShopEntity::kTranslation: return &e.translation();
    case v1::ShopEntity::kVariant: return &e.variant();
    case v1::ShopEntity::kAttribute: return &e.attribute();
    case v1::ShopEntity::kAttributeType: return &e.attribute_type();
    case v1::ShopEntity::kPrice: return &e.price();
    case v1::ShopEntity::KIND_NOT_SET: return nullptr;
  }
  return nullptr;
}

}  // namespace

std::string CollectionOf(const v1::ShopEntity& entity) {
  switch (entity.kind_case()) {
    case v1::ShopEntity::kCategory: return "_shop.category";
    case v1::ShopEntity::kProduct: return "_shop.product";
    case v1::ShopEntity::kTranslation: return "_shop.translation";
    case v1::ShopEntity::kVariant: return "_shop.variant";
    case v1::ShopEntity::kAttribute: return "_shop.attribute";
    case v1::ShopEntity::kAttributeType: return "_shop.attribute_type";
    case v1::ShopEntity::kPrice: return "_shop.price";
    case v1::ShopEntity::KIND_NOT_SET: return "";
  }
  return "";
}

std::string KeyOf(const v1::ShopEntity& entity) {
  switch (entity.kind_case()) {
    case v1::ShopEntity::kCategory: return absl::StrCat(entity.category().id());
    case v1::ShopEntity::kProduct: return absl::StrCat(entity.product().id());
    case v1::ShopEntity::kTranslation: return absl::StrCat(entity.translation().id());
    case v1::ShopEntity::kVariant: return entity.variant().sku();
    case v1::ShopEntity::kAttribute: return absl::StrCat(entity.attribute().id());
    case v1::ShopEntity::kAttributeType: return absl::StrCat(entity.attribute_type().id());
    case v1::ShopEntity::kPrice: return absl::StrCat(entity.price().id());
    case v1::ShopEntity::KIND_NOT_SET: return "";
  }
  return "";
}

absl::StatusOr<std::string> BodyOf(const v1::ShopEntity& entity) {
  const google::protobuf::Message* message = KindMessage(entity);
  if (message == nullptr) return absl::InvalidArgumentError("shop entity: kind is not set");
  pbu::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto printed = pbu::MessageToJsonString(*message, &json, options);
  if (!printed.ok()) {
    return absl::InternalError(absl::StrCat("shop entity to JSON: ", printed.ToString()));
  }
  return json;
}

absl::StatusOr<v1::ShopEntity> EntityFromDocument(absl::string_view tenant,
                                                  absl::string_view collection,
                                                  absl::string_view body) {
  v1::ShopEntity entity;
  entity.set_tenant(std::string(tenant));
  google::protobuf::Message* message = nullptr;
  if (collection == "_shop.category") {
    message = entity.mutable_category();
  } else if (collection == "_shop.product") {
    message = entity.mutable_product();
  } else if (collection == "_shop.translation") {
    message = entity.mutable_translation();
  } else if (collection == "_shop.variant") {
    message = entity.mutable_variant();
  } else if (collection == "_shop.attribute") {
    message = entity.mutable_attribute();
  } else if (collection == "_shop.attribute_type") {
    message = entity.mutable_attribute_type();
  } else if (collection == "_shop.price") {
    message = entity.mutable_price();
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("collection '", collection, "' holds no shop entities"));
  }
  const auto parsed =
      pbu::JsonStringToMessage(std::string(body), message, pbu::JsonParseOptions());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("shop entity in '", collection, "': ", parsed.ToString()));
  }
  return entity;
}

}  // namespace recplat::shop
