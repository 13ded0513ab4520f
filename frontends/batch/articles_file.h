// File: articles_file.h
//
// Article metadata of the article_rec batch job (`batch.articles_file`): JSON lines
// {"external_id": int, "path": str, "title": str, "published_at": ISO-8601 with offset | null}.
// It replaces the original's page scraper (§4.3 step 5): events are joined to articles by exact
// path. The file is the operator's, so a bad line is an error naming it (not skipped).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::batch {

struct Article {
  int64_t external_id = 0;
  std::string path;
  std::string title;
  // Unix epoch milliseconds; nullopt when unknown.
  std::optional<int64_t> published_at_ms;
};

// InvalidArgument naming the line (1-based) for a line that is not such an object, a missing
// or non-integer external_id, a missing or empty path, a bad published_at, or a path or
// external_id that an earlier line already has. Blank lines are ignored.
absl::StatusOr<std::vector<Article>> ParseArticlesJsonLines(absl::string_view text);

// Reads and parses a file; NotFound / Unavailable when it cannot be read.
absl::StatusOr<std::vector<Article>> ReadArticlesFile(const std::string& path);

}  // namespace recplat::batch
