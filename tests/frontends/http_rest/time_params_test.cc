// Time query parameters (time_params.h): the lenient UTC date text (ecoseller's dashboard
// dates) and a [from, to] range of two parameters with defaults.
#include "frontends/http_rest/time_params.h"

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

absl::Time Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
               int micros = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                         absl::UTCTimeZone()) +
         absl::Microseconds(micros);
}

TEST(TimeParamsTest, AcceptsTheOriginalFormatLeniently) {
  struct Case {
    const char* text;
    absl::Time want;
  };
  const Case cases[] = {
      {"2023-08-01T00:00:00.000Z", Utc(2023, 8, 1)},
      {"2023-08-01T10:20:30Z", Utc(2023, 8, 1, 10, 20, 30)},
      {"2023-08-01T10:20:30.123456Z", Utc(2023, 8, 1, 10, 20, 30, 123456)},
      {"2023-08-01T10:20:30.5", Utc(2023, 8, 1, 10, 20, 30, 500000)},
      {"2023-08-01 10:20:30.250z", Utc(2023, 8, 1, 10, 20, 30, 250000)},
      {" 2023-08-01T10:20:30Z ", Utc(2023, 8, 1, 10, 20, 30)},
      {"2023-08-01", Utc(2023, 8, 1)},
      {"2024-02-29T23:59:59.999Z", Utc(2024, 2, 29, 23, 59, 59, 999000)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    ASSERT_OK_AND_ASSIGN(absl::Time got, ParseUtcTimeParam(c.text, "date_from"));
    EXPECT_EQ(got, c.want);
  }
}

TEST(TimeParamsTest, RejectsOtherTextNamingTheParameter) {
  for (const char* text :
       {"", "Z", "yesterday", "1690848000", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z",
        "2023-08-01T25:00:00Z", "2023-08-01T10:61:00Z", "2023-08-01T00:00:00.000Zjunk",
        "2023-08-01T00:00", "2023/08/01T00:00:00Z", "2023-08-01T00:00:00+02:00"}) {
    SCOPED_TRACE(text);
    EXPECT_THAT(ParseUtcTimeParam(text, "date_to"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("date_to")));
  }
}

TEST(TimeParamsTest, RangeDefaultsAndOrder) {
  const absl::Time now = Utc(2023, 9, 1, 12);
  const absl::Time kFrom = Utc(2023, 8, 1);
  const absl::Time kTo = Utc(2023, 8, 2);
  auto range = [now](std::optional<std::string> from, std::optional<std::string> to) {
    HttpRequest request;
    if (from.has_value()) request.query["date_from"] = *from;
    if (to.has_value()) request.query["date_to"] = *to;
    return ParseTimeRangeParams(request, "date_from", "date_to", absl::UnixEpoch(), now);
  };
  ASSERT_OK_AND_ASSIGN(TimeRange r, range(std::nullopt, std::nullopt));
  EXPECT_EQ(r.from, absl::UnixEpoch());
  EXPECT_EQ(r.to, now);
  // An empty value counts as absent.
  ASSERT_OK_AND_ASSIGN(r, range("", ""));
  EXPECT_EQ(r.from, absl::UnixEpoch());
  EXPECT_EQ(r.to, now);
  ASSERT_OK_AND_ASSIGN(r, range("2023-08-01T00:00:00.000Z", "2023-08-02T00:00:00.000Z"));
  EXPECT_EQ(r.from, kFrom);
  EXPECT_EQ(r.to, kTo);
  ASSERT_OK_AND_ASSIGN(r, range("2023-08-01T00:00:00.000Z", "2023-08-01T00:00:00.000Z"));
  EXPECT_EQ(r.from, r.to);
  EXPECT_THAT(range("2023-08-02T00:00:00.000Z", "2023-08-01T00:00:00.000Z"),
              StatusIs(absl::StatusCode::kInvalidArgument, "date_from: must not be after date_to"));
  EXPECT_THAT(range("2023-08-01T00:00:00.000Z", "soon"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("date_to")));
  EXPECT_THAT(range("bad", std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("date_from")));
  // A date_from in the future of `now` with no date_to is an empty, inverted range.
  EXPECT_THAT(range("2024-01-01T00:00:00Z", std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TimeParamsTest, MillisRangeHoldsTheWholeMillisecondsInside) {
  const absl::Time t = Utc(2023, 8, 1);
  const int64_t ms = absl::ToUnixMillis(t);
  std::optional<MillisRange> r = ToMillisRange({t, t});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->from_ms, ms);
  EXPECT_EQ(r->to_ms, ms);
  // A fraction of a millisecond: `from` rounds up, `to` down.
  r = ToMillisRange({t + absl::Microseconds(1), t + absl::Microseconds(2999)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->from_ms, ms + 1);
  EXPECT_EQ(r->to_ms, ms + 2);
  // No whole millisecond inside.
  EXPECT_FALSE(ToMillisRange({t + absl::Microseconds(1), t + absl::Microseconds(999)}));
  // Nothing before 1970.
  r = ToMillisRange({absl::UnixEpoch() - absl::Hours(1), absl::UnixEpoch() + absl::Seconds(1)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->from_ms, 0);
  EXPECT_EQ(r->to_ms, 1000);
  EXPECT_FALSE(ToMillisRange({absl::UnixEpoch() - absl::Hours(2), absl::UnixEpoch() - absl::Hours(1)}));
}

}  // namespace
}  // namespace recplat::http
