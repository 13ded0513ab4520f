#include "core/eval/session_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "core/common/status_macros.h"
#include "core/eval/internal/eval_common.h"

namespace recplat::eval {
namespace {

constexpr int64_t kDayMs = 86400 * int64_t{1000};
// Unix seconds and timeframes beyond these are certainly not clicks (year ~2286 / ~115 days).
constexpr double kMaxSeconds = 1e10;
constexpr int64_t kMaxTimeframeMs = int64_t{10000} * 1000 * 1000;

absl::Status LineError(absl::string_view name, size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(name, ":", line, ": ", what));
}

// Where the columns a format needs are in its lines.
struct Layout {
  SessionFormat format = SessionFormat::kSessionRec;
  char separator = '\t';
  size_t fields = 0;
  size_t session = 0;
  size_t item = 0;
  size_t time = 0;  // session-rec: Time; diginetica: timeframe.
  size_t date = 0;  // diginetica only: eventdate.
};

absl::StatusOr<Layout> ParseHeader(absl::string_view line, absl::string_view name, size_t line_no) {
  auto find = [](const std::vector<absl::string_view>& cols, absl::string_view col) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (absl::StripAsciiWhitespace(cols[i]) == col) {
        return static_cast<int>(i);
      }
    }
    return -1;
  };
  Layout l;
  const bool tab = line.find('\t') != absl::string_view::npos;
  l.format = tab ? SessionFormat::kSessionRec : SessionFormat::kDiginetica;
  l.separator = tab ? '\t' : ';';
  const std::vector<absl::string_view> cols = absl::StrSplit(line, l.separator);
  l.fields = cols.size();
  const std::vector<absl::string_view> wanted =
      tab ? std::vector<absl::string_view>{"SessionId", "ItemId", "Time"}
          : std::vector<absl::string_view>{"session_id", "item_id", "timeframe", "eventdate"};
  std::vector<size_t> at;
  for (absl::string_view col : wanted) {
    const int i = find(cols, col);
    if (i < 0) {
      return LineError(name, line_no,
                       absl::StrCat("unrecognised header '", line,
                                    "': expected a TAB-separated session-rec header "
                                    "(SessionId, ItemId, Time) or a ';'-separated diginetica "
                                    "header (session_id, user_id, item_id, timeframe, eventdate)"));
    }
    at.push_back(static_cast<size_t>(i));
  }
  l.session = at[0];
  l.item = at[1];
  l.time = at[2];
  if (!tab) {
    l.date = at[3];
  }
  return l;
}

// One event before grouping.
struct Event {
  int64_t order_key = 0;  // What events are ordered by within their session.
  int64_t timestamp_ms = 0;
  int64_t day = 0;
  std::string item;
};

absl::Status ParseLine(absl::string_view text, const Layout& l, absl::string_view name,
                       size_t line_no, std::string* session, Event* e) {
  std::vector<absl::string_view> f = absl::StrSplit(text, l.separator);
  if (f.size() != l.fields) {
    return LineError(name, line_no,
                     absl::StrCat("expected ", l.fields, " '", l.separator == '\t' ? "\\t" : ";",
                                  "'-separated fields like the header, got ", f.size()));
  }
  for (absl::string_view& v : f) {
    v = absl::StripAsciiWhitespace(v);
  }
  if (f[l.session].empty() || f[l.item].empty()) {
    return LineError(name, line_no, "empty session or item id");
  }
  *session = std::string(f[l.session]);
  e->item = std::string(f[l.item]);
  if (l.format == SessionFormat::kSessionRec) {
    double seconds = 0;
    if (!absl::SimpleAtod(f[l.time], &seconds) || !std::isfinite(seconds) || seconds < 0 ||
        seconds > kMaxSeconds) {
      return LineError(name, line_no,
                       absl::StrCat("Time '", f[l.time], "' is not a number of unix seconds"));
    }
    e->timestamp_ms = std::llround(seconds * 1000.0);
    e->order_key = e->timestamp_ms;
    e->day = e->timestamp_ms / kDayMs;
    return absl::OkStatus();
  }
  int64_t timeframe = 0;
  if (!absl::SimpleAtoi(f[l.time], &timeframe) || timeframe < 0 || timeframe > kMaxTimeframeMs) {
    return LineError(name, line_no,
                     absl::StrCat("timeframe '", f[l.time],
                                  "' is not a non-negative integer number of milliseconds"));
  }
  absl::CivilDay date;
  if (!absl::ParseCivilTime(f[l.date], &date) || date.year() < 1970 || date.year() > 9999) {
    return LineError(name, line_no,
                     absl::StrCat("eventdate '", f[l.date], "' is not a YYYY-MM-DD date"));
  }
  e->day = date - absl::CivilDay(1970, 1, 1);
  e->order_key = timeframe;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SessionFile> ParseSessions(absl::string_view text, absl::string_view name) {
  SessionFile out;
  Layout layout;
  bool have_header = false;
  absl::flat_hash_map<std::string, size_t> index;
  std::vector<std::vector<Event>> events;
  size_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (absl::StripAsciiWhitespace(line).empty()) {
      continue;
    }
    if (!have_header) {
      absl::StatusOr<Layout> l = ParseHeader(line, name, line_no);
      if (!l.ok()) {
        return l.status();
      }
      layout = *l;
      out.format = layout.format;
      have_header = true;
      continue;
    }
    std::string session;
    Event e;
    if (absl::Status s = ParseLine(line, layout, name, line_no, &session, &e); !s.ok()) {
      return s;
    }
    auto [it, inserted] = index.try_emplace(std::move(session), out.sessions.size());
    if (inserted) {
      out.sessions.emplace_back();
      out.sessions.back().id = it->first;
      events.emplace_back();
    }
    events[it->second].push_back(std::move(e));
    ++out.events;
  }
  if (out.events == 0) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": no events (empty file?)"));
  }
  for (size_t s = 0; s < out.sessions.size(); ++s) {
    std::vector<Event>& ev = events[s];
    // Stable: ties keep file order.
    std::stable_sort(ev.begin(), ev.end(),
                     [](const Event& a, const Event& b) { return a.order_key < b.order_key; });
    RawSession& r = out.sessions[s];
    r.day = ev.front().day;
    r.items.reserve(ev.size());
    r.timestamps_ms.reserve(ev.size());
    for (Event& e : ev) {
      r.items.push_back(std::move(e.item));
      // diginetica: from the session's start date, so that timestamps follow timeframe order
      // even in a session spanning midnight.
      r.timestamps_ms.push_back(
          out.format == SessionFormat::kDiginetica ? r.day * kDayMs + e.order_key : e.timestamp_ms);
    }
  }
  return out;
}

absl::StatusOr<SessionFile> ReadSessionFile(const std::string& path) {
  RECPLAT_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  return ParseSessions(text, path);
}

}  // namespace recplat::eval
