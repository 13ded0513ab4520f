// Parsers of the catalog `_model_class`es (product storage): Attribute, AttributeType, Category,
// Order, Product, ProductPrice, ProductTranslation, ProductType, ProductVariant.
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/ecoseller/internal/object_parsers.h"
#include "frontends/http_rest/json_fields.h"

namespace recplat::http::ecoseller::internal {
namespace {

using nlohmann::json;

// `[sku, quantity]` at `path`.
absl::StatusOr<OrderLine> ParseOrderLine(const json& value, const std::string& path) {
  if (!value.is_array() || value.size() != 2) {
    return FieldError(path, TypeMismatch("a [sku, quantity] pair", value));
  }
  OrderLine line;
  for (size_t i = 0; i < 2; ++i) {
    if (value[i].is_null()) {
      return FieldError(IndexPath(path, i), "must not be null");
    }
  }
  RECPLAT_RETURN_IF_ERROR(Convert(value[0], IndexPath(path, 0), &line.sku));
  RECPLAT_RETURN_IF_ERROR(Convert(value[1], IndexPath(path, 1), &line.quantity));
  return line;
}

}  // namespace

absl::StatusOr<Attribute> ParseAttribute(const ObjectReader& reader) {
  Attribute attribute;
  RECPLAT_RETURN_IF_ERROR(reader.Required("id", &attribute.id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("type", &attribute.type));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("raw_value", &attribute.raw_value));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("order", &attribute.order));
  RECPLAT_RETURN_IF_ERROR(reader.Required("ext_attributes", &attribute.ext_attributes));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &attribute.deleted));
  if (attribute.raw_value.has_value()) {
    attribute.numeric_value = ParseFiniteDouble(*attribute.raw_value);
  }
  return attribute;
}

absl::StatusOr<AttributeType> ParseAttributeType(const ObjectReader& reader) {
  AttributeType type;
  RECPLAT_RETURN_IF_ERROR(reader.Required("id", &type.id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("type", &type.type));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("type_name", &type.type_name));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("unit", &type.unit));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &type.deleted));
  return type;
}

absl::StatusOr<Category> ParseCategory(const ObjectReader& reader) {
  Category category;
  RECPLAT_RETURN_IF_ERROR(reader.Required("id", &category.id));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("parent_id", &category.parent_id));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &category.deleted));
  return category;
}

absl::StatusOr<Order> ParseOrder(const ObjectReader& reader) {
  Order order;
  RECPLAT_RETURN_IF_ERROR(reader.Required("token", &order.token));
  RECPLAT_RETURN_IF_ERROR(reader.Required("session_id", &order.session_id));
  RECPLAT_RETURN_IF_ERROR(reader.RequiredList("product_variants",
                                               "a list of [sku, quantity] pairs", ParseOrderLine,
                                               &order.product_variants));
  RECPLAT_RETURN_IF_ERROR(reader.Required("update_at", &order.update_at));
  RECPLAT_RETURN_IF_ERROR(reader.Required("create_at", &order.create_at));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &order.deleted));
  return order;
}

absl::StatusOr<Product> ParseProduct(const ObjectReader& reader) {
  Product product;
  RECPLAT_RETURN_IF_ERROR(reader.Required("id", &product.id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("published", &product.published));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("category_id", &product.category_id));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("type_id", &product.type_id));
  RECPLAT_RETURN_IF_ERROR(reader.RequiredModels("product_translations", ParseProductTranslation,
                                                 &product.product_translations));
  RECPLAT_RETURN_IF_ERROR(reader.Required("product_variants", &product.product_variants));
  RECPLAT_RETURN_IF_ERROR(reader.Required("update_at", &product.update_at));
  RECPLAT_RETURN_IF_ERROR(reader.Required("create_at", &product.create_at));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &product.deleted));
  return product;
}

absl::StatusOr<ProductPrice> ParseProductPrice(const ObjectReader& reader) {
  ProductPrice price;
  RECPLAT_RETURN_IF_ERROR(reader.Required("id", &price.id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("price_list_code", &price.price_list_code));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("product_variant_sku", &price.product_variant_sku));
  RECPLAT_RETURN_IF_ERROR(reader.Required("price", &price.price));
  RECPLAT_RETURN_IF_ERROR(reader.Required("update_at", &price.update_at));
  RECPLAT_RETURN_IF_ERROR(reader.Required("create_at", &price.create_at));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &price.deleted));
  return price;
}

absl::StatusOr<ProductTranslation> ParseProductTranslation(const ObjectReader& reader) {
  ProductTranslation translation;
  RECPLAT_RETURN_IF_ERROR(reader.Required("id", &translation.id));
  RECPLAT_RETURN_IF_ERROR(reader.Required("language_code", &translation.language_code));
  RECPLAT_RETURN_IF_ERROR(reader.Required("title", &translation.title));
  RECPLAT_RETURN_IF_ERROR(reader.Required("meta_title", &translation.meta_title));
  RECPLAT_RETURN_IF_ERROR(reader.Required("meta_description", &translation.meta_description));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("short_description", &translation.short_description));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("description", &translation.description));
  RECPLAT_RETURN_IF_ERROR(reader.Required("slug", &translation.slug));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &translation.deleted));
  return translation;
}

absl::StatusOr<ProductType> ParseProductType(const ObjectReader& reader) {
  ProductType type;
  RECPLAT_RETURN_IF_ERROR(reader.Required("id", &type.id));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("name", &type.name));
  RECPLAT_RETURN_IF_ERROR(reader.Required("update_at", &type.update_at));
  RECPLAT_RETURN_IF_ERROR(reader.Required("create_at", &type.create_at));
  RECPLAT_RETURN_IF_ERROR(reader.Required("products", &type.products));
  RECPLAT_RETURN_IF_ERROR(reader.Required("attribute_types", &type.attribute_types));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &type.deleted));
  return type;
}

absl::StatusOr<ProductVariant> ParseProductVariant(const ObjectReader& reader) {
  ProductVariant variant;
  RECPLAT_RETURN_IF_ERROR(reader.Required("sku", &variant.sku));
  RECPLAT_RETURN_IF_ERROR(reader.Required("ean", &variant.ean));
  RECPLAT_RETURN_IF_ERROR(reader.Optional("weight", &variant.weight));
  RECPLAT_RETURN_IF_ERROR(reader.Required("stock_quantity", &variant.stock_quantity));
  RECPLAT_RETURN_IF_ERROR(reader.Required("recommendation_weight", &variant.recommendation_weight));
  RECPLAT_RETURN_IF_ERROR(reader.Required("update_at", &variant.update_at));
  RECPLAT_RETURN_IF_ERROR(reader.Required("create_at", &variant.create_at));
  RECPLAT_RETURN_IF_ERROR(reader.Required("attributes", &variant.attributes));
  RECPLAT_RETURN_IF_ERROR(reader.Defaulted("deleted", &variant.deleted));
  return variant;
}

}  // namespace recplat::http::ecoseller::internal
