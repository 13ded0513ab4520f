// ShopCatalog: the mirror and the projection of variants onto items (ported from the ecoseller
// frontend's shop_store_test), and the document form of entities.
#include <optional>
#include <string>
#include <vector>

#include "core/shop/shop_catalog.h"
#include "core/shop/shop_entity.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::shop {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr int64_t kT = 1'690'884'000'000;

v1::ShopEntity Cat(int64_t id, std::optional<int64_t> parent = std::nullopt) {
  v1::ShopEntity e;
  e.mutable_category()->set_id(id);
  if (parent.has_value()) e.mutable_category()->set_parent_id(*parent);
  return e;
}

v1::ShopEntity Prod(int64_t id, std::optional<int64_t> category, std::vector<std::string> skus,
                    bool published = true, std::vector<int64_t> translations = {}) {
  v1::ShopEntity e;
  v1::ShopProduct* p = e.mutable_product();
  p->set_id(id);
  p->set_published(published);
  if (category.has_value()) p->set_category_id(*category);
  for (std::string& sku : skus) p->add_variant_skus(std::move(sku));
  for (int64_t t : translations) p->add_translation_ids(t);
  p->set_created_at_ms(kT);
  return e;
}

v1::ShopEntity Translation(int64_t id, std::string title) {
  v1::ShopEntity e;
  e.mutable_translation()->set_id(id);
  e.mutable_translation()->set_title(std::move(title));
  e.mutable_translation()->set_language_code("en");
  return e;
}

v1::ShopEntity Var(std::string sku, int64_t stock = 1, double weight = 1.0,
                   std::vector<int64_t> attributes = {}) {
  v1::ShopEntity e;
  v1::ShopVariant* v = e.mutable_variant();
  v->set_sku(std::move(sku));
  v->set_stock_quantity(stock);
  v->set_recommendation_weight(weight);
  for (int64_t a : attributes) v->add_attribute_ids(a);
  return e;
}

v1::ShopEntity AttrType(int64_t id, bool numerical) {
  v1::ShopEntity e;
  e.mutable_attribute_type()->set_id(id);
  e.mutable_attribute_type()->set_numerical(numerical);
  return e;
}

v1::ShopEntity Attr(int64_t id, int64_t type, std::string raw) {
  v1::ShopEntity e;
  e.mutable_attribute()->set_id(id);
  e.mutable_attribute()->set_type_id(type);
  e.mutable_attribute()->set_raw_value(std::move(raw));
  return e;
}

v1::ShopEntity Price(int64_t id, std::string sku, double value, int64_t updated_at_ms = kT) {
  v1::ShopEntity e;
  e.mutable_price()->set_id(id);
  e.mutable_price()->set_variant_sku(std::move(sku));
  e.mutable_price()->set_price(value);
  e.mutable_price()->set_updated_at_ms(updated_at_ms);
  return e;
}

v1::ShopEntity Deleted(v1::ShopEntity e) {
  e.set_deleted(true);
  return e;
}

class ShopCatalogTest : public ::testing::Test {
 protected:
  // Applies entities in order (sequence numbers from 1) and returns the union of their changes.
  ShopChanges Apply(const std::vector<v1::ShopEntity>& entities) {
    ShopChanges all;
    for (const v1::ShopEntity& e : entities) {
      ShopChanges changes;
      catalog_.Apply(e, ++seq_, &changes);
      all.reproject.insert(changes.reproject.begin(), changes.reproject.end());
      all.removed.insert(changes.removed.begin(), changes.removed.end());
    }
    return all;
  }

  v1::Item Item(const std::string& sku) {
    std::optional<v1::Item> item = catalog_.Project(sku, "t");
    EXPECT_TRUE(item.has_value()) << sku;
    return item.value_or(v1::Item());
  }

  std::vector<std::string> Categories(const std::string& sku) {
    v1::Item item = Item(sku);
    return {item.categories().begin(), item.categories().end()};
  }

  ShopCatalog catalog_;
  uint64_t seq_ = 0;
};

TEST_F(ShopCatalogTest, EveryInputShapesTheItem) {
  Apply({AttrType(1, true), AttrType(2, false), Attr(10, 1, " 42.5 "), Attr(11, 2, "red"),
         Cat(1), Cat(2, 1), Translation(7, "Chair"), Prod(100, 2, {"A", "B"}, true, {99, 7}),
         Var("A", 3, 2.5, {10, 11}), Var("B", 0, -1.0), Price(5, "A", 99.5)});
  v1::Item a = Item("A");
  EXPECT_EQ(a.id(), "A");
  EXPECT_EQ(a.tenant(), "t");
  EXPECT_EQ(a.title(), "Chair");  // Translation 99 is not stored: the first stored one counts.
  EXPECT_THAT(a.categories(), ElementsAre("category:2", "category:1"));
  EXPECT_THAT(a.numeric_attributes(), UnorderedElementsAre(Pair("price", 99.5),
                                                           Pair("attr:1", 42.5),
                                                           Pair("stock_quantity", 3.0)));
  EXPECT_THAT(a.categorical_attributes(),
              UnorderedElementsAre(Pair("attr:2", "red"), Pair("product_id", "100")));
  EXPECT_EQ(a.published_at_ms(), kT);
  EXPECT_TRUE(a.available());
  EXPECT_DOUBLE_EQ(a.recommendation_weight(), 2.5);
  EXPECT_TRUE(a.live());
  v1::Item b = Item("B");
  EXPECT_FALSE(b.available());                              // Out of stock...
  EXPECT_TRUE(b.live());                                    // ...but still live.
  EXPECT_DOUBLE_EQ(b.recommendation_weight(), 0.0);         // Negative weights count as 0.
  EXPECT_FALSE(catalog_.Project("Z", "t").has_value());     // Not a stored variant.
}

TEST_F(ShopCatalogTest, NumericalAndCategoricalAttributes) {
  Apply({Var("A", 1, 1, {10, 11, 12}), Attr(10, 1, "7"), Attr(11, 2, "not a number"),
         Attr(12, 3, "x")});
  // Types unknown so far: every attribute is categorical.
  EXPECT_THAT(Item("A").categorical_attributes(),
              UnorderedElementsAre(Pair("attr:1", "7"), Pair("attr:2", "not a number"),
                                   Pair("attr:3", "x")));
  ShopChanges changes = Apply({AttrType(1, true), AttrType(2, true)});
  EXPECT_THAT(changes.reproject, ElementsAre("A"));
  // NUMERICAL with a finite number: numeric; NUMERICAL without one: no attribute at all.
  EXPECT_THAT(Item("A").numeric_attributes(),
              UnorderedElementsAre(Pair("attr:1", 7.0), Pair("stock_quantity", 1.0)));
  EXPECT_THAT(Item("A").categorical_attributes(), UnorderedElementsAre(Pair("attr:3", "x")));
  EXPECT_THAT(Apply({Attr(10, 1, "8")}).reproject, ElementsAre("A"));
  EXPECT_DOUBLE_EQ(Item("A").numeric_attributes().at("attr:1"), 8.0);
  Apply({Attr(10, 1, "inf")});
  EXPECT_FALSE(Item("A").numeric_attributes().contains("attr:1"));
}

TEST_F(ShopCatalogTest, PricesByUpdateTimeThenLargerId) {
  Apply({Var("A"), Price(1, "A", 10, kT), Price(2, "A", 12, kT + 1)});
  EXPECT_DOUBLE_EQ(Item("A").numeric_attributes().at("price"), 12);
  EXPECT_THAT(Apply({Price(3, "A", 11, kT + 1)}).reproject, ElementsAre("A"));
  EXPECT_DOUBLE_EQ(Item("A").numeric_attributes().at("price"), 11);  // Tie: larger id.
  // A price moving to another SKU re-projects both (B is not a variant: only A).
  EXPECT_THAT(Apply({Price(3, "B", 11, kT + 1)}).reproject, ElementsAre("A"));
  EXPECT_DOUBLE_EQ(Item("A").numeric_attributes().at("price"), 12);
  Apply({Deleted(Price(2, "", 0)), Deleted(Price(1, "", 0))});
  EXPECT_FALSE(Item("A").numeric_attributes().contains("price"));
}

TEST_F(ShopCatalogTest, CategoryClosureMovesAndCycles) {
  Apply({Cat(1), Cat(2, 1), Cat(3), Cat(4, 2), Prod(100, 4, {"A"}), Prod(101, 2, {"B"}),
         Var("A"), Var("B")});
  EXPECT_THAT(Categories("A"), ElementsAre("category:4", "category:2", "category:1"));
  EXPECT_THAT(Categories("B"), ElementsAre("category:2", "category:1"));
  EXPECT_THAT(catalog_.ProductsInCategory(1),
              ElementsAre(Pair(100, ElementsAre("A")), Pair(101, ElementsAre("B"))));

  // Moving category 2 under 3 re-projects every variant below it.
  EXPECT_THAT(Apply({Cat(2, 3)}).reproject, ElementsAre("A", "B"));
  EXPECT_THAT(Categories("A"), ElementsAre("category:4", "category:2", "category:3"));
  EXPECT_THAT(catalog_.ProductsInCategory(1), IsEmpty());
  EXPECT_THAT(catalog_.ProductsInCategory(3), ElementsAre(Pair(100, _), Pair(101, _)));

  // A cycle 6 -> 7 -> 6 ends every walk.
  Apply({Cat(6, 7), Cat(7, 6), Prod(14, 6, {"E"}), Var("E")});
  EXPECT_THAT(Categories("E"), ElementsAre("category:6", "category:7"));
  EXPECT_THAT(catalog_.ProductsInCategory(7), ElementsAre(Pair(14, ElementsAre("E"))));
  // Deleting a category keeps its label (the product still names it) but ends the walk there.
  EXPECT_THAT(Apply({Deleted(Cat(2))}).reproject, ElementsAre("A", "B"));
  EXPECT_THAT(Categories("A"), ElementsAre("category:4", "category:2"));
}

TEST_F(ShopCatalogTest, ProductChangesReprojectTheirVariants) {
  Apply({Var("A", 2), Translation(7, "Old")});
  EXPECT_FALSE(Item("A").live());  // A variant before its product: stored, not live.
  EXPECT_FALSE(Item("A").categorical_attributes().contains("product_id"));

  EXPECT_THAT(Apply({Prod(1, std::nullopt, {"A"}, true, {7})}).reproject, ElementsAre("A"));
  EXPECT_TRUE(Item("A").live());
  EXPECT_EQ(Item("A").title(), "Old");
  EXPECT_THAT(Apply({Translation(7, "New")}).reproject, ElementsAre("A"));
  EXPECT_EQ(Item("A").title(), "New");

  Apply({Prod(1, std::nullopt, {"A"}, /*published=*/false, {7})});
  EXPECT_FALSE(Item("A").live());  // Unpublished.
  Apply({Prod(1, std::nullopt, {"A"}, /*published=*/true, {7})});
  EXPECT_TRUE(Item("A").live());   // Re-published.
  EXPECT_THAT(Apply({Deleted(Prod(1, std::nullopt, {}))}).reproject, ElementsAre("A"));
  EXPECT_FALSE(Item("A").live());  // No product.
  EXPECT_EQ(Item("A").title(), "");
}

TEST_F(ShopCatalogTest, ASkuBelongsToTheLastWrittenProductListingIt) {
  Apply({Var("A"), Prod(1, 10, {"A"}), Prod(2, 20, {"A"})});
  EXPECT_EQ(catalog_.OwnerOf("A"), 2);
  EXPECT_EQ(Item("A").categorical_attributes().at("product_id"), "2");
  // Product 2 drops A: A goes back to product 1, which still lists it.
  EXPECT_THAT(Apply({Prod(2, 20, {})}).reproject, ElementsAre("A"));
  EXPECT_EQ(catalog_.OwnerOf("A"), 1);
  EXPECT_THAT(Categories("A"), ElementsAre("category:10"));
  EXPECT_THAT(catalog_.ProductsInCategory(20), ElementsAre(Pair(2, IsEmpty())));
}

TEST_F(ShopCatalogTest, DeletedVariantsAreRemoved) {
  Apply({Prod(1, 1, {"A", "B"}), Var("A"), Var("B")});
  ShopChanges changes = Apply({Deleted(Var("B"))});
  EXPECT_THAT(changes.removed, ElementsAre("B"));
  EXPECT_THAT(changes.reproject, IsEmpty());
  EXPECT_FALSE(catalog_.HasVariant("B"));
  EXPECT_FALSE(catalog_.Project("B", "t").has_value());
  EXPECT_THAT(catalog_.ProductsInCategory(1), ElementsAre(Pair(1, ElementsAre("A"))));
  EXPECT_THAT(Apply({Deleted(Var("never"))}).removed, IsEmpty());
}

TEST_F(ShopCatalogTest, ApplyingTheStoredEntitiesInAnyOrderRebuildsTheSameItems) {
  const std::vector<v1::ShopEntity> entities = {
      Cat(1), Cat(2, 1), AttrType(1, true), Attr(10, 1, "3"), Translation(7, "T"),
      Prod(1, 2, {"A", "B"}, true, {7}), Prod(2, 1, {"B"}), Var("A", 1, 1, {10}), Var("B"),
      Price(1, "A", 5)};
  Apply(entities);
  // Rebuild from the final entities in reverse order, with each product's sequence number.
  ShopCatalog rebuilt;
  for (size_t i = entities.size(); i-- > 0;) rebuilt.Apply(entities[i], i + 1, nullptr);
  for (const std::string sku : {"A", "B"}) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*rebuilt.Project(sku, "t"),
                                                                   Item(sku)))
        << sku;
  }
  EXPECT_EQ(rebuilt.OwnerOf("B"), 2);
}

TEST(ShopEntityTest, DocumentsRoundTrip) {
  v1::ShopEntity product = Prod(42, 3, {"A"}, true, {7});
  EXPECT_EQ(CollectionOf(product), "_shop.product");
  EXPECT_EQ(KeyOf(product), "42");
  EXPECT_EQ(KeyOf(Var("SKU-1")), "SKU-1");
  EXPECT_EQ(CollectionOf(AttrType(1, true)), "_shop.attribute_type");
  ASSERT_OK_AND_ASSIGN(std::string body, BodyOf(product));
  EXPECT_NE(body.find("\"variant_skus\""), std::string::npos) << body;  // .proto field names.
  ASSERT_OK_AND_ASSIGN(v1::ShopEntity back, EntityFromDocument("t", "_shop.product", body));
  EXPECT_EQ(back.tenant(), "t");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(back.product(),
                                                                 product.product()));
  EXPECT_THAT(EntityFromDocument("t", "_shop.nope", "{}"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EntityFromDocument("t", "_shop.variant", "{not json"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BodyOf(v1::ShopEntity()), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::shop
