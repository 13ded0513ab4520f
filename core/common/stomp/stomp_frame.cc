#include "core/common/stomp/stomp_frame.h"

#include <charconv>

#include "absl/strings/str_cat.h"

namespace recplat::stomp {
namespace {

bool IsRawCommand(absl::string_view command) {
  return command == "CONNECT" || command == "CONNECTED" || command == "STOMP";
}

bool IsCommandChar(char c) { return c >= 'A' && c <= 'Z'; }

// The line [from, LF) without a trailing CR, and the position after the LF; nullopt when the
// buffer holds no LF at or after `from`.
std::optional<std::pair<absl::string_view, size_t>> LineAt(absl::string_view buffer, size_t from) {
  const size_t lf = buffer.find('\n', from);
  if (lf == absl::string_view::npos) return std::nullopt;
  absl::string_view line = buffer.substr(from, lf - from);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::make_pair(line, lf + 1);
}

}  // namespace

std::optional<std::string> Frame::Header(absl::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string EscapeHeader(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case ':':
        out += "\\c";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<std::string> UnescapeHeader(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 1 >= s.size()) return absl::InvalidArgumentError("header ends with a backslash");
    switch (s[++i]) {
      case '\\':
        out.push_back('\\');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'c':
        out.push_back(':');
        break;
      default:
        return absl::InvalidArgumentError("undefined escape sequence in a header");
    }
  }
  return out;
}

std::string EncodeFrame(const Frame& frame) {
  const bool raw = IsRawCommand(frame.command);
  std::string out = frame.command;
  out.push_back('\n');
  for (const auto& [k, v] : frame.headers) {
    absl::StrAppend(&out, raw ? k : EscapeHeader(k), ":", raw ? v : EscapeHeader(v), "\n");
  }
  out.push_back('\n');
  out += frame.body;
  out.push_back('\0');
  return out;
}

absl::StatusOr<std::optional<Frame>> FrameParser::Fail(absl::Status status) {
  error_ = status;
  return status;
}

absl::StatusOr<std::optional<Frame>> FrameParser::Next() {
  if (!error_.ok()) return error_;
  const absl::string_view buffer(buffer_);
  // Heart-beats: EOLs between frames.
  while (pos_ < buffer.size()) {
    if (buffer[pos_] == '\n') {
      ++pos_;
      ++heartbeats_;
    } else if (buffer[pos_] == '\r') {
      if (pos_ + 1 >= buffer.size()) break;  // Wait for the LF.
      if (buffer[pos_ + 1] != '\n') return Fail(absl::InvalidArgumentError("CR without LF"));
      pos_ += 2;
      ++heartbeats_;
    } else {
      break;
    }
  }
  // Compact what was consumed before going on.
  if (pos_ > 0 && pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  }
  if (pos_ >= buffer_.size()) return std::optional<Frame>();
  const absl::string_view view(buffer_);

  // The head: command, headers, empty line.
  Frame frame;
  size_t at = pos_;
  bool complete = false;
  bool first = true;
  while (true) {
    auto line = LineAt(view, at);
    if (!line.has_value()) break;
    if (line->second - pos_ > limits_.max_head_bytes) break;
    at = line->second;
    const absl::string_view text = line->first;
    if (first) {
      if (text.empty()) return Fail(absl::InvalidArgumentError("empty command"));
      for (char c : text) {
        if (!IsCommandChar(c)) return Fail(absl::InvalidArgumentError("malformed command"));
      }
      frame.command = std::string(text);
      first = false;
      continue;
    }
    if (text.empty()) {
      complete = true;
      break;
    }
    if (frame.headers.size() >= limits_.max_headers) {
      return Fail(
          absl::InvalidArgumentError(absl::StrCat("more than ", limits_.max_headers, " headers")));
    }
    const size_t colon = text.find(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return Fail(absl::InvalidArgumentError("malformed header line"));
    }
    if (IsRawCommand(frame.command)) {
      frame.headers.emplace_back(std::string(text.substr(0, colon)),
                                 std::string(text.substr(colon + 1)));
    } else {
      absl::StatusOr<std::string> name = UnescapeHeader(text.substr(0, colon));
      absl::StatusOr<std::string> value = UnescapeHeader(text.substr(colon + 1));
      if (!name.ok()) return Fail(name.status());
      if (!value.ok()) return Fail(value.status());
      frame.headers.emplace_back(*std::move(name), *std::move(value));
    }
  }
  if (!complete) {
    if (view.size() - pos_ > limits_.max_head_bytes) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("frame head longer than ", limits_.max_head_bytes, " bytes")));
    }
    return std::optional<Frame>();
  }

  // The body.
  const size_t body_start = at;
  size_t body_end = 0;
  if (std::optional<std::string> length = frame.Header("content-length"); length.has_value()) {
    size_t n = 0;
    const char* b = length->data();
    const char* e = b + length->size();
    auto [ptr, ec] = std::from_chars(b, e, n);
    if (length->empty() || ec != std::errc() || ptr != e) {
      return Fail(absl::InvalidArgumentError("malformed content-length"));
    }
    if (n > limits_.max_body_bytes) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("body longer than ", limits_.max_body_bytes, " bytes")));
    }
    if (view.size() - body_start < n + 1) return std::optional<Frame>();
    body_end = body_start + n;
    if (view[body_end] != '\0') {
      return Fail(absl::InvalidArgumentError("no NUL after content-length octets"));
    }
  } else {
    const size_t nul = view.find('\0', body_start);
    if (nul == absl::string_view::npos) {
      if (view.size() - body_start > limits_.max_body_bytes) {
        return Fail(absl::InvalidArgumentError(
            absl::StrCat("body longer than ", limits_.max_body_bytes, " bytes")));
      }
      return std::optional<Frame>();
    }
    if (nul - body_start > limits_.max_body_bytes) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("body longer than ", limits_.max_body_bytes, " bytes")));
    }
    body_end = nul;
  }
  frame.body = std::string(view.substr(body_start, body_end - body_start));
  pos_ = body_end + 1;
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > 64 * 1024) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  return std::optional<Frame>(std::move(frame));
}

}  // namespace recplat::stomp
