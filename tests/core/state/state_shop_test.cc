// The state store applying shop entities: documents of "_shop.<kind>", derived items (live or
// dormant) in the same batch, and the shop catalog rebuilt when the store opens.
#include "gmock/gmock.h"
#include "tests/core/state/state_test_util.h"

namespace recplat::state {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using test::kT0;

v1::ShopEntity Cat(int64_t id, std::optional<int64_t> parent = std::nullopt) {
  v1::ShopEntity e;
  e.mutable_category()->set_id(id);
  if (parent.has_value()) e.mutable_category()->set_parent_id(*parent);
  return e;
}

v1::ShopEntity Prod(int64_t id, std::optional<int64_t> category, std::vector<std::string> skus,
                    bool published = true) {
  v1::ShopEntity e;
  e.mutable_product()->set_id(id);
  e.mutable_product()->set_published(published);
  if (category.has_value()) e.mutable_product()->set_category_id(*category);
  for (std::string& sku : skus) e.mutable_product()->add_variant_skus(std::move(sku));
  e.mutable_product()->set_created_at_ms(kT0 - 1000);
  return e;
}

v1::ShopEntity Var(const std::string& sku, int64_t stock = 1) {
  v1::ShopEntity e;
  e.mutable_variant()->set_sku(sku);
  e.mutable_variant()->set_stock_quantity(stock);
  e.mutable_variant()->set_recommendation_weight(1.0);
  return e;
}

v1::ShopEntity Deleted(v1::ShopEntity e) {
  e.set_deleted(true);
  return e;
}

class StateShopTest : public test::StateFixture {
 protected:
  std::vector<std::string> DocKeys(const std::string& collection) {
    std::vector<v1::Document> docs;
    std::string next;
    EXPECT_OK(store_->ScanDocuments("default", collection, "", "", 100, false, false, &docs,
                                    &next));
    std::vector<std::string> keys;
    for (const v1::Document& d : docs) keys.push_back(d.key());
    return keys;
  }

  std::vector<std::string> Categories(const std::string& sku) {
    absl::StatusOr<v1::Item> item = store_->GetItem("default", sku);
    EXPECT_OK(item);
    if (!item.ok()) return {};
    return {item->categories().begin(), item->categories().end()};
  }
};

TEST_F(StateShopTest, EntitiesAreDocumentsAndVariantsBecomeItems) {
  ASSERT_OK(ApplyAll({Shop(Cat(1)), Shop(Cat(2, 1)), Shop(Prod(100, 2, {"A", "B"})),
                      Shop(Var("A", 3)), Shop(Var("B", 0))}));
  EXPECT_THAT(DocKeys("_shop.category"), ElementsAre("1", "2"));
  EXPECT_THAT(DocKeys("_shop.product"), ElementsAre("100"));
  EXPECT_THAT(DocKeys("_shop.variant"), ElementsAre("A", "B"));
  std::vector<v1::Document> docs;
  ASSERT_OK(store_->GetDocuments("default", "_shop.variant", std::vector<std::string>{"A"}, &docs));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_NE(docs[0].body().find("\"stock_quantity\""), std::string::npos) << docs[0].body();

  ASSERT_OK_AND_ASSIGN(v1::Item a, store_->GetItem("default", "A"));
  EXPECT_TRUE(a.live());
  EXPECT_THAT(a.categories(), ElementsAre("category:2", "category:1"));
  EXPECT_EQ(a.published_at_ms(), kT0 - 1000);
  EXPECT_EQ(a.categorical_attributes().at("product_id"), "100");
  EXPECT_THAT(LiveIds(), ElementsAre("A", "B"));
  EXPECT_EQ(store_->LiveItemCount("default"), 2u);
  auto reader = store_->FindCatalog("default")->Read();
  EXPECT_TRUE(reader.Recommendable(*reader.Find("A")));
  EXPECT_FALSE(reader.Recommendable(*reader.Find("B")));  // Out of stock.
}

TEST_F(StateShopTest, UnpublishedAndDeletedVariantsStayKnownButNotLive) {
  ASSERT_OK(ApplyAll({Shop(Var("A")), Shop(Var("B"))}));  // No product yet: dormant.
  ASSERT_OK_AND_ASSIGN(v1::Item a, store_->GetItem("default", "A"));
  EXPECT_FALSE(a.live());
  EXPECT_TRUE(store_->ItemKnown("default", "A"));
  EXPECT_FALSE(store_->ItemKnown("default", "Z"));
  EXPECT_THAT(LiveIds(), IsEmpty());
  EXPECT_EQ(store_->LiveItemCount("default"), 0u);
  std::vector<v1::Item> page;
  uint32_t next = 0;
  ASSERT_OK(store_->ListItems("default", 0, 10, &page, &next));
  EXPECT_THAT(page, IsEmpty());

  ASSERT_OK(ApplyAll({Shop(Prod(1, std::nullopt, {"A", "B"}))}));
  EXPECT_TRUE(store_->GetItem("default", "A")->live());
  EXPECT_THAT(LiveIds(), ElementsAre("A", "B"));
  ASSERT_OK(ApplyAll({Shop(Prod(1, std::nullopt, {"A", "B"}, /*published=*/false))}));
  EXPECT_FALSE(store_->GetItem("default", "A")->live());
  EXPECT_THAT(LiveIds(), IsEmpty());
  ASSERT_OK(ApplyAll({Shop(Prod(1, std::nullopt, {"A", "B"}))}));  // Re-published.
  EXPECT_THAT(LiveIds(), ElementsAre("A", "B"));

  // A deleted variant's item stays known (events may name it) but is not live.
  ASSERT_OK(ApplyAll({Shop(Deleted(Var("B")))}));
  EXPECT_THAT(LiveIds(), ElementsAre("A"));
  EXPECT_TRUE(store_->ItemKnown("default", "B"));
  EXPECT_FALSE(store_->GetItem("default", "B")->live());
  EXPECT_THAT(DocKeys("_shop.variant"), ElementsAre("A"));
  ASSERT_OK(ApplyAll({Event("u", "B")}));
  EXPECT_EQ(store_->GetUser("default", "u")->event_count(), 1u);
  EXPECT_THAT(LiveIds(), ElementsAre("A"));  // The event does not revive it.

  // The dormant set survives a reopen.
  Reopen();
  EXPECT_TRUE(store_->ItemKnown("default", "B"));
  EXPECT_THAT(LiveIds(), ElementsAre("A"));
}

TEST_F(StateShopTest, AnItemDormantThenLiveInOneBatchEndsLive) {
  ASSERT_OK(ApplyAll({Shop(Var("C")), Shop(Prod(5, std::nullopt, {"C"}))}));
  EXPECT_TRUE(store_->GetItem("default", "C")->live());
  EXPECT_THAT(LiveIds(), ElementsAre("C"));
  ASSERT_OK(ApplyAll({Delete("C")}));
  EXPECT_FALSE(store_->ItemKnown("default", "C"));  // Deleted, not dormant.
  EXPECT_FALSE(Found("C"));
}

TEST_F(StateShopTest, TheCatalogIsRebuiltWhenTheStoreOpens) {
  ASSERT_OK(ApplyAll({Shop(Cat(1)), Shop(Cat(2, 1)), Shop(Cat(3)), Shop(Prod(100, 2, {"A"})),
                      Shop(Prod(102, 1, {"B"})), Shop(Prod(101, 3, {"B"})), Shop(Var("A")),
                      Shop(Var("B"))}));
  EXPECT_THAT(Categories("B"), ElementsAre("category:3"));  // Product 101 was written last.
  Reopen();
  // The rebuilt indexes drive re-projection: moving category 2 re-projects A; B stays with the
  // product written last before the restart (not the larger id).
  ASSERT_OK(ApplyAll({Shop(Cat(2, 3))}));
  EXPECT_THAT(Categories("A"), ElementsAre("category:2", "category:3"));
  ASSERT_OK(ApplyAll({Shop(Var("B", 5))}));
  EXPECT_THAT(Categories("B"), ElementsAre("category:3"));
  ASSERT_OK(ApplyAll({Shop(Deleted(Prod(101, std::nullopt, {})))}));
  EXPECT_THAT(Categories("B"), ElementsAre("category:1"));
  EXPECT_THAT(DocKeys("_shop.product"), ElementsAre("100", "102"));
}

TEST_F(StateShopTest, AFailedBatchLeavesTheCatalogAsItWas) {
  ASSERT_OK(ApplyAll({Shop(Prod(1, std::nullopt, {"A"}))}));
  // The variant is applied to the in-memory catalog, then the batch fails (offsets go back).
  v1::LogRecord variant = Shop(Var("A"));
  v1::LogRecord other = Item("x");
  std::vector<OffsetRecord> bad = {{next_offset_ + 1, &variant}, {next_offset_, &other}};
  EXPECT_THAT(store_->Apply(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(Found("A"));
  // Had the catalog kept variant A, this product write would project it.
  ASSERT_OK(ApplyAll({Shop(Prod(1, 5, {"A"}))}));
  EXPECT_FALSE(Found("A"));
  ASSERT_OK(ApplyAll({Shop(Var("A"))}));
  EXPECT_THAT(Categories("A"), ElementsAre("category:5"));
}

TEST_F(StateShopTest, TenantsHaveTheirOwnCatalogs) {
  ASSERT_OK(ApplyAll({Shop(Prod(1, 7, {"A"}), "t1"), Shop(Var("A"), "t2")}));
  EXPECT_TRUE(store_->GetItem("t2", "A").ok());
  EXPECT_FALSE(store_->GetItem("t2", "A")->live());  // Product 1 is in t1.
  EXPECT_FALSE(store_->GetItem("t1", "A").ok());
}

}  // namespace
}  // namespace recplat::state
