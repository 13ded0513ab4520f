// Validation of /store_object(s) payloads: required fields, types and pydantic-like coercions,
// datetimes, `_model_class`, malformed JSON and the size/depth bounds.
#include <string>
#include <vector>

#include "frontends/http_rest/ecoseller/objects.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/frontends/ecoseller/objects_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http::ecoseller {
namespace {

using ::nlohmann::json;
using ::recplat::testing::StatusIs;
using test::kNow;
using test::Minimal;
using test::ParseAs;
using test::Utc;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

// The error message of parsing `payload` as the only element of a /store_objects body.
std::string ErrorOf(const json& payload) {
  absl::StatusOr<std::vector<StoreObject>> parsed =
      ParseStoreObjects(json::array({payload}).dump(), kNow);
  EXPECT_THAT(parsed, StatusIs(kInvalid)) << payload.dump();
  return std::string(parsed.status().message());
}

json With(json payload, const std::string& key, json value) {
  payload[key] = std::move(value);
  return payload;
}

json Without(json payload, const std::string& key) {
  payload.erase(key);
  return payload;
}

TEST(EcosellerObjectErrorsTest, MissingRequiredFieldNamesIndexAndField) {
  const json bad = Without(Minimal("ProductDetailEnter"), "product_variant_sku");
  const std::string body =
      json::array({Minimal("Category"), Minimal("Order"), Minimal("Review"), bad}).dump();
  EXPECT_THAT(ParseStoreObjects(body, kNow),
              StatusIs(kInvalid, "objects[3].product_variant_sku: required"));
  // The single-object form names the field alone.
  EXPECT_THAT(ParseStoreObject(bad, kNow), StatusIs(kInvalid, "product_variant_sku: required"));
}

TEST(EcosellerObjectErrorsTest, EveryRequiredFieldIsRequired) {
  for (const auto& [name, fields] : test::MinimalPayloads()) {
    for (const auto& [key, value] : fields.items()) {
      EXPECT_EQ(ErrorOf(Without(Minimal(name), key)), "objects[0]." + key + ": required") << name;
      // A required field may not be null either (Optional fields are the only nullable ones).
      EXPECT_EQ(ErrorOf(With(Minimal(name), key, nullptr)),
                "objects[0]." + key + ": must not be null")
          << name;
    }
  }
}

TEST(EcosellerObjectErrorsTest, WrongTypesNameFieldAndExpectedType) {
  const json enter = Minimal("ProductDetailEnter");
  EXPECT_EQ(ErrorOf(With(enter, "product_id", "abc")),
            "objects[0].product_id: expected an integer, got string \"abc\"");
  EXPECT_EQ(ErrorOf(With(enter, "product_id", 1.5)),
            "objects[0].product_id: expected an integer, got a non-integral number");
  EXPECT_EQ(ErrorOf(With(enter, "product_id", true)),
            "objects[0].product_id: expected an integer, got boolean");
  EXPECT_EQ(ErrorOf(With(enter, "user_id", json::array())),
            "objects[0].user_id: expected an integer, got array");
  EXPECT_EQ(ErrorOf(With(enter, "session_id", json::object())),
            "objects[0].session_id: expected a string, got object");
  EXPECT_EQ(ErrorOf(With(enter, "session_id", 1.5)),
            "objects[0].session_id: expected a string, got number");
  EXPECT_EQ(ErrorOf(With(enter, "session_id", false)),
            "objects[0].session_id: expected a string, got boolean");
  EXPECT_EQ(ErrorOf(With(Minimal("ProductDetailLeave"), "time_spent", "long")),
            "objects[0].time_spent: expected a number, got string \"long\"");
  EXPECT_EQ(ErrorOf(With(Minimal("Product"), "published", "maybe")),
            "objects[0].published: expected a boolean, got string \"maybe\"");
  EXPECT_EQ(ErrorOf(With(Minimal("Product"), "published", 2)),
            "objects[0].published: expected a boolean, got number");
  EXPECT_EQ(ErrorOf(With(Minimal("Attribute"), "ext_attributes", "1,2")),
            "objects[0].ext_attributes: expected a list, got string \"1,2\"");
  EXPECT_EQ(ErrorOf(With(Minimal("Attribute"), "ext_attributes", json::array({1, "x"}))),
            "objects[0].ext_attributes[1]: expected an integer, got string \"x\"");
  EXPECT_EQ(ErrorOf(With(Minimal("Attribute"), "ext_attributes", json::array({1, nullptr}))),
            "objects[0].ext_attributes[1]: must not be null");
  EXPECT_EQ(ErrorOf(With(Minimal("Review"), "create_at", true)),
            "objects[0].create_at: expected a datetime, got boolean");
}

TEST(EcosellerObjectErrorsTest, NestedPathsInOrdersAndProducts) {
  const json order = Minimal("Order");
  EXPECT_EQ(ErrorOf(With(order, "product_variants", json::parse(R"([["A", 1], ["B"]])"))),
            "objects[0].product_variants[1]: expected a [sku, quantity] pair, got array");
  EXPECT_EQ(ErrorOf(With(order, "product_variants", json::parse(R"([["A", "x"]])"))),
            "objects[0].product_variants[0][1]: expected an integer, got string \"x\"");
  EXPECT_EQ(ErrorOf(With(order, "product_variants", json::parse(R"([[null, 1]])"))),
            "objects[0].product_variants[0][0]: must not be null");
  EXPECT_EQ(ErrorOf(With(order, "product_variants", json::object())),
            "objects[0].product_variants: expected a list of [sku, quantity] pairs, got object");

  json translation = Minimal("ProductTranslation");
  translation.erase("title");
  EXPECT_EQ(ErrorOf(With(Minimal("Product"), "product_translations", json::array({translation}))),
            "objects[0].product_translations[0].title: required");
  EXPECT_EQ(ErrorOf(With(Minimal("Product"), "product_translations", json::array({7}))),
            "objects[0].product_translations[0]: expected an object, got number");
}

TEST(EcosellerObjectErrorsTest, PydanticCoercionsAreAccepted) {
  json enter = Minimal("ProductDetailEnter");
  enter["product_id"] = " 12 ";         // numeric string -> int
  enter["user_id"] = 7.0;               // integral float -> int
  enter["product_variant_sku"] = 1234;  // int -> str
  enter["session_id"] = 18446744073709551615u;
  ASSERT_OK_AND_ASSIGN(const ProductDetailEnter event, ParseAs<ProductDetailEnter>(enter));
  EXPECT_EQ(event.product_id, 12);
  EXPECT_EQ(event.user_id, 7);
  EXPECT_EQ(event.product_variant_sku, "1234");
  EXPECT_EQ(event.session_id, "18446744073709551615");

  json variant = Minimal("ProductVariant");
  variant["stock_quantity"] = "-3";
  variant["recommendation_weight"] = "1.5e1";  // numeric string -> float
  variant["weight"] = 2;                       // int -> float
  ASSERT_OK_AND_ASSIGN(const ProductVariant parsed, ParseAs<ProductVariant>(variant));
  EXPECT_EQ(parsed.stock_quantity, -3);
  EXPECT_DOUBLE_EQ(parsed.recommendation_weight, 15.0);
  EXPECT_EQ(parsed.weight, 2.0);

  json product = Minimal("Product");
  for (const auto& [value, expected] : std::vector<std::pair<json, bool>>{
           {1, true}, {0, false}, {"true", true}, {"False", false}, {"1", true}, {"off", false}}) {
    product["published"] = value;
    ASSERT_OK_AND_ASSIGN(const Product with, ParseAs<Product>(product));
    EXPECT_EQ(with.published, expected) << value.dump();
  }
}

TEST(EcosellerObjectErrorsTest, NumbersOutOfRange) {
  const json enter = Minimal("ProductDetailEnter");
  EXPECT_EQ(ErrorOf(With(enter, "product_id", 18446744073709551615u)),
            "objects[0].product_id: integer out of range");
  EXPECT_EQ(ErrorOf(With(enter, "product_id", 1e30)),
            "objects[0].product_id: integer out of range");
  EXPECT_EQ(ErrorOf(With(enter, "product_id", "99999999999999999999")),
            "objects[0].product_id: expected an integer, got string \"99999999999999999999\"");
  EXPECT_EQ(ErrorOf(With(Minimal("ProductDetailLeave"), "time_spent", "inf")),
            "objects[0].time_spent: expected a number, got string \"inf\"");
  // Numbers too large for a double are malformed JSON to nlohmann.
  EXPECT_THAT(ParseStoreObjects(R"([{"_model_class": "Category", "id": 1e999}])", kNow),
              StatusIs(kInvalid, HasSubstr("invalid JSON")));
}

TEST(EcosellerObjectErrorsTest, Datetimes) {
  const std::vector<std::pair<json, absl::Time>> accepted = {
      {"2023-08-01T10:00:00Z", Utc(2023, 8, 1, 10)},
      {"2023-08-01T10:00:00", Utc(2023, 8, 1, 10)},  // Naive = UTC.
      {"2023-08-01 10:00:00", Utc(2023, 8, 1, 10)},
      {"2023-08-01T10:00", Utc(2023, 8, 1, 10)},
      {"2023-8-1T10:0:0Z", Utc(2023, 8, 1, 10)},
      {"2023-08-01T12:00:00+02:00", Utc(2023, 8, 1, 10)},
      {"2023-08-01T12:00:00+0200", Utc(2023, 8, 1, 10)},
      {"2023-08-01T12:00:00+02", Utc(2023, 8, 1, 10)},
      {"2023-08-01T08:30:00-01:30", Utc(2023, 8, 1, 10)},
      {"2023-08-01T10:00:00.5Z", Utc(2023, 8, 1, 10, 0, 0, 500000)},
      {"2023-08-01T10:00:00.123456789Z", Utc(2023, 8, 1, 10, 0, 0, 123456)},
      {"2024-02-29T00:00:00Z", Utc(2024, 2, 29)},
      {1690884000, Utc(2023, 8, 1, 10)},
      {1690884000.25, Utc(2023, 8, 1, 10, 0, 0, 250000)},
      {"1690884000", Utc(2023, 8, 1, 10)},
      {1690884000000, Utc(2023, 8, 1, 10)},  // Above 2e10: milliseconds.
  };
  json review = Minimal("Review");
  for (const auto& [value, expected] : accepted) {
    review["create_at"] = value;
    ASSERT_OK_AND_ASSIGN(const Review parsed, ParseAs<Review>(review));
    EXPECT_EQ(parsed.create_at, expected) << value.dump();
  }
  for (const char* text :
       {"2023-02-29T00:00:00", "2023-08-01", "yesterday", "", "2023-08-01T25:00:00",
        "2023-08-01T10:60:00", "2023-13-01T10:00:00", "2023-08-01T10:00:00+24:00",
        "2023-08-01T10:00:00Zjunk", "0000-01-01T00:00:00", "0001-01-01T00:00:00+01:00",
        "2023-08-01T10:00:00.Z", "10000-01-01T00:00:00"}) {
    EXPECT_THAT(ErrorOf(With(review, "create_at", text)),
                StartsWith("objects[0].create_at: invalid datetime"))
        << text;
  }
  EXPECT_EQ(ErrorOf(With(review, "create_at", 1e21)),
            "objects[0].create_at: datetime out of range");
}

TEST(EcosellerObjectErrorsTest, ModelClass) {
  EXPECT_EQ(ErrorOf(With(Minimal("Category"), "_model_class", "ProductAddedToCart")),
            "objects[0]._model_class: unknown model class \"ProductAddedToCart\"");
  EXPECT_EQ(ErrorOf(With(Minimal("Category"), "_model_class", "category")),
            "objects[0]._model_class: unknown model class \"category\"");
  EXPECT_EQ(ErrorOf(Without(Minimal("Category"), "_model_class")),
            "objects[0]._model_class: required");
  EXPECT_EQ(ErrorOf(With(Minimal("Category"), "_model_class", 3)),
            "objects[0]._model_class: expected a string, got number");
  EXPECT_EQ(ErrorOf(json(42)), "objects[0]: expected an object, got number");
  EXPECT_THAT(ParseStoreObject(json::array(), kNow),
              StatusIs(kInvalid, "expected an object, got array"));
  // Bytes that are not printable are escaped in messages.
  EXPECT_EQ(ErrorOf(With(Minimal("Category"), "_model_class", "x\n\u00e9")),
            "objects[0]._model_class: unknown model class \"x\\n\\xc3\\xa9\"");
}

TEST(EcosellerObjectErrorsTest, FirstInvalidElementFailsTheBatch) {
  const std::string body = json::array({Minimal("Category"), With(Minimal("Category"), "id", "x"),
                                        Without(Minimal("Order"), "token")})
                               .dump();
  EXPECT_THAT(ParseStoreObjects(body, kNow),
              StatusIs(kInvalid, StartsWith("objects[1].id: expected an integer")));
}

TEST(EcosellerObjectErrorsTest, MalformedJsonGivesTheByteOffset) {
  EXPECT_THAT(ParseStoreObjects(R"([{"_model_class": tru}])", kNow),
              StatusIs(kInvalid, StartsWith("invalid JSON at byte 22: ")));
  EXPECT_THAT(ParseStoreObjects("", kNow), StatusIs(kInvalid, StartsWith("invalid JSON at byte")));
  EXPECT_THAT(ParseStoreObjects("[] []", kNow), StatusIs(kInvalid, HasSubstr("invalid JSON")));
  EXPECT_THAT(ParseStoreObjects("[\"\xff\"]", kNow), StatusIs(kInvalid, HasSubstr("invalid JSON")));
  EXPECT_THAT(ParseStoreObjectBody("{\"a\":", kNow), StatusIs(kInvalid, HasSubstr("invalid JSON")));
  // The message never carries raw input bytes.
  const absl::Status status = ParseStoreObjects("[\"\x01\xfe", kNow).status();
  for (char c : status.message()) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
}

TEST(EcosellerObjectErrorsTest, BodyShape) {
  EXPECT_THAT(ParseStoreObjects(Minimal("Category").dump(), kNow),
              StatusIs(kInvalid, "expected a JSON array of objects, got object"));
  EXPECT_THAT(ParseStoreObjectBody("[]", kNow),
              StatusIs(kInvalid, "expected an object, got array"));
}

TEST(EcosellerObjectErrorsTest, NestingAndSizeAreBounded) {
  json deep = json::array();
  for (int i = 0; i < 100; ++i) {
    deep = json::array({deep});
  }
  EXPECT_THAT(ParseStoreObjects(json::array({With(Minimal("Category"), "x", deep)}).dump(), kNow),
              StatusIs(kInvalid, "JSON nested deeper than 64 levels"));
  // Far deeper than any recursion could survive: rejected without building anything.
  const std::string bomb = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_THAT(ParseStoreObjects(bomb, kNow), StatusIs(kInvalid));
  EXPECT_THAT(ParseStoreObjects(std::string(1000000, '['), kNow), StatusIs(kInvalid));
  const std::string huge = "[\"" + std::string(kMaxStoreBodyBytes, 'a') + "\"]";
  EXPECT_THAT(ParseStoreObjects(huge, kNow), StatusIs(kInvalid, HasSubstr("exceeds the limit")));
}

}  // namespace
}  // namespace recplat::http::ecoseller
