// What the engine records of its answers: served lists for monitoring (incl. cache hits, not
// dry runs; ScanServed through the state store; retention) and the per-user serialisation of
// surfaces that exclude already recommended items.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/engine/engine.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_fixture.h"

namespace recplat::engine {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kDayMs = 24 * 3600 * 1000;

TEST_F(EngineTest, EveryAnswerButDryRunsIsRecordedAsAServedList) {
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  s.scoring = {"scorer"};
  s.cache.size = 10;
  extra_surfaces_["feed"] = config::SurfaceConfig{};
  Build({{"ranker", {{"items", "2:3,3:2"}}}, {"scorer", {{"items", "3:5,2:1"}}}}, s);
  const int64_t t0 = clock_.NowMs();
  auto req = Request(2, "u1");
  req.set_session_id("s1");
  (*req.mutable_context())["visit_id"] = "visit-1";
  ASSERT_OK_AND_ASSIGN(auto first, engine_->Recommend(req));
  clock_.AdvanceMs(10);
  ASSERT_OK_AND_ASSIGN(auto hit, engine_->Recommend(req));
  ASSERT_TRUE(hit.cached());
  auto dry = Request(1, "u2");
  dry.set_dry_run(true);
  ASSERT_OK(engine_->Recommend(dry).status());
  dry.set_surface("feed");
  ASSERT_OK(engine_->Recommend(dry).status());
  clock_.AdvanceMs(10);
  auto feed = Request(1);
  feed.set_surface("feed");
  ASSERT_OK_AND_ASSIGN(auto feed_answer, engine_->Recommend(feed));

  std::vector<v1::ServedList> lists = Served();
  ASSERT_EQ(lists.size(), 3u);  // No dry run.
  const v1::ServedList& l = lists[0];
  EXPECT_EQ(l.recommendation_id(), first.recommendation_id());
  EXPECT_EQ(l.tenant(), "default");
  EXPECT_EQ(l.surface(), "default");
  EXPECT_EQ(l.user_id(), "u1");
  EXPECT_EQ(l.session_id(), "s1");
  EXPECT_EQ(l.served_at_ms(), t0);
  EXPECT_EQ(l.retrieval_model(), "ranker");
  EXPECT_EQ(l.scoring_model(), "scorer");
  EXPECT_THAT(l.item_ids(), ElementsAre("i3", "i2"));
  // The request's context goes with the list (feedback naming the visit is attributed by it).
  ASSERT_EQ(l.context().size(), 1u);
  EXPECT_EQ(l.context().at("visit_id"), "visit-1");
  EXPECT_FALSE(l.cached());
  EXPECT_EQ(lists[1].recommendation_id(), hit.recommendation_id());
  EXPECT_EQ(lists[1].served_at_ms(), t0 + 10);
  EXPECT_TRUE(lists[1].cached());
  EXPECT_THAT(lists[1].item_ids(), ElementsAre("i3", "i2"));
  EXPECT_EQ(lists[2].surface(), "feed");
  EXPECT_EQ(lists[2].recommendation_id(), feed_answer.recommendation_id());

  // The range and surface filters of the scan.
  state::ServedListScan scan;
  scan.from_ms = t0 + 10;
  scan.to_ms = t0 + 10;
  ASSERT_EQ(Served(scan).size(), 1u);
  scan.to_ms = t0 + 20;
  scan.surface = "feed";
  lists = Served(scan);
  ASSERT_EQ(lists.size(), 1u);
  EXPECT_EQ(lists[0].surface(), "feed");
}

TEST_F(EngineTest, CacheHitsCountAsServedToTheUser) {
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  s.cache.size = 10;
  extra_surfaces_["fresh"] = config::SurfaceConfig{};
  extra_surfaces_["fresh"].retrieval = {"ranker"};
  extra_surfaces_["fresh"].filters.exclude_recommended = true;
  Build({{"ranker", {{"items", "2:3,3:2,4:1,5:0.5"}}}}, s);
  auto req = Request(2, "u");
  ASSERT_OK(engine_->Recommend(req).status());
  ASSERT_OK_AND_ASSIGN(auto hit, engine_->Recommend(req));
  ASSERT_TRUE(hit.cached());
  std::vector<uint32_t> served;
  ASSERT_OK(state_->ServedItems("default", "u", &served));
  EXPECT_EQ(served.size(), 2u);
  // A surface that excludes what was recommended sees them.
  req.set_surface("fresh");
  ASSERT_OK_AND_ASSIGN(auto fresh, engine_->Recommend(req));
  EXPECT_THAT(Ids(fresh), ElementsAre("i4", "i5"));
}

TEST_F(EngineTest, OldServedListsArePrunedAfterTheRetention) {
  config::SurfaceConfig s;
  Build({}, s, [](EngineOptions& eo) { eo.served_lists_days = 30; });
  ASSERT_OK_AND_ASSIGN(auto old, engine_->Recommend(Request(1)));
  ASSERT_EQ(Served().size(), 1u);
  clock_.AdvanceMs(31 * kDayMs);
  ASSERT_OK_AND_ASSIGN(auto recent, engine_->Recommend(Request(1)));
  std::vector<v1::ServedList> lists = Served();
  ASSERT_EQ(lists.size(), 1u);
  EXPECT_EQ(lists[0].recommendation_id(), recent.recommendation_id());

  // 0 keeps them forever.
  Build({}, s, [](EngineOptions& eo) { eo.served_lists_days = 0; });
  clock_.AdvanceMs(365 * kDayMs);
  ASSERT_OK(engine_->Recommend(Request(1)).status());
  EXPECT_EQ(Served().size(), 2u);
}

TEST_F(EngineTest, ServedListsQueuedAtStopAreWritten) {
  Build({}, config::SurfaceConfig{});
  ASSERT_OK(engine_->Recommend(Request(1)).status());
  engine_->Stop();
  std::vector<v1::ServedList> out;
  std::string next;
  ASSERT_OK(state_->ScanServed("default", {}, &out, &next));
  EXPECT_EQ(out.size(), 1u);
}

// Many threads ask for the same user at once on a surface that never repeats an item: the
// answers must not overlap. Without the per-user serialisation the concurrent calls read the
// same served set and all get the model's top items.
TEST_F(EngineTest, ConcurrentRequestsOfOneUserNeverShareAnItem) {
  config::SurfaceConfig s;
  s.retrieval = {"fixed"};
  s.filters.exclude_recommended = true;
  // Nine available items (i1 is not), best first; no fill-up from random needed.
  Build({{"fixed", {{"items", "2:9,3:8,4:7,5:6,6:5,7:4,8:3,9:2,0:1"}}}}, s);
  constexpr int kThreads = 4;
  constexpr int kUsers = 20;
  for (int u = 0; u < kUsers; ++u) {
    const std::string user = "user" + std::to_string(u);
    std::atomic<int> ready{0};
    std::vector<std::vector<std::string>> answers(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) {
        }
        auto r = engine_->Recommend(Request(2, user));
        if (r.ok()) answers[t] = Ids(*r);
      });
    }
    for (auto& th : threads) th.join();
    std::multiset<std::string> all;
    for (const auto& a : answers) {
      EXPECT_EQ(a.size(), 2u);
      all.insert(a.begin(), a.end());
    }
    const std::set<std::string> distinct(all.begin(), all.end());
    EXPECT_EQ(distinct.size(), all.size()) << user;
  }
}

}  // namespace
}  // namespace recplat::engine
