#include "core/engine/engine.h"

#include <set>

#include "core/engine/reranker.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_fixture.h"

namespace recplat::engine {
namespace {

using ::recplat::testing::StatusIs;

TEST_F(EngineTest, FirstReadyModelOfTheCascadeWins) {
  config::SurfaceConfig s;
  s.retrieval = {"not_ready", "broken", "good"};
  Build({{"not_ready", {{"items", "9:1"}, {"ready", "false"}}},
         {"broken", {{"items", "8:1"}, {"fail", "true"}}},
         {"good", {{"items", "3:0.9,2:0.5,7:0.1"}}}},
        s);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(2)));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"i3", "i2"}));
  EXPECT_EQ(r.retrieval_model(), "good");
  EXPECT_EQ(r.items(0).model(), "good");
  EXPECT_EQ(r.items(0).model_version(), 0);
  EXPECT_EQ(r.items(1).position(), 1);
  EXPECT_DOUBLE_EQ(r.items(0).score(), 0.9);
  EXPECT_FALSE(r.recommendation_id().empty());
}

TEST_F(EngineTest, MinKFillsUpFromTheNextModelsAndRandom) {
  config::SurfaceConfig s;
  s.retrieval = {"short", "other"};
  Build({{"short", {{"items", "3:5"}}}, {"other", {{"items", "4:9,3:1"}}}}, s);
  auto req = Request(8);
  req.set_min_k(3);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  ASSERT_GE(r.items_size(), 3);
  // The first model's item stays first although the filler scored higher in its own model.
  EXPECT_EQ(r.items(0).item_id(), "i3");
  EXPECT_EQ(r.items(0).model(), "short");
  EXPECT_EQ(r.items(1).item_id(), "i4");
  EXPECT_EQ(r.items(1).model(), "other");
  EXPECT_EQ(r.items(2).model(), "random");
  // Without min_k the first model's answer is enough.
  ASSERT_OK_AND_ASSIGN(auto plain, engine_->Recommend(Request(8)));
  EXPECT_EQ(Ids(plain), (std::vector<std::string>{"i3"}));
}

TEST_F(EngineTest, RandomIsTheFallbackAndNeverReturnsExcludedItems) {
  config::SurfaceConfig s;
  s.retrieval = {};
  Build({}, s);
  View("u", "i0");
  auto req = Request(20, "u");
  req.add_exclude_item_ids("i2");
  req.add_anchor_item_ids("i3");
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  const std::vector<std::string> ids = Ids(r);
  std::set<std::string> got(ids.begin(), ids.end());
  // 10 items minus seen i0, unavailable i1, excluded i2, anchor i3.
  EXPECT_EQ(got, (std::set<std::string>{"i4", "i5", "i6", "i7", "i8", "i9"}));
  EXPECT_EQ(r.items(0).model(), "random");
}

TEST_F(EngineTest, ScoringCascadeReordersCandidates) {
  config::SurfaceConfig s;
  s.retrieval = {"retriever"};
  s.scoring = {"unready_scorer", "scorer"};
  Build({{"retriever", {{"items", "2:3,3:2,4:1"}}},
         {"unready_scorer", {{"items", "2:1"}, {"ready", "false"}}},
         {"scorer", {{"items", "4:10,3:5"}}}},
        s);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(3)));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"i4", "i3", "i2"}));
  EXPECT_EQ(r.scoring_model(), "scorer");
  EXPECT_EQ(r.items(0).model(), "scorer");
}

TEST_F(EngineTest, DiversityModelReordersTheHeadBeforeTruncation) {
  config::SurfaceConfig s;
  s.retrieval = {"retriever"};
  s.diversity.method = "model";
  s.diversity.model = "spread";
  s.diversity.ordering_size = 3;
  Build({{"retriever", {{"items", "2:5,3:4,4:3,5:2"}}},
         {"spread", {{"items", ""}, {"similar", "true"}}},
         {"plain", {{"items", ""}}}},
        s);
  // The surface's model reverses the top 3; the 4th keeps its place; then k truncates.
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(4)));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"i4", "i3", "i2", "i5"}));
  // A request override of the head size.
  auto req = Request(3);
  req.set_diversity_model("spread");
  req.set_diversity_head(2);
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"i3", "i2", "i4"}));
  // A model without a re-rank leaves the order as scored.
  req.set_diversity_model("plain");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"i2", "i3", "i4"}));
}

TEST_F(EngineTest, CandidateRestrictionIsRankedByTheScorers) {
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  Build({{"ranker", {{"items", "6:1,5:2,0:3"}}}}, s);
  auto req = Request(10);
  for (const char* id : {"i5", "i6", "i1", "unknown"}) req.add_candidate_item_ids(id);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  // i1 is unavailable, "unknown" is ignored; the ranker orders the rest.
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"i5", "i6"}));
  EXPECT_EQ(r.retrieval_model(), "request");
  EXPECT_EQ(r.scoring_model(), "ranker");
}

TEST_F(EngineTest, AlreadyRecommendedItemsAreNotRepeatedWhenTheSurfaceSaysSo) {
  config::SurfaceConfig s;
  s.retrieval = {"fixed"};
  s.filters.exclude_recommended = true;
  Build({{"fixed", {{"items", "2:5,3:4,4:3,5:2"}}}}, s);
  ASSERT_OK_AND_ASSIGN(auto first, engine_->Recommend(Request(2, "reader")));
  EXPECT_EQ(Ids(first), (std::vector<std::string>{"i2", "i3"}));
  ASSERT_OK_AND_ASSIGN(auto second, engine_->Recommend(Request(2, "reader")));
  EXPECT_EQ(Ids(second), (std::vector<std::string>{"i4", "i5"}));
  auto dry = Request(2, "other");
  dry.set_dry_run(true);
  ASSERT_OK(engine_->Recommend(dry).status());
  ASSERT_OK_AND_ASSIGN(auto third, engine_->Recommend(Request(2, "other")));
  EXPECT_EQ(Ids(third), (std::vector<std::string>{"i2", "i3"}));  // Dry runs are not recorded.
}

TEST_F(EngineTest, ItemWeightsMultiplyScoresWhenEnabled) {
  std::deque<v1::LogRecord> records(1);
  v1::Item* item = records[0].mutable_item_upsert();
  item->set_tenant("default");
  item->set_id("i4");
  item->set_recommendation_weight(10);
  Apply(records);
  config::SurfaceConfig s;
  s.retrieval = {"fixed"};
  s.apply_item_weight = true;
  Build({{"fixed", {{"items", "2:5,4:1"}}}}, s);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(2)));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"i4", "i2"}));
}

TEST_F(EngineTest, RequestErrors) {
  config::SurfaceConfig s;
  s.max_k = 5;
  Build({}, s);
  auto req = Request(6);
  EXPECT_THAT(engine_->Recommend(req), StatusIs(absl::StatusCode::kInvalidArgument));
  req.set_k(2);
  req.set_surface("elsewhere");
  EXPECT_THAT(engine_->Recommend(req), StatusIs(absl::StatusCode::kInvalidArgument));
  // An unknown tenant is a cold start, not an error.
  req.set_surface("");
  req.set_tenant("empty");
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  EXPECT_EQ(r.items_size(), 0);
}

TEST_F(EngineTest, SimilarItemsUsesTheSimilarCascade) {
  config::SurfaceConfig s;
  s.similar = {"no_similar", "sim"};
  Build({{"no_similar", {{"items", "5:1"}}}, {"sim", {{"items", "4:0.9,3:0.8,2:0.1"}, {"similar", "true"}}}},
        s);
  v1::SimilarItemsRequest req;
  req.set_tenant("default");
  req.set_item_id("i3");
  req.set_k(5);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->SimilarItems(req));
  ASSERT_EQ(r.items_size(), 2);  // i3 itself is excluded.
  EXPECT_EQ(r.items(0).item_id(), "i4");
  EXPECT_EQ(r.items(0).model(), "sim");
  req.set_item_id("zzz");
  EXPECT_THAT(engine_->SimilarItems(req), StatusIs(absl::StatusCode::kNotFound));
  req.set_item_id("i3");
  req.set_model("nope");
  EXPECT_THAT(engine_->SimilarItems(req), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RerankTest, CategoryDiversityPullsForwardTheNextDifferentCategory) {
  catalog::Catalog c;
  // Items 0..5 with first categories a a a b a b.
  const char* cats[] = {"a", "a", "a", "b", "a", "b"};
  for (uint32_t i = 0; i < 6; ++i) {
    c.Set(i, "i" + std::to_string(i), true, true, 1.0f, 0, {cats[i]});
  }
  auto reader = c.Read();
  std::vector<models::ScoredItem> items;
  for (uint32_t i = 0; i < 6; ++i) items.push_back({i, 6.0 - i});
  config::DiversityConfig d;
  d.method = "category";
  d.window = 2;  // No two neighbours share a category when avoidable.
  Rerank(d, reader, &items);
  std::vector<uint32_t> order;
  for (const auto& s : items) order.push_back(s.item);
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 3, 1, 5, 2, 4}));
  // "none" keeps the order.
  std::vector<models::ScoredItem> same = items;
  d.method = "none";
  Rerank(d, reader, &same);
  EXPECT_EQ(same.front().item, items.front().item);
}

TEST_F(EngineTest, NonHistoryEventTypesAreSeenButNotHistory) {
  non_history_ = {"shown"};
  config::SurfaceConfig s;
  s.retrieval = {"needs_history"};
  s.filters.exclude_seen = true;
  Build({{"needs_history", {{"items", "2:0.9,3:0.8,4:0.7"}, {"ready", "history"}}}}, s);
  View("u", "i2", "shown");
  // Only an exposure: the history-based model is not ready, yet i2 counts as seen.
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(3, "u")));
  EXPECT_NE(r.retrieval_model(), "needs_history");
  for (const auto& item : r.items()) EXPECT_NE(item.item_id(), "i2");
  // A dislike (negative value) is no interest either, and is seen.
  View("u", "i3", "view", -1.0);
  ASSERT_OK_AND_ASSIGN(auto r1, engine_->Recommend(Request(3, "u")));
  EXPECT_NE(r1.retrieval_model(), "needs_history");
  for (const auto& item : r1.items()) EXPECT_NE(item.item_id(), "i3");
  // A real interaction makes a history.
  View("u", "i5");
  ASSERT_OK_AND_ASSIGN(auto r2, engine_->Recommend(Request(1, "u")));
  EXPECT_EQ(r2.retrieval_model(), "needs_history");
  EXPECT_EQ(Ids(r2), (std::vector<std::string>{"i4"}));
}

TEST_F(EngineTest, ExcludeSeenTypesDropOnlyThoseTypes) {
  config::SurfaceConfig s;
  s.retrieval = {"fixed"};
  s.filters.exclude_seen = true;
  s.filters.exclude_seen_types = {"order"};
  Build({{"fixed", {{"items", "2:0.9,3:0.8,4:0.7,5:0.6"}}}}, s);
  View("u", "i2", "order");
  View("u", "i3", "view");
  // The order is dropped, the view is not.
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(3, "u")));
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"i3", "i4", "i5"}));
}

TEST_F(EngineTest, OptionsFromConfigListTheNonHistoryTypes) {
  config::Config cfg;
  cfg.event_types["click"].history = true;
  cfg.event_types["recommended"].history = false;
  cfg.surfaces["feed"] = config::SurfaceConfig{};
  EngineOptions eo = EngineOptionsFromConfig(cfg);
  EXPECT_EQ(eo.non_history_event_types, (std::vector<std::string>{"recommended"}));
  EXPECT_EQ(eo.surfaces.count("feed"), 1u);
}

}  // namespace
}  // namespace recplat::engine
