// Unit tests of core/common: JSON helpers, clock, random generator, logging, status macros,
// process statistics.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "core/common/clock.h"
#include "core/common/json.h"
#include "core/common/logging.h"
#include "core/common/process_stats.h"
#include "core/common/random.h"
#include "core/common/status_macros.h"
#include "core/common/table_cache.h"
#include "core/common/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace recplat::common {
namespace {

using nlohmann::json;
using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

TEST(JsonStringTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonString("l1\nl2\tt\r"), R"("l1\nl2\tt\r")");
  EXPECT_EQ(JsonString(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(JsonString(std::string("nul\0x", 5)), R"("nul\u0000x")");
}

TEST(JsonStringTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(JsonString("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // A lone continuation byte, an overlong encoding, a surrogate and a truncated sequence.
  EXPECT_EQ(JsonString("a\x80" "b"), R"("a\ufffdb")");
  EXPECT_EQ(JsonString("\xc0\xaf"), R"("\ufffd\ufffd")");
  EXPECT_EQ(JsonString("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(JsonString("\xe2\x82"), R"("\ufffd\ufffd")");
}

TEST(JsonStringTest, OutputAlwaysParsesBackToTheValidText) {
  for (const std::string& s : {std::string("x\"y"), std::string("\x01\x02 tab\t"),
                               std::string("\xff\xfe bytes"), std::string("")}) {
    const json parsed = json::parse(JsonString(s), nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(parsed.is_discarded()) << JsonString(s);
    ASSERT_TRUE(parsed.is_string());
  }
  EXPECT_EQ(json::parse(JsonString("q\"\\\n")).get<std::string>(), "q\"\\\n");
}

TEST(JsonIntegerTest, AcceptsIntegersInRange) {
  EXPECT_EQ(JsonInteger(json(42)), 42);
  EXPECT_EQ(JsonInteger(json(-7)), -7);
  EXPECT_EQ(JsonInteger(json(std::numeric_limits<int64_t>::max())),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(JsonInteger(json(std::numeric_limits<int64_t>::min())),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(JsonInteger(json(uint64_t{9223372036854775807u})), INT64_MAX);
  EXPECT_EQ(JsonInteger(json(uint64_t{9223372036854775808u})), std::nullopt);
  EXPECT_EQ(JsonInteger(json::parse("18446744073709551615")), std::nullopt);
}

TEST(JsonIntegerTest, AcceptsIntegralFiniteDoublesInRangeOnly) {
  EXPECT_EQ(JsonInteger(json(3.0)), 3);
  EXPECT_EQ(JsonInteger(json(-0.0)), 0);
  EXPECT_EQ(JsonInteger(json(-9223372036854775808.0)), std::numeric_limits<int64_t>::min());
  // 2^63 and beyond would be undefined behaviour in a cast: rejected.
  EXPECT_EQ(JsonInteger(json(9223372036854775808.0)), std::nullopt);
  EXPECT_EQ(JsonInteger(json(1e300)), std::nullopt);
  EXPECT_EQ(JsonInteger(json(-1e300)), std::nullopt);
  EXPECT_EQ(JsonInteger(json(2.5)), std::nullopt);
  EXPECT_EQ(JsonInteger(json(std::numeric_limits<double>::infinity())), std::nullopt);
  EXPECT_EQ(JsonInteger(json(std::nan(""))), std::nullopt);
}

TEST(JsonIntegerTest, AcceptsDecimalStringsLikePythonInt) {
  EXPECT_EQ(JsonInteger(json("17")), 17);
  EXPECT_EQ(JsonInteger(json(" -17 ")), -17);
  EXPECT_EQ(JsonInteger(json("9223372036854775807")), INT64_MAX);
  EXPECT_EQ(JsonInteger(json("9223372036854775808")), std::nullopt);
  EXPECT_EQ(JsonInteger(json("4.5")), std::nullopt);
  EXPECT_EQ(JsonInteger(json("12abc")), std::nullopt);
  EXPECT_EQ(JsonInteger(json("")), std::nullopt);
}

TEST(JsonIntegerTest, RejectsOtherTypes) {
  EXPECT_EQ(JsonInteger(json(true)), std::nullopt);
  EXPECT_EQ(JsonInteger(json(nullptr)), std::nullopt);
  EXPECT_EQ(JsonInteger(json::array({1})), std::nullopt);
  EXPECT_EQ(JsonInteger(json::object({{"a", 1}})), std::nullopt);
}

TEST(TruncateUtf8Test, CutsBeforeACharacterThatDoesNotFit) {
  EXPECT_EQ(TruncateUtf8("abc", 3), "abc");
  EXPECT_EQ(TruncateUtf8("abcd", 3), "abc");
  // "é" is two bytes, "€" three: never half a character.
  EXPECT_EQ(TruncateUtf8("aé", 2), "a");
  EXPECT_EQ(TruncateUtf8("aé", 3), "aé");
  EXPECT_EQ(TruncateUtf8("ab€", 4), "ab");
  EXPECT_EQ(TruncateUtf8("€€", 5), "€");
  EXPECT_EQ(TruncateUtf8("€", 0), "");
  EXPECT_EQ(TruncateUtf8("", 0), "");
}

TEST(ClockTest, SystemClockAgreesWithItselfAndMovesForward) {
  const Clock& clock = Clock::Default();
  const int64_t ms = clock.NowMs();
  const int64_t us = clock.NowMicros();
  EXPECT_GT(ms, 1600000000000);  // After 2020.
  EXPECT_NEAR(static_cast<double>(us) / 1000.0, static_cast<double>(ms), 1000.0);
  const double t0 = clock.MonotonicSeconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double t1 = clock.MonotonicSeconds();
  EXPECT_GE(t1 - t0, 0.004);
}

TEST(RngTest, SameSeedSameSequenceDifferentSeedDifferentSequence) {
  Rng a(7), b(7), c(8);
  std::vector<uint64_t> xa, xb, xc;
  for (int i = 0; i < 16; ++i) {
    xa.push_back(a());
    xb.push_back(b());
    xc.push_back(c());
  }
  EXPECT_EQ(xa, xb);
  EXPECT_NE(xa, xc);
  a.Seed(8);
  EXPECT_EQ(a(), xc[0]);
}

TEST(RngTest, UniformStaysInRangeAndCoversIt) {
  Rng rng(1);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = rng.Uniform(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 600);
  for (int i = 0; i < 1000; ++i) {
    const double d = rng.UniformDouble();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 1.0);
  }
}

TEST(RngTest, ThreadLocalGeneratorsDiffer) {
  uint64_t main_first = ThreadLocalRng()();
  uint64_t other_first = 0;
  std::thread t([&] { other_first = ThreadLocalRng()(); });
  t.join();
  EXPECT_NE(main_first, other_first);
}

TEST(LoggingTest, ParsesLevels) {
  LogLevel level;
  ASSERT_OK(ParseLogLevel("WARN", &level));
  EXPECT_EQ(level, LogLevel::kWarn);
  ASSERT_OK(ParseLogLevel("off", &level));
  EXPECT_EQ(level, LogLevel::kOff);
  EXPECT_THAT(ParseLogLevel("loud", &level), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(InitLogging(LogLevel::kInfo, "xml"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LoggingTest, JsonLinesAreValidJsonWithEscapedFields) {
  ASSERT_OK(InitLogging(LogLevel::kInfo, "json"));
  ::testing::internal::CaptureStderr();
  RECPLAT_LOG(Info, "quote \" and newline \n", {{"path", "a\\b"}, {"n", 3}});
  RECPLAT_LOG(Debug, "not shown");
  const std::string out = ::testing::internal::GetCapturedStderr();
  ASSERT_OK(InitLogging(LogLevel::kInfo, "text"));
  ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  const json line = json::parse(out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(line.is_discarded()) << out;
  EXPECT_EQ(line.value("msg", ""), "quote \" and newline \n");
  EXPECT_EQ(line.value("path", ""), "a\\b");
  EXPECT_EQ(line.value("level", ""), "info");
}

absl::StatusOr<int> Half(int v) {
  if (v % 2 != 0) return absl::InvalidArgumentError("odd");
  return v / 2;
}

absl::StatusOr<int> Quarter(int v) {
  RECPLAT_ASSIGN_OR_RETURN(int half, Half(v));
  RECPLAT_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int v) {
  RECPLAT_RETURN_IF_ERROR(Half(v).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("odd")));
  EXPECT_OK(CheckEven(4));
  EXPECT_THAT(CheckEven(3), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ProcessStatsTest, ReadsThisProcess) {
  EXPECT_GT(CurrentRssBytes(), 0);
  EXPECT_GE(PeakRssBytes(), CurrentRssBytes() / 2);
  EXPECT_GT(TotalMemoryBytes(), CurrentRssBytes());
  // Touch 64 MiB: the peak must grow by most of it.
  ResetPeakRss();
  const int64_t before = PeakRssBytes();
  std::vector<char> block(64 << 20, 1);
  EXPECT_GT(PeakRssBytes(), before + (32 << 20)) << static_cast<int>(block[12345]);
}

TEST(ProcessStatsTest, ReleaseFreeHeapReturnsFreedBlocksToTheKernel) {
  if (CurrentHeap().in_use == 0) GTEST_SKIP() << "malloc is not glibc's (sanitizer)";
  // 64 MiB in 4 KiB blocks (heap, not mmap), touched; all freed but the last, which keeps the
  // heap's top in place so that free() alone cannot shrink it.
  std::vector<char*> blocks;
  for (int i = 0; i < 16 * 1024; ++i) {
    char* b = static_cast<char*>(std::malloc(4096));
    std::memset(b, 1, 4096);
    blocks.push_back(b);
  }
  for (size_t i = 0; i + 1 < blocks.size(); ++i) std::free(blocks[i]);
  const int64_t freed = CurrentHeap().free;
  EXPECT_GE(freed, 48 << 20);
  const int64_t rss = CurrentRssBytes();
  ReleaseFreeHeap();
  EXPECT_LT(CurrentRssBytes(), rss - (32 << 20));
  std::free(blocks.back());
}

TEST(TableCacheTest, EveryShardHoldsSeveralReadersSoTheCapIsTheCapacity) {
  // RocksDB gives each of the 2^bits shards at least one entry: the cap only holds when the
  // shards are no more than the capacity (here, each holds at least eight).
  for (int max_open_files : {20, 21, 26, 40, 100, 512, 5000, 1000000}) {
    const int bits = TableCacheShardBits(max_open_files);
    const int capacity = TableCacheCapacity(max_open_files);
    EXPECT_GE(bits, 0);
    EXPECT_LE(bits, 6) << "more shards than RocksDB's default";
    EXPECT_TRUE((1 << bits) == 1 || capacity / (1 << bits) >= 8) << max_open_files;
  }
  EXPECT_EQ(TableCacheShardBits(20), 0);
  EXPECT_EQ(TableCacheCapacity(20), 10);
  EXPECT_EQ(TableCacheShardBits(1000000), 6);
}

}  // namespace
}  // namespace recplat::common
