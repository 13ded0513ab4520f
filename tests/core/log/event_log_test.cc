#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/log/event_log.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::log {
namespace {

using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;

std::vector<std::pair<uint64_t, std::string>> ReadAll(const EventLog& log, uint64_t from = 0,
                                                      size_t max = 1000000) {
  std::vector<std::pair<uint64_t, std::string>> out;
  EXPECT_OK(log.Read(from, max, [&](uint64_t offset, absl::string_view bytes) {
    out.emplace_back(offset, std::string(bytes));
    return absl::OkStatus();
  }));
  return out;
}

class EventLogTest : public ::testing::TestWithParam<bool> {
 protected:
  std::unique_ptr<EventLog> Open() {
    if (!GetParam()) return NewInMemoryEventLog();
    auto log = OpenRocksDbEventLog({.path = (dir_.path() / "log").string(), .sync = true});
    EXPECT_OK(log);
    return std::move(log).value();
  }
  TempDir dir_;
};

TEST_P(EventLogTest, AppendAssignsConsecutiveOffsetsAndReadsBack) {
  auto log = Open();
  EXPECT_EQ(log->NextOffset(), 0u);
  ASSERT_OK_AND_ASSIGN(uint64_t first, log->Append({"a", "b", "c"}));
  EXPECT_EQ(first, 0u);
  ASSERT_OK_AND_ASSIGN(uint64_t second, log->Append({"d"}));
  EXPECT_EQ(second, 3u);
  EXPECT_EQ(log->NextOffset(), 4u);
  auto all = ReadAll(*log);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0], std::make_pair(uint64_t{0}, std::string("a")));
  EXPECT_EQ(all[3], std::make_pair(uint64_t{3}, std::string("d")));
  auto tail = ReadAll(*log, 2, 1);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].second, "c");
  EXPECT_TRUE(ReadAll(*log, 10).empty());
}

TEST_P(EventLogTest, EmptyAppendIsInvalid) {
  auto log = Open();
  EXPECT_THAT(log->Append({}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(log->NextOffset(), 0u);
}

TEST_P(EventLogTest, BinaryRecordsRoundTrip) {
  auto log = Open();
  std::string binary("\0\x01\xff\n", 4);
  ASSERT_OK(log->Append({binary, std::string(100000, 'x')}).status());
  auto all = ReadAll(*log);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].second, binary);
  EXPECT_EQ(all[1].second.size(), 100000u);
}

TEST_P(EventLogTest, ReaderErrorStopsReading) {
  auto log = Open();
  ASSERT_OK(log->Append({"a", "b", "c"}).status());
  int calls = 0;
  absl::Status s = log->Read(0, 10, [&](uint64_t, absl::string_view) {
    ++calls;
    return absl::AbortedError("stop");
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(calls, 1);
}

TEST_P(EventLogTest, ConcurrentAppendersGetDisjointOffsets) {
  auto log = Open();
  constexpr int kThreads = 4, kAppends = 50, kBatch = 10;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> firsts;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        std::vector<std::string> batch;
        for (int j = 0; j < kBatch; ++j) batch.push_back(absl::StrCat(t, ":", i, ":", j));
        auto first = log->Append(batch);
        ASSERT_TRUE(first.ok());
        std::lock_guard<std::mutex> lock(mu);
        firsts.insert(*first);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(log->NextOffset(), uint64_t{kThreads * kAppends * kBatch});
  EXPECT_EQ(firsts.size(), size_t{kThreads * kAppends});
  // Each batch is contiguous: the records of one batch follow its first offset in order.
  auto all = ReadAll(*log);
  ASSERT_EQ(all.size(), size_t{kThreads * kAppends * kBatch});
  for (uint64_t first : firsts) {
    std::string prefix = all[first].second.substr(0, all[first].second.rfind(':') + 1);
    for (int j = 0; j < kBatch; ++j) EXPECT_EQ(all[first + j].second, absl::StrCat(prefix, j));
  }
}

TEST_P(EventLogTest, WaitForOffsetWakesOnAppend) {
  auto log = Open();
  EXPECT_FALSE(log->WaitForOffset(0, absl::Milliseconds(10)));
  std::thread appender([&] {
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_OK(log->Append({"x"}).status());
  });
  EXPECT_TRUE(log->WaitForOffset(0, absl::Seconds(10)));
  appender.join();
}

TEST_P(EventLogTest, CloseRejectsAppendsAndWakesWaiters) {
  auto log = Open();
  std::thread waiter([&] { EXPECT_FALSE(log->WaitForOffset(5, absl::Seconds(30))); });
  absl::SleepFor(absl::Milliseconds(20));
  log->Close();
  waiter.join();
  EXPECT_THAT(log->Append({"a"}), StatusIs(absl::StatusCode::kUnavailable));
}

INSTANTIATE_TEST_SUITE_P(Impl, EventLogTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "RocksDb" : "InMemory"; });

TEST(RocksDbEventLogTest, ReopenKeepsRecordsAndOffsets) {
  TempDir dir;
  const std::string path = (dir.path() / "log").string();
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({.path = path, .sync = false}));
    ASSERT_OK(log->Append({"a", "b"}).status());
  }
  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({.path = path, .sync = true}));
  EXPECT_EQ(log->NextOffset(), 2u);
  ASSERT_OK_AND_ASSIGN(uint64_t first, log->Append({"c"}));
  EXPECT_EQ(first, 2u);
  auto all = ReadAll(*log);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].second, "c");
}

// The log's memory is bounded however much is appended: memtables flush at the 64 MiB budget
// (operations.md, "Memory: what is bounded"), the block cache is 8 MiB.
TEST(RocksDbEventLogTest, MemtablesStayWithinTheirBudget) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto log,
                       OpenRocksDbEventLog({.path = (dir.path() / "log").string(), .sync = false}));
  const std::vector<std::string> batch(16, std::string(64 << 10, 'r'));  // 1 MiB
  uint64_t most = 0;
  for (int i = 0; i < 160; ++i) {
    ASSERT_OK(log->Append(batch).status());
    const common::DatabaseMemory m = log->MemoryUsage();
    most = std::max(most, m.memtables);
    EXPECT_EQ(m.block_cache_capacity, 8u << 20);
    EXPECT_LE(m.block_cache, m.block_cache_capacity);
  }
  // A memtable may pass its size by the one write that fills it (1 MiB here).
  EXPECT_LE(most, uint64_t{66} << 20);
  EXPECT_GE(most, uint64_t{16} << 20);  // the memtables were used, not bypassed
  EXPECT_EQ(log->NextOffset(), 160u * 16u);
}

TEST(RocksDbEventLogTest, SecondOpenOfSameDirectoryFailsClearly) {
  TempDir dir;
  const std::string path = (dir.path() / "log").string();
  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({.path = path}));
  auto second = OpenRocksDbEventLog({.path = path});
  // FAILED_PRECONDITION tells the caller it may open the log as a secondary instead.
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr(path)));
}

}  // namespace
}  // namespace recplat::log
