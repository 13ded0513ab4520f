#include <cmath>
#include <deque>

#include "core/state/state_store.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::state {
namespace {

using ::recplat::testing::FakeClock;
using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::ElementsAre;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kHour = 3600 * 1000;

// Builds log records and applies them with increasing offsets.
class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    StateStoreOptions options;
    options.path = (dir_.path() / "state").string();
    options.counter_half_life_hours = 1.0;
    options.clock = &clock_;
    auto s = OpenRocksDbStateStore(options);
    ASSERT_OK(s);
    store_ = std::move(s).value();
  }

  v1::LogRecord Item(const std::string& id, const std::string& tenant = "default",
                     bool available = true) {
    v1::LogRecord r;
    r.set_appended_at_ms(clock_.NowMs());
    v1::Item* item = r.mutable_item_upsert();
    item->set_id(id);
    item->set_tenant(tenant);
    item->set_title("title " + id);
    item->add_categories("cat-" + id.substr(0, 1));
    item->set_available(available);
    return r;
  }

  v1::LogRecord Event(const std::string& user, const std::string& item, const std::string& type,
                      int64_t ts, const std::string& session = "",
                      const std::string& tenant = "default") {
    v1::LogRecord r;
    r.set_appended_at_ms(ts);
    v1::Event* e = r.mutable_event();
    e->set_tenant(tenant);
    e->set_user_id(user);
    e->set_item_id(item);
    e->set_type(type);
    e->set_timestamp_ms(ts);
    e->set_session_id(session);
    return r;
  }

  absl::Status ApplyAll(std::vector<v1::LogRecord> records) {
    std::deque<v1::LogRecord> keep(records.begin(), records.end());
    std::vector<OffsetRecord> batch;
    for (auto& r : keep) batch.push_back({next_offset_++, &r});
    return store_->Apply(batch);
  }

  TempDir dir_;
  FakeClock clock_{kT0};
  std::unique_ptr<StateStore> store_;
  uint64_t next_offset_ = 0;
};

TEST_F(StateStoreTest, ItemUpsertAssignsDenseIndicesAndUpdatesCatalog) {
  ASSERT_OK(ApplyAll({Item("a"), Item("b"), Item("c", "default", false)}));
  EXPECT_EQ(store_->AppliedOffset(), 3u);
  ASSERT_OK_AND_ASSIGN(v1::Item b, store_->GetItem("default", "b"));
  EXPECT_EQ(b.index(), 1u);
  EXPECT_EQ(b.title(), "title b");
  EXPECT_EQ(b.published_at_ms(), kT0);  // Defaulted to the write time.
  const catalog::Catalog* cat = store_->FindCatalog("default");
  ASSERT_NE(cat, nullptr);
  auto r = cat->Read();
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.live_count(), 3u);
  EXPECT_EQ(r.recommendable_count(), 2u);
  EXPECT_EQ(*r.Find("c"), 2u);
  EXPECT_FALSE(r.Recommendable(2));
  EXPECT_EQ(r.CategoryName(r.Meta(0).categories[0]), "cat-a");
}

TEST_F(StateStoreTest, ReplacingAnItemKeepsItsIndex) {
  ASSERT_OK(ApplyAll({Item("a"), Item("b")}));
  auto replaced = Item("a");
  replaced.mutable_item_upsert()->set_title("new");
  ASSERT_OK(ApplyAll({replaced}));
  ASSERT_OK_AND_ASSIGN(v1::Item a, store_->GetItem("default", "a"));
  EXPECT_EQ(a.index(), 0u);
  EXPECT_EQ(a.title(), "new");
  EXPECT_EQ(store_->FindCatalog("default")->Read().size(), 2u);
}

TEST_F(StateStoreTest, DeleteHidesItemButKeepsIndexForRevival) {
  v1::LogRecord del;
  del.mutable_item_delete()->set_tenant("default");
  del.mutable_item_delete()->set_id("a");
  ASSERT_OK(ApplyAll({Item("a"), Item("b"), del}));
  EXPECT_THAT(store_->GetItem("default", "a"), StatusIs(absl::StatusCode::kNotFound));
  {
    auto r = store_->FindCatalog("default")->Read();
    EXPECT_EQ(r.live_count(), 1u);
    EXPECT_FALSE(r.Meta(0).live);
  }
  EXPECT_EQ(store_->Stats()[0].items, 1u);
  ASSERT_OK(ApplyAll({Item("a")}));
  ASSERT_OK_AND_ASSIGN(v1::Item a, store_->GetItem("default", "a"));
  EXPECT_EQ(a.index(), 0u);
  EXPECT_EQ(store_->Stats()[0].items, 2u);
}

TEST_F(StateStoreTest, GetItemsWithoutCountsReadsManyInOrderAndSkipsDeletedAndUnknown) {
  v1::LogRecord del;
  del.mutable_item_delete()->set_tenant("default");
  del.mutable_item_delete()->set_id("b");
  ASSERT_OK(ApplyAll({Item("a"), Item("b"), Item("c"), Item("d", "other"), del,
                      Event("u", "c", "view", kT0)}));
  std::vector<std::optional<v1::Item>> got;
  ASSERT_OK(store_->GetItemsWithoutCounts("default", {"c", "b", "zz", "a", "d", "c"}, &got));
  ASSERT_EQ(got.size(), 6u);
  ASSERT_TRUE(got[0].has_value());
  EXPECT_EQ(got[0]->id(), "c");
  EXPECT_EQ(got[0]->title(), "title c");
  EXPECT_EQ(got[0]->index(), 2u);
  EXPECT_TRUE(got[0]->live());
  EXPECT_TRUE(got[0]->event_counts().empty());  // counts cost a scan: GetItem has them
  EXPECT_FALSE(got[1].has_value());              // deleted
  EXPECT_FALSE(got[2].has_value());              // unknown
  ASSERT_TRUE(got[3].has_value());
  EXPECT_EQ(got[3]->id(), "a");
  EXPECT_FALSE(got[4].has_value());              // another tenant's
  ASSERT_TRUE(got[5].has_value());
  EXPECT_EQ(got[5]->id(), "c");
  ASSERT_OK_AND_ASSIGN(v1::Item c, store_->GetItem("default", "c"));
  EXPECT_EQ(c.event_counts().at("view"), 1.0);
  ASSERT_OK(store_->GetItemsWithoutCounts("default", {}, &got));
  EXPECT_TRUE(got.empty());
}

TEST_F(StateStoreTest, EventsBuildHistorySessionsUsersAndCounters) {
  ASSERT_OK(ApplyAll({Item("a"), Item("b")}));
  ASSERT_OK(ApplyAll({Event("u1", "a", "view", kT0, "s1"), Event("u1", "b", "click", kT0 + 10, "s1"),
                      Event("u2", "a", "view", kT0 + 20)}));
  std::vector<HistoryEntry> h;
  ASSERT_OK(store_->UserHistory("default", "u1", 10, &h));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].item, 1u);  // Most recent first.
  EXPECT_EQ(h[0].timestamp_ms, kT0 + 10);
  EXPECT_EQ(store_->EventTypeName(h[0].type), "click");
  EXPECT_EQ(h[1].item, 0u);
  EXPECT_EQ(h[1].session_id, "s1");
  std::vector<HistoryEntry> s;
  ASSERT_OK(store_->SessionHistory("default", "s1", 1, &s));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].item, 1u);
  ASSERT_OK_AND_ASSIGN(v1::User u1, store_->GetUser("default", "u1"));
  EXPECT_EQ(u1.index(), 0u);
  EXPECT_EQ(u1.event_count(), 2u);
  ASSERT_OK_AND_ASSIGN(v1::User u2, store_->GetUser("default", "u2"));
  EXPECT_EQ(u2.index(), 1u);
  EXPECT_THAT(store_->GetUser("default", "u3"), StatusIs(absl::StatusCode::kNotFound));
  auto stats = store_->Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].events, 3u);
  EXPECT_EQ(stats[0].users, 2u);
}

TEST_F(StateStoreTest, CountersDecayWithTheConfiguredHalfLife) {
  ASSERT_OK(ApplyAll({Item("a")}));
  // Two views one hour apart: 1 * 2^-1 + 1 = 1.5 at the second; read one hour later: 0.75.
  ASSERT_OK(ApplyAll({Event("u", "a", "view", kT0), Event("u", "a", "view", kT0 + kHour)}));
  const int view = store_->EventTypeId("view");
  ASSERT_GE(view, 0);
  clock_.SetMs(kT0 + kHour);
  EXPECT_NEAR(store_->Counter("default", 0, static_cast<uint16_t>(view)), 1.5, 1e-9);
  clock_.SetMs(kT0 + 2 * kHour);
  EXPECT_NEAR(store_->Counter("default", 0, static_cast<uint16_t>(view)), 0.75, 1e-9);
  // A late event (older than the reference time) adds its own decayed weight.
  ASSERT_OK(ApplyAll({Event("u", "a", "view", kT0)}));
  clock_.SetMs(kT0 + kHour);
  EXPECT_NEAR(store_->Counter("default", 0, static_cast<uint16_t>(view)), 2.0, 1e-9);
  ASSERT_OK_AND_ASSIGN(v1::Item a, store_->GetItem("default", "a"));
  EXPECT_NEAR(a.event_counts().at("view"), 2.0, 1e-9);
}

TEST_F(StateStoreTest, EventsForUnknownItemsCreateThem) {
  ASSERT_OK(ApplyAll({Event("u", "ghost", "view", kT0 + 5)}));
  ASSERT_OK_AND_ASSIGN(v1::Item ghost, store_->GetItem("default", "ghost"));
  EXPECT_EQ(ghost.published_at_ms(), kT0 + 5);
  EXPECT_TRUE(store_->FindCatalog("default")->Read().Recommendable(0));
}

TEST_F(StateStoreTest, ReapplyingOldOffsetsIsANoOp) {
  std::deque<v1::LogRecord> records = {Item("a"), Event("u", "a", "view", kT0)};
  std::vector<OffsetRecord> batch = {{0, &records[0]}, {1, &records[1]}};
  ASSERT_OK(store_->Apply(batch));
  ASSERT_OK(store_->Apply(batch));  // A replay after a crash.
  EXPECT_EQ(store_->Stats()[0].events, 1u);
  std::vector<HistoryEntry> h;
  ASSERT_OK(store_->UserHistory("default", "u", 10, &h));
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(store_->AppliedOffset(), 2u);
}

TEST_F(StateStoreTest, ReopenRestoresEverything) {
  ASSERT_OK(ApplyAll({Item("a"), Item("b", "shop2"), Event("u", "a", "view", kT0)}));
  Reopen();
  EXPECT_EQ(store_->AppliedOffset(), 3u);
  ASSERT_NE(store_->FindCatalog("shop2"), nullptr);
  EXPECT_EQ(*store_->FindCatalog("shop2")->Read().Find("b"), 0u);
  EXPECT_EQ(store_->EventTypeId("view"), 0);
  ASSERT_OK(ApplyAll({Item("c"), Event("v", "c", "click", kT0)}));
  ASSERT_OK_AND_ASSIGN(v1::Item c, store_->GetItem("default", "c"));
  EXPECT_EQ(c.index(), 1u);
  EXPECT_EQ(store_->EventTypeId("click"), 1);
  ASSERT_OK_AND_ASSIGN(v1::User v, store_->GetUser("default", "v"));
  EXPECT_EQ(v.index(), 1u);
}

TEST_F(StateStoreTest, TenantsAreIsolatedEvenWithAwkwardIds) {
  // Ids with separators or NUL bytes must not bleed into each other's key ranges.
  std::string nul_id("a\0b", 3);
  ASSERT_OK(ApplyAll({Item("a", "t1"), Item(nul_id, "t1"), Item("a", "t2")}));
  ASSERT_OK(ApplyAll({Event("u", "a", "view", kT0, "", "t1"),
                      Event(std::string("u\0x", 3), "a", "view", kT0, "", "t1"),
                      Event("u", "a", "click", kT0, "", "t2")}));
  std::vector<HistoryEntry> h;
  ASSERT_OK(store_->UserHistory("t1", "u", 10, &h));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(store_->EventTypeName(h[0].type), "view");
  EXPECT_EQ(store_->FindCatalog("t1")->Read().size(), 2u);
  EXPECT_EQ(store_->FindCatalog("t2")->Read().size(), 1u);
  EXPECT_THAT(store_->GetItem("t2", nul_id), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(StateStoreTest, ListItemsPagesInIndexOrderAndSkipsDeleted) {
  v1::LogRecord del;
  del.mutable_item_delete()->set_tenant("default");
  del.mutable_item_delete()->set_id("b");
  ASSERT_OK(ApplyAll({Item("a"), Item("b"), Item("c"), Item("d"), del}));
  std::vector<v1::Item> page;
  uint32_t next = 0;
  ASSERT_OK(store_->ListItems("default", 0, 2, &page, &next));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id(), "a");
  EXPECT_EQ(page[1].id(), "c");
  EXPECT_EQ(next, 3u);
  page.clear();
  ASSERT_OK(store_->ListItems("default", next, 2, &page, &next));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id(), "d");
  EXPECT_EQ(next, 0u);
}

TEST_F(StateStoreTest, ServedItemsAndRecLists) {
  ASSERT_OK(ApplyAll({Item("a"), Item("b")}));
  std::vector<ServedItem> served = {{1, 0, "popularity", 3}, {0, 1, "popularity", 3}};
  ASSERT_OK(store_->RecordServed("default", "u", served, kT0));
  std::vector<uint32_t> seen;
  ASSERT_OK(store_->ServedItems("default", "u", &seen));
  EXPECT_THAT(seen, ElementsAre(0u, 1u));
  seen.clear();
  ASSERT_OK(store_->ServedItems("default", "other", &seen));
  EXPECT_TRUE(seen.empty());

  v1::LogRecord list;
  list.mutable_rec_list()->set_tenant("default");
  list.mutable_rec_list()->set_key("item:a");
  list.mutable_rec_list()->add_item_ids("b");
  ASSERT_OK(ApplyAll({list}));
  ASSERT_OK_AND_ASSIGN(v1::RecList got, store_->GetRecList("default", "item:a"));
  EXPECT_THAT(got.item_ids(), ElementsAre("b"));
  EXPECT_THAT(store_->GetRecList("default", "item:z"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(StateStoreTest, ScanInteractionsSeesEverythingOfTheTenant) {
  ASSERT_OK(ApplyAll({Item("a"), Item("b")}));
  ASSERT_OK(ApplyAll({Event("u1", "a", "view", kT0), Event("u2", "b", "view", kT0 + 1),
                      Event("u1", "b", "click", kT0 + 2), Event("x", "a", "view", kT0, "", "t2")}));
  uint32_t num_users = 0;
  std::vector<HistoryEntry> all;
  ASSERT_OK_AND_ASSIGN(uint64_t applied,
                       store_->ScanInteractions("default", &num_users,
                                                [&](const HistoryEntry& e) { all.push_back(e); }));
  EXPECT_EQ(applied, store_->AppliedOffset());
  EXPECT_EQ(num_users, 2u);
  ASSERT_EQ(all.size(), 3u);
  // Grouped by user, most recent first within a user.
  EXPECT_EQ(all[0].user, 0u);
  EXPECT_EQ(all[0].item, 1u);
  EXPECT_EQ(all[1].user, 0u);
  EXPECT_EQ(all[1].item, 0u);
  EXPECT_EQ(all[2].user, 1u);
}

TEST_F(StateStoreTest, ScanInteractionsGivesAnonymousSessionsPseudoUsers) {
  ASSERT_OK(ApplyAll({Item("a"), Item("b")}));
  ASSERT_OK(ApplyAll({Event("u1", "a", "view", kT0, "s-known"),
                      Event("", "a", "order", kT0 + 1, "s1"),
                      Event("", "b", "order", kT0 + 2, "s1"),
                      Event("", "b", "order", kT0 + 3, "s2")}));
  uint32_t num_users = 0;
  std::vector<HistoryEntry> all;
  ASSERT_OK(store_->ScanInteractions("default", &num_users,
                                     [&](const HistoryEntry& e) { all.push_back(e); }));
  // u1 (index 0), then sessions s1 and s2 as pseudo-users 1 and 2; u1's own session is not
  // counted twice.
  EXPECT_EQ(num_users, 3u);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].user, 0u);
  EXPECT_EQ(all[1].user, 1u);
  EXPECT_EQ(all[2].user, 1u);
  EXPECT_EQ(all[3].user, 2u);
  EXPECT_EQ(all[3].item, 1u);
  std::vector<HistoryEntry> session;
  ASSERT_OK(store_->SessionHistory("default", "s1", 10, &session));
  ASSERT_EQ(session.size(), 2u);
  EXPECT_EQ(session[0].user, kNoUser);
}

TEST_F(StateStoreTest, RecencyIndexFollowsPublicationTime) {
  auto old_item = Item("old");
  old_item.mutable_item_upsert()->set_published_at_ms(kT0 - 10 * kHour);
  auto new_item = Item("new");
  new_item.mutable_item_upsert()->set_published_at_ms(kT0);
  ASSERT_OK(ApplyAll({old_item, new_item}));
  auto r = store_->FindCatalog("default")->Read();
  std::vector<std::string> order;
  for (const auto& [ts, idx] : r.NewestFirst()) order.push_back(r.Id(idx));
  EXPECT_THAT(order, ElementsAre("new", "old"));
}

}  // namespace
}  // namespace recplat::state

namespace recplat::state {
namespace {

v1::LogRecord Doc(const std::string& tenant, const std::string& collection,
                  const std::string& key, const std::string& body, bool deleted = false) {
  v1::LogRecord r;
  r.set_appended_at_ms(kT0);
  v1::Document* d = r.mutable_document_put();
  d->set_tenant(tenant);
  d->set_collection(collection);
  d->set_key(key);
  d->set_body(body);
  d->set_deleted(deleted);
  return r;
}

std::vector<std::string> Keys(const std::vector<v1::Document>& docs) {
  std::vector<std::string> keys;
  for (const auto& d : docs) keys.push_back(d.key());
  return keys;
}

TEST_F(StateStoreTest, DocumentsArePutReadScannedAndDeleted) {
  ASSERT_OK(ApplyAll({Doc("default", "products", "p2", "{\"id\":2}"),
                      Doc("default", "products", "p1", "{\"id\":1}"),
                      Doc("default", "products", "q1", "{}"),
                      Doc("default", "productsX", "p0", "other collection"),
                      Doc("shop2", "products", "p1", "other tenant"),
                      Doc("default", "products", "p2", "{\"id\":22}")}));
  std::vector<v1::Document> got;
  std::vector<std::string> keys = {"p2", "missing", "p1"};
  ASSERT_OK(store_->GetDocuments("default", "products", keys, &got));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].key(), "p2");
  EXPECT_EQ(got[0].body(), "{\"id\":22}");  // The later write wins.
  EXPECT_EQ(got[0].updated_at_ms(), kT0);
  EXPECT_EQ(got[1].body(), "{\"id\":1}");

  // Prefix scan stays inside the collection and tenant, in key order, with paging.
  got.clear();
  std::string next;
  ASSERT_OK(store_->ScanDocuments("default", "products", "p",
                                   "", 1, false, /*reverse=*/false, &got, &next));
  EXPECT_THAT(Keys(got), ElementsAre("p1"));
  EXPECT_EQ(next, "p2");
  got.clear();
  ASSERT_OK(store_->ScanDocuments("default", "products", "p",
                                   next, 10, true, /*reverse=*/false, &got, &next));
  EXPECT_THAT(Keys(got), ElementsAre("p2"));
  EXPECT_EQ(got[0].body(), "");  // keys_only
  EXPECT_EQ(next, "");
  got.clear();
  ASSERT_OK(store_->ScanDocuments("default", "products", "",
                                   "", 10, false, /*reverse=*/false, &got, &next));
  EXPECT_THAT(Keys(got), ElementsAre("p1", "p2", "q1"));

  ASSERT_OK(ApplyAll({Doc("default", "products", "p1", "", /*deleted=*/true)}));
  Reopen();
  got.clear();
  ASSERT_OK(store_->ScanDocuments("default", "products", "",
                                   "", 10, false, /*reverse=*/false, &got, &next));
  EXPECT_THAT(Keys(got), ElementsAre("p2", "q1"));
  got.clear();
  ASSERT_OK(store_->ScanDocuments("shop2", "products", "",
                                   "", 10, false, /*reverse=*/false, &got, &next));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body(), "other tenant");
}

}  // namespace
}  // namespace recplat::state
