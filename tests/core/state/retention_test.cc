// Catalog retention applied by the state store in log order (catalog.max_items,
// retention_order, max_age_hours).
#include "core/state/internal/retention.h"

#include "gmock/gmock.h"
#include "tests/core/state/state_test_util.h"

namespace recplat::state {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using test::kHour;
using test::kT0;

RetentionOptions MaxItems(int64_t n, RetentionOrder order = RetentionOrder::kIdNumeric) {
  RetentionOptions o;
  o.max_items = n;
  o.order = order;
  return o;
}

class RetentionTest : public test::StateFixture {};

TEST_F(RetentionTest, MaxItemsKeepsTheHighestNumericIds) {
  Reopen(MaxItems(3));
  ASSERT_OK(ApplyAll({Item("10"), Item("20"), Item("30")}));
  EXPECT_THAT(LiveIds(), ElementsAre("10", "20", "30"));
  ASSERT_OK(ApplyAll({Item("40")}));  // Full: the lowest id goes.
  EXPECT_THAT(LiveIds(), ElementsAre("20", "30", "40"));
  EXPECT_FALSE(Found("10"));
  // Lower than every kept item while full: not added (recorded as deleted).
  ASSERT_OK(ApplyAll({Item("5")}));
  EXPECT_THAT(LiveIds(), ElementsAre("20", "30", "40"));
  EXPECT_FALSE(Found("5"));
  EXPECT_EQ(store_->LiveItemCount("default"), 3u);
  // Non-numeric ids rank lowest; updating a kept item changes nothing.
  ASSERT_OK(ApplyAll({Item("abc"), Item("30")}));
  EXPECT_THAT(LiveIds(), ElementsAre("20", "30", "40"));
  // Events for unknown items create them, and retention applies to them too.
  ASSERT_OK(ApplyAll({Event("u", "50")}));
  EXPECT_THAT(LiveIds(), ElementsAre("30", "40", "50"));
}

TEST_F(RetentionTest, TheIndexSurvivesAReopen) {
  Reopen(MaxItems(2));
  ASSERT_OK(ApplyAll({Item("1"), Item("2")}));
  Reopen(MaxItems(2));
  ASSERT_OK(ApplyAll({Item("3")}));
  EXPECT_THAT(LiveIds(), ElementsAre("2", "3"));
}

TEST_F(RetentionTest, PublishedAtOrder) {
  Reopen(MaxItems(2, RetentionOrder::kPublishedAt));
  ASSERT_OK(ApplyAll({Item("new", kT0), Item("old", kT0 - 10 * kHour), Item("mid", kT0 - kHour)}));
  EXPECT_THAT(LiveIds(), ElementsAre("new", "mid"));
}

TEST_F(RetentionTest, MaxAgeDeletesItemsOlderThanTheNewestByMoreThanTheLimit) {
  RetentionOptions o;
  o.max_age_hours = 24;
  Reopen(o);
  ASSERT_OK(ApplyAll({Item("a", kT0), Item("b", kT0 + 20 * kHour)}));
  EXPECT_THAT(LiveIds(), ElementsAre("a", "b"));
  ASSERT_OK(ApplyAll({Item("c", kT0 + 24 * kHour)}));  // a is exactly 24 h older: kept.
  EXPECT_THAT(LiveIds(), ElementsAre("a", "b", "c"));
  ASSERT_OK(ApplyAll({Item("d", kT0 + 30 * kHour)}));
  EXPECT_THAT(LiveIds(), ElementsAre("b", "c", "d"));
  ASSERT_OK(ApplyAll({Item("ancient", kT0)}));  // Too old to be added at all.
  EXPECT_FALSE(Found("ancient"));
}

TEST_F(RetentionTest, TheSameLogKeepsTheSameItemsWhateverTheBatches) {
  std::vector<v1::LogRecord> log;
  for (int i = 0; i < 40; ++i) {
    log.push_back(Item(std::to_string((i * 37) % 50), kT0 + (i % 7) * kHour));
    if (i % 5 == 0) log.push_back(Delete(std::to_string((i * 11) % 50)));
  }
  RetentionOptions o = MaxItems(8);
  o.max_age_hours = 4;
  Reopen(o);
  ASSERT_OK(ApplyAll(log));  // One batch.
  const std::vector<std::string> one_batch = LiveIds();

  store_.reset();
  std::filesystem::remove_all(dir_.path() / "state");
  next_offset_ = 0;
  Reopen(o);
  for (const v1::LogRecord& r : log) ASSERT_OK(ApplyAll({r}));  // One record per batch.
  EXPECT_EQ(LiveIds(), one_batch);
  EXPECT_LE(one_batch.size(), 8u);
  EXPECT_FALSE(one_batch.empty());
}

TEST(RetentionIndexTest, EvictionsFollowTheRules) {
  internal::RetentionIndex index(RetentionOrder::kIdNumeric);
  index.Insert(0, "7", 100);
  index.Insert(1, "x", 200);
  index.Insert(2, "3", 300);
  index.Insert(3, "9", 400);
  RetentionOptions o;
  EXPECT_THAT(index.Evictions(o), IsEmpty());
  o.max_items = 2;
  EXPECT_THAT(index.Evictions(o), ElementsAre("x", "3"));  // Non-numeric first, then by value.
  o.max_age_hours = 250.0 / 3'600'000;                    // 250 ms: only 100 is too old.
  EXPECT_THAT(index.Evictions(o), ElementsAre("7", "x"));
  index.Erase(1);
  index.Insert(0, "7", 350);  // Replaces the entry.
  EXPECT_EQ(index.size(), 3u);
  EXPECT_THAT(index.Evictions(o), ElementsAre("3"));
}

}  // namespace
}  // namespace recplat::state
