#include "core/common/logging.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "absl/strings/ascii.h"
#include "core/common/json.h"

namespace recplat::common {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_json{false};
std::mutex g_write_mu;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch())
                    .count();
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  // Sized for any int fields, so the compiler can prove no truncation.
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros % 1000000));
  return buf;
}

}  // namespace

absl::Status ParseLogLevel(absl::string_view text, LogLevel* out) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "trace") *out = LogLevel::kTrace;
  else if (t == "debug") *out = LogLevel::kDebug;
  else if (t == "info") *out = LogLevel::kInfo;
  else if (t == "warn" || t == "warning") *out = LogLevel::kWarn;
  else if (t == "error") *out = LogLevel::kError;
  else if (t == "off") *out = LogLevel::kOff;
  else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown log level '", text, "' (expected trace, debug, info, warn, error or off)"));
  }
  return absl::OkStatus();
}

absl::Status InitLogging(LogLevel level, absl::string_view format) {
  if (format != "text" && format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown log format '", format, "' (expected text or json)"));
  }
  g_level.store(static_cast<int>(level));
  g_json.store(format == "json");
  return absl::OkStatus();
}

bool LogEnabled(LogLevel level) {
  return level != LogLevel::kOff && static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(128 + msg.size());
  if (g_json.load(std::memory_order_relaxed)) {
    line.append("{\"ts\":\"").append(Timestamp()).append("\",\"level\":\"");
    line.append(LevelName(level)).append("\",\"msg\":");
    common::AppendJsonString(&line, msg);
    for (const LogField& f : fields) {
      line.push_back(',');
      common::AppendJsonString(&line, f.key);
      line.push_back(':');
      common::AppendJsonString(&line, f.value);
    }
    line.append("}\n");
  } else {
    line.append(Timestamp()).append(" ").append(LevelName(level)).append(" ");
    line.append(msg.data(), msg.size());
    for (const LogField& f : fields) {
      line.append(" ").append(f.key).append("=");
      if (f.value.find_first_of(" \"=") != std::string::npos) {
        common::AppendJsonString(&line, f.value);
      } else {
        line.append(f.value);
      }
    }
    line.push_back('\n');
  }
  std::lock_guard<std::mutex> lock(g_write_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace recplat::common
