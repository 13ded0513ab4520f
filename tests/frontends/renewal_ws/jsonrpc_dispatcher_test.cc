// The JSON-RPC dispatcher: exact replies for hand-written frames (the JSON-RPC 2.0 spec's
// examples and the Renewal backend's calls), concurrency, out-of-order completion and batches.
#include "frontends/renewal_ws/jsonrpc_dispatcher.h"

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/frontends/renewal_ws/jsonrpc_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;
using ::recplat::testing::StatusIs;
using test_util::FrameSink;
using test_util::ManualExecutor;
using test_util::ThreadPool;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Executor Inline() {
  return [](std::function<void()> task) { task(); };
}

// Methods shaped like the ones the Renewal backend calls, plus the spec's examples.
void RegisterMethods(JsonRpcDispatcher& dispatcher, std::atomic<int>* notified = nullptr) {
  ASSERT_OK(
      dispatcher.Register("ping", {}, [](const json&) -> absl::StatusOr<json> { return "pong"; }));
  ASSERT_OK(dispatcher.Register("recommend", {"user_id", "min_articles", "max_articles"},
                                [](const json& params) -> absl::StatusOr<json> {
                                  if (!params.contains("user_id") ||
                                      !params["user_id"].is_string()) {
                                    return absl::InvalidArgumentError("user_id must be a string");
                                  }
                                  const int max = params.value("max_articles", 3);
                                  json ids = json::array();
                                  for (int id = 10999; id > 10999 - max; --id) {
                                    ids.push_back(id);
                                  }
                                  return ids;
                                }));
  ASSERT_OK(dispatcher.Register("subtract", {"minuend", "subtrahend"},
                                [](const json& p) -> absl::StatusOr<json> {
                                  return p.value("minuend", 0) - p.value("subtrahend", 0);
                                }));
  ASSERT_OK(dispatcher.Register("sum", {"a", "b", "c"}, [](const json& p) -> absl::StatusOr<json> {
    return p.value("a", 0) + p.value("b", 0) + p.value("c", 0);
  }));
  ASSERT_OK(dispatcher.Register("new_article", {"article"},
                                [notified](const json&) -> absl::StatusOr<json> {
                                  if (notified != nullptr) {
                                    ++*notified;
                                  }
                                  return nullptr;
                                }));
  ASSERT_OK(dispatcher.Register("throws", {}, [](const json&) -> absl::StatusOr<json> {
    throw std::runtime_error("boom at /secret/path");
  }));
  ASSERT_OK(dispatcher.Register("internal", {}, [](const json&) -> absl::StatusOr<json> {
    return absl::InternalError("db password wrong");
  }));
  ASSERT_OK(dispatcher.Register("missing_user", {}, [](const json&) -> absl::StatusOr<json> {
    return absl::NotFoundError("unknown user u9");
  }));
}

// The frames sent for `frame`, handled with an inline executor.
std::vector<std::string> Replies(std::string_view frame, DispatcherOptions options = {}) {
  JsonRpcDispatcher dispatcher(Inline(), std::move(options));
  RegisterMethods(dispatcher);
  FrameSink sink;
  dispatcher.HandleFrame(frame, sink.AsSend());
  return sink.frames();
}

TEST(JsonRpcDispatcherTest, AnswersThePingGreeting) {
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"ping","id":0})"),
              ElementsAre(R"({"id":0,"jsonrpc":"2.0","result":"pong"})"));
}

TEST(JsonRpcDispatcherTest, EchoesStringNumberAndNullIds) {
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"ping","id":"abc-1"})"),
              ElementsAre(R"({"id":"abc-1","jsonrpc":"2.0","result":"pong"})"));
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"ping","id":-42})"),
              ElementsAre(R"({"id":-42,"jsonrpc":"2.0","result":"pong"})"));
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"ping","id":2.5})"),
              ElementsAre(R"({"id":2.5,"jsonrpc":"2.0","result":"pong"})"));
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"ping","id":null})"),
              ElementsAre(R"({"id":null,"jsonrpc":"2.0","result":"pong"})"));
}

TEST(JsonRpcDispatcherTest, RecommendTakesNamedOrPositionalParams) {
  const std::string expected = R"({"id":1,"jsonrpc":"2.0","result":[10999,10998]})";
  EXPECT_THAT(
      Replies(R"({"jsonrpc":"2.0","method":"recommend",)"
              R"("params":{"user_id":"fake-user","min_articles":1,"max_articles":2},"id":1})"),
      ElementsAre(expected));
  EXPECT_THAT(
      Replies(R"({"jsonrpc":"2.0","method":"recommend","params":["fake-user",1,2],"id":1})"),
      ElementsAre(expected));
}

TEST(JsonRpcDispatcherTest, BadParamsAreInvalidParams) {
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"recommend","params":{"user_id":7},"id":"r"})"),
              ElementsAre(R"({"error":{"code":-32602,"data":"user_id must be a string",)"
                          R"("message":"Invalid params"},"id":"r","jsonrpc":"2.0"})"));
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"ping","params":[1],"id":3})"),
              ElementsAre(R"({"error":{"code":-32602,"data":"too many positional params: got 1, )"
                          R"(the method takes at most 0","message":"Invalid params"},"id":3,)"
                          R"("jsonrpc":"2.0"})"));
}

TEST(JsonRpcDispatcherTest, UnknownMethodIsMethodNotFound) {
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"foobar","id":"1"})"),
              ElementsAre(R"({"error":{"code":-32601,"data":"unknown method 'foobar'",)"
                          R"("message":"Method not found"},"id":"1","jsonrpc":"2.0"})"));
}

TEST(JsonRpcDispatcherTest, HandlerFailuresMapThroughTheTable) {
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"throws","id":1})"),
              ElementsAre(R"x({"error":{"code":-32603,"data":"internal error (details in the )x"
                          R"x(server log)","message":"Internal error"},"id":1,"jsonrpc":"2.0"})x"));
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"internal","id":2})"),
              ElementsAre(R"x({"error":{"code":-32603,"data":"internal error (details in the )x"
                          R"x(server log)","message":"Internal error"},"id":2,"jsonrpc":"2.0"})x"));
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"missing_user","id":3})"),
              ElementsAre(R"({"error":{"code":-32004,"data":"unknown user u9",)"
                          R"("message":"NOT_FOUND"},"id":3,"jsonrpc":"2.0"})"));
}

TEST(JsonRpcDispatcherTest, ObserverSeesFullStatusesOfEveryCall) {
  std::vector<std::string> seen;
  DispatcherOptions options;
  std::vector<absl::Duration> elapsed;
  options.observer = [&](std::string_view method, const absl::Status& status, absl::Duration d) {
    seen.push_back(std::string(method) + " " + status.ToString());
    elapsed.push_back(d);
  };
  Replies(R"([{"jsonrpc":"2.0","method":"throws","id":1},{"jsonrpc":"2.0","method":"nope"},)"
          R"({"jsonrpc":"2.0","method":"ping","id":2}])",
          options);
  EXPECT_THAT(seen, ElementsAre("throws INTERNAL: handler threw: boom at /secret/path",
                                "nope UNIMPLEMENTED: unknown method 'nope'", "ping OK"));
  ASSERT_EQ(elapsed.size(), 3u);
  EXPECT_EQ(elapsed[1], absl::ZeroDuration());  // Never reached a handler.
  for (absl::Duration d : elapsed) EXPECT_GE(d, absl::ZeroDuration());
}

TEST(JsonRpcDispatcherTest, NotificationsRunButAreNeverAnswered) {
  std::atomic<int> notified = 0;
  JsonRpcDispatcher dispatcher(Inline());
  RegisterMethods(dispatcher, &notified);
  FrameSink sink;
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"new_article","params":{"article":{}}})",
                         sink.AsSend());
  // Not even errors: unknown methods, bad params, throwing handlers.
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"foobar"})", sink.AsSend());
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"ping","params":[1,2]})", sink.AsSend());
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"throws"})", sink.AsSend());
  EXPECT_EQ(notified, 1);
  EXPECT_THAT(sink.frames(), IsEmpty());
}

TEST(JsonRpcDispatcherTest, MalformedFramesGetSpecErrors) {
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"foobar,"params":"bar","baz])"),
              ElementsAre(R"({"error":{"code":-32700,"data":"invalid JSON at byte 36",)"
                          R"("message":"Parse error"},"id":null,"jsonrpc":"2.0"})"));
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":1,"params":"bar"})"),
              ElementsAre(R"({"error":{"code":-32600,"data":"\"method\" must be a string",)"
                          R"("message":"Invalid Request"},"id":null,"jsonrpc":"2.0"})"));
  EXPECT_THAT(Replies("[]"), ElementsAre(R"({"error":{"code":-32600,"data":"empty batch",)"
                                         R"("message":"Invalid Request"},"id":null,)"
                                         R"("jsonrpc":"2.0"})"));
  const std::string invalid = R"({"error":{"code":-32600,"data":"a message must be a JSON object",)"
                              R"("message":"Invalid Request"},"id":null,"jsonrpc":"2.0"})";
  EXPECT_THAT(Replies("[1]"), ElementsAre("[" + invalid + "]"));
  EXPECT_THAT(Replies("[1,2,3]"), ElementsAre("[" + invalid + "," + invalid + "," + invalid + "]"));
}

TEST(JsonRpcDispatcherTest, AnswersTheSpecsMixedBatchInBatchOrder) {
  // JSON-RPC 2.0 spec, section 7, "rpc call Batch" (with `get_data` renamed to `missing_user`).
  const auto replies =
      Replies(R"([{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},)"
              R"({"jsonrpc":"2.0","method":"new_article","params":[7]},)"
              R"({"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":"2"},)"
              R"({"foo":"boo"},)"
              R"({"jsonrpc":"2.0","method":"foo.get","params":{"name":"myself"},"id":"5"},)"
              R"({"jsonrpc":"2.0","method":"missing_user","id":"9"}])");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(json::parse(replies[0]), json::parse(R"([
    {"jsonrpc":"2.0","result":7,"id":"1"},
    {"jsonrpc":"2.0","result":19,"id":"2"},
    {"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request",
                              "data":"missing \"method\""},"id":null},
    {"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found",
                              "data":"unknown method 'foo.get'"},"id":"5"},
    {"jsonrpc":"2.0","error":{"code":-32004,"message":"NOT_FOUND",
                              "data":"unknown user u9"},"id":"9"}])"));
}

TEST(JsonRpcDispatcherTest, BatchOfNotificationsGetsNoReply) {
  std::atomic<int> notified = 0;
  JsonRpcDispatcher dispatcher(Inline());
  RegisterMethods(dispatcher, &notified);
  FrameSink sink;
  dispatcher.HandleFrame(R"([{"jsonrpc":"2.0","method":"new_article","params":[1]},)"
                         R"({"jsonrpc":"2.0","method":"new_article","params":[2]}])",
                         sink.AsSend());
  EXPECT_EQ(notified, 2);
  EXPECT_THAT(sink.frames(), IsEmpty());
}

TEST(JsonRpcDispatcherTest, RepliesToSeparateFramesAsTheyComplete) {
  ManualExecutor executor;
  JsonRpcDispatcher dispatcher(executor.AsExecutor());
  RegisterMethods(dispatcher);
  FrameSink sink;
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"ping","id":1})", sink.AsSend());
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"subtract","params":[5,3],"id":2})",
                         sink.AsSend());
  EXPECT_THAT(sink.frames(), IsEmpty());  // nothing runs on the caller's thread
  ASSERT_EQ(executor.pending(), 2u);
  executor.RunAt(1);  // the second request completes first
  EXPECT_THAT(sink.frames(), ElementsAre(R"({"id":2,"jsonrpc":"2.0","result":2})"));
  executor.RunAt(0);
  EXPECT_THAT(sink.frames(), ElementsAre(R"({"id":2,"jsonrpc":"2.0","result":2})",
                                         R"({"id":1,"jsonrpc":"2.0","result":"pong"})"));
}

TEST(JsonRpcDispatcherTest, ABatchIsSentOnceItsLastRequestCompletes) {
  ManualExecutor executor;
  JsonRpcDispatcher dispatcher(executor.AsExecutor());
  RegisterMethods(dispatcher);
  FrameSink sink;
  dispatcher.HandleFrame(R"([{"jsonrpc":"2.0","method":"ping","id":"a"},)"
                         R"({"jsonrpc":"2.0","method":"subtract","params":[9,1],"id":"b"},)"
                         R"({"jsonrpc":"2.0","method":"nope","id":"c"}])",
                         sink.AsSend());
  ASSERT_EQ(executor.pending(), 2u);  // the unknown method is answered without running
  executor.RunAt(1);
  EXPECT_THAT(sink.frames(), IsEmpty());
  executor.RunAt(0);
  ASSERT_EQ(sink.frames().size(), 1u);
  const json reply = json::parse(sink.frames()[0]);
  ASSERT_TRUE(reply.is_array());
  ASSERT_EQ(reply.size(), 3u);
  EXPECT_EQ(reply[0], json::parse(R"({"jsonrpc":"2.0","result":"pong","id":"a"})"));
  EXPECT_EQ(reply[1], json::parse(R"({"jsonrpc":"2.0","result":8,"id":"b"})"));
  EXPECT_EQ(reply[2]["error"]["code"], -32601);
}

TEST(JsonRpcDispatcherTest, RunsRequestsConcurrently) {
  // `wait` (id 1) finishes only once the reply to `release` (id 2, a later frame) has been sent:
  // on a single thread, or if replies were serialised in request order, it would time out.
  ThreadPool pool(2);
  JsonRpcDispatcher dispatcher(pool.AsExecutor());
  FrameSink sink;
  ASSERT_OK(dispatcher.Register("wait", {}, [&sink](const json&) -> absl::StatusOr<json> {
    return sink.WaitFor(1, absl::Seconds(10));
  }));
  ASSERT_OK(dispatcher.Register("release", {},
                                [](const json&) -> absl::StatusOr<json> { return "released"; }));
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"wait","id":1})", sink.AsSend());
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"release","id":2})", sink.AsSend());
  ASSERT_TRUE(sink.WaitFor(2));
  EXPECT_THAT(sink.frames(), ElementsAre(R"({"id":2,"jsonrpc":"2.0","result":"released"})",
                                         R"({"id":1,"jsonrpc":"2.0","result":true})"));
}

TEST(JsonRpcDispatcherTest, RoutesResponsesWithoutAnsweringThem) {
  JsonRpcDispatcher dispatcher(Inline());
  std::vector<Response> responses;
  dispatcher.SetResponseHandler([&responses](Response r) { responses.push_back(std::move(r)); });
  FrameSink sink;
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","result":[10999],"id":7})", sink.AsSend());
  dispatcher.HandleFrame(
      R"([{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":"x"},)"
      R"({"jsonrpc":"2.0","result":1}])",  // the second has no id: dropped
      sink.AsSend());
  EXPECT_THAT(sink.frames(), IsEmpty());
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].id, json(7));
  EXPECT_EQ(responses[0].result, json({10999}));
  EXPECT_EQ(responses[1].id, json("x"));
  EXPECT_EQ(responses[1].error, (ErrorObject{-32601, "Method not found", ""}));
}

TEST(JsonRpcDispatcherTest, ARefusingExecutorFailsTheCallInsteadOfStalling) {
  JsonRpcDispatcher dispatcher([](std::function<void()>) { throw std::runtime_error("closed"); });
  RegisterMethods(dispatcher);
  FrameSink sink;
  dispatcher.HandleFrame(R"([{"jsonrpc":"2.0","method":"ping","id":1},)"
                         R"({"jsonrpc":"2.0","method":"nope","id":2}])",
                         sink.AsSend());
  ASSERT_EQ(sink.frames().size(), 1u);
  const json reply = json::parse(sink.frames()[0]);
  EXPECT_EQ(reply[0], json::parse(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32603,)"
                                  R"("message":"Internal error",)"
                                  R"("data":"the server could not schedule the call"}})"));
  EXPECT_EQ(reply[1]["error"]["code"], -32601);
}

TEST(JsonRpcDispatcherTest, InFlightRequestsOutliveTheDispatcher) {
  ManualExecutor executor;
  FrameSink sink;
  {
    JsonRpcDispatcher dispatcher(executor.AsExecutor());
    RegisterMethods(dispatcher);
    dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"ping","id":1})", sink.AsSend());
  }
  executor.RunAll();
  EXPECT_THAT(sink.frames(), ElementsAre(R"({"id":1,"jsonrpc":"2.0","result":"pong"})"));
}

TEST(JsonRpcDispatcherTest, AThrowingSendDoesNotEscape) {
  JsonRpcDispatcher dispatcher(Inline());
  RegisterMethods(dispatcher);
  int attempts = 0;
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"ping","id":1})", [&](std::string) {
    ++attempts;
    throw std::runtime_error("socket closed");
  });
  EXPECT_EQ(attempts, 1);
  // The dispatcher is still usable: the next frame is answered.
  std::vector<std::string> replies;
  dispatcher.HandleFrame(R"({"jsonrpc":"2.0","method":"ping","id":2})",
                         [&](std::string reply) { replies.push_back(std::move(reply)); });
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_NE(replies[0].find("pong"), std::string::npos) << replies[0];
}

TEST(JsonRpcDispatcherTest, ConfiguredLimitsAnswerInvalidRequest) {
  DispatcherOptions options;
  options.codec.max_frame_bytes = 32;
  EXPECT_THAT(Replies(R"({"jsonrpc":"2.0","method":"ping","id":1})", options),
              ElementsAre(R"({"error":{"code":-32600,"data":"frame of 40 bytes exceeds the )"
                          R"(limit of 32","message":"Invalid Request"},"id":null,)"
                          R"("jsonrpc":"2.0"})"));
}

TEST(JsonRpcDispatcherTest, RegisterRejectsBadRegistrations) {
  JsonRpcDispatcher dispatcher(Inline());
  auto ok = [](const json&) -> absl::StatusOr<json> { return nullptr; };
  ASSERT_OK(dispatcher.Register("m", {"a"}, ok));
  EXPECT_THAT(dispatcher.Register("m", {}, ok), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(dispatcher.Register("", {}, ok), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(dispatcher.Register("n", {"a", "a"}, ok),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(dispatcher.Register("o", {}, nullptr), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::renewal_ws
