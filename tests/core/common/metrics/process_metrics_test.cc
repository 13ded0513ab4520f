// Unit tests of core/common/metrics/process_metrics: /proc parsing (fixture files and the real
// process) and the info series.
#include "core/common/metrics/process_metrics.h"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/process_stats.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"

namespace recplat::metrics {
namespace {

// name -> value of every series (counters and gauges); a labelled series as
// name{value of its one label}.
std::map<std::string, double> Values(const prometheus::Collectable& collector) {
  std::map<std::string, double> out;
  for (const prometheus::MetricFamily& f : collector.Collect()) {
    EXPECT_FALSE(f.metric.empty()) << f.name;
    for (const prometheus::ClientMetric& m : f.metric) {
      EXPECT_LE(m.label.size(), 1u) << f.name;
      const std::string key = m.label.empty() ? f.name : f.name + "{" + m.label[0].value + "}";
      out[key] = f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return out;
}

void Write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(ProcessCollectorTest, ReadsFixtureProcFiles) {
  recplat::testing::TempDir dir;
  const std::filesystem::path self = dir.path() / "self";
  std::filesystem::create_directories(self / "fd");
  for (const char* fd : {"0", "1", "2", "7"}) Write(self / "fd" / fd, "");
  // A command name with spaces and parentheses; utime 250, stime 150, 9 threads, start 1000
  // ticks after boot, vsize 4096 bytes, rss 3 pages (fields 14, 15, 20, 22, 23, 24).
  Write(self / "stat",
        "1234 (a (b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 9 0 1000 4096 3 "
        "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  Write(self / "status",
        "Name:\tx\nVmPeak:\t  9999 kB\nVmSize:\t  8000 kB\nVmRSS:\t  2048 kB\nThreads:\t9\n");
  Write(dir.path() / "stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n");

  const ProcessCollector collector(self.string(), (dir.path() / "stat").string());
  const std::map<std::string, double> v = Values(collector);
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(v.at("process_cpu_seconds_total"), 400 / ticks);
  EXPECT_DOUBLE_EQ(v.at("process_start_time_seconds"), 1700000000 + 1000 / ticks);
  EXPECT_EQ(v.at("process_resident_memory_bytes"), 2048.0 * 1024);
  EXPECT_EQ(v.at("process_virtual_memory_bytes"), 8000.0 * 1024);
  EXPECT_EQ(v.at("process_threads"), 9);
  EXPECT_EQ(v.at("process_open_fds"), 4);
  EXPECT_GT(v.at("process_max_fds"), 0);
}

TEST(ProcessCollectorTest, LeavesOutWhatItCannotRead) {
  recplat::testing::TempDir dir;
  const std::filesystem::path self = dir.path() / "self";
  std::filesystem::create_directories(self);
  Write(self / "stat", "garbage without the command name\n");
  const ProcessCollector collector(self.string(), (dir.path() / "missing").string());
  const std::map<std::string, double> v = Values(collector);
  // No status file, no fd directory, an unparsable stat: none of these is reported as 0.
  EXPECT_FALSE(v.contains("process_cpu_seconds_total"));
  EXPECT_FALSE(v.contains("process_start_time_seconds"));
  EXPECT_FALSE(v.contains("process_resident_memory_bytes"));
  EXPECT_FALSE(v.contains("process_open_fds"));
}

TEST(ProcessCollectorTest, ReportsThisProcess) {
  const ProcessCollector collector;
  const std::map<std::string, double> v = Values(collector);
  ASSERT_TRUE(v.contains("process_cpu_seconds_total"));
  EXPECT_GE(v.at("process_cpu_seconds_total"), 0);
  EXPECT_GT(v.at("process_resident_memory_bytes"), 1 << 20);  // a gtest binary is > 1 MiB
  EXPECT_GT(v.at("process_virtual_memory_bytes"), v.at("process_resident_memory_bytes"));
  EXPECT_GE(v.at("process_open_fds"), 3);  // stdin, stdout, stderr
  EXPECT_GE(v.at("process_threads"), 1);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(v.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(v.at("process_start_time_seconds"), now - 3600);  // started within the hour
}

TEST(ProcessCollectorTest, ReportsTheHeap) {
  if (common::CurrentHeap().in_use == 0) GTEST_SKIP() << "malloc is not glibc's (sanitizer)";
  const ProcessCollector collector;
  const std::map<std::string, double> before = Values(collector);
  ASSERT_TRUE(before.contains("recplat_heap_bytes{in_use}"));
  ASSERT_TRUE(before.contains("recplat_heap_bytes{free}"));
  ASSERT_TRUE(before.contains("recplat_heap_bytes{mmapped}"));
  // 16 MiB in small blocks is heap in use; a 64 MiB block is mmapped.
  std::vector<std::unique_ptr<char[]>> small;
  for (int i = 0; i < 16 * 1024; ++i) small.push_back(std::make_unique<char[]>(1000));
  auto large = std::make_unique<char[]>(64 << 20);
  const std::map<std::string, double> after = Values(collector);
  EXPECT_GE(after.at("recplat_heap_bytes{in_use}"),
            before.at("recplat_heap_bytes{in_use}") + (15 << 20));
  EXPECT_GE(after.at("recplat_heap_bytes{mmapped}"),
            before.at("recplat_heap_bytes{mmapped}") + (64 << 20));
}

TEST(InfoCollectorTest, ExposesBuildAndProfileAsLabels) {
  const InfoCollector collector({"1.2.3", "Release", "GNU 12.2.0"}, {"ecoseller", "all"});
  std::map<std::string, std::map<std::string, std::string>> labels;
  for (const prometheus::MetricFamily& f : collector.Collect()) {
    ASSERT_EQ(f.metric.size(), 1u);
    EXPECT_EQ(f.metric[0].gauge.value, 1);
    for (const auto& l : f.metric[0].label) labels[f.name][l.name] = l.value;
  }
  EXPECT_EQ(labels["recplat_build_info"]["version"], "1.2.3");
  EXPECT_EQ(labels["recplat_build_info"]["build_type"], "Release");
  EXPECT_EQ(labels["recplat_build_info"]["compiler"], "GNU 12.2.0");
  EXPECT_EQ(labels["recplat_profile_info"]["profile"], "ecoseller");
  EXPECT_EQ(labels["recplat_profile_info"]["role"], "all");
}

}  // namespace
}  // namespace recplat::metrics
