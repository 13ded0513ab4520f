// Tests for json_fields.h: pydantic-v1 coercions per type, field paths in errors, date-times
// in both directions, and the bounded JSON text parser.
#include "frontends/http_rest/json_fields.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace recplat::http::json_fields {
namespace {

using ::nlohmann::json;
using ::testing::HasSubstr;

template <typename T>
absl::StatusOr<T> ConvertTo(const json& value) {
  T out{};
  absl::Status status = Convert(value, "f", &out);
  if (!status.ok()) return status;
  return out;
}

TEST(JsonFieldsTest, IntegersAcceptIntegralNumbersAndIntegerStrings) {
  EXPECT_EQ(*ConvertTo<int64_t>(json(42)), 42);
  EXPECT_EQ(*ConvertTo<int64_t>(json(-7.0)), -7);
  absl::StatusOr<int64_t> fractional = ConvertTo<int64_t>(json(1.5));
  EXPECT_EQ(fractional.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(fractional.status().message()), HasSubstr("non-integral"));
  EXPECT_THAT(std::string(ConvertTo<int64_t>(json(1e30)).status().message()),
              HasSubstr("out of range"));
  EXPECT_EQ(*ConvertTo<int64_t>(json(" 12 ")), 12);
  EXPECT_THAT(std::string(ConvertTo<int64_t>(json("1.5")).status().message()),
              HasSubstr("f: expected an integer, got string \"1.5\""));
  EXPECT_FALSE(ConvertTo<int64_t>(json(true)).ok());
}

TEST(JsonFieldsTest, DoublesAcceptNumbersAndNumericStrings) {
  EXPECT_DOUBLE_EQ(*ConvertTo<double>(json(2)), 2.0);
  EXPECT_DOUBLE_EQ(*ConvertTo<double>(json(" 2.5 ")), 2.5);
  EXPECT_FALSE(ConvertTo<double>(json("nan")).ok());
  EXPECT_FALSE(ConvertTo<double>(json("inf")).ok());
  EXPECT_FALSE(ConvertTo<double>(json("two")).ok());
  EXPECT_FALSE(ConvertTo<double>(json::array()).ok());
}

TEST(JsonFieldsTest, BooleansFollowPydanticSpellings) {
  for (const char* yes : {"1", "on", "T", "true", "Y", "YES"}) {
    EXPECT_TRUE(*ConvertTo<bool>(json(yes))) << yes;
  }
  for (const char* no : {"0", "off", "f", "False", "n", "no"}) {
    EXPECT_FALSE(*ConvertTo<bool>(json(no))) << no;
  }
  EXPECT_TRUE(*ConvertTo<bool>(json(1)));
  EXPECT_FALSE(*ConvertTo<bool>(json(0.0)));
  EXPECT_FALSE(ConvertTo<bool>(json(2)).ok());
  EXPECT_FALSE(ConvertTo<bool>(json("maybe")).ok());
}

TEST(JsonFieldsTest, StringsAcceptIntegersAsDecimalText) {
  EXPECT_EQ(*ConvertTo<std::string>(json("abc")), "abc");
  EXPECT_EQ(*ConvertTo<std::string>(json(-12)), "-12");
  EXPECT_EQ(*ConvertTo<std::string>(json(18446744073709551615ULL)), "18446744073709551615");
  EXPECT_FALSE(ConvertTo<std::string>(json(1.5)).ok());
  EXPECT_FALSE(ConvertTo<std::string>(json::object()).ok());
}

TEST(JsonFieldsTest, DateTimesReadIsoAndUnixForms) {
  const absl::Time expected = absl::FromUnixSeconds(1690884000);  // 2023-08-01T10:00:00Z
  EXPECT_EQ(*ConvertTo<absl::Time>(json("2023-08-01T10:00:00Z")), expected);
  EXPECT_EQ(*ConvertTo<absl::Time>(json("2023-08-01 12:00:00+02:00")), expected);
  EXPECT_EQ(*ConvertTo<absl::Time>(json("2023-08-01T10:00")), expected);
  EXPECT_EQ(*ConvertTo<absl::Time>(json(1690884000)), expected);
  EXPECT_EQ(*ConvertTo<absl::Time>(json("1690884000")), expected);
  // Above 2e10 a timestamp is in milliseconds.
  EXPECT_EQ(*ConvertTo<absl::Time>(json(1690884000000.0)), expected);
  // Digits beyond microseconds are dropped.
  EXPECT_EQ(*ConvertTo<absl::Time>(json("2023-08-01T10:00:00.1234569Z")),
            expected + absl::Microseconds(123456));

  for (const char* bad : {"2023-02-30T00:00:00Z", "2023-13-01T00:00:00Z", "2023-08-01",
                          "2023-08-01T25:00:00Z", "2023-08-01T10:00:00+24:00", "yesterday"}) {
    absl::StatusOr<absl::Time> parsed = ConvertTo<absl::Time>(json(bad));
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(std::string(ConvertTo<absl::Time>(json(1e300)).status().message()),
              HasSubstr("out of range"));
  // An offset that carries the instant out of years 1..9999.
  EXPECT_FALSE(ConvertTo<absl::Time>(json("9999-12-31T23:59:59-01:00")).ok());
}

TEST(JsonFieldsTest, FormatDateTimeRoundTrips) {
  const absl::Time time = absl::FromUnixMicros(1690884000123456);
  const std::string text = FormatDateTime(time);
  EXPECT_EQ(text, "2023-08-01T10:00:00.123456Z");
  absl::StatusOr<absl::Time> back = ParseDateTime(text, "f");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, time);
  EXPECT_EQ(TruncateToMicros(time + absl::Nanoseconds(999)), time);
}

TEST(JsonFieldsTest, ListsNameTheFailingElement) {
  std::vector<int64_t> out;
  absl::Status status = Convert(json::parse("[1, 2, null]"), "ids", &out);
  EXPECT_THAT(std::string(status.message()), HasSubstr("ids[2]: must not be null"));
  status = Convert(json::parse(R"([1, "x"])"), "ids", &out);
  EXPECT_THAT(std::string(status.message()), HasSubstr("ids[1]: expected an integer"));
  ASSERT_TRUE(Convert(json::parse("[3, 4]"), "ids", &out).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{3, 4}));
  EXPECT_FALSE(Convert(json(3), "ids", &out).ok());
}

TEST(JsonFieldsTest, ObjectReaderRequiredOptionalAndDefaults) {
  const json object = json::parse(R"({"a": 1, "n": null, "s": "x"})");
  const ObjectReader reader(object, "root");

  int64_t a = 0;
  EXPECT_TRUE(reader.Required("a", &a).ok());
  EXPECT_EQ(a, 1);
  EXPECT_THAT(std::string(reader.Required("missing", &a).message()),
              HasSubstr("root.missing: required"));
  EXPECT_THAT(std::string(reader.Required("n", &a).message()),
              HasSubstr("root.n: must not be null"));

  std::optional<std::string> s;
  EXPECT_TRUE(reader.Optional("s", &s).ok());
  EXPECT_EQ(s, "x");
  EXPECT_TRUE(reader.Optional("n", &s).ok());
  EXPECT_FALSE(s.has_value());

  bool flag = true;
  EXPECT_TRUE(reader.Defaulted("missing", &flag).ok());
  EXPECT_TRUE(flag);
  // pydantic v1 rejects None for a non-Optional field even when it has a default.
  EXPECT_FALSE(reader.Defaulted("n", &flag).ok());
  int64_t kept = 9;
  EXPECT_TRUE(reader.NullableDefaulted("n", &kept).ok());
  EXPECT_EQ(kept, 9);
  EXPECT_EQ(ObjectReader(object, "").PathOf("a"), "a");
}

TEST(JsonFieldsTest, MessagesQuoteAndTruncateUntrustedText) {
  const std::string quoted = QuoteForMessage(std::string(100, 'a') + "\n");
  EXPECT_EQ(quoted, "\"" + std::string(64, 'a') + "...\"");
  EXPECT_EQ(QuoteForMessage("a\"\x01"), "\"a\\\"\\x01\"");
}

TEST(JsonFieldsTest, ParseJsonTextBoundsSizeAndDepthAndLocatesErrors) {
  absl::StatusOr<json> ok = ParseJsonText(R"({"a": [1, 2]})", 100, 4);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)["a"][1], 2);

  absl::StatusOr<json> big = ParseJsonText(std::string(101, ' '), 100, 4);
  EXPECT_THAT(std::string(big.status().message()), HasSubstr("exceeds the limit of 100"));

  absl::StatusOr<json> deep = ParseJsonText("[[[[[1]]]]]", 100, 3);
  EXPECT_THAT(std::string(deep.status().message()), HasSubstr("nested deeper than 3"));

  absl::StatusOr<json> broken = ParseJsonText(R"({"a": tru})", 100, 4);
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(broken.status().message(), "invalid JSON at byte "))
      << broken.status();
}

}  // namespace
}  // namespace recplat::http::json_fields
