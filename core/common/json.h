// File: json.h
//
// The JSON helpers every frontend and report shares, so that each rule exists once:
//   - AppendJsonString / JsonString: a string as a JSON string literal (", \ and control
//     characters escaped; invalid UTF-8 becomes U+FFFD, so the output always parses);
//   - JsonInteger: the one conversion of a JSON value to an int64 that the wire protocols
//     accept (integers in range, integral finite numbers in range, and decimal strings), with
//     no undefined behaviour for out-of-range doubles.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json_fwd.hpp"

namespace recplat::common {

// Appends `s` to `*out` as a JSON string literal, quotes included.
void AppendJsonString(std::string* out, absl::string_view s);

// `s` as a JSON string literal, quotes included.
std::string JsonString(absl::string_view s);

// `value` as an int64 when it is one: an integer within int64, a finite number with no
// fractional part within [-2^63, 2^63), or a string holding a decimal integer within int64
// (surrounding ASCII whitespace allowed, as Python's int() allows). nullopt otherwise
// (booleans, null, fractions, out-of-range values, other strings, arrays, objects).
std::optional<int64_t> JsonInteger(const nlohmann::json& value);

}  // namespace recplat::common
