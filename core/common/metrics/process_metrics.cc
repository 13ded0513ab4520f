#include "core/common/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "core/common/process_stats.h"

namespace recplat::metrics {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of "Key:   value [kB]" in a /proc status-style file, scaled by 1024 for kB.
std::optional<double> StatusField(absl::string_view text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, key) || !absl::ConsumePrefix(&line, ":")) continue;
    line = absl::StripAsciiWhitespace(line);
    double scale = 1;
    if (absl::ConsumeSuffix(&line, "kB")) {
      scale = 1024;
      line = absl::StripAsciiWhitespace(line);
    }
    double value;
    if (!absl::SimpleAtod(line, &value)) return std::nullopt;
    return value * scale;
  }
  return std::nullopt;
}

// Fields of /proc/<pid>/stat after the command name: element i is field i + 3 of proc(5).
std::vector<absl::string_view> StatFields(absl::string_view stat) {
  const size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == absl::string_view::npos) return {};
  return absl::StrSplit(stat.substr(close + 1), ' ', absl::SkipEmpty());
}

std::optional<double> StatField(const std::vector<absl::string_view>& fields, int number) {
  const size_t i = static_cast<size_t>(number - 3);
  double value;
  if (i >= fields.size() || !absl::SimpleAtod(fields[i], &value)) return std::nullopt;
  return value;
}

double BootTime(const std::string& proc_stat) {
  std::optional<std::string> text = ReadFile(proc_stat);
  if (!text.has_value()) return -1;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::ConsumePrefix(&line, "btime ")) continue;
    double value;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return -1;
}

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family.metric.push_back(std::move(m));
  return family;
}

prometheus::MetricFamily Info(std::string name, std::string help,
                              std::vector<prometheus::ClientMetric::Label> labels) {
  prometheus::MetricFamily family =
      Family(std::move(name), std::move(help), prometheus::MetricType::Gauge, 1);
  family.metric.front().label = std::move(labels);
  return family;
}

}  // namespace

ProcessCollector::ProcessCollector(std::string proc_self, std::string proc_stat)
    : proc_self_(std::move(proc_self)),
      proc_stat_(std::move(proc_stat)),
      ticks_per_second_(::sysconf(_SC_CLK_TCK)),
      boot_time_seconds_(BootTime(proc_stat_)) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  if (std::optional<std::string> stat = ReadFile(proc_self_ + "/stat"); stat.has_value()) {
    const std::vector<absl::string_view> fields = StatFields(*stat);
    const std::optional<double> utime = StatField(fields, 14);
    const std::optional<double> stime = StatField(fields, 15);
    if (utime.has_value() && stime.has_value() && ticks_per_second_ > 0) {
      out.push_back(Family("process_cpu_seconds_total",
                           "Total user and system CPU time spent in seconds", MetricType::Counter,
                           (*utime + *stime) / ticks_per_second_));
    }
    const std::optional<double> start = StatField(fields, 22);
    if (start.has_value() && boot_time_seconds_ >= 0 && ticks_per_second_ > 0) {
      out.push_back(Family("process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds",
                           MetricType::Gauge, boot_time_seconds_ + *start / ticks_per_second_));
    }
  }
  if (std::optional<std::string> status = ReadFile(proc_self_ + "/status"); status.has_value()) {
    if (std::optional<double> rss = StatusField(*status, "VmRSS")) {
      out.push_back(Family("process_resident_memory_bytes", "Resident memory size in bytes",
                           MetricType::Gauge, *rss));
    }
    if (std::optional<double> vm = StatusField(*status, "VmSize")) {
      out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size in bytes",
                           MetricType::Gauge, *vm));
    }
    if (std::optional<double> threads = StatusField(*status, "Threads")) {
      out.push_back(Family("process_threads", "Number of OS threads in the process",
                           MetricType::Gauge, *threads));
    }
  }
  std::error_code ec;
  std::filesystem::directory_iterator fds(proc_self_ + "/fd", ec);
  if (!ec) {
    double open = 0;
    for (auto it = fds; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      ++open;
    }
    if (!ec) {
      out.push_back(
          Family("process_open_fds", "Number of open file descriptors", MetricType::Gauge, open));
    }
  }
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.push_back(Family("process_max_fds", "Maximum number of open file descriptors",
                         MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  }
  if (const common::HeapStats heap = common::CurrentHeap(); heap.in_use > 0) {
    prometheus::MetricFamily f;
    f.name = "recplat_heap_bytes";
    f.help = "The C heap (malloc), bytes, by kind: in_use (held by the program), free (kept by "
             "malloc for reuse), mmapped (large blocks)";
    f.type = MetricType::Gauge;
    for (const auto& [kind, value] :
         {std::pair{"in_use", heap.in_use}, {"free", heap.free}, {"mmapped", heap.mmapped}}) {
      prometheus::ClientMetric m;
      m.label.push_back({"kind", kind});
      m.gauge.value = static_cast<double>(value);
      f.metric.push_back(std::move(m));
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<prometheus::MetricFamily> InfoCollector::Collect() const {
  return {Info("recplat_build_info", "The recplat build: version, build type and compiler (1)",
               {{"build_type", build_.build_type},
                {"compiler", build_.compiler},
                {"version", build_.version}}),
          Info("recplat_profile_info", "The profile and role this process runs (1)",
               {{"profile", profile_.profile}, {"role", profile_.role}})};
}

}  // namespace recplat::metrics
