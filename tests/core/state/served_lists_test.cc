// The served lists of the state store (RecordServedLists, ScanServed, PruneServedLists) and
// ListItems with a catalog query.
#include <deque>
#include <string>
#include <vector>

#include "core/state/state_store.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::state {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;

constexpr int64_t kT0 = 1'700'000'000'000;

class ServedListsTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    StateStoreOptions options;
    options.path = (dir_.path() / "state").string();
    options.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, OpenRocksDbStateStore(options));
  }

  static v1::ServedList List(const std::string& id, int64_t at_ms,
                             const std::string& surface = "home",
                             const std::string& tenant = "shop") {
    v1::ServedList l;
    l.set_recommendation_id(id);
    l.set_tenant(tenant);
    l.set_surface(surface);
    l.set_served_at_ms(at_ms);
    l.add_item_ids("x" + id);
    return l;
  }

  // Ids of the lists of one scan; `*next` receives the page token.
  std::vector<std::string> Scan(const ServedListScan& scan, std::string* next = nullptr,
                                const std::string& tenant = "shop") {
    std::vector<v1::ServedList> out;
    std::string token;
    EXPECT_OK(store_->ScanServed(tenant, scan, &out, &token));
    if (next != nullptr) *next = token;
    std::vector<std::string> ids;
    for (const auto& l : out) ids.push_back(l.recommendation_id());
    return ids;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{kT0};
  std::unique_ptr<StateStore> store_;
};

TEST_F(ServedListsTest, ScanIsInServingOrderWithAnInclusiveRange) {
  ASSERT_OK(store_->RecordServedLists(std::vector<v1::ServedList>{
      List("c", kT0 + 30), List("a", kT0 + 10), List("b", kT0 + 20), List("b2", kT0 + 20),
      List("other", kT0 + 20, "home", "elsewhere")}));
  EXPECT_THAT(Scan({}), ElementsAre("a", "b", "b2", "c"));
  ServedListScan range;
  range.from_ms = kT0 + 20;
  range.to_ms = kT0 + 30;
  EXPECT_THAT(Scan(range), ElementsAre("b", "b2", "c"));
  range.to_ms = kT0 + 20;  // Both bounds inclusive.
  EXPECT_THAT(Scan(range), ElementsAre("b", "b2"));
  range.from_ms = kT0 + 21;
  range.to_ms = kT0 + 29;
  EXPECT_THAT(Scan(range), ElementsAre());
  // The stored list comes back whole; and survives a reopen.
  Reopen();
  std::vector<v1::ServedList> out;
  std::string next;
  ASSERT_OK(store_->ScanServed("elsewhere", {}, &out, &next));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tenant(), "elsewhere");
  EXPECT_THAT(out[0].item_ids(), ElementsAre("xother"));
  EXPECT_EQ(out[0].served_at_ms(), kT0 + 20);
}

TEST_F(ServedListsTest, PagesResumeWhereTheLastEndedAndFilterBySurface) {
  std::vector<v1::ServedList> lists;
  for (int i = 0; i < 7; ++i) {
    lists.push_back(List("r" + std::to_string(i), kT0 + i, i % 2 == 0 ? "home" : "cart"));
  }
  ASSERT_OK(store_->RecordServedLists(lists));
  ServedListScan scan;
  scan.limit = 3;
  std::string next;
  EXPECT_THAT(Scan(scan, &next), ElementsAre("r0", "r1", "r2"));
  ASSERT_FALSE(next.empty());
  scan.page_token = next;
  EXPECT_THAT(Scan(scan, &next), ElementsAre("r3", "r4", "r5"));
  scan.page_token = next;
  EXPECT_THAT(Scan(scan, &next), ElementsAre("r6"));
  EXPECT_EQ(next, "");

  ServedListScan home;
  home.surface = "home";
  home.limit = 2;
  EXPECT_THAT(Scan(home, &next), ElementsAre("r0", "r2"));
  home.page_token = next;
  EXPECT_THAT(Scan(home, &next), ElementsAre("r4", "r6"));
  // The last matching list ended the scan: no token for an empty page.
  EXPECT_EQ(next, "");
}

TEST_F(ServedListsTest, ForeignPageTokensAreRejected) {
  ServedListScan scan;
  std::vector<v1::ServedList> out;
  std::string next;
  for (const char* token : {"zz", "0123", "not hex at all!!", "0123456789abcdeg"}) {
    scan.page_token = token;
    EXPECT_THAT(store_->ScanServed("shop", scan, &out, &next),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("page_token")))
        << token;
  }
}

TEST_F(ServedListsTest, PruningDeletesOlderListsOfEveryTenant) {
  ASSERT_OK(store_->RecordServedLists(std::vector<v1::ServedList>{
      List("old", kT0), List("new", kT0 + 100), List("old2", kT0 + 50, "home", "t2"),
      List("new2", kT0 + 150, "home", "t2")}));
  ASSERT_OK(store_->PruneServedLists(kT0 + 100));
  EXPECT_THAT(Scan({}), ElementsAre("new"));
  EXPECT_THAT(Scan({}, nullptr, "t2"), ElementsAre("new2"));
}

class ItemQueryTest : public ServedListsTest {
 protected:
  void Upsert(const std::string& id, std::vector<std::string> categories, double price,
              const std::string& brand) {
    std::deque<v1::LogRecord> keep(1);
    v1::Item* item = keep[0].mutable_item_upsert();
    item->set_tenant("default");
    item->set_id(id);
    for (auto& c : categories) item->add_categories(c);
    (*item->mutable_numeric_attributes())["price"] = price;
    (*item->mutable_categorical_attributes())["brand"] = brand;
    OffsetRecord r{next_offset_++, &keep[0]};
    ASSERT_OK(store_->Apply(std::span<const OffsetRecord>(&r, 1)));
  }

  std::vector<std::string> List(const v1::CatalogQuery& query, uint32_t start, int page,
                                uint32_t* next) {
    std::vector<v1::Item> items;
    EXPECT_OK(store_->ListItems("default", query, start, page, &items, next));
    std::vector<std::string> ids;
    for (const auto& item : items) ids.push_back(item.id());
    return ids;
  }

  uint64_t next_offset_ = 0;
};

TEST_F(ItemQueryTest, ListsMatchingLiveItemsPageByPage) {
  Upsert("a", {"category:2", "category:1"}, 10, "acme");
  Upsert("b", {"category:3"}, 20, "acme");
  Upsert("c", {"category:1"}, 30, "zeta");
  Upsert("d", {"category:1"}, 40, "acme");
  v1::CatalogQuery query;
  query.add_categories("category:1");
  query.add_categorical()->set_attribute("brand");
  query.mutable_categorical(0)->add_values("acme");
  uint32_t next = 0;
  EXPECT_THAT(List(query, 0, 1, &next), ElementsAre("a"));
  ASSERT_NE(next, 0u);
  EXPECT_THAT(List(query, next, 1, &next), ElementsAre("d"));
  EXPECT_EQ(next, 0u);
  // Attributes survive a reopen (the catalog is rebuilt from RocksDB).
  Reopen();
  v1::CatalogQuery cheap;
  cheap.add_numeric()->set_attribute("price");
  cheap.mutable_numeric(0)->set_lt(25);
  EXPECT_THAT(List(cheap, 0, 10, &next), ElementsAre("a", "b"));
}

}  // namespace
}  // namespace recplat::state
