// Engine features driven by the request and the model configs: catalog queries, anchor choice,
// require_known_anchor, the available_first ordering stage, serving gates.
#include <map>
#include <set>
#include <string>

#include "core/engine/engine.h"
#include "core/engine/ordering_stage.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_fixture.h"

namespace recplat::engine {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class EngineRequestTest : public EngineTest {
 protected:
  // i2: shoes under clothing, 10, acme; i4: clothing, 50, zeta; i6: food, 20, acme.
  void AddAttributes() {
    auto item = [](const std::string& id, std::vector<std::string> cats, double price,
                   const std::string& brand) {
      v1::Item it;
      it.set_id(id);
      for (auto& c : cats) it.add_categories(c);
      (*it.mutable_numeric_attributes())["price"] = price;
      (*it.mutable_categorical_attributes())["brand"] = brand;
      return it;
    };
    UpsertItem(item("i2", {"category:7", "category:3"}, 10, "acme"));
    UpsertItem(item("i4", {"category:3"}, 50, "zeta"));
    UpsertItem(item("i6", {"category:8"}, 20, "acme"));
  }
};

TEST_F(EngineRequestTest, QueryRestrictsTheCandidatesToMatchingItems) {
  AddAttributes();
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  Build({{"ranker", {{"items", "6:3,4:2,2:1"}}}}, s);
  // A parent category label matches the items labelled with it (i2 is in 7, under 3).
  auto req = Request(10);
  req.mutable_query()->add_categories("category:3");
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  EXPECT_THAT(Ids(r), ElementsAre("i4", "i2"));
  EXPECT_EQ(r.retrieval_model(), "request");
  EXPECT_EQ(r.scoring_model(), "ranker");
  // A numeric range.
  req.clear_query();
  v1::NumericRange* price = req.mutable_query()->add_numeric();
  price->set_attribute("price");
  price->set_ge(15);
  price->set_lt(60);
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_THAT(Ids(r), ElementsAre("i6", "i4"));
  // Categorical IN, together with the range.
  v1::CategoricalIn* brand = req.mutable_query()->add_categorical();
  brand->set_attribute("brand");
  brand->add_values("acme");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_THAT(Ids(r), ElementsAre("i6"));
  // With candidate ids, both restrict.
  req.clear_query();
  req.mutable_query()->add_categories("category:3");
  req.add_candidate_item_ids("i4");
  req.add_candidate_item_ids("i6");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_THAT(Ids(r), ElementsAre("i4"));
  // Nothing matches: nothing is recommended (no fallback to the whole catalog).
  req.clear_candidate_item_ids();
  req.mutable_query()->set_categories(0, "category:unknown");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_EQ(r.items_size(), 0);
}

TEST_F(EngineRequestTest, QueryResultsStillPassTheFilters) {
  AddAttributes();
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  Build({{"ranker", {{"items", "6:3,4:2,2:1"}}}}, s);
  View("u", "i4");
  auto req = Request(10, "u");
  req.mutable_query()->add_categories("category:3");
  req.mutable_query()->add_categories("category:8");
  req.add_exclude_item_ids("i6");
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  EXPECT_THAT(Ids(r), ElementsAre("i2"));  // i4 seen, i6 excluded.
}

TEST_F(EngineRequestTest, AnchorsAllKeepsTheRequestOrder) {
  config::SurfaceConfig s;
  s.retrieval = {"echo"};
  Build({{"echo", {{"echo_anchors", "true"}}}}, s);
  auto req = Request(3);
  for (const char* a : {"i0", "unknown", "i2", "i3"}) req.add_anchor_item_ids(a);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  EXPECT_THAT(Ids(r), ElementsAre("i5", "i7", "i8"));
}

TEST_F(EngineRequestTest, RandomFirstAnchorIsUniformAndSeeded) {
  config::SurfaceConfig s;
  s.retrieval = {"echo"};
  Build({{"echo", {{"echo_anchors", "true"}}}}, s);
  auto req = Request(3);
  for (const char* a : {"i0", "i2", "i3"}) req.add_anchor_item_ids(a);
  req.set_anchor_choice(v1::ANCHORS_RANDOM_FIRST);
  std::map<std::string, int> first;
  constexpr int kSeeds = 300;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    Reseed(seed);
    ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
    ASSERT_EQ(r.items_size(), 3);  // Every anchor is still used.
    const std::vector<std::string> ids = Ids(r);
    std::set<std::string> all(ids.begin(), ids.end());
    EXPECT_EQ(all, (std::set<std::string>{"i5", "i7", "i8"}));
    ++first[r.items(0).item_id()];
  }
  // Each anchor first about a third of the time (expected 100, sd ~8).
  for (const char* echo : {"i5", "i7", "i8"}) {
    EXPECT_GT(first[echo], 65) << echo;
    EXPECT_LT(first[echo], 135) << echo;
  }
  // The same seed makes the same choice.
  Reseed(7);
  ASSERT_OK_AND_ASSIGN(auto a, engine_->Recommend(req));
  Reseed(7);
  ASSERT_OK_AND_ASSIGN(auto b, engine_->Recommend(req));
  EXPECT_EQ(Ids(a), Ids(b));
  EXPECT_EQ(a.recommendation_id(), b.recommendation_id());
}

TEST_F(EngineRequestTest, RandomOneAnchorUsesOneAndExcludesTheOthers) {
  config::SurfaceConfig s;
  s.retrieval = {"echo"};
  Build({{"echo", {{"echo_anchors", "true"}}}}, s);
  auto req = Request(9);
  for (const char* a : {"i0", "i2", "i3"}) req.add_anchor_item_ids(a);
  req.set_anchor_choice(v1::ANCHORS_RANDOM_ONE);
  req.set_min_k(6);  // Random fills up: the other anchors must still not appear.
  std::map<std::string, int> chosen;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    Reseed(seed);
    ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
    ASSERT_GE(r.items_size(), 6);
    EXPECT_EQ(r.items(0).model(), "echo");
    EXPECT_NE(r.items(1).model(), "echo");  // One anchor, one echo.
    for (const auto& item : r.items()) {
      EXPECT_NE(item.item_id(), "i0");
      EXPECT_NE(item.item_id(), "i2");
      EXPECT_NE(item.item_id(), "i3");
    }
    ++chosen[r.items(0).item_id()];
  }
  for (const char* echo : {"i5", "i7", "i8"}) {
    EXPECT_GT(chosen[echo], 65) << echo;
    EXPECT_LT(chosen[echo], 135) << echo;
  }
}

TEST_F(EngineRequestTest, RequireKnownAnchor) {
  config::SurfaceConfig s;
  s.retrieval = {"echo"};
  Build({{"echo", {{"echo_anchors", "true"}}}}, s);
  auto req = Request(3);
  req.add_anchor_item_ids("nope");
  req.add_anchor_item_ids("nada");
  // Without the flag, unknown anchors are ignored.
  ASSERT_OK(engine_->Recommend(req).status());
  req.set_require_known_anchor(true);
  EXPECT_THAT(engine_->Recommend(req), StatusIs(absl::StatusCode::kNotFound,
                                                HasSubstr("no known anchor among [nope, nada]")));
  // A tenant without any item knows no anchor either.
  req.set_tenant("empty");
  EXPECT_THAT(engine_->Recommend(req), StatusIs(absl::StatusCode::kNotFound));
  req.set_tenant("default");
  req.add_anchor_item_ids("i3");
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  EXPECT_THAT(Ids(r), ElementsAre("i8"));
  // No anchors at all is not an error.
  req.clear_anchor_item_ids();
  ASSERT_OK(engine_->Recommend(req).status());
}

TEST_F(EngineRequestTest, AvailableFirstListsUnavailableItemsLast) {
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  s.filters.exclude_unavailable = false;  // i1 (unavailable) is listed.
  Build({{"ranker", {{"items", "1:9,2:5,3:4"}}}}, s);
  ASSERT_OK_AND_ASSIGN(auto plain, engine_->Recommend(Request(3)));
  EXPECT_THAT(Ids(plain), ElementsAre("i1", "i2", "i3"));
  s.ordering = {"diversity", "available_first"};
  Build({{"ranker", {{"items", "1:9,2:5,3:4"}}}}, s);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(3)));
  EXPECT_THAT(Ids(r), ElementsAre("i2", "i3", "i1"));
  EXPECT_EQ(r.items(2).position(), 2);
  EXPECT_DOUBLE_EQ(r.items(2).score(), 9);  // Scores are kept.
}

TEST_F(EngineRequestTest, OrderingStagesRunInTheListedOrder) {
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  s.filters.exclude_unavailable = false;
  s.diversity.method = "model";
  s.diversity.model = "spread";  // Reverses the head.
  s.diversity.ordering_size = 3;
  s.ordering = {"available_first", "diversity"};
  Build({{"ranker", {{"items", "1:9,2:5,3:4"}}}, {"spread", {{"similar", "true"}}}}, s);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(3)));
  // available_first: i2 i3 i1; then the reverse.
  EXPECT_THAT(Ids(r), ElementsAre("i1", "i3", "i2"));
  s.ordering = {};
  Build({{"ranker", {{"items", "1:9,2:5,3:4"}}}, {"spread", {{"similar", "true"}}}}, s);
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(Request(3)));
  EXPECT_THAT(Ids(r), ElementsAre("i1", "i2", "i3"));
}

TEST_F(EngineRequestTest, ServeGateSwitchesAModelOnOnceEventsExceedTheRatio) {
  config::SurfaceConfig s;
  s.retrieval = {"pop"};
  s.scoring = {"pop"};
  s.filters.exclude_seen = false;
  Build({{"pop", {{"items", "3:2,2:1"}}}}, s, [](EngineOptions& eo) {
    eo.models["pop"].serve_gate = {"order", 0.5};  // > 0.5 x 10 live items: 6 orders.
  });
  for (int i = 0; i < 5; ++i) View("buyer", "i" + std::to_string(i), "order");
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(2)));
  EXPECT_EQ(r.retrieval_model(), "random");
  EXPECT_EQ(r.scoring_model(), "");  // Not ready for scoring either.
  View("buyer", "i5", "order");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(Request(2)));
  EXPECT_EQ(r.retrieval_model(), "pop");
  EXPECT_EQ(r.scoring_model(), "pop");
  EXPECT_THAT(Ids(r), ElementsAre("i3", "i2"));
}

TEST_F(EngineRequestTest, ServeGateAlsoHoldsBackTheDiversityModel) {
  config::SurfaceConfig s;
  s.retrieval = {"ranker"};
  s.diversity.method = "model";
  s.diversity.model = "spread";
  s.diversity.ordering_size = 3;
  Build({{"ranker", {{"items", "2:5,3:4,4:3"}}}, {"spread", {{"similar", "true"}}}}, s,
        [](EngineOptions& eo) {
          eo.models["spread"].serve_gate = {"click", 0};
        });
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(Request(3)));
  EXPECT_THAT(Ids(r), ElementsAre("i2", "i3", "i4"));
  View("someone", "i9", "click");  // 1 > 0 x 10.
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(Request(3)));
  EXPECT_THAT(Ids(r), ElementsAre("i4", "i3", "i2"));
}

TEST_F(EngineRequestTest, ServeRequiresUserSessionAndAnchor) {
  config::SurfaceConfig s;
  s.retrieval = {"for_users", "for_sessions", "for_anchors"};
  Build({{"for_users", {{"items", "2:1"}}},
         {"for_sessions", {{"items", "3:1"}}},
         {"for_anchors", {{"items", "4:1"}}}},
        s, [](EngineOptions& eo) {
          eo.models["for_users"].serve_requires = {"user"};
          eo.models["for_sessions"].serve_requires = {"session"};
          eo.models["for_anchors"].serve_requires = {"anchor"};
        });
  auto req = Request(1);
  ASSERT_OK_AND_ASSIGN(auto r, engine_->Recommend(req));
  EXPECT_EQ(r.retrieval_model(), "random");
  req.add_anchor_item_ids("unknown");  // Not a known anchor.
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_EQ(r.retrieval_model(), "random");
  req.add_anchor_item_ids("i0");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_EQ(r.retrieval_model(), "for_anchors");
  req.set_session_id("s1");  // A session without history does not count.
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_EQ(r.retrieval_model(), "for_anchors");
  View("", "i9", "view", 1.0, "s1");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_EQ(r.retrieval_model(), "for_sessions");
  req.set_user_id("someone");
  ASSERT_OK_AND_ASSIGN(r, engine_->Recommend(req));
  EXPECT_EQ(r.retrieval_model(), "for_users");
}

TEST(AvailableFirstTest, StablePartition) {
  catalog::Catalog c;
  for (uint32_t i = 0; i < 5; ++i) {
    c.Set(i, "i" + std::to_string(i), true, /*available=*/i % 2 == 0, 1.0f, 0, {});
  }
  auto reader = c.Read();
  std::vector<models::ScoredItem> items = {{1, 5}, {0, 4}, {3, 3}, {2, 2}, {4, 1}};
  AvailableFirst(reader, &items);
  std::vector<uint32_t> order;
  for (const auto& s : items) order.push_back(s.item);
  EXPECT_THAT(order, ElementsAre(0, 2, 4, 1, 3));
}

}  // namespace
}  // namespace recplat::engine
