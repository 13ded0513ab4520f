// The state store's write-path features: event de-duplication by event_id, named counters,
// what Apply() reports, reverse document scans and the recorded events.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/core/state/state_test_util.h"

namespace recplat::state {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class StateWriteTest : public test::StateFixture {
 protected:
  size_t History(const std::string& user) {
    std::vector<HistoryEntry> h;
    EXPECT_OK(store_->UserHistory("default", user, 1000, &h));
    return h.size();
  }
};

TEST_F(StateWriteTest, EventIdsAreAppliedOnce) {
  ApplyReport report;
  // Within one batch: the second "e1" is a duplicate; events without an id never are.
  ASSERT_OK(ApplyAll({Event("u", "a", "e1"), Event("u", "a", "e1"), Event("u", "a"),
                      Event("u", "a")},
                     &report));
  EXPECT_EQ(History("u"), 3u);
  EXPECT_EQ(report.tenants["default"].duplicate_events, 1u);
  EXPECT_THAT(report.tenants["default"].events_by_type, ElementsAre(Pair("view", 3u)));
  // Across batches, and the same id in another tenant is another event.
  ASSERT_OK(ApplyAll({Event("u", "a", "e1"), Event("u", "a", "e2"),
                      Event("u", "a", "e1", "view", "t2")},
                     &report));
  EXPECT_EQ(History("u"), 4u);
  EXPECT_EQ(report.tenants["default"].duplicate_events, 1u);
  EXPECT_EQ(report.tenants["t2"].duplicate_events, 0u);
  // Across a restart.
  Reopen();
  ASSERT_OK(ApplyAll({Event("u", "a", "e2"), Event("u", "a", "e3")}));
  EXPECT_EQ(History("u"), 5u);
  const std::vector<TenantStats> stats = store_->Stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].tenant, "default");
  EXPECT_EQ(stats[0].events, 5u);
  EXPECT_EQ(stats[0].duplicate_events, 3u);
  EXPECT_EQ(store_->EventCount("default", "view"), 5u);
}

TEST_F(StateWriteTest, RecordedEventsAreKeptWholeInTimeOrder) {
  using test::kT0;
  recorded_event_types_ = {"click"};
  Reopen();
  auto click = [&](int64_t ts, const std::string& item, const std::string& event_id = "",
                   const std::string& tenant = "default") {
    v1::LogRecord r = Event("u", item, event_id, "click", tenant);
    r.mutable_event()->set_timestamp_ms(ts);
    r.mutable_event()->set_session_id("s-" + item);
    (*r.mutable_event()->mutable_context())["model"] = "m-" + item;
    return r;
  };
  // Applied out of time order; a view (not recorded); a repeated event id (not applied again);
  // another tenant; two clicks of one millisecond (kept in log order).
  ASSERT_OK(ApplyAll({click(kT0 + 30, "c", "once"), click(kT0 + 10, "a"), Event("u", "v"),
                      click(kT0 + 20, "dup", "once"), click(kT0 + 10, "b"),
                      click(kT0 + 10, "other", "", "t2")}));
  auto scan = [&](int64_t from, int64_t to, const std::string& type = "click",
                  const std::string& tenant = "default") {
    std::vector<std::string> items;
    EXPECT_OK(store_->ScanEvents(tenant, type, from, to, [&](const v1::Event& e) {
      items.push_back(e.item_id());
    }));
    return items;
  };
  EXPECT_THAT(scan(0, kT0 + 100), ElementsAre("a", "b", "c"));
  // Both ends inclusive.
  EXPECT_THAT(scan(kT0 + 10, kT0 + 10), ElementsAre("a", "b"));
  EXPECT_THAT(scan(kT0 + 11, kT0 + 29), IsEmpty());
  EXPECT_THAT(scan(kT0 + 30, kT0 + 30), ElementsAre("c"));
  EXPECT_THAT(scan(kT0 + 30, kT0 + 10), IsEmpty());
  EXPECT_THAT(scan(0, kT0 + 100, "view"), IsEmpty());
  EXPECT_THAT(scan(0, kT0 + 100, "click", "t2"), ElementsAre("other"));
  // The whole event comes back.
  std::vector<v1::Event> events;
  ASSERT_OK(store_->ScanEvents("default", "click", kT0 + 30, kT0 + 30,
                               [&](const v1::Event& e) { events.push_back(e); }));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].session_id(), "s-c");
  EXPECT_EQ(events[0].user_id(), "u");
  EXPECT_EQ(events[0].timestamp_ms(), kT0 + 30);
  EXPECT_EQ(events[0].context().at("model"), "m-c");
  // Kept across a restart; events applied while the type is not recorded are not kept.
  recorded_event_types_ = {};
  Reopen();
  ASSERT_OK(ApplyAll({click(kT0 + 40, "d")}));
  EXPECT_THAT(scan(0, kT0 + 100), ElementsAre("a", "b", "c"));
}

TEST_F(StateWriteTest, NamedCountersApplySetThenAddInLogOrder) {
  ASSERT_OK(ApplyAll({Item("a"), Counter("a", "likes", 1), Counter("a", "likes", 2),
                      Counter("a", "shares", 0, 10.0)}));
  ASSERT_OK_AND_ASSIGN(v1::Item a, store_->GetItem("default", "a"));
  EXPECT_THAT(a.counters(), UnorderedElementsAre(Pair("likes", 3.0), Pair("shares", 10.0)));
  // `set` first, then `add`; later batches continue from the stored sums.
  ASSERT_OK(ApplyAll({Counter("a", "likes", 0.5, 100.0), Counter("a", "shares", -4)}));
  Reopen();
  ASSERT_OK(ApplyAll({Counter("a", "likes", 1)}));
  ASSERT_OK_AND_ASSIGN(a, store_->GetItem("default", "a"));
  EXPECT_THAT(a.counters(), UnorderedElementsAre(Pair("likes", 101.5), Pair("shares", 6.0)));
  // A counter of an unknown item creates it (validation decides whether that is allowed).
  ASSERT_OK(ApplyAll({Counter("new", "likes", 2)}));
  ASSERT_OK_AND_ASSIGN(v1::Item created, store_->GetItem("default", "new"));
  EXPECT_TRUE(created.live());
  EXPECT_THAT(created.counters(), ElementsAre(Pair("likes", 2.0)));
  // Counters are per item: "a" is unaffected.
  EXPECT_EQ(store_->GetItem("default", "a")->counters().at("likes"), 101.5);
}

TEST_F(StateWriteTest, ACounterFloorClampsEveryStep) {
  // The backend's "never below 0": a clear without a set stays at 0, and the next set counts.
  v1::LogRecord down = Counter("a", "clicks", -1);
  down.mutable_counter()->set_floor(0);
  v1::LogRecord up = Counter("a", "clicks", 1);
  up.mutable_counter()->set_floor(0);
  ASSERT_OK(ApplyAll({Item("a"), down, down, up}));
  EXPECT_EQ(store_->GetItem("default", "a")->counters().at("clicks"), 1.0);
  // Without a floor the same steps go negative.
  ASSERT_OK(ApplyAll(
      {Counter("a", "plain", -1), Counter("a", "plain", -1), Counter("a", "plain", 1)}));
  EXPECT_EQ(store_->GetItem("default", "a")->counters().at("plain"), -1.0);
}

TEST_F(StateWriteTest, VersionedDocumentsKeepTheHighestVersionWhateverTheOrder) {
  auto versioned = [&](const std::string& body, int64_t version) {
    v1::LogRecord r = Doc("cfg", "current", body);
    r.mutable_document_put()->set_version(version);
    return r;
  };
  auto current = [&]() {
    std::vector<v1::Document> docs;
    EXPECT_OK(store_->GetDocuments("default", "cfg", std::vector<std::string>{"current"}, &docs));
    return docs.empty() ? std::string("none") : absl::StrCat(docs[0].body(), "@",
                                                             docs[0].version());
  };
  // Within one batch and across batches, a lower version never replaces a higher; of equal
  // versions the later write wins.
  ASSERT_OK(ApplyAll({versioned("b", 20), versioned("a", 10), versioned("c", 20)}));
  EXPECT_EQ(current(), "c@20");
  ASSERT_OK(ApplyAll({versioned("a", 10)}));
  Reopen();
  ASSERT_OK(ApplyAll({versioned("d", 30), versioned("x", 25)}));
  EXPECT_EQ(current(), "d@30");
  // An unversioned put replaces whatever is there (log order), and a delete removes it.
  ASSERT_OK(ApplyAll({Doc("cfg", "current", "plain")}));
  EXPECT_EQ(current(), "plain@0");
  v1::LogRecord del = Doc("cfg", "current", "");
  del.mutable_document_put()->set_deleted(true);
  ASSERT_OK(ApplyAll({versioned("e", 40), del, versioned("f", 1)}));
  EXPECT_EQ(current(), "f@1");
}

TEST_F(StateWriteTest, ActivityStampsMoveWithTheirIdsEvents) {
  EXPECT_EQ(store_->ActivityStamp("default", "u"), 0u);
  EXPECT_EQ(store_->ActivityStamp("default", ""), 0u);
  ASSERT_OK(ApplyAll({Item("a"), Event("u", "a")}));
  const uint64_t first = store_->ActivityStamp("default", "u");
  EXPECT_GT(first, 0u);
  ASSERT_OK(ApplyAll({Event("u", "a")}));
  const uint64_t second = store_->ActivityStamp("default", "u");
  EXPECT_GT(second, first);
  // Another tenant's id of the same name is another slot (almost surely), and stays put.
  EXPECT_EQ(store_->ActivityStamp("t2", "u"), 0u);
}

TEST_F(StateWriteTest, EveryReadFillsLive) {
  ASSERT_OK(ApplyAll({Item("a"), Item("b"), Delete("b")}));
  ASSERT_OK_AND_ASSIGN(v1::Item a, store_->GetItem("default", "a"));
  EXPECT_TRUE(a.live());
  EXPECT_FALSE(Found("b"));  // Deleted items are not found (a delete is not a dormant item).
  EXPECT_FALSE(store_->ItemKnown("default", "b"));
  EXPECT_TRUE(store_->ItemKnown("default", "a"));
  std::vector<v1::Item> page;
  uint32_t next = 0;
  ASSERT_OK(store_->ListItems("default", 0, 10, &page, &next));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_TRUE(page[0].live());
}

TEST_F(StateWriteTest, ReverseScansGoDownFromTheStartKey) {
  ASSERT_OK(ApplyAll({Doc("c", "a1", "1"), Doc("c", "b1", "2"), Doc("c", "b2", "3"),
                      Doc("c", "b3", "4"), Doc("c", "c1", "5"), Doc("cc", "b9", "other")}));
  auto scan = [&](const std::string& prefix, const std::string& start, size_t limit,
                  std::string* next) {
    std::vector<v1::Document> docs;
    EXPECT_OK(store_->ScanDocuments("default", "c", prefix, start, limit, false,
                                    /*reverse=*/true, &docs, next));
    std::vector<std::string> keys;
    for (const v1::Document& d : docs) keys.push_back(d.key() + "=" + d.body());
    return keys;
  };
  std::string next;
  EXPECT_THAT(scan("", "", 10, &next), ElementsAre("c1=5", "b3=4", "b2=3", "b1=2", "a1=1"));
  EXPECT_EQ(next, "");
  EXPECT_THAT(scan("b", "", 2, &next), ElementsAre("b3=4", "b2=3"));
  EXPECT_EQ(next, "b1");
  EXPECT_THAT(scan("b", next, 2, &next), ElementsAre("b1=2"));
  EXPECT_EQ(next, "");
  EXPECT_THAT(scan("b", "b25", 10, &next), ElementsAre("b2=3", "b1=2"));  // Between keys.
  EXPECT_THAT(scan("b", "z", 10, &next), ElementsAre("b3=4", "b2=3", "b1=2"));  // Past the end.
  EXPECT_THAT(scan("b", "a", 10, &next), IsEmpty());  // Before the prefix.
  EXPECT_THAT(scan("x", "", 10, &next), IsEmpty());
}

}  // namespace
}  // namespace recplat::state
