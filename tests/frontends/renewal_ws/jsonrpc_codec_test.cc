// The JSON-RPC 2.0 codec: how frames are classified, the errors they earn, parameter binding,
// the status -> error mapping and the exact text of what is sent.
#include "frontends/renewal_ws/jsonrpc_codec.h"

#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;
using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

// The one message of a non-batch frame.
Message Single(std::string_view text, const CodecOptions& options = {}) {
  Frame frame = ParseFrame(text, options);
  EXPECT_FALSE(frame.is_batch) << text;
  EXPECT_EQ(frame.messages.size(), 1u) << text;
  return frame.messages.empty() ? Message(DroppedMessage{"none"}) : frame.messages[0];
}

InvalidMessage AsInvalid(const Message& message) {
  const auto* invalid = std::get_if<InvalidMessage>(&message);
  EXPECT_NE(invalid, nullptr) << "message is not an InvalidMessage (index " << message.index()
                              << ")";
  return invalid == nullptr ? InvalidMessage{} : *invalid;
}

TEST(JsonRpcCodecTest, ParsesARequestWithNamedParams) {
  const Message message = Single(
      R"({"jsonrpc":"2.0","method":"recommend","params":{"user_id":"u1","limit":30},"id":1})");
  const auto* request = std::get_if<Request>(&message);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->method, "recommend");
  EXPECT_EQ(request->params, json({{"user_id", "u1"}, {"limit", 30}}));
  ASSERT_TRUE(request->id.has_value());
  EXPECT_EQ(*request->id, json(1));
  EXPECT_FALSE(request->is_notification());
}

TEST(JsonRpcCodecTest, KeepsStringNumberAndNullIds) {
  for (const char* id : {R"("abc")", "7", "-3", "2.5", "null", "18446744073709551615"}) {
    const Message message =
        Single(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    const auto* request = std::get_if<Request>(&message);
    ASSERT_NE(request, nullptr) << id;
    ASSERT_TRUE(request->id.has_value()) << id;
    EXPECT_EQ(Serialize(*request->id), id);
    EXPECT_TRUE(request->params.is_null());
  }
}

TEST(JsonRpcCodecTest, AMessageWithoutIdIsANotification) {
  const Message message = Single(R"({"jsonrpc":"2.0","method":"article_interaction",)"
                                 R"("params":{"interaction":{"clicked":true}}})");
  const auto* request = std::get_if<Request>(&message);
  ASSERT_NE(request, nullptr);
  EXPECT_TRUE(request->is_notification());
  EXPECT_EQ(request->params["interaction"]["clicked"], true);
}

TEST(JsonRpcCodecTest, NullParamsAreTakenAsAbsent) {
  const Message message = Single(R"({"jsonrpc":"2.0","method":"ping","params":null,"id":1})");
  const auto* request = std::get_if<Request>(&message);
  ASSERT_NE(request, nullptr);
  EXPECT_TRUE(request->params.is_null());
}

TEST(JsonRpcCodecTest, IgnoresUnknownMembers) {
  const Message message =
      Single(R"({"jsonrpc":"2.0","method":"ping","id":"x","extra":{"deep":[1]},"params":[]})");
  const auto* request = std::get_if<Request>(&message);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->method, "ping");
  EXPECT_EQ(request->params, json::array());
}

TEST(JsonRpcCodecTest, InvalidJsonIsAParseErrorWithNullId) {
  for (const char* text : {R"({"jsonrpc":"2.0","method":"foobar,"params":"bar","baz])", "", "[1,",
                           "{\"a\":\"\xff\"}", "1e400", "nul"}) {
    const InvalidMessage invalid = AsInvalid(Single(text));
    EXPECT_EQ(invalid.error.code, kParseError) << text;
    EXPECT_EQ(invalid.error.message, "Parse error");
    EXPECT_TRUE(invalid.id.is_null());
    EXPECT_THAT(invalid.error.data, HasSubstr("invalid JSON"));
  }
  EXPECT_EQ(AsInvalid(Single("[1,")).error.data, "invalid JSON at byte 4");
}

TEST(JsonRpcCodecTest, BadEnvelopesAreInvalidRequests) {
  struct Case {
    const char* frame;
    json id;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"1", nullptr, "a message must be a JSON object"},
      {R"("ping")", nullptr, "a message must be a JSON object"},
      {R"({"method":"ping","id":1})", 1, "\"jsonrpc\" must be \"2.0\""},
      {R"({"jsonrpc":"1.0","method":"ping","id":"a"})", "a", "\"jsonrpc\" must be \"2.0\""},
      {R"({"jsonrpc":2.0,"method":"ping","id":3})", 3, "\"jsonrpc\" must be \"2.0\""},
      {R"({"jsonrpc":"2.0","method":1,"params":"bar"})", nullptr, "\"method\" must be a string"},
      {R"({"jsonrpc":"2.0","method":null,"id":4})", 4, "\"method\" must be a string"},
      {R"({"jsonrpc":"2.0","id":5})", 5, "missing \"method\""},
      {R"({"jsonrpc":"2.0","method":"ping","id":{"a":1}})", nullptr,
       "\"id\" must be a string, a number or null"},
      {R"({"jsonrpc":"2.0","method":"ping","id":true})", nullptr,
       "\"id\" must be a string, a number or null"},
      {R"({"jsonrpc":"2.0","method":"ping","params":"x","id":6})", 6,
       "\"params\" must be an object or an array"},
      {R"({"jsonrpc":"2.0","method":"ping","params":7})", nullptr,
       "\"params\" must be an object or an array"},
  };
  for (const Case& c : cases) {
    const InvalidMessage invalid = AsInvalid(Single(c.frame));
    EXPECT_EQ(invalid.error.code, kInvalidRequest) << c.frame;
    EXPECT_EQ(invalid.error.message, "Invalid Request") << c.frame;
    EXPECT_EQ(invalid.id, c.id) << c.frame;
    EXPECT_EQ(invalid.error.data, c.reason) << c.frame;
  }
}

TEST(JsonRpcCodecTest, EmptyBatchIsOneInvalidRequest) {
  const InvalidMessage invalid = AsInvalid(Single("[]"));
  EXPECT_EQ(invalid.error.code, kInvalidRequest);
  EXPECT_EQ(invalid.error.data, "empty batch");
}

TEST(JsonRpcCodecTest, BatchEntriesAreParsedOneByOne) {
  const Frame frame =
      ParseFrame(R"([{"jsonrpc":"2.0","method":"ping","id":"1"},1,{"jsonrpc":"2.0","method":"n"},)"
                 R"({"jsonrpc":"2.0","result":3,"id":9},[]])",
                 {});
  EXPECT_TRUE(frame.is_batch);
  ASSERT_EQ(frame.messages.size(), 5u);
  EXPECT_TRUE(std::holds_alternative<Request>(frame.messages[0]));
  EXPECT_EQ(AsInvalid(frame.messages[1]).error.code, kInvalidRequest);
  EXPECT_TRUE(std::get<Request>(frame.messages[2]).is_notification());
  EXPECT_EQ(std::get<Response>(frame.messages[3]).result, json(3));
  EXPECT_EQ(AsInvalid(frame.messages[4]).error.data, "a message must be a JSON object");
}

TEST(JsonRpcCodecTest, LimitsRejectTheWholeFrame) {
  CodecOptions options;
  options.max_frame_bytes = 40;
  options.max_batch_size = 2;
  options.max_depth = 3;
  EXPECT_EQ(AsInvalid(Single(std::string(41, ' '), options)).error.data,
            "frame of 41 bytes exceeds the limit of 40");
  EXPECT_EQ(AsInvalid(Single("[{},{},{}]", options)).error.data,
            "batch of 3 messages exceeds the limit of 2");
  const InvalidMessage deep = AsInvalid(Single(R"({"a":{"b":[[1]]}})", options));
  EXPECT_EQ(deep.error.code, kInvalidRequest);
  EXPECT_EQ(deep.error.data, "nesting deeper than 3 levels");
  EXPECT_TRUE(deep.id.is_null());
  // Exactly at the limit is fine.
  const Frame ok = ParseFrame(R"([{"params":[1]}])", options);
  EXPECT_TRUE(ok.is_batch);
  // Hostile nesting far beyond any stack is rejected without recursion.
  options.max_frame_bytes = 1 << 22;
  const std::string hostile = std::string(1 << 20, '[') + std::string(1 << 20, ']');
  EXPECT_EQ(AsInvalid(Single(hostile, options)).error.code, kInvalidRequest);
}

TEST(JsonRpcCodecTest, ParsesResponsesToOurRequests) {
  const Message result = Single(R"({"jsonrpc":"2.0","result":[10999,10998],"id":1})");
  ASSERT_TRUE(std::holds_alternative<Response>(result));
  EXPECT_EQ(std::get<Response>(result).id, json(1));
  EXPECT_EQ(std::get<Response>(result).result, json({10999, 10998}));
  EXPECT_FALSE(std::get<Response>(result).error.has_value());

  const Message error =
      Single(R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found","data":[1]},)"
             R"("id":"a"})");
  ASSERT_TRUE(std::holds_alternative<Response>(error));
  EXPECT_EQ(std::get<Response>(error).error, (ErrorObject{-32601, "Method not found", "[1]"}));
}

TEST(JsonRpcCodecTest, MalformedResponsesAreDroppedNotAnswered) {
  for (const char* text : {R"({"result":1,"id":1})", R"({"jsonrpc":"2.0","result":1})",
                           R"({"jsonrpc":"2.0","result":1,"error":{},"id":1})",
                           R"({"jsonrpc":"2.0","error":"bad","id":1})",
                           R"({"jsonrpc":"2.0","error":{"code":"x","message":"m"},"id":1})",
                           R"({"jsonrpc":"2.0","result":1,"id":[1]})"}) {
    EXPECT_TRUE(std::holds_alternative<DroppedMessage>(Single(text))) << text;
  }
}

TEST(JsonRpcCodecTest, BindsNamedPositionalAndAbsentParams) {
  const std::vector<std::string> names = {"user_id", "min_articles", "max_articles"};
  const json named = {{"user_id", "u"}, {"max_articles", 200}, {"min_articles", 15}};
  EXPECT_EQ(*BindParams(named, names), named);
  EXPECT_EQ(*BindParams(json::array({"u", 15, 200}), names), named);
  EXPECT_EQ(*BindParams(json::array({"u"}), names), json({{"user_id", "u"}}));
  EXPECT_EQ(*BindParams(json(), names), json::object());
  // Named params the method does not list are kept for the handler to judge.
  EXPECT_EQ(*BindParams(json({{"limit", 30}}), names), json({{"limit", 30}}));
  EXPECT_THAT(
      BindParams(json::array({1, 2, 3, 4}), names),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too many positional params: got 4")));
  EXPECT_THAT(BindParams(json("x"), names), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(JsonRpcCodecTest, ErrorsComeFromTheStatusMappingTable) {
  EXPECT_EQ(ErrorFromStatus(absl::InvalidArgumentError("min_articles must be >= 0")),
            (ErrorObject{-32602, "Invalid params", "min_articles must be >= 0"}));
  EXPECT_EQ(ErrorFromStatus(absl::UnimplementedError("unknown method 'x'")),
            (ErrorObject{-32601, "Method not found", "unknown method 'x'"}));
  EXPECT_EQ(ErrorFromStatus(absl::NotFoundError("no user u")),
            (ErrorObject{-32004, "NOT_FOUND", "no user u"}));
  EXPECT_EQ(ErrorFromStatus(absl::UnavailableError("no model")),
            (ErrorObject{-32053, "UNAVAILABLE", "no model"}));
  // Internal details never reach the peer.
  const ErrorObject internal = ErrorFromStatus(absl::InternalError("secret path /var/x"));
  EXPECT_EQ(internal.code, kInternalError);
  EXPECT_EQ(internal.message, "Internal error");
  EXPECT_THAT(internal.data, ::testing::Not(HasSubstr("secret")));
  // Long messages are capped.
  EXPECT_LE(ErrorFromStatus(absl::InvalidArgumentError(std::string(5000, 'x'))).data.size(), 1024u);
}

TEST(JsonRpcCodecTest, SerializesExactFrames) {
  EXPECT_EQ(Serialize(ResultResponse(1, "pong")), R"({"id":1,"jsonrpc":"2.0","result":"pong"})");
  EXPECT_EQ(Serialize(ErrorResponse(nullptr, MakeError(kParseError, "invalid JSON at byte 4"))),
            R"({"error":{"code":-32700,"data":"invalid JSON at byte 4","message":"Parse error"},)"
            R"("id":null,"jsonrpc":"2.0"})");
  EXPECT_EQ(Serialize(ErrorResponse("a", ErrorObject{-32603, "Internal error", ""})),
            R"({"error":{"code":-32603,"message":"Internal error"},"id":"a","jsonrpc":"2.0"})");
  EXPECT_EQ(Serialize(RequestMessage(0, "ping", nullptr)),
            R"({"id":0,"jsonrpc":"2.0","method":"ping"})");
  EXPECT_EQ(Serialize(NotificationMessage("assigned_user", {{"user_id", "u"}})),
            R"({"jsonrpc":"2.0","method":"assigned_user","params":{"user_id":"u"}})");
  // A handler's invalid UTF-8 does not throw; it is replaced.
  EXPECT_EQ(Serialize(ResultResponse(2, std::string("a\xff"))),
            "{\"id\":2,\"jsonrpc\":\"2.0\",\"result\":\"a\xEF\xBF\xBD\"}");
}

TEST(JsonRpcCodecTest, EncodedRequestsParseBack) {
  const Message message = Single(Serialize(RequestMessage("r1", "recommend", {{"limit", 3}})));
  const auto* request = std::get_if<Request>(&message);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->method, "recommend");
  EXPECT_EQ(*request->id, json("r1"));
  EXPECT_EQ(request->params, json({{"limit", 3}}));
}

}  // namespace
}  // namespace recplat::renewal_ws
