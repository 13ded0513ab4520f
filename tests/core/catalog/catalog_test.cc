#include "core/catalog/catalog.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/catalog/catalog_query.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace recplat::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

ItemAttributes Attrs(std::vector<std::pair<std::string, double>> numeric,
                     std::vector<std::pair<std::string, std::string>> categorical) {
  return ItemAttributes{std::move(numeric), std::move(categorical)};
}

v1::CatalogQuery Categories(std::vector<std::string> names) {
  v1::CatalogQuery q;
  for (auto& n : names) q.add_categories(n);
  return q;
}

class CatalogQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 0: shoes (child of clothing), 10 EUR, acme; 1: clothing, 25, zeta; 2: food, 25, acme;
    // 3: clothing without a price, acme.
    c_.Set(0, "s", true, true, 1, 0, {"category:shoes", "category:clothing"},
           Attrs({{"price", 10}}, {{"brand", "acme"}}));
    c_.Set(1, "c", true, true, 1, 0, {"category:clothing"},
           Attrs({{"price", 25}}, {{"brand", "zeta"}}));
    c_.Set(2, "f", true, false, 1, 0, {"category:food"},
           Attrs({{"price", 25}}, {{"brand", "acme"}}));
    c_.Set(3, "n", true, true, 1, 0, {"category:clothing"}, Attrs({}, {{"brand", "acme"}}));
  }

  std::vector<uint32_t> Match(const v1::CatalogQuery& q, uint32_t start = 0, size_t limit = 100) {
    auto reader = c_.Read();
    return MatchQuery(reader, q, start, limit);
  }

  Catalog c_;
};

TEST_F(CatalogQueryTest, CategoriesMatchAnyLabelIncludingAncestors) {
  EXPECT_THAT(Match(Categories({"category:clothing"})), ElementsAre(0, 1, 3));
  EXPECT_THAT(Match(Categories({"category:shoes", "category:food"})), ElementsAre(0, 2));
  EXPECT_THAT(Match(Categories({"category:unknown"})), IsEmpty());
  // Unavailable items are live: availability is the engine's filter, not the query's.
  EXPECT_THAT(Match(Categories({"category:food"})), ElementsAre(2));
  // No clause: every live item.
  EXPECT_THAT(Match(v1::CatalogQuery()), ElementsAre(0, 1, 2, 3));
}

TEST_F(CatalogQueryTest, NumericBoundsAreExactAndNeedTheAttribute) {
  v1::CatalogQuery q;
  v1::NumericRange* price = q.add_numeric();
  price->set_attribute("price");
  price->set_ge(10);
  EXPECT_THAT(Match(q), ElementsAre(0, 1, 2));  // 3 has no price.
  price->clear_ge();
  price->set_gt(10);
  EXPECT_THAT(Match(q), ElementsAre(1, 2));
  price->set_lt(25);
  EXPECT_THAT(Match(q), IsEmpty());
  price->clear_lt();
  price->set_le(25);
  EXPECT_THAT(Match(q), ElementsAre(1, 2));
  q.mutable_numeric(0)->set_attribute("weight");
  EXPECT_THAT(Match(q), IsEmpty());
}

TEST_F(CatalogQueryTest, EveryClauseMustHold) {
  v1::CatalogQuery q = Categories({"category:clothing"});
  v1::CategoricalIn* brand = q.add_categorical();
  brand->set_attribute("brand");
  brand->add_values("acme");
  brand->add_values("nobody");
  EXPECT_THAT(Match(q), ElementsAre(0, 3));
  v1::NumericRange* price = q.add_numeric();
  price->set_attribute("price");
  price->set_le(100);
  EXPECT_THAT(Match(q), ElementsAre(0));
  brand->clear_values();
  brand->add_values("nobody");
  EXPECT_THAT(Match(q), IsEmpty());
}

TEST_F(CatalogQueryTest, LabelClausesAreAnAndOfOrs) {
  v1::CatalogQuery q;
  auto clause = [&q](std::vector<std::string> labels) {
    v1::LabelsAnyOf* c = q.add_label_clauses();
    for (auto& l : labels) c->add_labels(l);
  };
  clause({"category:clothing", "category:food"});
  EXPECT_TRUE(HasClauses(q));
  EXPECT_THAT(Match(q), ElementsAre(0, 1, 2, 3));
  clause({"category:shoes", "category:food", "category:unknown"});
  EXPECT_THAT(Match(q), ElementsAre(0, 2));
  // With the categories clause too.
  q.add_categories("category:shoes");
  EXPECT_THAT(Match(q), ElementsAre(0));
  // A clause of unknown labels matches nothing.
  clause({"category:unknown"});
  EXPECT_THAT(Match(q), IsEmpty());
}

TEST(CatalogBatchTest, ReadersSeeABatchWholeOrNotAtAll) {
  Catalog c;
  {
    Catalog::Batch batch(c);
    batch.Set(0, "a", true, true, 1, 0, {"x"});
    batch.Set(1, "b", true, true, 1, 0, {"x"});
  }
  auto reader = c.Read();
  EXPECT_EQ(reader.size(), 2u);
  EXPECT_EQ(reader.recommendable_count(), 2u);
  EXPECT_EQ(reader.Find("b"), 1u);
}

TEST_F(CatalogQueryTest, StartAndLimitPage) {
  v1::CatalogQuery q = Categories({"category:clothing", "category:food"});
  EXPECT_THAT(Match(q, 0, 2), ElementsAre(0, 1));
  EXPECT_THAT(Match(q, 2, 2), ElementsAre(2, 3));
  EXPECT_THAT(Match(q, 4, 2), IsEmpty());
}

TEST_F(CatalogQueryTest, IndexesFollowUpdatesAndDeletes) {
  // Item 1 moves from clothing to food and changes brand.
  c_.Set(1, "c", true, true, 1, 0, {"category:food"}, Attrs({{"price", 25}}, {{"brand", "acme"}}));
  EXPECT_THAT(Match(Categories({"category:clothing"})), ElementsAre(0, 3));
  EXPECT_THAT(Match(Categories({"category:food"})), ElementsAre(1, 2));
  v1::CatalogQuery zeta;
  zeta.add_categorical()->set_attribute("brand");
  zeta.mutable_categorical(0)->add_values("zeta");
  EXPECT_THAT(Match(zeta), IsEmpty());
  // A deleted item matches nothing; upserted again, it is back.
  c_.Delete(2);
  EXPECT_THAT(Match(Categories({"category:food"})), ElementsAre(1));
  v1::CatalogQuery cheap;
  cheap.add_numeric()->set_attribute("price");
  EXPECT_THAT(Match(cheap), ElementsAre(0, 1));
  c_.Set(2, "f", true, true, 1, 0, {"category:food"}, Attrs({}, {}));
  EXPECT_THAT(Match(Categories({"category:food"})), ElementsAre(1, 2));
  // Set with live = false keeps the index but leaves every posting list.
  c_.Set(0, "s", false, true, 1, 0, {"category:shoes"}, Attrs({}, {{"brand", "acme"}}));
  EXPECT_THAT(Match(Categories({"category:shoes"})), IsEmpty());
  auto reader = c_.Read();
  EXPECT_EQ(reader.live_count(), 3u);
}

TEST(CatalogQueryScaleTest, LargeCatalogsAnswerFromTheSmallestIndexedClause) {
  Catalog c;
  constexpr uint32_t kItems = 100000;
  for (uint32_t i = 0; i < kItems; ++i) {
    c.Set(i, absl::StrCat("i", i), true, true, 1, 0,
          {absl::StrCat("category:", i % 100), "category:all"},
          Attrs({{"price", static_cast<double>(i % 1000)}}, {{"brand", absl::StrCat("b", i % 7)}}));
  }
  auto reader = c.Read();
  v1::CatalogQuery q = Categories({"category:42", "category:43"});
  v1::NumericRange* price = q.add_numeric();
  price->set_attribute("price");
  price->set_lt(100);
  std::vector<uint32_t> got = MatchQuery(reader, q);
  // i % 100 in {42, 43} and i % 1000 < 100: i % 1000 in {42, 43}: 2 per 1000.
  ASSERT_EQ(got.size(), 200u);
  EXPECT_EQ(got[0], 42u);
  EXPECT_EQ(got[1], 43u);
  EXPECT_EQ(got[2], 1042u);
  EXPECT_EQ(reader.ItemsInCategory(reader.FindCategory("category:all")).size(), kItems);
}

}  // namespace
}  // namespace recplat::catalog
