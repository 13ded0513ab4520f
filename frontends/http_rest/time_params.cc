#include "frontends/http_rest/time_params.h"

#include <algorithm>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace recplat::http {

absl::StatusOr<absl::Time> ParseUtcTimeParam(absl::string_view text, absl::string_view param) {
  absl::string_view value = absl::StripAsciiWhitespace(text);
  if (!value.empty() && (value.back() == 'Z' || value.back() == 'z')) value.remove_suffix(1);
  // absl::ParseTime rejects out-of-range fields (month 13, Feb 30, 24:00) and trailing text.
  // "%E*S" takes seconds with any number of fraction digits, or none.
  static constexpr absl::string_view kFormats[] = {"%Y-%m-%dT%H:%M:%E*S", "%Y-%m-%d %H:%M:%E*S",
                                                   "%Y-%m-%d"};
  const std::string input(value);
  for (absl::string_view format : kFormats) {
    absl::Time parsed;
    std::string error;
    if (!input.empty() && absl::ParseTime(format, input, absl::UTCTimeZone(), &parsed, &error)) {
      return parsed;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(param, ": expected a date like 2023-08-01T00:00:00.000Z, got \"", text, "\""));
}

absl::StatusOr<TimeRange> ParseTimeRangeParams(const HttpRequest& request,
                                               absl::string_view from_param,
                                               absl::string_view to_param,
                                               absl::Time default_from, absl::Time default_to) {
  TimeRange range{default_from, default_to};
  for (auto [param, out] : {std::make_pair(from_param, &range.from),
                            std::make_pair(to_param, &range.to)}) {
    const std::string* text = request.Query(param);
    if (text == nullptr || text->empty()) continue;
    absl::StatusOr<absl::Time> parsed = ParseUtcTimeParam(*text, param);
    if (!parsed.ok()) return parsed.status();
    *out = *parsed;
  }
  if (range.from > range.to) {
    return absl::InvalidArgumentError(
        absl::StrCat(from_param, ": must not be after ", to_param));
  }
  return range;
}

std::optional<MillisRange> ToMillisRange(const TimeRange& range) {
  int64_t from_ms = absl::ToUnixMillis(range.from);
  if (absl::FromUnixMillis(from_ms) < range.from) ++from_ms;
  from_ms = std::max<int64_t>(from_ms, 0);
  const int64_t to_ms = absl::ToUnixMillis(range.to);
  if (to_ms < from_ms) return std::nullopt;
  return MillisRange{from_ms, to_ms};
}

}  // namespace recplat::http
