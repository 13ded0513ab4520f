// The state store's database memory is bounded by its block cache: memtables flush at the
// budget (StateMemtableBudget) and index/filter blocks live in the cache, however much is
// written.
#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <utility>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/common/table_cache.h"
#include "core/state/state_store.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::state {
namespace {

using ::recplat::testing::FakeClock;
using ::recplat::testing::TempDir;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kMiB = int64_t{1} << 20;

TEST(StateMemtableBudgetTest, IsHalfTheCacheAndAtLeastSixteenMiB) {
  EXPECT_EQ(StateMemtableBudget(128 * kMiB), 64 * kMiB);
  EXPECT_EQ(StateMemtableBudget(1024 * kMiB), 512 * kMiB);
  EXPECT_EQ(StateMemtableBudget(20 * kMiB), 16 * kMiB);
  EXPECT_EQ(StateMemtableBudget(0), 16 * kMiB);
}

class StateMemoryTest : public ::testing::Test {
 protected:
  void Open(int64_t block_cache_bytes, int max_open_files = 512) {
    store_.reset();
    StateStoreOptions options;
    options.path = (dir_.path() / "state").string();
    options.clock = &clock_;
    options.block_cache_bytes = block_cache_bytes;
    options.max_open_files = max_open_files;
    ASSERT_OK_AND_ASSIGN(store_, OpenRocksDbStateStore(options));
  }

  // Applies `n` view events spread over users, sessions and items, with long ids so that each
  // event puts a few hundred bytes into several column families.
  void ApplyEvents(int first, int n) {
    std::deque<v1::LogRecord> records;
    std::vector<OffsetRecord> batch;
    for (int i = first; i < first + n; ++i) {
      v1::LogRecord& r = records.emplace_back();
      r.set_appended_at_ms(kT0 + i);
      v1::Event* e = r.mutable_event();
      e->set_tenant("default");
      e->set_user_id(absl::StrCat("user-", i % 20011, "-", std::string(40, 'u')));
      e->set_item_id(absl::StrCat("item-", i % 3001));
      e->set_type("view");
      e->set_timestamp_ms(kT0 + i);
      e->set_session_id(absl::StrCat("session-", i % 50021, "-", std::string(40, 's')));
      e->set_event_id(absl::StrCat("event-", i, "-", std::string(40, 'e')));
      batch.push_back({next_offset_++, &r});
    }
    ASSERT_OK(store_->Apply(batch));
  }

  TempDir dir_;
  FakeClock clock_{kT0};
  std::unique_ptr<StateStore> store_;
  uint64_t next_offset_ = 0;
};

TEST_F(StateMemoryTest, WritesPastTheBudgetKeepMemtablesAndTableReadersBounded) {
  const int64_t cache = 32 * kMiB;
  Open(cache);
  const int64_t budget = StateMemtableBudget(cache);
  uint64_t max_memtables = 0;
  constexpr int kBatch = 2000;
  constexpr int kEvents = 300'000;
  for (int first = 0; first < kEvents; first += kBatch) {
    ApplyEvents(first, kBatch);
    if (HasFatalFailure()) return;
    max_memtables = std::max(max_memtables, store_->MemoryUsage().memtables);
  }
  ASSERT_OK(store_->Flush());
  const common::DatabaseMemory m = store_->MemoryUsage();
  std::printf("memtables at most %.1f MiB (budget %.0f), table readers %.2f MiB, cache %.1f MiB\n",
              max_memtables / 1048576.0, budget / 1048576.0, m.table_readers / 1048576.0,
              m.block_cache / 1048576.0);
  // What was written is several times the budget, so flushes had to happen; in-flight flushes
  // may hold a second budget's worth for a moment.
  EXPECT_LE(max_memtables, static_cast<uint64_t>(2 * budget)) << "max " << max_memtables;
  // Index and filter blocks are charged to the cache, not held by the table readers.
  EXPECT_LT(m.table_readers, static_cast<uint64_t>(kMiB)) << "table readers " << m.table_readers;
  EXPECT_EQ(m.block_cache_capacity, static_cast<uint64_t>(cache));
  EXPECT_LE(m.block_cache, static_cast<uint64_t>(cache + 2 * kMiB)) << "cache " << m.block_cache;

  // Nothing is lost to the flushes: the newest events of a user are all there after a reopen.
  store_.reset();
  Open(cache);
  std::vector<HistoryEntry> history;
  ASSERT_OK(store_->UserHistory("default", absl::StrCat("user-7-", std::string(40, 'u')), 100,
                                &history));
  EXPECT_EQ(history.size(), static_cast<size_t>((kEvents - 7 + 20010) / 20011));
  EXPECT_EQ(store_->EventCount("default", "view"), static_cast<uint64_t>(kEvents));
}

// Descriptors of this process open on table files of the store, and all its table files.
std::pair<int, int> TableFiles(const std::filesystem::path& store) {
  int open = 0;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::read_symlink(fd.path(), ec);
    if (!ec && target.extension() == ".sst" && target.parent_path() == store) ++open;
  }
  int all = 0;
  for (const auto& f : std::filesystem::directory_iterator(store)) {
    if (f.path().extension() == ".sst") ++all;
  }
  return {open, all};
}

TEST_F(StateMemoryTest, MaxOpenFilesBoundsTheDescriptorsOnTableFiles) {
  Open(32 * kMiB);
  // Every flush writes a table file per column family it touches (index blocks of level-0 files
  // are pinned in the cache; reading through files is what opens them).
  for (int round = 0; round < 12; ++round) {
    ApplyEvents(round * 500, 500);
    if (HasFatalFailure()) return;
    ASSERT_OK(store_->Flush());
  }
  const std::filesystem::path path =
      std::filesystem::canonical((dir_.path() / "state").lexically_normal());
  // Reopened with each bound, then every user's history read (which touches every file).
  auto open_after_reads = [&](int max_open_files) {
    Open(32 * kMiB, max_open_files);
    std::vector<HistoryEntry> history;
    for (int u = 0; u < 6000; u += 7) {
      EXPECT_OK(store_->UserHistory(
          "default", absl::StrCat("user-", u, "-", std::string(40, 'u')), 10, &history));
    }
    EXPECT_EQ(store_->EventCount("default", "view"), 6000u);
    return TableFiles(path);
  };
  const auto [open_unbounded, all] = open_after_reads(100000);
  const auto [open_bounded, all_again] = open_after_reads(20);
  std::printf("table files %d: open %d with max_open_files 100000, %d with 20\n", all,
              open_unbounded, open_bounded);
  // The reads need more files than the bound (files whose key range misses the key are not
  // opened, so not all of them).
  ASSERT_GT(open_unbounded, 20) << "the test needs reads over more table files than the bound";
  ASSERT_EQ(all_again, all);
  // RocksDB keeps 10 of the 20 for other files: at most 10 table readers stay open once the
  // reads are done (with RocksDB's default 64 cache shards of one entry each, 14 of 28 were).
  EXPECT_LE(open_bounded, common::TableCacheCapacity(20));
}

TEST_F(StateMemoryTest, AStoreWithoutACacheStillOpensReadsAndWrites) {
  Open(0);
  ApplyEvents(0, 1000);
  if (HasFatalFailure()) return;
  ASSERT_OK(store_->Flush());
  std::vector<HistoryEntry> history;
  ASSERT_OK(store_->UserHistory("default", absl::StrCat("user-3-", std::string(40, 'u')), 10,
                                &history));
  EXPECT_EQ(history.size(), 1u);
  EXPECT_EQ(store_->MemoryUsage().block_cache_capacity, 0u);
}

}  // namespace
}  // namespace recplat::state
