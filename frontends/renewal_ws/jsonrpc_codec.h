// File: jsonrpc_codec.h
//
// The JSON-RPC 2.0 codec of the Renewal frontend (seed-systems.md §1.2/§1.3): parses one
// WebSocket text frame into the messages it carries (a single message or a batch) and builds the
// frames recplat sends back. It knows nothing about methods or transports; the dispatcher
// (jsonrpc_dispatcher.h) runs the methods and the session moves the bytes.
//
// Roles: the Renewal backend is the JSON-RPC client (it calls `ping`, `recommend` and sends
// `new_article`, `article_interaction`, ... notifications); the recsystem is the server. The
// codec is symmetric so that the backend side (and test peers) can use it too: it also parses
// responses and encodes requests and notifications.
//
// Errors are JSON-RPC error objects, never exceptions: nlohmann::json exceptions are caught in
// this codec. Error codes come from the one status-mapping table (core/api/status_mapping.h,
// JsonRpcCodeFor) except the two the table leaves to the codec: -32700 (malformed JSON) and
// -32600 (bad envelope).
//
// Thread safety: all functions are pure and may be called concurrently.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_ws {

// The JSON-RPC 2.0 reserved error codes. Codes for handler statuses are not chosen here but by
// recplat::api::JsonRpcCodeFor (e.g. INVALID_ARGUMENT -> kInvalidParams).
inline constexpr int kParseError = -32700;      // the frame is not JSON
inline constexpr int kInvalidRequest = -32600;  // JSON, but not a valid request/batch
inline constexpr int kMethodNotFound = -32601;  // == JsonRpcCodeFor(UNIMPLEMENTED)
inline constexpr int kInvalidParams = -32602;   // == JsonRpcCodeFor(INVALID_ARGUMENT)
inline constexpr int kInternalError = -32603;   // == JsonRpcCodeFor(INTERNAL)

// Limits applied while parsing a frame. A frame over a limit is answered with one
// kInvalidRequest error (id null) whose `data` names the limit.
struct CodecOptions {
  // Largest frame accepted, in bytes.
  size_t max_frame_bytes = 1 << 20;
  // Most messages in one batch.
  size_t max_batch_size = 128;
  // Deepest nesting of arrays/objects; the frame's top-level value is at depth 1.
  int max_depth = 64;
};

// A JSON-RPC error object: {"code": ..., "message": ..., "data": ...}.
struct ErrorObject {
  int code = kInternalError;
  std::string message;
  // A short reason for a client (capped, no internal details); omitted when empty.
  std::string data;

  friend bool operator==(const ErrorObject&, const ErrorObject&) = default;
};

// A request (id present) or a notification (id absent).
struct Request {
  std::string method;
  // An object (named), an array (positional) or null (the member was absent).
  nlohmann::json params;
  // A string, a number or null; std::nullopt for a notification.
  std::optional<nlohmann::json> id;

  bool is_notification() const { return !id.has_value(); }
};

// A well-formed response to a request this side sent: exactly one of result/error.
struct Response {
  nlohmann::json id;  // string, number or null
  nlohmann::json result;
  std::optional<ErrorObject> error;
};

// A message that must be answered with an error response: malformed JSON, a bad envelope or a
// frame over a limit.
struct InvalidMessage {
  nlohmann::json id;  // the message's id when it could be read, else null
  ErrorObject error;
};

// A response-shaped message (no `method`, has `result` or `error`) that is malformed. JSON-RPC
// never answers responses (answering could ping-pong between two peers), so it is dropped.
struct DroppedMessage {
  std::string reason;
};

using Message = std::variant<Request, Response, InvalidMessage, DroppedMessage>;

// The messages of one frame, in frame order.
struct Frame {
  // True when the frame was a non-empty JSON array within the limits: the reply (if any) must be
  // one array. A frame rejected as a whole (parse error, `[]`, over a limit) is not a batch: it
  // holds one InvalidMessage answered with one error object.
  bool is_batch = false;
  std::vector<Message> messages;
};

// Parses one text frame. Never fails: every defect becomes an InvalidMessage or DroppedMessage.
// Invalid JSON (including numbers out of range) -> kParseError, id null. JSON that is not an
// object (or an array of them), lacks `"jsonrpc": "2.0"`, has a non-string `method`, non-
// structured `params` (null is taken as absent), or an `id` that is not a string/number/null
// -> kInvalidRequest. Unknown members are ignored.
Frame ParseFrame(std::string_view frame, const CodecOptions& options);

// Classifies one already-parsed message (an element of a batch, or the whole frame).
Message ParseMessage(const nlohmann::json& message);

// Binds `params` to named parameters. `names` lists the method's parameters in positional
// order. Returns an object: for named params, `params` itself (unknown names are kept, the
// handler decides); for positional params, {names[i]: params[i]} (missing trailing ones are
// absent); for null, {}.
// INVALID_ARGUMENT when there are more positional params than names, or `params` is neither an
// object, an array nor null.
absl::StatusOr<nlohmann::json> BindParams(const nlohmann::json& params,
                                          const std::vector<std::string>& names);

// The error object for a non-OK status: code = recplat::api::JsonRpcCodeFor(status.code()),
// message = the standard text for reserved codes ("Invalid params") or the code's canonical name
// for server-defined ones ("NOT_FOUND"), data = recplat::api::ClientMessage(status).
// REQUIRES: !status.ok().
ErrorObject ErrorFromStatus(const absl::Status& status);

// An error object with the standard message for a reserved `code` and the given reason.
ErrorObject MakeError(int code, std::string data);

// {"jsonrpc":"2.0","result":...,"id":...}.
nlohmann::json ResultResponse(const nlohmann::json& id, nlohmann::json result);
// {"jsonrpc":"2.0","error":{...},"id":...}.
nlohmann::json ErrorResponse(const nlohmann::json& id, const ErrorObject& error);
// {"jsonrpc":"2.0","method":...,"params":...,"id":...}; `params` omitted when null.
nlohmann::json RequestMessage(const nlohmann::json& id, std::string_view method,
                              nlohmann::json params);
// {"jsonrpc":"2.0","method":...,"params":...}; `params` omitted when null.
nlohmann::json NotificationMessage(std::string_view method, nlohmann::json params);

// Compact text of `message` for a frame. Never throws: invalid UTF-8 in strings (e.g. from a
// handler's result) is replaced by U+FFFD.
std::string Serialize(const nlohmann::json& message);

}  // namespace recplat::renewal_ws
