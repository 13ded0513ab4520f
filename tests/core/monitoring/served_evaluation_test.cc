// EvaluateServed over hand-made served lists and click events: every figure of "general" and of
// each model computed by hand from one table, inclusive range ends, empty sets, the choice of
// reported models, configurable context keys and scan errors.
#include "core/monitoring/served_evaluation.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::monitoring {
namespace {

using ::recplat::testing::StatusIs;

int64_t Ms(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::ToUnixMillis(
      absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone()));
}

const int64_t kFrom = Ms(2023, 8, 1);
const int64_t kTo = Ms(2023, 8, 2);

v1::ServedList List(int64_t at, std::string session, std::string surface, std::string retrieval,
                    std::string scoring, double retrieval_s, double scoring_s,
                    std::vector<std::string> items) {
  v1::ServedList list;
  list.set_served_at_ms(at);
  list.set_session_id(std::move(session));
  list.set_surface(std::move(surface));
  list.set_retrieval_model(std::move(retrieval));
  list.set_scoring_model(std::move(scoring));
  list.set_retrieval_seconds(retrieval_s);
  list.set_scoring_seconds(scoring_s);
  list.set_ordering_seconds(0.001);
  for (std::string& item : items) list.add_item_ids(std::move(item));
  return list;
}

// A click; empty model/surface/position strings leave the context key out.
v1::Event Click(int64_t at, std::string session, std::string item, std::string model,
                std::string surface, std::string position) {
  v1::Event event;
  event.set_type("detail");
  event.set_timestamp_ms(at);
  event.set_session_id(std::move(session));
  event.set_item_id(std::move(item));
  if (!model.empty()) (*event.mutable_context())["model"] = std::move(model);
  if (!surface.empty()) (*event.mutable_context())["surface"] = std::move(surface);
  if (!position.empty()) (*event.mutable_context())["position"] = std::move(position);
  return event;
}

struct Records {
  std::vector<v1::ServedList> lists;
  std::vector<v1::Event> clicks;
};

// Seven lists (P1..P7, five in range) and ten clicks (E1..E10); the expected figures below are
// computed by hand from this table.
Records Table() {
  Records r;
  r.lists = {
      // P1..P3: inside the range.
      List(Ms(2023, 8, 1, 10), "s1", "HOMEPAGE", "popularity", "ease", 0.1, 0.3, {"A", "B", "C"}),
      List(Ms(2023, 8, 1, 11), "s2", "PRODUCT_DETAIL", "similarity", "ease", 0.2, 0.5, {"C", "D"}),
      List(Ms(2023, 8, 1, 12), "s1", "HOMEPAGE", "popularity", "popularity", 0.3, 0.1, {"E"}),
      // P4: before the range.
      List(Ms(2023, 7, 31, 23), "s3", "HOMEPAGE", "selection", "selection", 9, 9, {"F", "G"}),
      // P5: exactly at `to`; P6: exactly at `from` (both inclusive).
      List(kTo, "s4", "CART", "selection", "dummy", 0.05, 0.02, {"H"}),
      List(kFrom, "s5", "HOMEPAGE", "dummy", "dummy", 0.4, 0.04, {"A"}),
      // P7: one millisecond after `to`.
      List(kTo + 1, "s6", "HOMEPAGE", "ease", "ease", 9, 9, {"Z"}),
  };
  r.clicks = {
      // E1: hit (ease, position 1); future hit of P1.
      Click(Ms(2023, 8, 1, 10, 5), "s1", "B", "ease", "HOMEPAGE", "1"),
      // E2: position 10 is the 11th slot: no hit; future hit of P2.
      Click(Ms(2023, 8, 1, 11, 30), "s2", "D", "ease", "PRODUCT_DETAIL", "10"),
      // E3: hit (popularity, position 0); before P3, so no future hit of it.
      Click(Ms(2023, 8, 1, 11, 59), "s1", "E", "popularity", "HOMEPAGE", "0"),
      // E4: hit (popularity); same session and item as P1 but another model and surface.
      Click(Ms(2023, 8, 1, 13), "s1", "A", "popularity", "CART", "3"),
      // E5: hit (selection); would be P4's future hit if P4 were in range.
      Click(Ms(2023, 8, 1, 9), "s3", "F", "selection", "HOMEPAGE", "2"),
      // E6: an organic visit (no attribution): counts for nothing.
      Click(Ms(2023, 8, 1, 14), "s1", "C", "", "", ""),
      // E7: after `to`: neither a hit nor P5's future hit.
      Click(kTo + 1000, "s4", "H", "dummy", "CART", "0"),
      // E8: before `from`.
      Click(Ms(2023, 7, 31, 12), "s1", "A", "ease", "HOMEPAGE", "0"),
      // E9: no position: no hit; future hit of P6.
      Click(Ms(2023, 8, 1, 15), "s5", "A", "dummy", "HOMEPAGE", ""),
      // E10: a negative position is not in the first k.
      Click(Ms(2023, 8, 1, 16), "s2", "X", "ease", "PRODUCT_DETAIL", "-1"),
  };
  return r;
}

v1::EvaluateServedRequest Request(int64_t from, int64_t to, std::vector<std::string> models) {
  v1::EvaluateServedRequest request;
  request.set_from_ms(from);
  request.set_to_ms(to);
  request.set_k(10);
  request.mutable_clicks()->set_event_type("detail");
  for (std::string& m : models) request.add_models(std::move(m));
  return request;
}

const std::vector<std::string> kModels = {"selection", "popularity", "similarity", "gru4rec",
                                          "ease"};

absl::StatusOr<v1::EvaluateServedResponse> Evaluate(const v1::EvaluateServedRequest& request,
                                                    const Records& r, int64_t live_items = 8) {
  auto clicks = [&r](const std::function<void(const v1::Event&)>& fn) {
    for (const v1::Event& e : r.clicks) fn(e);
    return absl::OkStatus();
  };
  auto served = [&r](const std::function<void(const v1::ServedList&)>& fn) {
    for (const v1::ServedList& l : r.lists) fn(l);
    return absl::OkStatus();
  };
  return EvaluateServed(request, clicks, served, live_items);
}

struct Want {
  int64_t predictions, hits, future_hits, covered;
  double hit_rate, future_hit_rate, coverage;
  int64_t retrieval_count;
  double retrieval_avg, retrieval_max;
  int64_t scoring_count;
  double scoring_avg, scoring_max;
};

void ExpectFigures(const v1::ServedFigures& got, const Want& want) {
  EXPECT_EQ(got.predictions(), want.predictions);
  EXPECT_EQ(got.hits(), want.hits);
  EXPECT_EQ(got.future_hits(), want.future_hits);
  EXPECT_EQ(got.covered_items(), want.covered);
  EXPECT_DOUBLE_EQ(got.hit_rate(), want.hit_rate);
  EXPECT_DOUBLE_EQ(got.future_hit_rate(), want.future_hit_rate);
  EXPECT_DOUBLE_EQ(got.coverage(), want.coverage);
  EXPECT_EQ(got.retrieval_seconds().count(), want.retrieval_count);
  EXPECT_NEAR(got.retrieval_seconds().avg(), want.retrieval_avg, 1e-12);
  EXPECT_DOUBLE_EQ(got.retrieval_seconds().max(), want.retrieval_max);
  EXPECT_EQ(got.scoring_seconds().count(), want.scoring_count);
  EXPECT_NEAR(got.scoring_seconds().avg(), want.scoring_avg, 1e-12);
  EXPECT_DOUBLE_EQ(got.scoring_seconds().max(), want.scoring_max);
}

const Want kZero = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

TEST(EvaluateServedTest, GeneralFigures) {
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got,
                       Evaluate(Request(kFrom, kTo, kModels), Table()));
  // In range: P1, P2, P3, P5, P6. Hits: E1, E3, E4, E5. Future hits: P1 (E1), P2 (E2), P6 (E9).
  // Covered: A B C D E H of 8 live items. Retrieval 0.1 0.2 0.3 0.05 0.4; scoring 0.3 0.5 0.1
  // 0.02 0.04.
  ExpectFigures(got.general(),
                {5, 4, 3, 6, 4.0 / 5, 3.0 / 5, 6.0 / 8, 5, 1.05 / 5, 0.4, 5, 0.96 / 5, 0.5});
  EXPECT_EQ(got.live_items(), 8);
}

TEST(EvaluateServedTest, PerModelAttribution) {
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got,
                       Evaluate(Request(kFrom, kTo, kModels), Table()));
  // Exactly the requested models: dummy (which scored P5 and P6) is not reported.
  std::set<std::string> names;
  for (const auto& [name, figures] : got.models()) names.insert(name);
  EXPECT_EQ(names, std::set<std::string>(kModels.begin(), kModels.end()));
  // ease scored P1, P2; one click in the first 10 (E1; E2 is at 10, E10 at -1, E8 before the
  // range); both are future hits; covers A B C D; retrieved nothing in range (P7 is after it).
  ExpectFigures(got.models().at("ease"), {2, 1, 2, 4, 0.5, 1.0, 4.0 / 8, 0, 0, 0, 2, 0.4, 0.5});
  // popularity scored P3 and retrieved P1 and P3; its own clicks (E3, E4) only, not ease's, so
  // its hit rate is 2; E3 came before P3: no future hit.
  ExpectFigures(got.models().at("popularity"),
                {1, 2, 0, 1, 2.0, 0, 1.0 / 8, 2, 0.2, 0.3, 1, 0.1, 0.1});
  // similarity only retrieved P2: its retrieval time, nothing else.
  ExpectFigures(got.models().at("similarity"), {0, 0, 0, 0, 0, 0, 0, 1, 0.2, 0.2, 0, 0, 0});
  // selection retrieved P5; E5 is its click but it scored nothing in range (P4 is before it):
  // hit rate 0, not infinite.
  ExpectFigures(got.models().at("selection"), {0, 1, 0, 0, 0, 0, 0, 1, 0.05, 0.05, 0, 0, 0});
  ExpectFigures(got.models().at("gru4rec"), kZero);
}

TEST(EvaluateServedTest, WithoutModelsEveryModelSeenIsReported) {
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got, Evaluate(Request(kFrom, kTo, {}), Table()));
  std::set<std::string> names;
  for (const auto& [name, figures] : got.models()) names.insert(name);
  // gru4rec appears nowhere; the organic click E6 names no model.
  EXPECT_EQ(names, (std::set<std::string>{"dummy", "ease", "popularity", "selection",
                                          "similarity"}));
  // dummy scored P5 and P6 (P6 a future hit through E9) and retrieved P6.
  ExpectFigures(got.models().at("dummy"),
                {2, 0, 1, 2, 0, 0.5, 2.0 / 8, 1, 0.4, 0.4, 2, 0.03, 0.04});
}

TEST(EvaluateServedTest, RangeEndsAreInclusive) {
  Records r;
  r.lists = {
      List(kFrom, "s", "HOMEPAGE", "ease", "ease", 1, 1, {"A"}),
      List(kTo, "s", "HOMEPAGE", "ease", "ease", 2, 2, {"B"}),
      List(kFrom - 1, "s", "HOMEPAGE", "ease", "ease", 4, 4, {"C"}),
      List(kTo + 1, "s", "HOMEPAGE", "ease", "ease", 8, 8, {"D"}),
  };
  // A click exactly at `to` is in range and a future hit of the list served at `to`.
  r.clicks = {Click(kTo, "s", "B", "ease", "HOMEPAGE", "0")};
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got, Evaluate(Request(kFrom, kTo, {}), r));
  ExpectFigures(got.general(), {2, 1, 1, 2, 0.5, 0.5, 2.0 / 8, 2, 1.5, 2, 2, 1.5, 2});
  // One instant: from == to.
  ASSERT_OK_AND_ASSIGN(got, Evaluate(Request(kTo, kTo, {}), r));
  ExpectFigures(got.general(), {1, 1, 1, 1, 1, 1, 1.0 / 8, 1, 2, 2, 1, 2, 2});
  // A click one millisecond before its list is not a future hit of it.
  r.clicks = {Click(kTo - 1, "s", "B", "ease", "HOMEPAGE", "0")};
  ASSERT_OK_AND_ASSIGN(got, Evaluate(Request(kFrom, kTo, {}), r));
  EXPECT_EQ(got.general().future_hits(), 0);
  EXPECT_EQ(got.general().hits(), 1);
}

TEST(EvaluateServedTest, EmptyRangeIsAllZeros) {
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got,
                       Evaluate(Request(Ms(2020, 1, 1), Ms(2020, 1, 2), kModels), Table()));
  ExpectFigures(got.general(), kZero);
  ASSERT_EQ(got.models_size(), 5);
  for (const auto& [name, figures] : got.models()) {
    SCOPED_TRACE(name);
    ExpectFigures(figures, kZero);
  }
  // Nothing at all, and no requested models: no per-model entries.
  ASSERT_OK_AND_ASSIGN(got, Evaluate(Request(kFrom, kTo, {}), Records{}));
  ExpectFigures(got.general(), kZero);
  EXPECT_EQ(got.models_size(), 0);
}

TEST(EvaluateServedTest, NoLiveItemsCoverageDividesByOne) {
  Records r;
  r.lists = {List(kFrom, "s", "HOMEPAGE", "ease", "ease", 1, 1, {"A", "B", "A"})};
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got,
                       Evaluate(Request(kFrom, kTo, {}), r, /*live_items=*/0));
  EXPECT_EQ(got.general().covered_items(), 2);
  EXPECT_DOUBLE_EQ(got.general().coverage(), 2.0);
  EXPECT_EQ(got.live_items(), 0);
}

TEST(EvaluateServedTest, ScoringModelFallsBackToTheRetrievalModel) {
  Records r;
  r.lists = {List(kFrom, "s", "HOMEPAGE", "popularity", "", 0.5, 0.25, {"A"})};
  r.clicks = {Click(kFrom + 10, "s", "A", "popularity", "HOMEPAGE", "0")};
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got,
                       Evaluate(Request(kFrom, kTo, {"popularity"}), r));
  ExpectFigures(got.models().at("popularity"), {1, 1, 1, 1, 1, 1, 1.0 / 8, 1, 0.5, 0.5, 1, 0.25,
                                                0.25});
}

TEST(EvaluateServedTest, KAndContextKeysAreTheRequests) {
  Records r;
  r.lists = {List(kFrom, "sess-1", "home", "m1", "m1", 1, 1, {"A", "B"})};
  // Attribution under other keys, the session in the context (the event's own is another).
  v1::Event click;
  click.set_timestamp_ms(kFrom + 5);
  click.set_session_id("device-9");
  click.set_item_id("B");
  (*click.mutable_context())["rec_model"] = "m1";
  (*click.mutable_context())["page"] = "home";
  (*click.mutable_context())["slot"] = "2";
  (*click.mutable_context())["visit"] = "sess-1";
  // Under the default keys this one is attributed, but it is a non-integer position.
  v1::Event other = Click(kFrom + 6, "sess-1", "A", "m1", "home", "first");
  r.clicks = {click, other};

  v1::EvaluateServedRequest request = Request(kFrom, kTo, {"m1"});
  request.mutable_clicks()->set_model_key("rec_model");
  request.mutable_clicks()->set_surface_key("page");
  request.mutable_clicks()->set_position_key("slot");
  request.mutable_clicks()->set_session_key("visit");
  request.set_k(3);
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got, Evaluate(request, r));
  EXPECT_EQ(got.general().hits(), 1);  // Slot 2 < k = 3.
  EXPECT_EQ(got.general().future_hits(), 1);
  request.set_k(2);
  ASSERT_OK_AND_ASSIGN(got, Evaluate(request, r));
  EXPECT_EQ(got.general().hits(), 0);  // Slot 2 is not in the first 2.
  EXPECT_EQ(got.general().future_hits(), 1);

  // Default keys: `other` is a click (a visit for the future-hit join) but not a hit.
  ASSERT_OK_AND_ASSIGN(got, Evaluate(Request(kFrom, kTo, {"m1"}), r));
  EXPECT_EQ(got.general().hits(), 0);
  EXPECT_EQ(got.general().future_hits(), 1);
  EXPECT_EQ(got.models().at("m1").future_hits(), 1);
}

TEST(EvaluateServedTest, ScanErrorsAreReturned) {
  auto failing_clicks = [](const std::function<void(const v1::Event&)>&) {
    return absl::DataLossError("corrupt click");
  };
  auto no_lists = [](const std::function<void(const v1::ServedList&)>&) {
    return absl::OkStatus();
  };
  EXPECT_THAT(EvaluateServed(Request(kFrom, kTo, {}), failing_clicks, no_lists, 1),
              StatusIs(absl::StatusCode::kDataLoss));
  auto no_clicks = [](const std::function<void(const v1::Event&)>&) { return absl::OkStatus(); };
  auto failing_lists = [](const std::function<void(const v1::ServedList&)>&) {
    return absl::UnavailableError("disk");
  };
  EXPECT_THAT(EvaluateServed(Request(kFrom, kTo, {}), no_clicks, failing_lists, 1),
              StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace recplat::monitoring
