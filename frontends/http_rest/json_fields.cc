#include "frontends/http_rest/json_fields.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "core/common/json.h"

namespace recplat::http::json_fields {
namespace {

using nlohmann::json;

// Pydantic v1: timestamps above this many seconds are taken as milliseconds (repeatedly).
constexpr double kMillisecondsWatershed = 2e10;
// Larger timestamps are out of range (pydantic clamps them to datetime.max; we reject).
constexpr double kMaxTimestamp = 3e20;
// 9999-12-31T23:59:59Z and 0001-01-01T00:00:00Z: Python datetime's range.
constexpr int64_t kMaxUnixSeconds = 253402300799;
constexpr int64_t kMinUnixSeconds = -62135596800;

// Consumes between `min_digits` and `max_digits` ASCII digits from the front of `text`.
bool ConsumeDigits(absl::string_view& text, int min_digits, int max_digits, int64_t* value,
                   int* count = nullptr) {
  int n = 0;
  int64_t result = 0;
  while (n < max_digits && n < static_cast<int>(text.size()) && absl::ascii_isdigit(text[n])) {
    result = result * 10 + (text[n] - '0');
    ++n;
  }
  if (n < min_digits) {
    return false;
  }
  text.remove_prefix(n);
  *value = result;
  if (count != nullptr) {
    *count = n;
  }
  return true;
}

bool ConsumeChar(absl::string_view& text, char c) {
  if (text.empty() || text.front() != c) {
    return false;
  }
  text.remove_prefix(1);
  return true;
}

// The ISO-8601 subset pydantic v1 accepts (its `datetime_re`), as Unix time.
std::optional<absl::Time> ParseIsoDateTime(absl::string_view text) {
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0;
  if (!ConsumeDigits(text, 4, 4, &year) || !ConsumeChar(text, '-') ||
      !ConsumeDigits(text, 1, 2, &month) || !ConsumeChar(text, '-') ||
      !ConsumeDigits(text, 1, 2, &day)) {
    return std::nullopt;
  }
  if (!ConsumeChar(text, 'T') && !ConsumeChar(text, ' ')) {
    return std::nullopt;
  }
  if (!ConsumeDigits(text, 1, 2, &hour) || !ConsumeChar(text, ':') ||
      !ConsumeDigits(text, 1, 2, &minute)) {
    return std::nullopt;
  }
  if (ConsumeChar(text, ':')) {
    if (!ConsumeDigits(text, 1, 2, &second)) {
      return std::nullopt;
    }
    if (ConsumeChar(text, '.')) {
      int digits = 0;
      if (!ConsumeDigits(text, 1, 6, &micros, &digits)) {
        return std::nullopt;
      }
      for (; digits < 6; ++digits) {
        micros *= 10;
      }
      int64_t ignored = 0;
      ConsumeDigits(text, 0, 6, &ignored);  // Digits beyond microseconds are dropped.
    }
  }
  int64_t offset_minutes = 0;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    const bool negative = text.front() == '-';
    text.remove_prefix(1);
    int64_t offset_hours = 0;
    if (!ConsumeDigits(text, 2, 2, &offset_hours)) {
      return std::nullopt;
    }
    int64_t extra_minutes = 0;
    const bool colon = ConsumeChar(text, ':');
    if (!text.empty() || colon) {
      if (!ConsumeDigits(text, 2, 2, &extra_minutes)) {
        return std::nullopt;
      }
    }
    if (offset_hours > 23 || extra_minutes > 59) {
      return std::nullopt;
    }
    offset_minutes = (offset_hours * 60 + extra_minutes) * (negative ? -1 : 1);
  } else {
    ConsumeChar(text, 'Z');
  }
  if (!text.empty() || year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.day() != day || civil.month() != month) {
    return std::nullopt;  // E.g. February 30th: normalisation moved it.
  }
  const absl::Time time = absl::FromCivil(civil, absl::UTCTimeZone()) -
                          absl::Minutes(offset_minutes) + absl::Microseconds(micros);
  // An offset may carry the instant out of Python's (and FormatDateTime's) range.
  if (time < absl::FromUnixSeconds(kMinUnixSeconds) ||
      time >= absl::FromUnixSeconds(kMaxUnixSeconds + 1)) {
    return std::nullopt;
  }
  return time;
}

absl::StatusOr<absl::Time> FromUnixNumber(double seconds, absl::string_view path) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxTimestamp) {
    return FieldError(path, "datetime out of range");
  }
  while (std::fabs(seconds) > kMillisecondsWatershed) {
    seconds /= 1000;
  }
  const double whole = std::floor(seconds);
  const auto micros = static_cast<int64_t>(std::floor((seconds - whole) * 1e6));
  const int64_t unix_seconds = static_cast<int64_t>(whole);
  if (unix_seconds < kMinUnixSeconds || unix_seconds > kMaxUnixSeconds) {
    return FieldError(path, "datetime out of range");
  }
  return absl::FromUnixSeconds(unix_seconds) + absl::Microseconds(micros);
}

}  // namespace

std::string JoinPath(absl::string_view parent, absl::string_view key) {
  return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
}

std::string IndexPath(absl::string_view parent, size_t index) {
  return absl::StrCat(parent, "[", index, "]");
}

absl::Status FieldError(absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(path.empty() ? std::string(problem)
                                                 : absl::StrCat(path, ": ", problem));
}

std::string QuoteForMessage(absl::string_view text) {
  constexpr size_t kMaxBytes = 64;
  const bool cut = text.size() > kMaxBytes;
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxBytes)), cut ? "...\"" : "\"");
}

std::string TypeMismatch(absl::string_view expected, const json& value) {
  if (value.is_string()) {
    return absl::StrCat("expected ", expected, ", got string ",
                        QuoteForMessage(value.get_ref<const std::string&>()));
  }
  return absl::StrCat("expected ", expected, ", got ", value.type_name());
}

absl::Time TruncateToMicros(absl::Time time) {
  return absl::FromUnixMicros(absl::ToUnixMicros(time));
}

std::string FormatDateTime(absl::Time time) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond civil = absl::ToCivilSecond(time, utc);
  const int64_t micros = absl::ToInt64Microseconds(time - absl::FromCivil(civil, utc));
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", civil.year(), civil.month(),
                         civil.day(), civil.hour(), civil.minute(), civil.second(), micros);
}

std::optional<double> ParseFiniteDouble(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  double value = 0;
  if (text.empty() || !absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

absl::StatusOr<absl::Time> ParseDateTime(absl::string_view text, absl::string_view path) {
  if (std::optional<double> number = ParseFiniteDouble(text); number.has_value()) {
    return FromUnixNumber(*number, path);
  }
  std::optional<absl::Time> time = ParseIsoDateTime(text);
  if (!time.has_value()) {
    return FieldError(path, absl::StrCat("invalid datetime ", QuoteForMessage(text),
                                         ", expected ISO-8601 like 2023-08-01T10:00:00Z"));
  }
  return *time;
}

absl::Status Convert(const json& value, absl::string_view path, int64_t* out) {
  if (std::optional<int64_t> v = common::JsonInteger(value)) {
    *out = *v;
    return absl::OkStatus();
  }
  if (value.is_number_float() && std::isfinite(value.get<double>()) &&
      value.get<double>() != std::trunc(value.get<double>())) {
    return FieldError(path, "expected an integer, got a non-integral number");
  }
  if (value.is_number()) return FieldError(path, "integer out of range");
  return FieldError(path, TypeMismatch("an integer", value));
}

absl::Status Convert(const json& value, absl::string_view path, double* out) {
  if (value.is_number()) {
    const double d = value.get<double>();
    if (!std::isfinite(d)) {
      return FieldError(path, "number out of range");
    }
    *out = d;
    return absl::OkStatus();
  }
  if (value.is_string()) {
    if (std::optional<double> parsed = ParseFiniteDouble(value.get_ref<const std::string&>())) {
      *out = *parsed;
      return absl::OkStatus();
    }
  }
  return FieldError(path, TypeMismatch("a number", value));
}

absl::Status Convert(const json& value, absl::string_view path, bool* out) {
  if (value.is_boolean()) {
    *out = value.get<bool>();
    return absl::OkStatus();
  }
  if (value.is_number()) {
    const double d = value.get<double>();
    if (d == 0 || d == 1) {
      *out = d == 1;
      return absl::OkStatus();
    }
  }
  if (value.is_string()) {
    const std::string lower = absl::AsciiStrToLower(value.get_ref<const std::string&>());
    if (lower == "1" || lower == "on" || lower == "t" || lower == "true" || lower == "y" ||
        lower == "yes") {
      *out = true;
      return absl::OkStatus();
    }
    if (lower == "0" || lower == "off" || lower == "f" || lower == "false" || lower == "n" ||
        lower == "no") {
      *out = false;
      return absl::OkStatus();
    }
  }
  return FieldError(path, TypeMismatch("a boolean", value));
}

absl::Status Convert(const json& value, absl::string_view path, std::string* out) {
  if (value.is_string()) {
    *out = value.get<std::string>();
    return absl::OkStatus();
  }
  if (value.is_number_unsigned()) {
    *out = absl::StrCat(value.get<uint64_t>());
    return absl::OkStatus();
  }
  if (value.is_number_integer()) {
    *out = absl::StrCat(value.get<int64_t>());
    return absl::OkStatus();
  }
  return FieldError(path, TypeMismatch("a string", value));
}

absl::Status Convert(const json& value, absl::string_view path, absl::Time* out) {
  absl::StatusOr<absl::Time> time;
  if (value.is_string()) {
    time = ParseDateTime(value.get_ref<const std::string&>(), path);
  } else if (value.is_number()) {
    time = FromUnixNumber(value.get<double>(), path);
  } else {
    return FieldError(path, TypeMismatch("a datetime", value));
  }
  if (!time.ok()) {
    return time.status();
  }
  *out = *time;
  return absl::OkStatus();
}

absl::Status CheckPositive(absl::string_view path, double value, bool allow_zero) {
  if (value > 0 || (allow_zero && value == 0)) {
    return absl::OkStatus();
  }
  return FieldError(path, allow_zero ? "must not be negative" : "must be positive");
}

const json* ObjectReader::Find(absl::string_view key) const {
  const auto it = object_.find(std::string(key));
  return it == object_.end() ? nullptr : &*it;
}

}  // namespace recplat::http::json_fields
