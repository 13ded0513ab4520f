// File: logging.h
//
// Structured logging for recplat (a small writer to stderr; no dependency). One logger for the process,
// configured once in main by InitLogging(); before that, messages go to stderr as text.
//
//   RECPLAT_LOG(info, "event log opened", {{"path", path}, {"next_offset", n}});
//
// In `json` format every line is one JSON object {"ts","level","msg", ...fields}; in `text`
// format fields follow the message as key=value. Secrets must never be passed as fields.
//
// Thread-safety: all functions are thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace recplat::common {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// One key=value field; values are pre-rendered strings.
struct LogField {
  LogField(absl::string_view k, absl::string_view v) : key(k), value(v) {}
  LogField(absl::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(absl::string_view k, const char* v) : key(k), value(v) {}
  template <typename T>
  LogField(absl::string_view k, const T& v) : key(k), value(absl::StrCat(v)) {}
  std::string key;
  std::string value;
};

// Parses "trace|debug|info|warn|error|off" (case-insensitive).
absl::Status ParseLogLevel(absl::string_view text, LogLevel* out);

// Configures the process logger. `format` is "text" or "json". Returns INVALID_ARGUMENT for an
// unknown format.
absl::Status InitLogging(LogLevel level, absl::string_view format);

bool LogEnabled(LogLevel level);

void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});

}  // namespace recplat::common

#define RECPLAT_LOG(level, ...)                                                      \
  do {                                                                               \
    if (::recplat::common::LogEnabled(::recplat::common::LogLevel::k##level)) {      \
      ::recplat::common::Log(::recplat::common::LogLevel::k##level, __VA_ARGS__);    \
    }                                                                                \
  } while (0)

