// The RocksDB state store opened as a read-only secondary of a store that another opener
// (standing in for another process, e.g. a running server) holds: the lock error, catching up
// to a wanted applied offset, the fixed snapshot it shows afterwards, and that it never writes.
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/state/state_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::state {
namespace {

using ::recplat::testing::FakeClock;
using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'700'000'000'000;

class StateStoreSecondaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto primary = OpenRocksDbStateStore(Primary());
    ASSERT_OK(primary);
    primary_ = std::move(primary).value();
  }

  StateStoreOptions Primary() const {
    StateStoreOptions options;
    options.path = (dir_.path() / "state").string();
    options.clock = &clock_;
    return options;
  }
  StateStoreOptions Secondary(uint64_t min_applied_offset = 0, double timeout_seconds = 10,
                              const std::string& name = "secondary") const {
    StateStoreOptions options = Primary();
    options.secondary = true;
    options.secondary_path = (dir_.path() / name).string();
    options.min_applied_offset = min_applied_offset;
    options.catch_up_timeout_seconds = timeout_seconds;
    return options;
  }

  // Applies an upsert of item `id` and a view of it by `user`, at the next two offsets.
  absl::Status ApplyItemAndView(const std::string& id, const std::string& user) {
    v1::LogRecord item;
    item.set_appended_at_ms(kT0);
    item.mutable_item_upsert()->set_tenant("default");
    item.mutable_item_upsert()->set_id(id);
    v1::LogRecord event;
    event.set_appended_at_ms(kT0);
    v1::Event* e = event.mutable_event();
    e->set_tenant("default");
    e->set_user_id(user);
    e->set_item_id(id);
    e->set_type("view");
    e->set_timestamp_ms(kT0);
    std::vector<OffsetRecord> batch = {{next_offset_, &item}, {next_offset_ + 1, &event}};
    next_offset_ += 2;
    return primary_->Apply(batch);
  }

  TempDir dir_;
  FakeClock clock_{kT0};
  std::unique_ptr<StateStore> primary_;
  uint64_t next_offset_ = 0;
};

TEST_F(StateStoreSecondaryTest, ASecondOpenFailsWithFailedPreconditionWhileTheLockIsHeld) {
  EXPECT_THAT(OpenRocksDbStateStore(Primary()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("held by another")));
}

TEST_F(StateStoreSecondaryTest, SecondaryShowsTheAppliedStateAsOfItsOpen) {
  ASSERT_OK(ApplyItemAndView("a", "u1"));
  ASSERT_OK_AND_ASSIGN(auto secondary, OpenRocksDbStateStore(Secondary(2)));
  EXPECT_EQ(secondary->AppliedOffset(), 2u);
  ASSERT_OK_AND_ASSIGN(v1::Item a, secondary->GetItem("default", "a"));
  EXPECT_EQ(a.index(), 0u);
  ASSERT_NE(secondary->FindCatalog("default"), nullptr);
  EXPECT_EQ(secondary->FindCatalog("default")->Read().live_count(), 1u);
  std::vector<HistoryEntry> history;
  ASSERT_OK(secondary->UserHistory("default", "u1", 10, &history));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(secondary->EventTypeName(history[0].type), "view");

  // The primary moves on; the secondary keeps its snapshot (the catalog and RocksDB agree).
  ASSERT_OK(ApplyItemAndView("b", "u2"));
  EXPECT_EQ(secondary->AppliedOffset(), 2u);
  EXPECT_THAT(secondary->GetItem("default", "b"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(secondary->FindCatalog("default")->Read().live_count(), 1u);
  uint32_t users = 0;
  size_t interactions = 0;
  ASSERT_OK_AND_ASSIGN(uint64_t offset,
                       secondary->ScanInteractions("default", &users, [&](const HistoryEntry&) {
                         ++interactions;
                       }));
  EXPECT_EQ(offset, 2u);
  EXPECT_EQ(users, 1u);
  EXPECT_EQ(interactions, 1u);
}

TEST_F(StateStoreSecondaryTest, OpenWaitsForThePrimaryToApplyTheWantedOffset) {
  ASSERT_OK(ApplyItemAndView("a", "u1"));
  std::thread late([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_OK(ApplyItemAndView("b", "u2"));
  });
  auto secondary = OpenRocksDbStateStore(Secondary(4));
  late.join();
  ASSERT_OK(secondary);
  EXPECT_EQ((*secondary)->AppliedOffset(), 4u);
  EXPECT_OK((*secondary)->GetItem("default", "b"));
}

TEST_F(StateStoreSecondaryTest, OpenGivesUpWaitingAfterTheTimeoutAndReadsWhatWasApplied) {
  ASSERT_OK(ApplyItemAndView("a", "u1"));
  ASSERT_OK_AND_ASSIGN(auto secondary, OpenRocksDbStateStore(Secondary(100, 0.1)));
  EXPECT_EQ(secondary->AppliedOffset(), 2u);
  EXPECT_OK(secondary->GetItem("default", "a"));
}

TEST_F(StateStoreSecondaryTest, SecondaryNeverWrites) {
  ASSERT_OK(ApplyItemAndView("a", "u1"));
  ASSERT_OK_AND_ASSIGN(auto secondary, OpenRocksDbStateStore(Secondary(2)));
  v1::LogRecord item;
  item.mutable_item_upsert()->set_tenant("default");
  item.mutable_item_upsert()->set_id("x");
  std::vector<OffsetRecord> batch = {{2, &item}};
  EXPECT_FALSE(secondary->Apply(batch).ok());
  EXPECT_EQ(secondary->AppliedOffset(), 2u) << "a failed Apply changes nothing";
  EXPECT_THAT(secondary->GetItem("default", "x"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK(secondary->Flush()) << "nothing to flush";
  EXPECT_EQ(primary_->AppliedOffset(), 2u);
  EXPECT_THAT(primary_->GetItem("default", "x"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(StateStoreSecondaryTest, SecondaryNeedsAPathAndAnExistingStore) {
  StateStoreOptions no_path = Secondary();
  no_path.secondary_path.clear();
  EXPECT_THAT(OpenRocksDbStateStore(no_path),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("secondary_path")));
  StateStoreOptions missing = Secondary();
  missing.path = (dir_.path() / "nothing-here").string();
  EXPECT_THAT(OpenRocksDbStateStore(missing),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("as a secondary")));
}

}  // namespace
}  // namespace recplat::state
