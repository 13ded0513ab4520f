#include "core/eval/interaction_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/eval/internal/eval_common.h"

namespace recplat::eval {
namespace {

absl::Status LineError(absl::string_view name, size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(name, ":", line, ": ", what));
}

// Appends the interaction of one tab-separated line; `fields` is the field count of the file.
absl::Status ParseTabLine(absl::string_view text, absl::string_view name, size_t line,
                          size_t fields, InteractionFile* out) {
  std::vector<absl::string_view> f = absl::StrSplit(text, '\t');
  if (f.size() != fields) {
    return LineError(name, line,
                     absl::StrCat("expected ", fields,
                                  " tab-separated fields like the first "
                                  "line (user, item[, rating[, timestamp]]), got ",
                                  f.size()));
  }
  for (absl::string_view& v : f) {
    v = absl::StripAsciiWhitespace(v);
  }
  if (f[0].empty() || f[1].empty()) {
    return LineError(name, line, "empty user or item id");
  }
  RawInteraction x;
  x.user = std::string(f[0]);
  x.item = std::string(f[1]);
  x.timestamp_ms = static_cast<int64_t>(out->interactions.size());
  if (fields >= 3) {
    double rating = 0;
    if (!absl::SimpleAtod(f[2], &rating)) {
      return LineError(name, line, absl::StrCat("rating '", f[2], "' is not a number"));
    }
  }
  if (fields == 4) {
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(f[3], &seconds) || seconds < 0 || seconds > INT64_MAX / 1000) {
      return LineError(name, line,
                       absl::StrCat("timestamp '", f[3], "' is not an integer number of seconds"));
    }
    x.timestamp_ms = seconds * 1000;
  }
  out->interactions.push_back(std::move(x));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<InteractionFile> ParseInteractions(absl::string_view text, absl::string_view name) {
  InteractionFile out;
  size_t tab_fields = 0;  // Field count of a tab-separated file; 0 until the first line.
  bool format_known = false;
  size_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (absl::StripAsciiWhitespace(line).empty()) {
      continue;
    }
    if (!format_known) {
      format_known = true;
      const size_t fields = 1 + static_cast<size_t>(std::count(line.begin(), line.end(), '\t'));
      if (fields >= 2 && fields <= 4) {
        out.format = InteractionFormat::kTabSeparated;
        out.has_timestamps = fields == 4;
        tab_fields = fields;
      } else {
        out.format = InteractionFormat::kUserItems;
      }
    }
    if (out.format == InteractionFormat::kTabSeparated) {
      if (absl::Status s = ParseTabLine(line, name, line_no, tab_fields, &out); !s.ok()) {
        return s;
      }
      continue;
    }
    std::vector<absl::string_view> tokens =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    for (size_t t = 1; t < tokens.size(); ++t) {
      RawInteraction x;
      x.user = std::string(tokens[0]);
      x.item = std::string(tokens[t]);
      x.timestamp_ms = static_cast<int64_t>(out.interactions.size());
      out.interactions.push_back(std::move(x));
    }
  }
  if (out.interactions.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": no interactions (empty file?)"));
  }
  return out;
}

absl::StatusOr<InteractionFile> ReadInteractionFile(const std::string& path) {
  RECPLAT_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  return ParseInteractions(text, path);
}

}  // namespace recplat::eval
