// Parsing of session files: both formats, grouping and ordering, and the errors.
#include "core/eval/session_file.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::eval {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kDayMs = 86400000;
// 2014-04-07 in days since 1970-01-01, and 2016-05-09.
constexpr int64_t k20140407 = 16167;
constexpr int64_t k20160509 = 16930;

TEST(SessionFileTest, SessionRecFormatGroupsAndOrdersByTime) {
  // Session 2 is interleaved with 1 and its lines are out of time order.
  const char text[] =
      "SessionId\tItemId\tTime\r\n"
      "1\t214536502\t1396860669.277\r\n"
      "2\t7\t1396860700.5\n"
      "1\t214536506\t1396860886.998\n"
      "\n"
      "2\t8\t1396860600\n";
  ASSERT_OK_AND_ASSIGN(SessionFile f, ParseSessions(text, "t.txt"));
  EXPECT_EQ(f.format, SessionFormat::kSessionRec);
  EXPECT_EQ(f.events, 4);
  ASSERT_EQ(f.sessions.size(), 2u);
  EXPECT_EQ(f.sessions[0].id, "1");
  EXPECT_THAT(f.sessions[0].items, ElementsAre("214536502", "214536506"));
  EXPECT_THAT(f.sessions[0].timestamps_ms, ElementsAre(1396860669277, 1396860886998));
  EXPECT_EQ(f.sessions[0].day, k20140407);
  EXPECT_EQ(f.sessions[1].id, "2");
  EXPECT_THAT(f.sessions[1].items, ElementsAre("8", "7"));
  EXPECT_THAT(f.sessions[1].timestamps_ms, ElementsAre(1396860600000, 1396860700500));
}

TEST(SessionFileTest, SessionRecColumnsInAnyOrderAndTiesKeepFileOrder) {
  const char text[] = "Time\tExtra\tItemId\tSessionId\n5\tx\tb\ts\n5\ty\ta\ts\n4\tz\tc\ts\n";
  ASSERT_OK_AND_ASSIGN(SessionFile f, ParseSessions(text, "t.txt"));
  ASSERT_EQ(f.sessions.size(), 1u);
  EXPECT_THAT(f.sessions[0].items, ElementsAre("c", "b", "a"));
}

TEST(SessionFileTest, DigineticaFormatOrdersByTimeframe) {
  // No final newline; user ids are ignored; session 1 spans midnight and keeps its start date.
  const char text[] =
      "session_id;user_id;item_id;timeframe;eventdate\n"
      "1;NA;81766;526309;2016-05-09\n"
      "1;NA;31331;1031018;2016-05-10\n"
      "3;17;9654;75848;2016-05-09\n"
      "1;NA;32118;243569;2016-05-09\n"
      "3;17;33;0;2016-05-09";
  ASSERT_OK_AND_ASSIGN(SessionFile f, ParseSessions(text, "d.csv"));
  EXPECT_EQ(f.format, SessionFormat::kDiginetica);
  EXPECT_EQ(f.events, 5);
  ASSERT_EQ(f.sessions.size(), 2u);
  const RawSession& s1 = f.sessions[0];
  EXPECT_EQ(s1.id, "1");
  EXPECT_THAT(s1.items, ElementsAre("32118", "81766", "31331"));
  EXPECT_EQ(s1.day, k20160509);
  const int64_t base = k20160509 * kDayMs;
  EXPECT_THAT(s1.timestamps_ms, ElementsAre(base + 243569, base + 526309, base + 1031018));
  EXPECT_EQ(f.sessions[1].id, "3");
  EXPECT_THAT(f.sessions[1].items, ElementsAre("33", "9654"));
}

TEST(SessionFileTest, DigineticaStartDateIsTheDateOfTheFirstEventByTimeframe) {
  const char text[] =
      "session_id;user_id;item_id;timeframe;eventdate\n"
      "1;NA;a;900;2016-05-10\n"
      "1;NA;b;100;2016-05-09\n";
  ASSERT_OK_AND_ASSIGN(SessionFile f, ParseSessions(text, "d.csv"));
  ASSERT_EQ(f.sessions.size(), 1u);
  EXPECT_EQ(f.sessions[0].day, k20160509);
  EXPECT_THAT(f.sessions[0].items, ElementsAre("b", "a"));
}

TEST(SessionFileTest, ErrorsNameTheFileAndLine) {
  const std::string rsc = "SessionId\tItemId\tTime\n";
  const std::string dig = "session_id;user_id;item_id;timeframe;eventdate\n";
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"user\titem\n1\t2\n", "f:1: unrecognised header"},
      {"\nsession;item\n", "f:2: unrecognised header"},
      {rsc + "1\t2\t3\n1\t2\n", "f:3: expected 3"},
      {rsc + "1\t2\tsoon\n", "f:2: Time 'soon'"},
      {rsc + "1\t2\t-5\n", "f:2: Time '-5'"},
      {rsc + "1\t2\tnan\n", "f:2: Time 'nan'"},
      {rsc + "\t2\t3\n", "f:2: empty session or item id"},
      {rsc + "1\t \t3\n", "f:2: empty session or item id"},
      {dig + "1;NA;2;10\n", "f:2: expected 5"},
      {dig + "1;NA;2;1.5;2016-05-09\n", "f:2: timeframe '1.5'"},
      {dig + "1;NA;2;-1;2016-05-09\n", "f:2: timeframe '-1'"},
      {dig + "1;NA;2;10;2016-13-09\n", "f:2: eventdate '2016-13-09'"},
      {dig + "1;NA;2;10;09/05/2016\n", "f:2: eventdate"},
      {rsc, "f: no events"},
      {"", "f: no events"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseSessions(c.text, "f"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.text;
  }
}

TEST(SessionFileTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadSessionFile("/nonexistent/sessions.txt"), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace recplat::eval
