// File: internal/json_string.h
//
// JSON string quoting for the one-line evaluation reports (eval.cc, session_eval.cc); not part
// of the eval API.
//
// Thread-safety: pure function.
#pragma once

#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace recplat::eval::internal {

// `s` as a JSON string literal, quotes included (", \ and control characters escaped).
inline std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace recplat::eval::internal
