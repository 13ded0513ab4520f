// File: session_file.h
//
// Reading the click-session files of session-based (next-click) evaluation. Two text formats,
// detected from the header line (the first non-blank line):
//
//   (a) session-rec / GRU4Rec (rsc15 prepared files): TAB-separated, header with the columns
//       `SessionId`, `ItemId` and `Time` (any order, other columns ignored); Time is unix seconds
//       (a float, e.g. 1396860669.277), stored as rounded milliseconds.
//   (b) diginetica (CIKM Cup 2016, as shipped by SR-GNN): `;`-separated, header with the columns
//       `session_id`, `item_id`, `timeframe` and `eventdate` (`user_id` and others ignored);
//       timeframe is integer milliseconds since the session start, eventdate `YYYY-MM-DD`. An
//       event's timestamp is midnight UTC of its session's start date (below) plus its
//       timeframe, so timestamps follow timeframe order within a session.
//
// Events are grouped into sessions (in order of each session's first line), and ordered within
// a session by timestamp (diginetica: by timeframe), ties in file order. A session's `day` (for
// splits by date) is, for diginetica, the eventdate of its first event by timeframe (a session
// spanning midnight keeps its start date) and, for session-rec, the UTC day of its first click.
//
// Blank lines are skipped and a trailing '\r' is ignored; the last line needs no final newline.
// Ids are opaque strings.
//
// Thread-safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::eval {

enum class SessionFormat { kSessionRec, kDiginetica };

// One session as read from the file.
struct RawSession {
  std::string id;
  // Ordered by time; `items` and `timestamps_ms` have the same size (>= 1).
  std::vector<std::string> items;
  // Unix epoch milliseconds.
  std::vector<int64_t> timestamps_ms;
  // Days since 1970-01-01 (UTC) of the session's start, see above.
  int64_t day = 0;
};

struct SessionFile {
  SessionFormat format = SessionFormat::kSessionRec;
  // In order of first appearance in the file.
  std::vector<RawSession> sessions;
  // Number of data lines (events).
  int64_t events = 0;
};

// Parses `text`; `name` prefixes error messages ("name:line: ..."). INVALID_ARGUMENT with the
// file name and line number for an unrecognised header, a line with a missing field, an empty
// id, a bad time, timeframe or date; and when there is no event at all.
absl::StatusOr<SessionFile> ParseSessions(absl::string_view text, absl::string_view name);

// Reads and parses the file at `path`. NOT_FOUND when it cannot be opened.
absl::StatusOr<SessionFile> ReadSessionFile(const std::string& path);

}  // namespace recplat::eval
