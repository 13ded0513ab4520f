// File: time_params.h
//
// Time query parameters, for route sets whose originals read UTC times with strptime, e.g.
// ecoseller's dashboard `date_from`/`date_to` (`%Y-%m-%dT%H:%M:%S.%fZ`): the text accepted
// leniently, a [from, to] range of two parameters with defaults, and that range as the whole
// milliseconds the core's ranges take.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontends/http_rest/http_message.h"

namespace recplat::http {

// "YYYY-MM-DDTHH:MM:SS[.fraction][Z]" (any number of fraction digits or none, 'Z' optional, a
// space instead of 'T'), or a bare "YYYY-MM-DD" (midnight); always UTC; surrounding whitespace
// is ignored. Returns INVALID_ARGUMENT naming `param` for anything else (out-of-range fields
// included).
absl::StatusOr<absl::Time> ParseUtcTimeParam(absl::string_view text, absl::string_view param);

// An inclusive time range.
struct TimeRange {
  absl::Time from;
  absl::Time to;
};

// The query parameters `from_param` and `to_param` of `request` (ParseUtcTimeParam), absent or
// empty ones taking `default_from` / `default_to`. INVALID_ARGUMENT as ParseUtcTimeParam, or
// "<from_param>: must not be after <to_param>" when from > to.
absl::StatusOr<TimeRange> ParseTimeRangeParams(const HttpRequest& request,
                                               absl::string_view from_param,
                                               absl::string_view to_param,
                                               absl::Time default_from, absl::Time default_to);

// An inclusive range of Unix milliseconds.
struct MillisRange {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// The whole milliseconds of `range`, not before 1970: the first at or after `from`, the last
// at or before `to`, so a record stamped in milliseconds (served lists, events, versions) is
// inside exactly when its time is in [from, to]. nullopt when there is none.
std::optional<MillisRange> ToMillisRange(const TimeRange& range);

}  // namespace recplat::http
