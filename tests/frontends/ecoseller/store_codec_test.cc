// The /store_object(s) codec: objects -> one core Write; core errors -> object fields.
#include "frontends/http_rest/ecoseller/store_codec.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "core/api/validation.h"
#include "tests/frontends/ecoseller/objects_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http::ecoseller {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::Utc;

const absl::Time kT = Utc(2023, 8, 1, 10);

std::vector<StoreObject> Parse(const std::string& body) {
  absl::StatusOr<std::vector<StoreObject>> objects = ParseStoreObjects(body, kT);
  EXPECT_TRUE(objects.ok()) << objects.status();
  return objects.ok() ? *objects : std::vector<StoreObject>();
}

TEST(StoreCodecTest, CatalogClassesBecomeShopEntities) {
  const auto objects = Parse(R"([
    {"_model_class": "Category", "id": 3, "parent_id": 1},
    {"_model_class": "Product", "id": 10, "published": true, "category_id": 3, "type_id": null,
     "product_translations": [{"id": 7, "language_code": "en", "title": "Shoe",
                               "meta_title": "", "meta_description": "", "slug": "shoe"}],
     "product_variants": ["a", "b"], "update_at": "2023-08-01T10:00:00",
     "create_at": "2023-08-01T10:00:00"},
    {"_model_class": "ProductVariant", "sku": "a", "ean": "1", "stock_quantity": 4,
     "recommendation_weight": 2.5, "update_at": "2023-08-01T10:00:00",
     "create_at": "2023-08-01T10:00:00", "attributes": [5]},
    {"_model_class": "Attribute", "id": 5, "type": 2, "raw_value": "42", "ext_attributes": []},
    {"_model_class": "AttributeType", "id": 2, "type": "NUMERICAL"},
    {"_model_class": "ProductPrice", "id": 9, "price_list_code": "czk",
     "product_variant_sku": "a", "price": 99.5, "update_at": "2023-08-02T00:00:00",
     "create_at": "2023-08-01T10:00:00"},
    {"_model_class": "ProductType", "id": 1, "products": [10], "attribute_types": [2],
     "update_at": "2023-08-01T10:00:00", "create_at": "2023-08-01T10:00:00"}
  ])");
  ASSERT_OK_AND_ASSIGN(EncodedStore e, EncodeStore(objects, "shop"));
  const v1::WriteRequest& w = e.write;
  ASSERT_EQ(w.ops_size(), 7);  // ProductType maps to nothing; the translation is its own op.
  ASSERT_EQ(e.op_paths.size(), 7u);
  for (const v1::WriteOp& op : w.ops()) {
    ASSERT_TRUE(op.has_shop());
    EXPECT_EQ(op.shop().tenant(), "shop");
    EXPECT_FALSE(op.shop().deleted());
  }
  EXPECT_EQ(w.ops(0).shop().category().id(), 3);
  EXPECT_EQ(w.ops(0).shop().category().parent_id(), 1);
  EXPECT_EQ(w.ops(1).shop().translation().id(), 7);
  EXPECT_EQ(w.ops(1).shop().translation().title(), "Shoe");
  EXPECT_EQ(e.op_paths[1], "objects[1].product_translations[0]");
  const v1::ShopProduct& p = w.ops(2).shop().product();
  EXPECT_EQ(p.id(), 10);
  EXPECT_TRUE(p.published());
  EXPECT_EQ(p.category_id(), 3);
  EXPECT_THAT(p.translation_ids(), ElementsAre(7));
  EXPECT_THAT(p.variant_skus(), ElementsAre("a", "b"));
  EXPECT_EQ(p.created_at_ms(), absl::ToUnixMillis(Utc(2023, 8, 1, 10)));
  const v1::ShopVariant& v = w.ops(3).shop().variant();
  EXPECT_EQ(v.sku(), "a");
  EXPECT_EQ(v.stock_quantity(), 4);
  EXPECT_EQ(v.recommendation_weight(), 2.5);
  EXPECT_THAT(v.attribute_ids(), ElementsAre(5));
  EXPECT_EQ(e.op_paths[3], "objects[2].sku");
  EXPECT_EQ(w.ops(4).shop().attribute().raw_value(), "42");
  EXPECT_EQ(w.ops(4).shop().attribute().type_id(), 2);
  EXPECT_TRUE(w.ops(5).shop().attribute_type().numerical());
  EXPECT_EQ(w.ops(6).shop().price().variant_sku(), "a");
  EXPECT_EQ(w.ops(6).shop().price().price(), 99.5);
  EXPECT_EQ(w.ops(6).shop().price().updated_at_ms(), absl::ToUnixMillis(Utc(2023, 8, 2, 0)));
  EXPECT_TRUE(e.train.empty());
}

TEST(StoreCodecTest, DeletionsOfEntitiesAreKeptAndOfEventsIgnored) {
  const auto objects = Parse(R"([
    {"_model_class": "Category", "id": 3, "deleted": true},
    {"_model_class": "ProductAddToCart", "session_id": "s", "product_id": 1,
     "product_variant_sku": "a", "deleted": true},
    {"_model_class": "Review", "id": 1, "session_id": "s", "user_id": 2, "product_id": 1,
     "product_variant_sku": "a", "rating": 5, "update_at": "2023-08-01T10:00:00",
     "create_at": "2023-08-01T10:00:00", "deleted": true}
  ])");
  ASSERT_OK_AND_ASSIGN(EncodedStore e, EncodeStore(objects, "default"));
  ASSERT_EQ(e.write.ops_size(), 1);
  EXPECT_TRUE(e.write.ops(0).shop().deleted());
  EXPECT_EQ(e.write.ops(0).shop().category().id(), 3);
}

TEST(StoreCodecTest, FeedbackBecomesEventsWithIdempotencyKeysAndAttribution) {
  const auto objects = Parse(R"([
    {"_model_class": "Order", "token": "T1", "session_id": "s",
     "product_variants": [["a", 2], ["b", 1]], "update_at": "2023-08-01T10:00:00",
     "create_at": "2023-08-01T10:00:00"},
    {"_model_class": "Review", "id": 8, "session_id": "s", "user_id": 2, "product_id": 1,
     "product_variant_sku": "a", "rating": 4, "update_at": "2023-08-01T10:00:00",
     "create_at": "2023-08-01T10:00:00"},
    {"_model_class": "ProductDetailEnter", "session_id": "s", "user_id": 2, "product_id": 1,
     "product_variant_sku": "b", "recommendation_type": "HOMEPAGE", "model_name": "ease",
     "model_identifier": "ease_2023-08-01T10:00:00", "position": 3,
     "create_at": "2023-08-01T11:00:00"},
    {"_model_class": "ProductDetailLeave", "session_id": "s", "user_id": null, "product_id": 1,
     "product_variant_sku": "b", "time_spent": 12.5, "create_at": "2023-08-01T11:00:12"},
    {"_model_class": "RecommendationView", "session_id": "s", "product_id": 1,
     "product_variant_sku": "a", "recommendation_type": "CART", "model_identifier": "dummy",
     "position": 0, "create_at": "2023-08-01T11:00:13"},
    {"_model_class": "ProductAddToCart", "session_id": "s", "user_id": 2, "product_id": 1,
     "product_variant_sku": "a", "create_at": "2023-08-01T11:01:00"}
  ])");
  ASSERT_OK_AND_ASSIGN(EncodedStore e, EncodeStore(objects, "default"));
  const v1::WriteRequest& w = e.write;
  ASSERT_EQ(w.ops_size(), 7);  // 2 order lines, review, enter, leave, view, cart.
  EXPECT_EQ(w.ops(0).event().type(), "order");
  EXPECT_EQ(w.ops(0).event().item_id(), "a");
  EXPECT_EQ(w.ops(0).event().value(), 2);
  EXPECT_EQ(w.ops(0).event().event_id(), "order:T1:0");
  EXPECT_EQ(w.ops(1).event().event_id(), "order:T1:1");
  EXPECT_EQ(e.op_paths[1], "objects[0].product_variants[1]");
  EXPECT_EQ(w.ops(2).event().type(), "review");
  EXPECT_EQ(w.ops(2).event().user_id(), "2");
  EXPECT_EQ(w.ops(2).event().value(), 4);
  EXPECT_EQ(w.ops(2).event().event_id(), "review:8");
  EXPECT_EQ(e.op_paths[2], "objects[1].product_variant_sku");
  const v1::Event& enter = w.ops(3).event();
  EXPECT_EQ(enter.type(), "product_detail_enter");
  EXPECT_EQ(enter.context().at("surface"), "HOMEPAGE");
  EXPECT_EQ(enter.context().at("model"), "ease");
  EXPECT_EQ(enter.context().at("model_version"), "ease_2023-08-01T10:00:00");
  EXPECT_EQ(enter.context().at("position"), "3");
  EXPECT_EQ(enter.timestamp_ms(), absl::ToUnixMillis(Utc(2023, 8, 1, 11)));
  EXPECT_TRUE(enter.event_id().empty());
  EXPECT_EQ(w.ops(4).event().type(), "product_detail_leave");
  EXPECT_EQ(w.ops(4).event().value(), 12.5);
  EXPECT_TRUE(w.ops(4).event().user_id().empty());
  EXPECT_EQ(w.ops(5).event().type(), "recommendation_view");
  EXPECT_EQ(w.ops(5).event().context().at("surface"), "CART");
  EXPECT_EQ(w.ops(6).event().type(), "add_to_cart");
  // Feedback writes events only: the dashboard's clicks are the recorded detail enters.
  for (const v1::WriteOp& op : w.ops()) EXPECT_TRUE(op.has_event());
}

TEST(StoreCodecTest, ConfigIsAVersionedDocumentAndQueueItemsAskForTraining) {
  const auto objects = Parse(R"([
    {"_model_class": "Config", "retrievalSize": 7, "create_at": "2023-08-01T10:00:00"},
    {"_model_class": "TrainerQueueItem", "model_name": "ease"},
    {"_model_class": "TrainerQueueItem", "model_name": "not_a_model"}
  ])");
  ASSERT_OK_AND_ASSIGN(EncodedStore e, EncodeStore(objects, "default"));
  ASSERT_EQ(e.write.ops_size(), 1);
  const v1::Document& doc = e.write.ops(0).put_document();
  EXPECT_EQ(doc.collection(), kConfigs);
  EXPECT_EQ(doc.key(), kCurrentConfigKey);
  // Versioned by create_at: the core keeps the latest, whatever order frontends write in.
  EXPECT_EQ(doc.version(), absl::ToUnixMicros(Utc(2023, 8, 1, 10)));
  EXPECT_EQ(ConfigVersion(absl::UnixEpoch() - absl::Hours(1)), 1);
  EXPECT_THAT(doc.body(), HasSubstr("\"retrieval_size\":7"));
  EXPECT_THAT(e.train, ElementsAre("ease"));
}

TEST(StoreCodecTest, ConfigVersionsOfOneTimeShareTheirKey) {
  // The later one replaces the earlier when applied in log order, in every process.
  const auto objects = Parse(R"([
    {"_model_class": "Config", "retrievalSize": 7, "create_at": "2023-08-01T10:00:00"},
    {"_model_class": "Config", "retrievalSize": 8, "create_at": "2023-08-01T10:00:00"}
  ])");
  ASSERT_OK_AND_ASSIGN(EncodedStore e, EncodeStore(objects, "default"));
  ASSERT_EQ(e.write.ops_size(), 2);
  // One key and one version: of equal versions the core keeps the later write.
  EXPECT_EQ(e.write.ops(0).put_document().key(), kCurrentConfigKey);
  EXPECT_EQ(e.write.ops(1).put_document().key(), kCurrentConfigKey);
  EXPECT_EQ(e.write.ops(0).put_document().version(), e.write.ops(1).put_document().version());
  EXPECT_THAT(e.write.ops(1).put_document().body(), HasSubstr("\"retrieval_size\":8"));
}

TEST(StoreCodecTest, TimesBefore1970AreRejectedNamingTheObject) {
  const auto objects = Parse(R"([
    {"_model_class": "ProductAddToCart", "session_id": "s", "product_id": 1,
     "product_variant_sku": "a", "create_at": "1969-12-31T23:59:59"}
  ])");
  EXPECT_THAT(EncodeStore(objects, "default").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("objects[0].create_at")));
}

TEST(StoreCodecTest, CoreErrorsNameTheObjectField) {
  const auto objects = Parse(R"([
    {"_model_class": "Category", "id": 1},
    {"_model_class": "Order", "token": "T", "session_id": "s",
     "product_variants": [["a", 1], ["zz", 1]], "update_at": "2023-08-01T10:00:00",
     "create_at": "2023-08-01T10:00:00"}
  ])");
  ASSERT_OK_AND_ASSIGN(EncodedStore e, EncodeStore(objects, "default"));
  auto object_error = [&e](const absl::Status& core_error) {
    return api::RenameWriteOp(core_error, e.op_paths);
  };
  EXPECT_THAT(object_error(absl::NotFoundError("ops[2].event.item_id: unknown item 'zz'")),
              StatusIs(absl::StatusCode::kNotFound,
                       "objects[1].product_variants[1]: unknown item 'zz'"));
  // Errors that name no op, or an op out of range, pass unchanged.
  EXPECT_THAT(object_error(absl::UnavailableError("core down")),
              StatusIs(absl::StatusCode::kUnavailable, "core down"));
  EXPECT_THAT(object_error(absl::InvalidArgumentError("ops[9].x: bad")),
              StatusIs(absl::StatusCode::kInvalidArgument, "ops[9].x: bad"));
}

}  // namespace
}  // namespace recplat::http::ecoseller
