#include "frontends/http_rest/json_codec.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "recplat/v1/catalog.pb.h"
#include "recplat/v1/models.pb.h"
#include "recplat/v1/recommend.pb.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http {
namespace {

using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

HttpRequest Body(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/v1/test";
  request.body = std::move(body);
  return request;
}

TEST(JsonCodecTest, ParsesProtoNamesAndCamelCase) {
  v1::UpsertItemsRequest request;
  ASSERT_OK(ParseJsonBody(Body(R"({"items": [
      {"id": "a", "tenant": "shop", "categories": ["x", "y"],
       "numeric_attributes": {"price": 9.5}, "available": false,
       "published_at_ms": "1700000000000"},
      {"id": "b", "publishedAtMs": 5, "recommendationWeight": 2}]})"),
                          &request));
  ASSERT_EQ(request.items_size(), 2);
  const v1::Item& a = request.items(0);
  EXPECT_EQ(a.id(), "a");
  EXPECT_EQ(a.tenant(), "shop");
  EXPECT_THAT(a.categories(), ::testing::ElementsAre("x", "y"));
  EXPECT_EQ(a.numeric_attributes().at("price"), 9.5);
  ASSERT_TRUE(a.has_available());
  EXPECT_FALSE(a.available());
  EXPECT_EQ(a.published_at_ms(), 1700000000000);
  EXPECT_EQ(request.items(1).published_at_ms(), 5);
  EXPECT_EQ(request.items(1).recommendation_weight(), 2.0);
}

TEST(JsonCodecTest, EmptyBodyIsInvalid) {
  v1::RecommendRequest request;
  EXPECT_THAT(ParseJsonBody(Body(""), &request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request body: empty")));
  EXPECT_THAT(ParseJsonBody(Body(" \r\n\t"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request body: empty")));
}

TEST(JsonCodecTest, MalformedJsonIsInvalid) {
  v1::RecommendRequest request;
  for (const char* body : {R"({"k": 3)", R"({"k": 3,})", "not json", R"({k: 3})", R"({'k': 3})",
                           R"({"k": 3} {})", R"({"k": 3} x)"}) {
    EXPECT_THAT(ParseJsonBody(Body(body), &request),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         StartsWith("request body: invalid JSON: parse error at line 1")))
        << body;
  }
}

TEST(JsonCodecTest, NonObjectBodyIsInvalid) {
  v1::RecommendRequest request;
  for (const char* body : {"[1, 2]", "3", R"("k")", "null"}) {
    EXPECT_THAT(ParseJsonBody(Body(body), &request),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         StartsWith("request body: expected a JSON object, got ")))
        << body;
  }
}

TEST(JsonCodecTest, WrongTypesNameTheField) {
  v1::RecommendRequest request;
  EXPECT_THAT(ParseJsonBody(Body(R"({"k": "ten"})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(R"(request body: k: invalid value "ten")")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"k": 2.5})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request body: k: ")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"k": 3000000000})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request body: k: ")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"k": true})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("request body: k: expected a number, got boolean")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"k": 3, "anchor_item_ids": "a"})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("anchor_item_ids: expected an array, got string")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"anchor_item_ids": ["a", 1]})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("anchor_item_ids[1]: expected a string, got number")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"context": {"a": 1}})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("context.a: expected a string, got number")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"dry_run": "yes"})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("dry_run: expected true or false, got string")));
  v1::UpsertItemsRequest items;
  EXPECT_THAT(ParseJsonBody(Body(R"({"items": [{"id": "a", "available": "no"}]})"), &items),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("items[0].available: expected true or false, got string")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"items": {"id": "a"}})"), &items),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("items: expected an array, got object")));
  EXPECT_THAT(ParseJsonBody(Body(R"({"items": ["a"]})"), &items),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("items[0]: expected an object, got string")));
  EXPECT_THAT(
      ParseJsonBody(Body(R"({"items": [{"id": "a", "numeric_attributes": {"p": "x"}}]})"), &items),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("items[0].numeric_attributes")));
}

TEST(JsonCodecTest, AcceptsTheProto3JsonForms) {
  // 64-bit integers and numbers as strings, null as the default, enums by name or number.
  v1::UpsertItemsRequest items;
  ASSERT_OK(ParseJsonBody(Body(R"({"items": [{"id": "a", "published_at_ms": "12",
      "numeric_attributes": {"p": "1.5"}, "title": null}]})"),
                          &items));
  EXPECT_EQ(items.items(0).published_at_ms(), 12);
  EXPECT_EQ(items.items(0).numeric_attributes().at("p"), 1.5);
  v1::RecommendRequest request;
  ASSERT_OK(ParseJsonBody(Body(R"({"k": "3", "anchor_item_ids": null})"), &request));
  EXPECT_EQ(request.k(), 3);
  v1::ModelVersion version;
  ASSERT_OK(ParseJsonBody(Body(R"({"status": "MODEL_STATUS_FAILED"})"), &version));
  EXPECT_EQ(version.status(), v1::MODEL_STATUS_FAILED);
  ASSERT_OK(ParseJsonBody(Body(R"({"status": 2})"), &version));
  EXPECT_EQ(version.status(), v1::MODEL_STATUS_CURRENT);
}

TEST(JsonCodecTest, DeepNestingIsRejected) {
  v1::RecommendRequest request;
  const std::string deep =
      R"({"context": )" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_THAT(ParseJsonBody(Body(deep), &request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested deeper than")));
}

TEST(JsonCodecTest, UnknownFieldsAreRejectedByName) {
  v1::UpsertItemsRequest request;
  EXPECT_THAT(ParseJsonBody(Body(R"({"items": [{"id": "a", "colour": "red"}]})"), &request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("request body: items[0].colour: unknown field")));
  v1::RecommendRequest rec;
  EXPECT_THAT(
      ParseJsonBody(Body(R"({"k": 3, "user": "u1"})"), &rec),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request body: user: unknown field")));
}

TEST(JsonCodecTest, FailedParseLeavesTheMessageCleared) {
  v1::RecommendRequest request;
  request.set_user_id("stale");
  EXPECT_THAT(ParseJsonBody(Body(R"({"user_id": "u", "k": "x"})"), &request), Not(IsOk()));
  EXPECT_EQ(request.user_id(), "");
}

TEST(JsonCodecTest, ResponsesUseProtoNamesAndOmitDefaults) {
  v1::RecommendResponse response;
  response.set_recommendation_id("r1");
  response.set_retrieval_model("popularity");
  response.set_retrieval_model_version(3);
  v1::RecommendedItem* first = response.add_items();
  first->set_item_id("a");
  first->set_score(0.5);
  first->set_model("popularity");
  first->set_position(0);
  HttpResponse http = ProtoResponse(response);
  EXPECT_EQ(http.status, 200);
  EXPECT_EQ(http.content_type, "application/json");
  EXPECT_THAT(http.body, AllOf(HasSubstr(R"("recommendation_id":"r1")"),
                               HasSubstr(R"("retrieval_model_version":"3")"),
                               HasSubstr(R"("item_id":"a")"), Not(HasSubstr("itemId")),
                               Not(HasSubstr("position")), Not(HasSubstr("scoring_model"))));
  // The body is the proto3 JSON of the message: it parses back to an equal message.
  v1::RecommendResponse back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(http.body, &back).ok());
  EXPECT_EQ(back.SerializeAsString(), response.SerializeAsString());
  EXPECT_EQ(ProtoResponse(response, 201).status, 201);
}

TEST(JsonCodecTest, EnumsAreNamed) {
  v1::ModelVersion version;
  version.set_status(v1::MODEL_STATUS_CURRENT);
  EXPECT_THAT(ProtoResponse(version).body, HasSubstr(R"("status":"MODEL_STATUS_CURRENT")"));
}

TEST(JsonCodecTest, FromStatusOrEncodesValuesAndErrors) {
  absl::StatusOr<v1::Item> ok = [] {
    v1::Item item;
    item.set_id("a");
    return item;
  }();
  HttpResponse good = FromStatusOr(ok);
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.body, R"({"id":"a"})");

  HttpResponse bad = FromStatusOr(absl::StatusOr<v1::Item>(absl::NotFoundError("item 'a'")));
  EXPECT_EQ(bad.status, 404);
  google::protobuf::Struct body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(bad.body, &body).ok()) << bad.body;
  const auto& error = body.fields().at("error").struct_value().fields();
  EXPECT_EQ(error.at("code").string_value(), "NOT_FOUND");
  EXPECT_EQ(error.at("status").number_value(), 404);
  EXPECT_EQ(error.at("message").string_value(), "item 'a'");
}

TEST(JsonCodecTest, FieldsFromTextParseEachType) {
  v1::ListItemsRequest list;
  ASSERT_OK(SetFieldFromText("tenant", "shop", "tenant", &list));
  ASSERT_OK(SetFieldFromText("page_size", "25", "page_size", &list));
  EXPECT_EQ(list.tenant(), "shop");
  EXPECT_EQ(list.page_size(), 25);
  EXPECT_THAT(SetFieldFromText("page_size", "abc", "query parameter 'page_size'", &list),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("query parameter 'page_size': expected a 32-bit integer, got "
                                 "'abc'")));
  EXPECT_THAT(SetFieldFromText("page_size", "99999999999", "page_size", &list),
              StatusIs(absl::StatusCode::kInvalidArgument));

  v1::PromoteRequest promote;
  ASSERT_OK(SetFieldFromText("version", "12345678901", "version", &promote));
  EXPECT_EQ(promote.version(), 12345678901);

  v1::TrainRequest train;
  ASSERT_OK(SetFieldFromText("wait", "true", "wait", &train));
  EXPECT_TRUE(train.wait());
  ASSERT_OK(SetFieldFromText("wait", "0", "wait", &train));
  EXPECT_FALSE(train.wait());
  EXPECT_THAT(SetFieldFromText("wait", "yes", "wait", &train),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("true or false")));

  v1::ModelVersion version;
  ASSERT_OK(SetFieldFromText("status", "MODEL_STATUS_STALE", "status", &version));
  EXPECT_EQ(version.status(), v1::MODEL_STATUS_STALE);
  ASSERT_OK(SetFieldFromText("status", "2", "status", &version));
  EXPECT_EQ(version.status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_THAT(SetFieldFromText("status", "LIVE", "status", &version),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("MODEL_STATUS_PENDING")));
  // Only top-level scalars can be set from text.
  EXPECT_THAT(SetFieldFromText("training", "x", "training", &version),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown")));
}

TEST(JsonCodecTest, QueryParamsSetFieldsAndNameBadOnes) {
  HttpRequest http;
  http.query = {{"tenant", "shop"}, {"page_size", "10"}, {"page_token", "20"}};
  v1::ListItemsRequest list;
  ASSERT_OK(ParseQueryParams(http, &list));
  EXPECT_EQ(list.tenant(), "shop");
  EXPECT_EQ(list.page_size(), 10);
  EXPECT_EQ(list.page_token(), "20");

  http.query = {{"page_size", "abc"}};
  EXPECT_THAT(ParseQueryParams(http, &list), StatusIs(absl::StatusCode::kInvalidArgument,
                                                      HasSubstr("query parameter 'page_size'")));
  http.query = {{"pagesize", "10"}};
  EXPECT_THAT(ParseQueryParams(http, &list),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("query parameter 'pagesize': unknown; accepted: tenant, "
                                 "page_size, page_token")));

  v1::GetItemRequest get;
  http.query = {{"id", "x"}};
  EXPECT_THAT(ParseQueryParams(http, &get, {"id"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("given by the path")));
}

}  // namespace
}  // namespace recplat::http
