// File: interaction_file.h
//
// Reading the interaction files of offline evaluation. Two text formats, detected from the
// first non-blank line:
//
//   (a) tab-separated  `user<TAB>item[<TAB>rating[<TAB>timestamp]]`   (MovieLens u.data, u1.base)
//       chosen when the first line contains a tab and has 2 to 4 fields. Every line must have the
//       same number of fields as the first; the rating must be a number (any rating is an
//       implicit positive; it is not used otherwise), the timestamp an integer in seconds.
//   (b) whitespace-separated  `user item item ...`   (BARS train.txt / test.txt)
//       the first token is the user, each further token one interaction, in file order.
//
// Blank lines are skipped, trailing '\r' is ignored. Ids are opaque strings.
//
// Thread-safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::eval {

enum class InteractionFormat { kTabSeparated, kUserItems };

// One interaction as read from the file.
struct RawInteraction {
  std::string user;
  std::string item;
  // Unix epoch milliseconds when the file has timestamps; otherwise the interaction's position
  // in the file (0, 1, 2, ...), so that ordering by it is file order.
  int64_t timestamp_ms = 0;
};

struct InteractionFile {
  InteractionFormat format = InteractionFormat::kTabSeparated;
  // True when every line had a timestamp field.
  bool has_timestamps = false;
  // In file order.
  std::vector<RawInteraction> interactions;
};

// Parses `text`; `name` prefixes error messages ("name:line: ..."). INVALID_ARGUMENT with the
// file name and line number for a malformed line, and when there is no interaction at all.
absl::StatusOr<InteractionFile> ParseInteractions(absl::string_view text, absl::string_view name);

// Reads and parses the file at `path`. NOT_FOUND when it cannot be opened.
absl::StatusOr<InteractionFile> ReadInteractionFile(const std::string& path);

}  // namespace recplat::eval
