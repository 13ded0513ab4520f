// The random and recent families (untrained, built from params and the live catalog).
#include <map>
#include <set>

#include "core/models/random_family.h"
#include "core/models/recent_family.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/models/models_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::models {
namespace {

using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace ::recplat::models::testing;  // NOLINT

struct Request {
  explicit Request(const catalog::Catalog& c, uint64_t seed = 1) : reader(c.Read()), rng(seed) {
    ctx.catalog = &reader;
    ctx.rng = &rng;
    ctx.filter = &filter;
  }
  catalog::Catalog::Reader reader;
  common::Rng rng;
  SetFilter filter;
  RecommendContext ctx;
};

std::unique_ptr<Model> Fit(const ModelFamily& f, std::map<std::string, std::string> p = {}) {
  auto m = f.Fit(TrainingData(), ModelParams(std::move(p)));
  EXPECT_THAT(m, IsOk());
  return m.ok() ? std::move(m).value() : nullptr;
}

TEST(RandomFamilyTest, NeverRepeatsNorReturnsExcludedOrUnavailable) {
  auto catalog = MakeCatalog(200);
  catalog->Set(5, "i5", true, /*available=*/false, 1.0f, 0, {});
  catalog->Delete(6);
  auto m = Fit(RandomFamily());
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Request r(*catalog, seed);
    for (uint32_t i = 10; i < 200; i += 3) {
      r.filter.Exclude(i);
    }
    std::vector<ScoredItem> got;
    ASSERT_THAT(m->Retrieve(r.ctx, 50, &got), IsOk());
    ASSERT_EQ(got.size(), 50u);
    std::set<uint32_t> distinct;
    for (size_t k = 0; k < got.size(); ++k) {
      const uint32_t item = got[k].item;
      EXPECT_TRUE(distinct.insert(item).second) << "repeated " << item;
      EXPECT_FALSE(r.filter.Excluded(item));
      EXPECT_NE(item, 5u);
      EXPECT_NE(item, 6u);
      if (k > 0) {
        EXPECT_GE(got[k - 1].score, got[k].score);
      }
    }
  }
}

TEST(RandomFamilyTest, FindsTheFewItemsLeftWhenAlmostAllAreFiltered) {
  auto catalog = MakeCatalog(5000);
  auto m = Fit(RandomFamily());
  const std::set<uint32_t> allowed = {3, 1234, 2500, 4999};
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    Request r(*catalog, seed);
    for (uint32_t i = 0; i < 5000; ++i) {
      if (!allowed.contains(i)) {
        r.filter.Exclude(i);
      }
    }
    std::vector<ScoredItem> got;
    ASSERT_THAT(m->Retrieve(r.ctx, 10, &got), IsOk());
    std::vector<uint32_t> items = Items(got);
    EXPECT_EQ(std::set<uint32_t>(items.begin(), items.end()), allowed);
    EXPECT_EQ(items.size(), allowed.size());
  }
}

TEST(RandomFamilyTest, SamplesUniformly) {
  // 10 eligible items, 20000 single draws: each expected 2000 times (sd about 42).
  auto catalog = MakeCatalog(10);
  auto m = Fit(RandomFamily());
  Request r(*catalog, 7);
  std::map<uint32_t, int> counts;
  for (int t = 0; t < 20000; ++t) {
    std::vector<ScoredItem> got;
    ASSERT_THAT(m->Retrieve(r.ctx, 1, &got), IsOk());
    ASSERT_EQ(got.size(), 1u);
    ++counts[got[0].item];
  }
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [item, n] : counts) {
    EXPECT_NEAR(n, 2000, 250) << "item " << item;
  }
}

TEST(RandomFamilyTest, AlwaysReadyAndHandlesEmptyCatalogs) {
  catalog::Catalog empty;
  auto m = Fit(RandomFamily());
  Request r(empty);
  EXPECT_TRUE(m->Ready(r.ctx));
  std::vector<ScoredItem> got;
  ASSERT_THAT(m->Retrieve(r.ctx, 10, &got), IsOk());
  EXPECT_THAT(got, IsEmpty());
  std::vector<ScoredItem> items = {{1, 0}, {2, 0}};
  ASSERT_THAT(m->Score(r.ctx, std::span<ScoredItem>(items)), IsOk());
  for (const ScoredItem& s : items) {
    EXPECT_GE(s.score, 0.0);
    EXPECT_LT(s.score, 1.0);
  }
  EXPECT_THAT(RandomFamily().Fit(TrainingData(), P({{"seed", "1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RandomFamilyTest, SaveLoadAnswersIdentically) {
  recplat::testing::TempDir tmp;
  auto catalog = MakeCatalog(100);
  auto m = Fit(RandomFamily());
  ASSERT_OK_AND_ASSIGN(auto loaded, SaveAndLoad(*m, RandomFamily(), tmp));
  Request a(*catalog, 3);
  Request b(*catalog, 3);
  std::vector<ScoredItem> ga, gb;
  ASSERT_THAT(m->Retrieve(a.ctx, 20, &ga), IsOk());
  ASSERT_THAT(loaded->Retrieve(b.ctx, 20, &gb), IsOk());
  EXPECT_EQ(Items(ga), Items(gb));
  EXPECT_THAT(RandomFamily().Load(tmp.path() / "missing", ModelParams()),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(RecentFamilyTest, NewestFirstSkippingFilteredAndUnavailable) {
  // Item i is published at (i + 1) s: newest first is 9, 8, 7, ...
  auto catalog = MakeCatalog(10);
  catalog->Set(8, "i8", true, /*available=*/false, 1.0f, 9000, {});
  auto m = Fit(RecentFamily());
  Request r(*catalog);
  r.filter.Exclude(9);
  ASSERT_TRUE(m->Ready(r.ctx));
  std::vector<ScoredItem> got;
  ASSERT_THAT(m->Retrieve(r.ctx, 3, &got), IsOk());
  ASSERT_THAT(Items(got), ElementsAre(7u, 6u, 5u));
  EXPECT_EQ(got[0].score, 8000.0);
  EXPECT_EQ(got[2].score, 6000.0);
}

TEST(RecentFamilyTest, MaxAgeIsRelativeToTheRequestTime) {
  // now = 10 s; max age 0.001 h = 3.6 s: items published at >= 6.4 s, i.e. items 6..9.
  auto catalog = MakeCatalog(10);
  auto m = Fit(RecentFamily(), {{"max_age_hours", "0.001"}});
  Request r(*catalog);
  r.ctx.now_ms = 10000;
  std::vector<ScoredItem> got;
  ASSERT_THAT(m->Retrieve(r.ctx, 100, &got), IsOk());
  EXPECT_THAT(Items(got), ElementsAre(9u, 8u, 7u, 6u));
  auto unlimited = Fit(RecentFamily());
  got.clear();
  ASSERT_THAT(unlimited->Retrieve(r.ctx, 100, &got), IsOk());
  EXPECT_EQ(got.size(), 10u);
}

TEST(RecentFamilyTest, ScoreIsPublicationTimeAndUnknownItemsLast) {
  auto catalog = MakeCatalog(4);
  catalog->Delete(2);
  auto m = Fit(RecentFamily());
  Request r(*catalog);
  std::vector<ScoredItem> items = {{0, 0}, {3, 0}, {2, 0}, {50, 0}};
  ASSERT_THAT(m->Score(r.ctx, std::span<ScoredItem>(items)), IsOk());
  EXPECT_EQ(items[0].score, 1000.0);
  EXPECT_EQ(items[1].score, 4000.0);
  EXPECT_LT(items[2].score, 0.0);
  EXPECT_LT(items[3].score, 0.0);
}

TEST(RecentFamilyTest, NotReadyWithoutRecommendableItems) {
  catalog::Catalog empty;
  auto m = Fit(RecentFamily());
  Request r(empty);
  EXPECT_FALSE(m->Ready(r.ctx));
  auto catalog = MakeCatalog(1);
  catalog->Set(0, "i0", true, false, 1.0f, 0, {});
  Request r2(*catalog);
  EXPECT_FALSE(m->Ready(r2.ctx));
}

TEST(RecentFamilyTest, SaveLoadKeepsMaxAge) {
  recplat::testing::TempDir tmp;
  auto catalog = MakeCatalog(10);
  auto m = Fit(RecentFamily(), {{"max_age_hours", "0.001"}});
  ASSERT_OK_AND_ASSIGN(auto loaded, SaveAndLoad(*m, RecentFamily(), tmp));
  Request r(*catalog);
  r.ctx.now_ms = 10000;
  std::vector<ScoredItem> a, b;
  ASSERT_THAT(m->Retrieve(r.ctx, 100, &a), IsOk());
  ASSERT_THAT(loaded->Retrieve(r.ctx, 100, &b), IsOk());
  EXPECT_EQ(Items(a), Items(b));
  EXPECT_EQ(b.size(), 4u);
}

}  // namespace
}  // namespace recplat::models
