// The STOMP 1.2 frame codec (core/common/stomp/stomp_frame.h): escaping, EOLs, bodies,
// heart-beats, partial input and limits.
#include "core/common/stomp/stomp_frame.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace recplat::stomp {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using namespace std::string_literals;

// Every frame of `bytes` fed at once; fails the test on a parse error.
std::vector<Frame> ParseAll(const std::string& bytes, ParserLimits limits = {}) {
  FrameParser p(limits);
  p.Feed(bytes);
  std::vector<Frame> out;
  while (true) {
    auto next = p.Next();
    EXPECT_TRUE(next.ok()) << next.status();
    if (!next.ok() || !next->has_value()) break;
    out.push_back(std::move(**next));
  }
  return out;
}

absl::Status FirstError(const std::string& bytes, ParserLimits limits = {}) {
  FrameParser p(limits);
  p.Feed(bytes);
  while (true) {
    auto next = p.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return absl::OkStatus();
  }
}

TEST(StompFrameTest, EscapesRoundTrip) {
  EXPECT_EQ(EscapeHeader("a:b\nc\r\\d"), "a\\cb\\nc\\r\\\\d");
  EXPECT_EQ(*UnescapeHeader("a\\cb\\nc\\r\\\\d"), "a:b\nc\r\\d");
  EXPECT_FALSE(UnescapeHeader("bad\\t").ok());
  EXPECT_FALSE(UnescapeHeader("trailing\\").ok());
}

TEST(StompFrameTest, EncodeThenParse) {
  Frame f{"SEND", {{"destination", "/topic/a:b"}, {"content-length", "3"}}, std::string("x\0y", 3)};
  const std::string wire = EncodeFrame(f);
  EXPECT_EQ(wire, "SEND\ndestination:/topic/a\\cb\ncontent-length:3\n\nx\0y\0"s);
  std::vector<Frame> got = ParseAll(wire);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].command, "SEND");
  EXPECT_THAT(got[0].headers,
              ElementsAre(Pair("destination", "/topic/a:b"), Pair("content-length", "3")));
  EXPECT_EQ(got[0].body, std::string("x\0y", 3));
}

TEST(StompFrameTest, ConnectFramesAreNotEscaped) {
  Frame f{"CONNECT", {{"passcode", "a\\c:b"}}, ""};
  EXPECT_EQ(EncodeFrame(f), "CONNECT\npasscode:a\\c:b\n\n\0"s);
  std::vector<Frame> got = ParseAll("CONNECTED\nserver:x\\cy\n\n\0"s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].Header("server"), "x\\cy");
}

TEST(StompFrameTest, CrLfLinesHeartBeatsAndRepeatedHeaders) {
  const std::string wire =
      "\n\r\n\nMESSAGE\r\nfoo:1\r\nfoo:2\r\nmessage-id:7\r\n\r\nhello\0\n\nRECEIPT\nreceipt-id:"
      "9\n\n\0"
      "\r\n"s;
  FrameParser p;
  p.Feed(wire);
  auto a = p.Next();
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->command, "MESSAGE");
  EXPECT_EQ((*a)->Header("foo"), "1");  // The first of a repeated header wins.
  EXPECT_EQ((*a)->body, "hello");
  auto b = p.Next();
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->command, "RECEIPT");
  EXPECT_EQ((*b)->Header("receipt-id"), "9");
  auto c = p.Next();
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
  EXPECT_EQ(p.heartbeats(), 6u);
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(StompFrameTest, ByteByByteGivesTheSameFrames) {
  const std::string wire =
      EncodeFrame({"MESSAGE", {{"a", "b\nc"}, {"content-length", "4"}}, std::string("\0\0ab", 4)}) +
      "\n" + EncodeFrame({"ERROR", {{"message", "bad"}}, "details"});
  FrameParser p;
  std::vector<Frame> got;
  for (char c : wire) {
    p.Feed(std::string(1, c));
    auto next = p.Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (next->has_value()) got.push_back(std::move(**next));
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].Header("a"), "b\nc");
  EXPECT_EQ(got[0].body, std::string("\0\0ab", 4));
  EXPECT_EQ(got[1].body, "details");
}

TEST(StompFrameTest, MalformedInputIsAnError) {
  EXPECT_FALSE(FirstError("send\n\n").ok());  // Lower-case command.
  EXPECT_FALSE(FirstError("SEND\nno colon\n\n").ok());
  EXPECT_FALSE(FirstError("SEND\n:empty name\n\n").ok());
  EXPECT_FALSE(FirstError("SEND\nx:bad\\q\n\n").ok());  // Undefined escape.
  EXPECT_FALSE(FirstError("SEND\ncontent-length:abc\n\n").ok());
  EXPECT_FALSE(FirstError("SEND\ncontent-length:-1\n\n").ok());
  EXPECT_FALSE(FirstError("SEND\ncontent-length:1\n\nab\0"s).ok());  // No NUL.
  EXPECT_FALSE(FirstError("\rX").ok());                              // CR without LF.
  // An error is sticky.
  FrameParser p;
  p.Feed("bad\n\n");
  EXPECT_FALSE(p.Next().ok());
  p.Feed(std::string("SEND\n\n\0", 7));
  EXPECT_FALSE(p.Next().ok());
}

TEST(StompFrameTest, IncompleteInputWaits) {
  EXPECT_TRUE(FirstError("SEND\ndestination:/a").ok());
  EXPECT_TRUE(FirstError("SEND\ncontent-length:10\n\nabc").ok());
  EXPECT_TRUE(FirstError("SEND\n\nbody without nul").ok());
  EXPECT_TRUE(FirstError("\r").ok());
}

TEST(StompFrameTest, LimitsAreEnforced) {
  ParserLimits limits;
  limits.max_head_bytes = 64;
  limits.max_headers = 3;
  limits.max_body_bytes = 10;
  EXPECT_FALSE(FirstError("SEND\n" + std::string(100, 'x'), limits).ok());  // Head, no LF yet.
  EXPECT_FALSE(FirstError("SEND\na:1\nb:2\nc:3\nd:4\n\n", limits).ok());
  EXPECT_FALSE(FirstError("SEND\ncontent-length:11\n\n", limits).ok());
  EXPECT_FALSE(FirstError("SEND\n\n" + std::string(11, 'x'), limits).ok());  // No NUL yet.
  EXPECT_FALSE(FirstError(std::string("SEND\n\n") + std::string(11, 'x') + '\0', limits).ok());
  EXPECT_EQ(ParseAll(std::string("SEND\n\n") + std::string(10, 'x') + '\0', limits).size(), 1u);
}

}  // namespace
}  // namespace recplat::stomp
