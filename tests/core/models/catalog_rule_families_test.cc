// The catalog_order and weighted_random families (ecoseller's dummy and selection).
#include <map>
#include <set>

#include "core/models/catalog_rule_families.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/models/models_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::models {
namespace {

using ::recplat::testing::IsOk;
using ::testing::ElementsAre;
using namespace ::recplat::models::testing;  // NOLINT

struct Req {
  explicit Req(const catalog::Catalog& c, uint64_t seed = 1) : reader(c.Read()), rng(seed) {
    ctx.catalog = &reader;
    ctx.rng = &rng;
    ctx.filter = &filter;
  }
  catalog::Catalog::Reader reader;
  common::Rng rng;
  SetFilter filter;
  RecommendContext ctx;
};

TEST(CatalogOrderFamilyTest, RetrievesEligibleItemsInCatalogOrderAndScoresByIt) {
  auto catalog = MakeCatalog(10);
  catalog->Set(1, "i1", true, /*available=*/false, 1.0f, 0, {});
  auto m = CatalogOrderFamily().Fit(TrainingData(), ModelParams());
  ASSERT_THAT(m, IsOk());
  Req r(*catalog);
  r.filter.Exclude(2);
  std::vector<ScoredItem> got;
  ASSERT_THAT((*m)->Retrieve(r.ctx, 4, &got), IsOk());
  EXPECT_THAT(Items(got), ElementsAre(0u, 3u, 4u, 5u));
  std::vector<ScoredItem> items = {{7, 0}, {3, 0}, {9, 0}};
  ASSERT_THAT((*m)->Score(r.ctx, items), IsOk());
  EXPECT_GT(items[1].score, items[0].score);
  EXPECT_GT(items[0].score, items[2].score);
  recplat::testing::TempDir tmp;
  auto loaded = SaveAndLoad(**m, CatalogOrderFamily(), tmp);
  ASSERT_THAT(loaded, IsOk());
}

TEST(WeightedRandomFamilyTest, NeverPrefersZeroWeightAndScoresByWeight) {
  auto catalog = MakeCatalog(100);
  // Items 0..49 have weight 0, 50..99 weight 1..50; item 99 is unavailable.
  for (uint32_t i = 0; i < 100; ++i) {
    catalog->Set(i, absl::StrCat("i", i), true, i != 99, i < 50 ? 0.0f : float(i - 49), 0, {});
  }
  auto m = WeightedRandomFamily().Fit(TrainingData(), ModelParams());
  ASSERT_THAT(m, IsOk());
  std::map<uint32_t, int> picked;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Req r(*catalog, seed);
    std::vector<ScoredItem> got;
    ASSERT_THAT((*m)->Retrieve(r.ctx, 10, &got), IsOk());
    ASSERT_EQ(got.size(), 10u);
    std::set<uint32_t> distinct;
    for (const ScoredItem& s : got) {
      EXPECT_GE(s.item, 50u);
      EXPECT_NE(s.item, 99u);
      EXPECT_TRUE(distinct.insert(s.item).second);
      ++picked[s.item];
    }
  }
  // Heavier items are drawn more often than light ones.
  EXPECT_GT(picked[98], picked[51]);
  Req r(*catalog);
  std::vector<ScoredItem> items = {{60, 0}, {90, 0}, {10, 0}};
  ASSERT_THAT((*m)->Score(r.ctx, items), IsOk());
  EXPECT_DOUBLE_EQ(items[0].score, 11.0);
  EXPECT_DOUBLE_EQ(items[1].score, 41.0);
  EXPECT_DOUBLE_EQ(items[2].score, 0.0);
}

}  // namespace
}  // namespace recplat::models
