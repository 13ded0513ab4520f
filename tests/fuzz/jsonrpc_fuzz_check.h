// File: jsonrpc_fuzz_check.h
//
// The property the Renewal JSON-RPC layer must keep for arbitrary frames, shared by the
// libFuzzer target (jsonrpc_fuzz.cc) and the seeded mutation test that runs in CI with any
// compiler (tests/frontends/renewal_ws/jsonrpc_fuzz_test.cc). Seeds live in
// tests/fuzz/corpus/jsonrpc/ (one WebSocket text frame per file).
//
// Property, checked against a reference model of JSON-RPC 2.0 written independently of the codec:
//  - HandleFrame returns (never throws or crashes) and sends at most one frame;
//  - a frame over the size limit, not JSON, too deeply nested, `[]` or an over-long batch gets one
//    error object with id null: -32700 for "not JSON", -32600 otherwise;
//  - a single message gets one well-formed response object when it is a request (id echoed) or
//    malformed (-32600), and nothing when it is a notification or a response;
//  - a batch gets one array holding, in batch order, exactly the replies its messages need, or
//    no frame when none needs one;
//  - the harness methods answer as specified (ping -> "pong", unknown -> -32601, bad params ->
//    -32602, throwing -> -32603, fail(code) -> JsonRpcCodeFor(code)).
#pragma once

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/api/status_mapping.h"
#include "frontends/renewal_ws/jsonrpc_dispatcher.h"
#include "nlohmann/json.hpp"

namespace recplat::fuzz {

using nlohmann::json;

// Small limits, so that mutations reach them.
inline renewal_ws::CodecOptions JsonRpcFuzzLimits() {
  renewal_ws::CodecOptions limits;
  limits.max_frame_bytes = 4096;
  limits.max_batch_size = 16;
  limits.max_depth = 8;
  return limits;
}

// The harness's methods: ping(), echo(a, b), fail(code), throw().
inline void RegisterJsonRpcFuzzMethods(renewal_ws::JsonRpcDispatcher& dispatcher) {
  (void)dispatcher.Register("ping", {}, [](const json&) -> absl::StatusOr<json> { return "pong"; });
  (void)dispatcher.Register("echo", {"a", "b"},
                            [](const json& params) -> absl::StatusOr<json> { return params; });
  (void)dispatcher.Register("fail", {"code"}, [](const json& params) -> absl::StatusOr<json> {
    const auto code = params.find("code");
    if (code == params.end() || !code->is_number_integer() || *code < 1 || *code > 16) {
      return absl::InvalidArgumentError("code must be an integer in [1, 16]");
    }
    return absl::Status(static_cast<absl::StatusCode>(code->get<int>()), "failed on purpose");
  });
  (void)dispatcher.Register("throw", {}, [](const json&) -> absl::StatusOr<json> {
    throw std::runtime_error("thrown on purpose");
  });
}

// What the reference model expects for one message: nothing, or a reply with this id and
// either `result` or an error `code`.
struct ExpectedReply {
  json id;
  std::optional<json> result;
  int code = 0;
};

inline std::optional<ExpectedReply> ExpectError(json id, int code) {
  return ExpectedReply{std::move(id), std::nullopt, code};
}

inline std::optional<ExpectedReply> ExpectForMessage(const json& m) {
  if (!m.is_object()) {
    return ExpectError(nullptr, -32600);
  }
  const bool has_id = m.contains("id");
  const bool id_ok = has_id && (m["id"].is_string() || m["id"].is_number() || m["id"].is_null());
  const json echo = id_ok ? m["id"] : json(nullptr);
  if (!m.contains("method")) {
    if (m.contains("result") || m.contains("error")) {
      return std::nullopt;  // a response: never answered
    }
    return ExpectError(echo, -32600);
  }
  if (!m.contains("jsonrpc") || m["jsonrpc"] != "2.0") {
    return ExpectError(echo, -32600);
  }
  if (has_id && !id_ok) {
    return ExpectError(nullptr, -32600);
  }
  const json& params = m.contains("params") ? m["params"] : json();
  if (!m["method"].is_string() || !(params.is_null() || params.is_object() || params.is_array())) {
    return ExpectError(echo, -32600);
  }
  if (!has_id) {
    return std::nullopt;  // a notification
  }
  const std::string method = m["method"].get<std::string>();
  const std::vector<std::string> names = method == "echo"   ? std::vector<std::string>{"a", "b"}
                                         : method == "fail" ? std::vector<std::string>{"code"}
                                                            : std::vector<std::string>{};
  if (method != "ping" && method != "echo" && method != "fail" && method != "throw") {
    return ExpectError(echo, -32601);
  }
  if (params.is_array() && params.size() > names.size()) {
    return ExpectError(echo, -32602);
  }
  json bound = params.is_object() ? params : json::object();
  for (size_t i = 0; params.is_array() && i < params.size(); ++i) {
    bound[names[i]] = params[i];
  }
  if (method == "ping") {
    return ExpectedReply{echo, json("pong"), 0};
  }
  if (method == "echo") {
    return ExpectedReply{echo, bound, 0};
  }
  if (method == "throw") {
    return ExpectError(echo, -32603);
  }
  const json code = bound.contains("code") ? bound["code"] : json();
  if (!code.is_number_integer() || code < 1 || code > 16) {
    return ExpectError(echo, -32602);
  }
  return ExpectError(echo, api::JsonRpcCodeFor(static_cast<absl::StatusCode>(code.get<int>())));
}

// Nesting depth of `value` (a scalar is 0), walked without recursion.
inline int JsonDepth(const json& value) {
  int deepest = 0;
  std::vector<std::pair<const json*, int>> stack = {{&value, 0}};
  while (!stack.empty()) {
    const auto [node, depth] = stack.back();
    stack.pop_back();
    if (node->is_structured()) {
      deepest = std::max(deepest, depth + 1);
      for (const json& child : *node) {
        stack.emplace_back(&child, depth + 1);
      }
    }
  }
  return deepest;
}

// Empty when `reply` is a well-formed response matching `expected`; otherwise what is wrong.
inline std::string CheckReply(const json& reply, const ExpectedReply& expected) {
  if (!reply.is_object() || reply.size() != 3 || reply.value("jsonrpc", json()) != "2.0" ||
      !reply.contains("id") || (reply.contains("result") == reply.contains("error"))) {
    return "malformed response: " + reply.dump();
  }
  if (reply["id"] != expected.id) {
    return absl::StrCat("id ", reply["id"].dump(), " does not echo ", expected.id.dump());
  }
  if (expected.result.has_value()) {
    return reply.contains("result") && reply["result"] == *expected.result
               ? ""
               : absl::StrCat("expected result ", expected.result->dump(), ", got ", reply.dump());
  }
  const json& error = reply.contains("error") ? reply["error"] : json();
  if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer() ||
      !error.contains("message") || !error["message"].is_string() ||
      (error.contains("data") && !error["data"].is_string()) ||
      error.size() != (error.contains("data") ? 3u : 2u)) {
    return "malformed error object: " + reply.dump();
  }
  return error["code"] == expected.code
             ? ""
             : absl::StrCat("expected error ", expected.code, ", got ", reply.dump());
}

// Empty when the property holds for the frames a dispatcher sent for `frame`.
inline std::string CheckJsonRpcReplies(absl::string_view frame,
                                       const renewal_ws::CodecOptions& limits,
                                       const std::vector<std::string>& sent) {
  if (sent.size() > 1) {
    return absl::StrCat(sent.size(), " frames sent for one inbound frame");
  }
  const json reply = sent.empty() ? json() : json::parse(sent[0], nullptr, false);
  if (!sent.empty() && reply.is_discarded()) {
    return "sent frame is not JSON: " + sent[0];
  }
  // The whole frame is rejected with one error object.
  std::optional<int> whole_frame_code;
  const json parsed = frame.size() > limits.max_frame_bytes
                          ? json()
                          : json::parse(frame.begin(), frame.end(), nullptr, false);
  if (frame.size() > limits.max_frame_bytes) {
    whole_frame_code = -32600;
  } else if (parsed.is_discarded()) {
    whole_frame_code = -32700;
  } else if (JsonDepth(parsed) > limits.max_depth ||
             (parsed.is_array() && (parsed.empty() || parsed.size() > limits.max_batch_size))) {
    whole_frame_code = -32600;
  }
  if (whole_frame_code.has_value()) {
    if (sent.empty()) {
      return "no reply to a frame rejected as a whole";
    }
    return CheckReply(reply, ExpectedReply{nullptr, std::nullopt, *whole_frame_code});
  }
  if (!parsed.is_array()) {
    const std::optional<ExpectedReply> expected = ExpectForMessage(parsed);
    if (!expected.has_value()) {
      return sent.empty() ? "" : "reply to a notification or response: " + sent[0];
    }
    return sent.empty() ? "no reply to a request" : CheckReply(reply, *expected);
  }
  std::vector<ExpectedReply> expected;
  for (const json& message : parsed) {
    if (std::optional<ExpectedReply> one = ExpectForMessage(message); one.has_value()) {
      expected.push_back(std::move(*one));
    }
  }
  if (expected.empty()) {
    return sent.empty() ? "" : "reply to a batch of notifications/responses: " + sent[0];
  }
  if (sent.empty() || !reply.is_array() || reply.size() != expected.size()) {
    return absl::StrCat("batch needs an array of ", expected.size(), " replies, got ",
                        sent.empty() ? "nothing" : sent[0]);
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::string failure = CheckReply(reply[i], expected[i]); !failure.empty()) {
      return absl::StrCat("batch reply ", i, ": ", failure);
    }
  }
  return "";
}

// Empty when the property holds for `frame`, handled with an inline executor.
inline std::string CheckJsonRpcProperty(absl::string_view frame) {
  renewal_ws::DispatcherOptions options;
  options.codec = JsonRpcFuzzLimits();
  renewal_ws::JsonRpcDispatcher dispatcher([](std::function<void()> task) { task(); }, options);
  RegisterJsonRpcFuzzMethods(dispatcher);
  std::vector<std::string> sent;
  dispatcher.HandleFrame(std::string_view(frame.data(), frame.size()),
                         [&sent](std::string out) { sent.push_back(std::move(out)); });
  return CheckJsonRpcReplies(frame, options.codec, sent);
}

}  // namespace recplat::fuzz
