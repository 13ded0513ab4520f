// File: stomp_frame.h
//
// STOMP 1.2 frames (stomp.github.io/stomp-specification-1.2.html): the value type, the encoder
// and an incremental parser for bytes read from an untrusted broker connection.
//
// Wire format: COMMAND EOL, then `name:value` EOL per header, an empty line, the body, NUL;
// EOL is LF or CR LF. Header names and values escape `\r` `\n` `:` `\` as \r \n \c \\ (except
// in CONNECT and CONNECTED frames); an undefined escape is a fatal error. A body with a
// `content-length` header has exactly that many octets (NULs allowed) followed by NUL; without
// one it runs to the first NUL. Between frames, any number of EOLs (heart-beats) may appear.
// A repeated header keeps its first value (Header()), as the specification says.
//
// Not here: the connection, negotiation and acknowledgement (stomp_client.h).
//
// Thread-safety: Frame is a plain value; a FrameParser is used from one thread at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::stomp {

struct Frame {
  std::string command;
  // In wire order, unescaped.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of header `name`, or nullopt.
  std::optional<std::string> Header(absl::string_view name) const;
};

// The wire bytes of `frame`: headers escaped (not for CONNECT/CONNECTED), LF line ends, the
// body as is, then NUL. Callers add `content-length` when the body may hold NULs.
std::string EncodeFrame(const Frame& frame);

// `s` with \ CR LF : escaped as STOMP 1.2 header octets.
std::string EscapeHeader(absl::string_view s);
// The inverse; INVALID_ARGUMENT on an undefined escape or a trailing backslash.
absl::StatusOr<std::string> UnescapeHeader(absl::string_view s);

struct ParserLimits {
  // Command line plus headers, bytes.
  size_t max_head_bytes = 64 * 1024;
  size_t max_headers = 128;
  size_t max_body_bytes = 4 * 1024 * 1024;
};

// Splits a byte stream into frames. Feed() what the socket read, then call Next() until it
// returns nullopt (more bytes needed). An error is sticky: the stream cannot be resynchronised
// and the connection must be closed.
class FrameParser {
 public:
  explicit FrameParser(ParserLimits limits = {}) : limits_(limits) {}

  void Feed(absl::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }

  // The next complete frame; nullopt when more bytes are needed; INVALID_ARGUMENT (saying
  // what is wrong) for a malformed frame or one past the limits.
  absl::StatusOr<std::optional<Frame>> Next();

  // Heart-beat EOLs consumed so far (each counts as one).
  size_t heartbeats() const { return heartbeats_; }
  // Bytes fed but not yet consumed.
  size_t buffered() const { return buffer_.size() - pos_; }

 private:
  absl::StatusOr<std::optional<Frame>> Fail(absl::Status status);

  ParserLimits limits_;
  std::string buffer_;
  size_t pos_ = 0;
  size_t heartbeats_ = 0;
  absl::Status error_;
};

}  // namespace recplat::stomp
