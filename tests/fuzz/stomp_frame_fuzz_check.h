// File: stomp_frame_fuzz_check.h
//
// The property the STOMP frame parser (core/common/stomp/stomp_frame.h) keeps for arbitrary
// bytes from a broker, shared by the libFuzzer target (stomp_frame_fuzz.cc) and the
// deterministic mutation test that runs in CI (tests/core/common/stomp/stomp_frame_fuzz_test.cc).
// Seeds live in tests/fuzz/corpus/stomp_frames/.
//
// Property: parsing never crashes; every frame has an upper-case command and a body within the
// limit; feeding the bytes in two pieces (split where the input's first byte says) yields the
// same frames and the same outcome as feeding them at once; a parsed frame (other than
// CONNECT/CONNECTED, whose headers are not escaped) encodes back into bytes that parse to the
// same frame.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/common/stomp/stomp_frame.h"

namespace recplat::fuzz {

struct StompParseOutcome {
  std::vector<stomp::Frame> frames;
  bool failed = false;
};

inline StompParseOutcome ParseStompPieces(const std::vector<absl::string_view>& pieces,
                                          const stomp::ParserLimits& limits) {
  StompParseOutcome out;
  stomp::FrameParser parser(limits);
  for (absl::string_view piece : pieces) {
    parser.Feed(piece);
    while (true) {
      auto next = parser.Next();
      if (!next.ok()) {
        out.failed = true;
        return out;
      }
      if (!next->has_value()) break;
      out.frames.push_back(std::move(**next));
    }
  }
  return out;
}

inline bool SameFrame(const stomp::Frame& a, const stomp::Frame& b) {
  return a.command == b.command && a.headers == b.headers && a.body == b.body;
}

inline std::string CheckStompFrameProperty(absl::string_view data) {
  stomp::ParserLimits limits;
  limits.max_head_bytes = 4096;
  limits.max_headers = 32;
  limits.max_body_bytes = 8192;
  const StompParseOutcome whole = ParseStompPieces({data}, limits);
  const size_t split = data.empty() ? 0 : static_cast<unsigned char>(data[0]) % (data.size() + 1);
  const StompParseOutcome pieces =
      ParseStompPieces({data.substr(0, split), data.substr(split)}, limits);
  // Splitting may only reveal an error later (a frame parsed before it), never change frames.
  if (whole.failed != pieces.failed) return "the outcome depends on how the bytes arrive";
  if (whole.frames.size() != pieces.frames.size()) return "a different number of frames";
  for (size_t i = 0; i < whole.frames.size(); ++i) {
    const stomp::Frame& f = whole.frames[i];
    if (!SameFrame(f, pieces.frames[i])) return "different frames when split";
    if (f.command.empty()) return "empty command";
    for (char c : f.command) {
      if (c < 'A' || c > 'Z') return "command with a non upper-case letter";
    }
    if (f.body.size() > limits.max_body_bytes) return "body past the limit";
    if (f.command == "CONNECT" || f.command == "CONNECTED" || f.command == "STOMP") continue;
    const StompParseOutcome again = ParseStompPieces({stomp::EncodeFrame(f)}, limits);
    if (again.failed || again.frames.size() != 1 || !SameFrame(again.frames[0], f)) {
      // A body with a NUL but no content-length cannot be; a repeated content-length keeps the
      // first, which matched the body: the round trip must hold.
      return absl::StrCat("frame ", i, " does not survive encoding");
    }
  }
  return "";
}

}  // namespace recplat::fuzz
