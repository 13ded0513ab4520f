// The engine's response cache (surfaces.<s>.cache): hits, misses, TTL, LRU eviction, drops on
// promotion, keys with model versions and gate states.
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/response_cache.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_fixture.h"

namespace recplat::engine {
namespace {

using ::testing::ElementsAre;

double Counter(prometheus::Registry& registry, const std::string& name,
               const std::string& surface) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& m : family.metric) {
      for (const prometheus::ClientMetric::Label& label : m.label) {
        if (label.name == "surface" && label.value == surface) return m.counter.value;
      }
    }
  }
  return 0;
}

class EngineCacheTest : public EngineTest {
 protected:
  config::SurfaceConfig Cached(int32_t size, double ttl_seconds = 60) {
    config::SurfaceConfig s;
    s.retrieval = {"ranker"};
    s.cache.size = size;
    s.cache.ttl_seconds = ttl_seconds;
    return s;
  }
  void BuildCached(int32_t size, double ttl_seconds = 60) {
    Build({{"ranker", {{"items", "2:3,3:2,4:1,5:0.5"}}}}, Cached(size, ttl_seconds));
  }
  bool CachedAnswer(const v1::RecommendRequest& req) {
    auto r = engine_->Recommend(req);
    EXPECT_OK(r.status());
    return r.ok() && r->cached();
  }
};

TEST_F(EngineCacheTest, TheSameRequestIsAnsweredFromTheCache) {
  BuildCached(10);
  auto req = Request(2);
  ASSERT_OK_AND_ASSIGN(auto first, engine_->Recommend(req));
  EXPECT_FALSE(first.cached());
  ASSERT_OK_AND_ASSIGN(auto second, engine_->Recommend(req));
  EXPECT_TRUE(second.cached());
  EXPECT_EQ(Ids(second), Ids(first));
  EXPECT_EQ(second.retrieval_model(), "ranker");
  EXPECT_NE(second.recommendation_id(), first.recommendation_id());
  // dry_run is not part of the key; every other field is.
  req.set_dry_run(true);
  EXPECT_TRUE(CachedAnswer(req));
  req.set_k(3);
  EXPECT_FALSE(CachedAnswer(req));
  req.set_k(2);
  req.set_user_id("someone");
  EXPECT_FALSE(CachedAnswer(req));
  EXPECT_EQ(Counter(metrics_, "recplat_engine_cache_hits_total", "default"), 2);
  EXPECT_EQ(Counter(metrics_, "recplat_engine_cache_misses_total", "default"), 3);
}

TEST_F(EngineCacheTest, EntriesExpireAfterTheTtl) {
  BuildCached(10, /*ttl_seconds=*/60);
  ASSERT_OK_AND_ASSIGN(auto first, engine_->Recommend(Request(2)));
  EXPECT_THAT(Ids(first), ElementsAre("i2", "i3"));
  // The catalog changes; within the TTL the stored answer is served as it was.
  v1::Item gone;
  gone.set_id("i2");
  gone.set_available(false);
  UpsertItem(gone);
  clock_.AdvanceMs(59'000);
  ASSERT_OK_AND_ASSIGN(auto cached, engine_->Recommend(Request(2)));
  EXPECT_TRUE(cached.cached());
  EXPECT_THAT(Ids(cached), ElementsAre("i2", "i3"));
  clock_.AdvanceMs(1'000);
  ASSERT_OK_AND_ASSIGN(auto fresh, engine_->Recommend(Request(2)));
  EXPECT_FALSE(fresh.cached());
  EXPECT_THAT(Ids(fresh), ElementsAre("i3", "i4"));
}

TEST_F(EngineCacheTest, TheRequestersOwnNewActivityIsANewKey) {
  BuildCached(10);
  const auto req = Request(2, "u1");
  EXPECT_FALSE(CachedAnswer(req));
  EXPECT_TRUE(CachedAnswer(req));
  // Another user's click changes nothing for u1.
  clock_.AdvanceMs(10);
  View("u2", "i3");
  EXPECT_TRUE(CachedAnswer(req));
  // u1's own click does: the next answer is computed anew (and then cached again).
  clock_.AdvanceMs(10);
  View("u1", "i5");
  EXPECT_FALSE(CachedAnswer(req));
  EXPECT_TRUE(CachedAnswer(req));
}

TEST_F(EngineCacheTest, TheLeastRecentlyUsedEntryIsEvicted) {
  BuildCached(2);
  auto a = Request(1), b = Request(2), c = Request(3);
  EXPECT_FALSE(CachedAnswer(a));
  EXPECT_FALSE(CachedAnswer(b));
  EXPECT_TRUE(CachedAnswer(a));   // a is now the most recent.
  EXPECT_FALSE(CachedAnswer(c));  // Evicts b.
  EXPECT_TRUE(CachedAnswer(a));
  EXPECT_TRUE(CachedAnswer(c));
  EXPECT_FALSE(CachedAnswer(b));
}

TEST_F(EngineCacheTest, APromotionDropsTheCacheAndVersionsAreInTheKey) {
  config::SurfaceConfig s = Cached(10);
  s.retrieval = {"trained"};
  Build({{"trained", {{"family", "scripted_trained"}, {"items", "4:2,5:1"}}},
         {"other", {{"family", "scripted_trained"}, {"items", "6:1"}}}},
        s);
  ASSERT_EQ(Publish("trained"), 1);
  auto req = Request(2);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  EXPECT_EQ(r.retrieval_model_version(), 1);
  EXPECT_TRUE(CachedAnswer(req));
  // A promotion of a model this request does not even use drops the whole cache.
  ASSERT_EQ(Publish("other"), 1);
  EXPECT_FALSE(CachedAnswer(req));
  EXPECT_TRUE(CachedAnswer(req));
  // A new version of the model used: a new answer, from that version.
  ASSERT_EQ(Publish("trained"), 2);
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_FALSE(r.cached());
  EXPECT_EQ(r.retrieval_model_version(), 2);
}

TEST_F(EngineCacheTest, AGateThatStartsToHoldIsANewKey) {
  config::SurfaceConfig s = Cached(10);
  s.retrieval = {"pop"};
  s.filters.exclude_seen = false;
  Build({{"pop", {{"items", "3:2,2:1"}}}}, s, [](EngineOptions& eo) {
    eo.models["pop"].serve_gate = {"order", 0};
  });
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(2)));
  EXPECT_EQ(r.retrieval_model(), "random");
  EXPECT_TRUE(CachedAnswer(Request(2)));
  View("buyer", "i0", "order");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(Request(2)));
  EXPECT_FALSE(r.cached());
  EXPECT_EQ(r.retrieval_model(), "pop");
}

TEST_F(EngineCacheTest, NoCacheOnSurfacesThatExcludeRecommendedItems) {
  config::SurfaceConfig s = Cached(10);
  s.filters.exclude_recommended = true;
  Build({{"ranker", {{"items", "2:3,3:2,4:1,5:0.5"}}}}, s);
  ASSERT_OK_AND_ASSIGN(auto first, engine_->Recommend(Request(2, "u")));
  ASSERT_OK_AND_ASSIGN(auto second, engine_->Recommend(Request(2, "u")));
  EXPECT_FALSE(second.cached());
  EXPECT_THAT(Ids(second), ElementsAre("i4", "i5"));
}

TEST(ResponseCacheKeyTest, CanonicalRequestPlusModelStates) {
  v1::RecommendRequest a;
  a.set_tenant("t");
  a.set_k(3);
  (*a.mutable_context())["x"] = "1";
  (*a.mutable_context())["y"] = "2";
  v1::RecommendRequest b;
  b.set_tenant("t");
  b.set_k(3);
  (*b.mutable_context())["y"] = "2";
  (*b.mutable_context())["x"] = "1";
  b.set_dry_run(true);
  EXPECT_EQ(ResponseCacheKey(a, "default", "m=1;"), ResponseCacheKey(b, "default", "m=1;"));
  // "" and "default" name the same surface.
  b.set_surface("default");
  EXPECT_EQ(ResponseCacheKey(a, "default", "m=1;"), ResponseCacheKey(b, "default", "m=1;"));
  EXPECT_NE(ResponseCacheKey(a, "default", "m=1;"), ResponseCacheKey(a, "default", "m=2;"));
  EXPECT_NE(ResponseCacheKey(a, "default", "m=1;"), ResponseCacheKey(a, "default", "m=1!;"));
  EXPECT_NE(ResponseCacheKey(a, "default", "m=1;"), ResponseCacheKey(a, "other", "m=1;"));
  b.set_session_id("s");
  EXPECT_NE(ResponseCacheKey(a, "default", "m=1;"), ResponseCacheKey(b, "default", "m=1;"));
}

TEST(ResponseCacheTest, GenerationsOnlyMoveForward) {
  testing::FakeClock clock;
  ResponseCache cache({.size = 10, .ttl_seconds = 5}, clock);
  v1::RecommendResponse r;
  r.add_items()->set_item_id("x");
  cache.Insert("k", r, /*generation=*/3);
  ASSERT_NE(cache.Lookup("k", 3), nullptr);
  EXPECT_EQ(cache.Lookup("k", 3)->items(0).item_id(), "x");
  // A request that started before a promotion neither reads nor writes.
  EXPECT_EQ(cache.Lookup("k", 2), nullptr);
  cache.Insert("old", r, 2);
  EXPECT_EQ(cache.size(), 1u);
  // The first access of a newer generation drops everything.
  EXPECT_EQ(cache.Lookup("other", 4), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Lookup("k", 4), nullptr);
  // Expiry.
  cache.Insert("k", r, 4);
  clock.AdvanceMs(4'999);
  EXPECT_NE(cache.Lookup("k", 4), nullptr);
  clock.AdvanceMs(1);
  EXPECT_EQ(cache.Lookup("k", 4), nullptr);
}

TEST(ResponseCacheTest, LargeCachesAreShardedButKeepTheirCapacity) {
  testing::FakeClock clock;
  ResponseCache cache({.size = 1000, .ttl_seconds = 60}, clock);
  v1::RecommendResponse r;
  for (int i = 0; i < 5000; ++i) cache.Insert("key" + std::to_string(i), r, 0);
  EXPECT_LE(cache.size(), 1000u + 16u);
  EXPECT_GE(cache.size(), 900u);
  EXPECT_NE(cache.Lookup("key4999", 0), nullptr);  // The newest survive.
  EXPECT_EQ(cache.Lookup("key0", 0), nullptr);
}

}  // namespace
}  // namespace recplat::engine
