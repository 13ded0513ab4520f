#include "core/config/internal/text.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace recplat::config::internal {

std::string JoinPath(absl::string_view prefix, absl::string_view key) {
  if (prefix.empty()) {
    return std::string(key);
  }
  return absl::StrCat(prefix, ".", key);
}

std::string Quote(absl::string_view text) {
  constexpr size_t kMaxShown = 80;
  if (text.size() <= kMaxShown) {
    return absl::StrCat("'", absl::CHexEscape(text), "'");
  }
  return absl::StrCat("'", absl::CHexEscape(text.substr(0, kMaxShown)), "'...");
}

std::string QuoteValue(absl::string_view text, bool secret) {
  if (secret && !text.empty()) {
    return absl::StrCat("'", kRedacted, "'");
  }
  return Quote(text);
}

absl::Status KeyError(absl::string_view source, absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": key '", key, "': ", problem));
}

int EditDistance(absl::string_view a, absl::string_view b, int limit) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) {
    return limit + 1;
  }
  // Three rolling rows of the dynamic-programming table: i-2, i-1 and i.
  std::vector<int> before(m + 1), previous(m + 1), current(m + 1);
  for (int j = 0; j <= m; ++j) {
    previous[j] = j;
  }
  for (int i = 1; i <= n; ++i) {
    current[0] = i;
    int row_min = current[0];
    for (int j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
      row_min = std::min(row_min, current[j]);
    }
    if (row_min > limit) {
      return limit + 1;
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[m], limit + 1);
}

std::string Suggest(absl::string_view word, const std::vector<std::string>& candidates) {
  // Two edits turn most short words into each other ("foo" → "log"), so they get one.
  const int max_distance = word.size() <= 4 ? 1 : 2;
  const std::string* best = nullptr;
  int best_distance = max_distance + 1;
  for (const std::string& candidate : candidates) {
    const int distance = EditDistance(word, candidate, max_distance);
    if (distance < best_distance && distance < static_cast<int>(word.size())) {
      best = &candidate;
      best_distance = distance;
    }
  }
  if (best == nullptr) {
    return "";
  }
  return absl::StrCat("; did you mean '", *best, "'?");
}

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
    const uint8_t lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t code = 0;
    uint32_t min_code = 0;
    if ((lead & 0xE0) == 0xC0) {
      length = 2, code = lead & 0x1F, min_code = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code = lead & 0x0F, min_code = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code = lead & 0x07, min_code = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (size_t k = 1; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) {
        return false;
      }
      code = (code << 6) | (byte(i + k) & 0x3F);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace recplat::config::internal
