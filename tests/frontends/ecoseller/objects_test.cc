// Every `_model_class` of /store_object(s), parsed from payloads shaped like the ecoseller
// backend's, and the behaviour shared by all of them (deleted flag, create_at default, extra
// fields, class names).
#include "frontends/http_rest/ecoseller/objects.h"

#include <string>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/frontends/ecoseller/objects_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http::ecoseller {
namespace {

using ::nlohmann::json;
using test::kNow;
using test::kNowMicros;
using test::Minimal;
using test::ParseAs;
using test::Utc;
using ::testing::ElementsAre;
using ::testing::Optional;

TEST(EcosellerObjectsTest, ProductDetailEnterFromBackend) {
  const json payload = json::parse(R"({
    "_model_class": "ProductDetailEnter", "session_id": "b7a1c2d3", "user_id": null,
    "product_id": 12, "product_variant_sku": "SKU-12-RED", "recommendation_type": "HOMEPAGE",
    "model_identifier": "ease_2023-08-01T09:00:00", "model_name": "ease", "position": 3,
    "create_at": "2023-08-01T10:00:00.123456Z"})");
  ASSERT_OK_AND_ASSIGN(const ProductDetailEnter event, ParseAs<ProductDetailEnter>(payload));
  EXPECT_EQ(event.session_id, "b7a1c2d3");
  EXPECT_EQ(event.user_id, std::nullopt);
  EXPECT_EQ(event.product_id, 12);
  EXPECT_EQ(event.product_variant_sku, "SKU-12-RED");
  EXPECT_THAT(event.recommendation_type, Optional(std::string("HOMEPAGE")));
  EXPECT_THAT(event.model_identifier, Optional(std::string("ease_2023-08-01T09:00:00")));
  EXPECT_THAT(event.model_name, Optional(std::string("ease")));
  EXPECT_THAT(event.position, Optional(3));
  EXPECT_EQ(event.create_at, Utc(2023, 8, 1, 10, 0, 0, 123456));
  EXPECT_FALSE(event.deleted);
}

TEST(EcosellerObjectsTest, ProductDetailEnterWithoutRecommendation) {
  ASSERT_OK_AND_ASSIGN(const ProductDetailEnter event,
                       ParseAs<ProductDetailEnter>(Minimal("ProductDetailEnter")));
  EXPECT_EQ(event.recommendation_type, std::nullopt);
  EXPECT_EQ(event.model_identifier, std::nullopt);
  EXPECT_EQ(event.model_name, std::nullopt);
  EXPECT_EQ(event.position, std::nullopt);
  EXPECT_EQ(event.create_at, kNowMicros);
}

TEST(EcosellerObjectsTest, ProductDetailLeaveAndAddToCart) {
  ASSERT_OK_AND_ASSIGN(const ProductDetailLeave leave, ParseAs<ProductDetailLeave>(json::parse(R"({
    "_model_class": "ProductDetailLeave", "session_id": "s", "user_id": 7, "product_id": 12,
    "product_variant_sku": "A", "time_spent": 42.5, "create_at": "2023-08-01T10:00:42Z"})")));
  EXPECT_THAT(leave.user_id, Optional(7));
  EXPECT_DOUBLE_EQ(leave.time_spent, 42.5);
  EXPECT_EQ(leave.create_at, Utc(2023, 8, 1, 10, 0, 42));

  ASSERT_OK_AND_ASSIGN(const ProductAddToCart cart, ParseAs<ProductAddToCart>(json::parse(R"({
    "_model_class": "ProductAddToCart", "session_id": "s", "user_id": null, "product_id": 12,
    "product_variant_sku": "A", "create_at": "2023-08-01T12:00:40+02:00"})")));
  EXPECT_EQ(cart.product_id, 12);
  EXPECT_EQ(cart.create_at, Utc(2023, 8, 1, 10, 0, 40));
}

TEST(EcosellerObjectsTest, RecommendationView) {
  ASSERT_OK_AND_ASSIGN(const RecommendationView view, ParseAs<RecommendationView>(json::parse(R"({
    "_model_class": "RecommendationView", "session_id": "s", "user_id": null, "product_id": 14,
    "product_variant_sku": "SKU-14", "recommendation_type": "PRODUCT_DETAIL",
    "model_identifier": "similarity_2023-08-01T08:00:00", "position": 0,
    "create_at": "2023-08-01T10:00:01.5Z"})")));
  EXPECT_EQ(view.recommendation_type, "PRODUCT_DETAIL");
  EXPECT_EQ(view.model_identifier, "similarity_2023-08-01T08:00:00");
  EXPECT_THAT(view.position, Optional(0));
  EXPECT_EQ(view.create_at, Utc(2023, 8, 1, 10, 0, 1, 500000));
}

TEST(EcosellerObjectsTest, OrderLinesArePairs) {
  ASSERT_OK_AND_ASSIGN(const Order order, ParseAs<Order>(json::parse(R"({
    "_model_class": "Order", "token": "4f1d", "session_id": "s",
    "product_variants": [["SKU-12-RED", 2], ["SKU-14", "1"]],
    "update_at": "2023-08-01T10:05:00Z", "create_at": "2023-08-01T10:04:00Z"})")));
  EXPECT_EQ(order.token, "4f1d");
  EXPECT_THAT(order.product_variants,
              ElementsAre(OrderLine{"SKU-12-RED", 2}, OrderLine{"SKU-14", 1}));
  EXPECT_EQ(order.update_at, Utc(2023, 8, 1, 10, 5));
  EXPECT_EQ(order.create_at, Utc(2023, 8, 1, 10, 4));
}

TEST(EcosellerObjectsTest, Review) {
  ASSERT_OK_AND_ASSIGN(const Review review, ParseAs<Review>(json::parse(R"({
    "_model_class": "Review", "id": 1, "session_id": "s-1", "user_id": 7, "product_id": 12,
    "product_variant_sku": "A", "rating": 4, "update_at": "2023-08-02 09:30:00",
    "create_at": "2023-08-02 09:30:00"})")));
  EXPECT_EQ(review.id, 1);
  EXPECT_EQ(review.user_id, 7);
  EXPECT_EQ(review.rating, 4);
  EXPECT_EQ(review.create_at, Utc(2023, 8, 2, 9, 30));
}

TEST(EcosellerObjectsTest, TrainerQueueItem) {
  ASSERT_OK_AND_ASSIGN(const TrainerQueueItem manual,
                       ParseAs<TrainerQueueItem>(Minimal("TrainerQueueItem")));
  EXPECT_EQ(manual.id, std::nullopt);
  EXPECT_EQ(manual.model_name, "ease");
  EXPECT_EQ(manual.create_at, kNowMicros);
  EXPECT_EQ(manual.processed, std::nullopt);

  ASSERT_OK_AND_ASSIGN(const TrainerQueueItem full, ParseAs<TrainerQueueItem>(json::parse(R"({
    "_model_class": "TrainerQueueItem", "id": 3, "model_name": "gru4rec",
    "create_at": "2023-08-02T09:30:00Z", "processed": false})")));
  EXPECT_THAT(full.id, Optional(3));
  EXPECT_THAT(full.processed, Optional(false));
  EXPECT_EQ(full.create_at, Utc(2023, 8, 2, 9, 30));
}

TEST(EcosellerObjectsTest, AttributeNumericValue) {
  ASSERT_OK_AND_ASSIGN(const Attribute numeric, ParseAs<Attribute>(json::parse(R"({
    "_model_class": "Attribute", "id": 10, "type": 1, "raw_value": " 1.25 ", "order": 0,
    "ext_attributes": [3, 4]})")));
  EXPECT_EQ(numeric.id, 10);
  EXPECT_EQ(numeric.type, 1);
  EXPECT_THAT(numeric.raw_value, Optional(std::string(" 1.25 ")));
  EXPECT_THAT(numeric.order, Optional(0));
  EXPECT_THAT(numeric.ext_attributes, ElementsAre(3, 4));
  EXPECT_THAT(numeric.numeric_value, Optional(1.25));

  for (const char* raw : {"red", "", "nan", "inf", "1.2.3"}) {
    json payload = Minimal("Attribute");
    payload["raw_value"] = raw;
    ASSERT_OK_AND_ASSIGN(const Attribute categorical, ParseAs<Attribute>(payload));
    EXPECT_EQ(categorical.numeric_value, std::nullopt) << raw;
  }
  json payload = Minimal("Attribute");
  payload["raw_value"] = nullptr;
  ASSERT_OK_AND_ASSIGN(const Attribute without, ParseAs<Attribute>(payload));
  EXPECT_EQ(without.raw_value, std::nullopt);
  EXPECT_EQ(without.numeric_value, std::nullopt);
}

TEST(EcosellerObjectsTest, AttributeTypeAndCategory) {
  ASSERT_OK_AND_ASSIGN(const AttributeType type, ParseAs<AttributeType>(json::parse(R"({
    "_model_class": "AttributeType", "id": 1, "type": "NUMERICAL", "type_name": "weight",
    "unit": null})")));
  EXPECT_EQ(type.type, "NUMERICAL");
  EXPECT_THAT(type.type_name, Optional(std::string("weight")));
  EXPECT_EQ(type.unit, std::nullopt);

  ASSERT_OK_AND_ASSIGN(const Category root, ParseAs<Category>(Minimal("Category")));
  EXPECT_EQ(root.parent_id, std::nullopt);
  ASSERT_OK_AND_ASSIGN(const Category child, ParseAs<Category>(json::parse(
                                                 R"({"_model_class": "Category", "id": 6,
                                                     "parent_id": 5})")));
  EXPECT_THAT(child.parent_id, Optional(5));
}

TEST(EcosellerObjectsTest, ProductWithTranslations) {
  ASSERT_OK_AND_ASSIGN(const Product product, ParseAs<Product>(json::parse(R"({
    "_model_class": "Product", "id": 12, "published": true, "category_id": 6, "type_id": null,
    "product_translations": [{"id": 120, "language_code": "en", "title": "Red shirt",
      "meta_title": "Red shirt", "meta_description": "A red shirt", "short_description": null,
      "description": "<p>Cotton</p>", "slug": "red-shirt"}],
    "product_variants": ["SKU-12-RED", "SKU-12-BLUE"],
    "update_at": "2023-07-30T12:00:00Z", "create_at": "2023-07-01T12:00:00Z"})")));
  EXPECT_TRUE(product.published);
  EXPECT_THAT(product.category_id, Optional(6));
  EXPECT_EQ(product.type_id, std::nullopt);
  ASSERT_EQ(product.product_translations.size(), 1u);
  const ProductTranslation& translation = product.product_translations[0];
  EXPECT_EQ(translation.id, 120);
  EXPECT_EQ(translation.language_code, "en");
  EXPECT_EQ(translation.title, "Red shirt");
  EXPECT_EQ(translation.short_description, std::nullopt);
  EXPECT_THAT(translation.description, Optional(std::string("<p>Cotton</p>")));
  EXPECT_EQ(translation.slug, "red-shirt");
  EXPECT_THAT(product.product_variants, ElementsAre("SKU-12-RED", "SKU-12-BLUE"));
  EXPECT_EQ(product.update_at, Utc(2023, 7, 30, 12));
}

TEST(EcosellerObjectsTest, ProductTranslationAlone) {
  ASSERT_OK_AND_ASSIGN(const ProductTranslation translation,
                       ParseAs<ProductTranslation>(Minimal("ProductTranslation")));
  EXPECT_EQ(translation.meta_title, "M");
  EXPECT_EQ(translation.meta_description, "D");
  EXPECT_EQ(translation.description, std::nullopt);
}

TEST(EcosellerObjectsTest, ProductTypeVariantAndPrice) {
  ASSERT_OK_AND_ASSIGN(const ProductType type, ParseAs<ProductType>(json::parse(R"({
    "_model_class": "ProductType", "id": 3, "name": "Shirts", "update_at": "2023-07-30T12:00:00Z",
    "create_at": "2023-07-01T12:00:00Z", "products": [12], "attribute_types": [1, 2]})")));
  EXPECT_THAT(type.name, Optional(std::string("Shirts")));
  EXPECT_THAT(type.products, ElementsAre(12));
  EXPECT_THAT(type.attribute_types, ElementsAre(1, 2));

  ASSERT_OK_AND_ASSIGN(const ProductVariant variant, ParseAs<ProductVariant>(json::parse(R"({
    "_model_class": "ProductVariant", "sku": "SKU-12-RED", "ean": "8591234567890",
    "weight": 1.25, "stock_quantity": 3, "recommendation_weight": 1,
    "update_at": "2023-07-30T12:00:00Z", "create_at": "2023-07-01T12:00:00Z",
    "attributes": [10, 11]})")));
  EXPECT_EQ(variant.sku, "SKU-12-RED");
  EXPECT_EQ(variant.ean, "8591234567890");
  EXPECT_THAT(variant.weight, Optional(1.25));
  EXPECT_EQ(variant.stock_quantity, 3);
  EXPECT_DOUBLE_EQ(variant.recommendation_weight, 1.0);
  EXPECT_THAT(variant.attributes, ElementsAre(10, 11));

  ASSERT_OK_AND_ASSIGN(const ProductPrice price, ParseAs<ProductPrice>(json::parse(R"({
    "_model_class": "ProductPrice", "id": 100, "price_list_code": "czk_maloobchod",
    "product_variant_sku": "SKU-12-RED", "price": 299.9, "update_at": "2023-07-30T12:00:00Z",
    "create_at": "2023-07-01T12:00:00Z"})")));
  EXPECT_EQ(price.price_list_code, "czk_maloobchod");
  EXPECT_THAT(price.product_variant_sku, Optional(std::string("SKU-12-RED")));
  EXPECT_DOUBLE_EQ(price.price, 299.9);
}

TEST(EcosellerObjectsTest, ConfigIsAStoreObject) {
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig config, ParseAs<EcosellerConfig>(json::parse(R"({
    "_model_class": "Config", "retrievalSize": 500, "cartScoringCascade": ["dummy"]})")));
  EXPECT_EQ(config.retrieval_size, 500);
  EXPECT_THAT(config.cart_scoring_cascade, ElementsAre("dummy"));
  EXPECT_EQ(config.create_at, kNowMicros);
}

TEST(EcosellerObjectsTest, EveryClassHasItsName) {
  ASSERT_EQ(ModelClassNames().size(), 16u);
  ASSERT_EQ(test::MinimalPayloads().size(), 16u);
  for (const std::string& name : ModelClassNames()) {
    absl::StatusOr<StoreObject> parsed = ParseStoreObject(Minimal(name), kNow);
    ASSERT_OK(parsed) << name;
    EXPECT_EQ(ModelClassName(*parsed), name);
  }
}

TEST(EcosellerObjectsTest, DeletedFlag) {
  for (const std::string& name : ModelClassNames()) {
    json payload = Minimal(name);
    ASSERT_OK_AND_ASSIGN(StoreObject plain, ParseStoreObject(payload, kNow));
    payload["deleted"] = true;
    ASSERT_OK_AND_ASSIGN(StoreObject deleted, ParseStoreObject(payload, kNow));
    std::visit([&](const auto& object) { EXPECT_FALSE(object.deleted) << name; }, plain);
    std::visit([&](const auto& object) { EXPECT_TRUE(object.deleted) << name; }, deleted);
  }
  json payload = Minimal("Category");
  for (const json& truthy : {json(1), json("true"), json("YES"), json("on")}) {
    payload["deleted"] = truthy;
    ASSERT_OK_AND_ASSIGN(const Category category, ParseAs<Category>(payload));
    EXPECT_TRUE(category.deleted) << truthy.dump();
  }
  for (const json& falsy : {json(0), json("false"), json("n"), json(0.0)}) {
    payload["deleted"] = falsy;
    ASSERT_OK_AND_ASSIGN(const Category category, ParseAs<Category>(payload));
    EXPECT_FALSE(category.deleted) << falsy.dump();
  }
}

TEST(EcosellerObjectsTest, CreateAtDefaultsToTheRequestTime) {
  // Absent and null both take the request time (not the server start time, see objects.h).
  json absent = Minimal("ProductAddToCart");
  json null = Minimal("ProductAddToCart");
  null["create_at"] = nullptr;
  const std::string body =
      json::array({absent, null, Minimal("RecommendationView"), Minimal("ProductDetailLeave")})
          .dump();
  ASSERT_OK_AND_ASSIGN(const std::vector<StoreObject> objects, ParseStoreObjects(body, kNow));
  ASSERT_EQ(objects.size(), 4u);
  EXPECT_EQ(std::get<ProductAddToCart>(objects[0]).create_at, kNowMicros);
  EXPECT_EQ(std::get<ProductAddToCart>(objects[1]).create_at, kNowMicros);
  EXPECT_EQ(std::get<RecommendationView>(objects[2]).create_at, kNowMicros);
  EXPECT_EQ(std::get<ProductDetailLeave>(objects[3]).create_at, kNowMicros);

  ASSERT_OK_AND_ASSIGN(const std::vector<StoreObject> later,
                       ParseStoreObjects(body, kNow + absl::Hours(1)));
  EXPECT_EQ(std::get<ProductAddToCart>(later[0]).create_at, kNowMicros + absl::Hours(1));
}

TEST(EcosellerObjectsTest, ExtraFieldsAreIgnored) {
  json payload = Minimal("ProductAddToCart");
  payload["unknown"] = {{"nested", json::array({1, 2, 3})}};
  payload["user"] = "x";
  ASSERT_OK_AND_ASSIGN(const ProductAddToCart event, ParseAs<ProductAddToCart>(payload));
  EXPECT_EQ(event.product_variant_sku, "A");
}

TEST(EcosellerObjectsTest, MixedBatchKeepsOrder) {
  const std::string body = json::array({Minimal("Category"), Minimal("Config"), Minimal("Order"),
                                        Minimal("ProductDetailEnter")})
                               .dump();
  ASSERT_OK_AND_ASSIGN(const std::vector<StoreObject> objects, ParseStoreObjects(body, kNow));
  ASSERT_EQ(objects.size(), 4u);
  EXPECT_EQ(ModelClassName(objects[0]), "Category");
  EXPECT_EQ(ModelClassName(objects[1]), "Config");
  EXPECT_EQ(ModelClassName(objects[2]), "Order");
  EXPECT_EQ(ModelClassName(objects[3]), "ProductDetailEnter");
  ASSERT_OK_AND_ASSIGN(const std::vector<StoreObject> none, ParseStoreObjects("[]", kNow));
  EXPECT_TRUE(none.empty());
}

TEST(EcosellerObjectsTest, SingleObjectBody) {
  ASSERT_OK_AND_ASSIGN(const StoreObject object,
                       ParseStoreObjectBody(Minimal("Review").dump(), kNow));
  EXPECT_EQ(ModelClassName(object), "Review");
}

}  // namespace
}  // namespace recplat::http::ecoseller
