// File: utf8.h
//
// TruncateUtf8: the longest prefix of a UTF-8 text that fits a byte limit without splitting a
// character, for texts the core caps (titles, attribute and context values).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace recplat::common {

// `text` when it has at most `max_bytes` bytes, else its first `max_bytes` bytes less the
// continuation bytes of a character cut in two. Invalid UTF-8 is kept as it is.
inline std::string TruncateUtf8(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut));
}

}  // namespace recplat::common
