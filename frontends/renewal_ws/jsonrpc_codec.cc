#include "frontends/renewal_ws/jsonrpc_codec.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/api/status_mapping.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;

bool IsValidId(const json& id) { return id.is_string() || id.is_number() || id.is_null(); }

std::string StandardMessage(int code) {
  switch (code) {
    case kParseError:
      return "Parse error";
    case kInvalidRequest:
      return "Invalid Request";
    case kMethodNotFound:
      return "Method not found";
    case kInvalidParams:
      return "Invalid params";
    case kInternalError:
      return "Internal error";
    default:
      return "Server error";
  }
}

InvalidMessage Invalid(json id, std::string reason) {
  return InvalidMessage{std::move(id), MakeError(kInvalidRequest, std::move(reason))};
}

Frame WholeFrameError(int code, std::string reason) {
  Frame frame;
  frame.messages.emplace_back(InvalidMessage{json(nullptr), MakeError(code, std::move(reason))});
  return frame;
}

// A message without `method` but with `result` or `error`: a response to a request this side
// sent. Malformed ones are dropped, never answered.
Message ParseResponse(const json& message) {
  const auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0") {
    return DroppedMessage{"response without \"jsonrpc\": \"2.0\""};
  }
  const auto id = message.find("id");
  if (id == message.end() || !IsValidId(*id)) {
    return DroppedMessage{"response without a valid id"};
  }
  const auto result = message.find("result");
  const auto error = message.find("error");
  if ((result == message.end()) == (error == message.end())) {
    return DroppedMessage{"response must have exactly one of result and error"};
  }
  Response response;
  response.id = *id;
  if (result != message.end()) {
    response.result = *result;
    return response;
  }
  const auto code = error->is_object() ? error->find("code") : error->end();
  const auto text = error->is_object() ? error->find("message") : error->end();
  if (code == error->end() || !code->is_number_integer() || text == error->end() ||
      !text->is_string()) {
    return DroppedMessage{"response error must have an integer code and a string message"};
  }
  ErrorObject parsed;
  parsed.code = code->get<int>();
  parsed.message = text->get<std::string>();
  if (const auto data = error->find("data"); data != error->end()) {
    parsed.data = data->is_string() ? data->get<std::string>() : Serialize(*data);
  }
  response.error = std::move(parsed);
  return response;
}

}  // namespace

Message ParseMessage(const json& message) {
  if (!message.is_object()) {
    return Invalid(nullptr, "a message must be a JSON object");
  }
  const auto id = message.find("id");
  const bool has_id = id != message.end();
  // The id to echo in an error: the message's own when it is of a valid type.
  const json echo_id = has_id && IsValidId(*id) ? *id : json(nullptr);

  const auto method = message.find("method");
  if (method == message.end()) {
    if (message.contains("result") || message.contains("error")) {
      return ParseResponse(message);
    }
    return Invalid(echo_id, "missing \"method\"");
  }
  const auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0") {
    return Invalid(echo_id, "\"jsonrpc\" must be \"2.0\"");
  }
  if (has_id && !IsValidId(*id)) {
    return Invalid(nullptr, "\"id\" must be a string, a number or null");
  }
  if (!method->is_string()) {
    return Invalid(echo_id, "\"method\" must be a string");
  }
  Request request;
  request.method = method->get<std::string>();
  // `"params": null` is taken as absent (lenient: some clients send it for "no params").
  if (const auto params = message.find("params"); params != message.end()) {
    if (!params->is_object() && !params->is_array() && !params->is_null()) {
      return Invalid(echo_id, "\"params\" must be an object or an array");
    }
    request.params = *params;
  }
  if (has_id) {
    request.id = *id;
  }
  return request;
}

Frame ParseFrame(std::string_view text, const CodecOptions& options) {
  if (text.size() > options.max_frame_bytes) {
    return WholeFrameError(kInvalidRequest,
                           absl::StrCat("frame of ", text.size(), " bytes exceeds the limit of ",
                                        options.max_frame_bytes));
  }
  // The parser is iterative; the callback keeps containers past max_depth out of the DOM so that
  // no later recursive walk (copy, dump, compare) sees them.
  bool too_deep = false;
  const json::parser_callback_t limit_depth = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= options.max_depth) {
      too_deep = true;
      return false;
    }
    return true;
  };
  json parsed;
  try {
    parsed = json::parse(text.begin(), text.end(), limit_depth);
  } catch (const json::parse_error& e) {
    return WholeFrameError(kParseError, absl::StrCat("invalid JSON at byte ", e.byte));
  } catch (const json::out_of_range&) {
    return WholeFrameError(kParseError, "invalid JSON: number out of range");
  } catch (const std::exception&) {
    return WholeFrameError(kParseError, "invalid JSON");
  }
  if (too_deep) {
    return WholeFrameError(kInvalidRequest,
                           absl::StrCat("nesting deeper than ", options.max_depth, " levels"));
  }
  if (!parsed.is_array()) {
    Frame frame;
    frame.messages.push_back(ParseMessage(parsed));
    return frame;
  }
  if (parsed.empty()) {
    return WholeFrameError(kInvalidRequest, "empty batch");
  }
  if (parsed.size() > options.max_batch_size) {
    return WholeFrameError(
        kInvalidRequest, absl::StrCat("batch of ", parsed.size(), " messages exceeds the limit of ",
                                      options.max_batch_size));
  }
  Frame frame;
  frame.is_batch = true;
  frame.messages.reserve(parsed.size());
  for (const json& message : parsed) {
    frame.messages.push_back(ParseMessage(message));
  }
  return frame;
}

absl::StatusOr<json> BindParams(const json& params, const std::vector<std::string>& names) {
  if (params.is_null()) {
    return json::object();
  }
  if (params.is_object()) {
    return params;
  }
  if (!params.is_array()) {
    return absl::InvalidArgumentError("params must be an object or an array");
  }
  if (params.size() > names.size()) {
    return absl::InvalidArgumentError(absl::StrCat("too many positional params: got ",
                                                   params.size(), ", the method takes at most ",
                                                   names.size()));
  }
  json bound = json::object();
  for (size_t i = 0; i < params.size(); ++i) {
    bound[names[i]] = params[i];
  }
  return bound;
}

ErrorObject ErrorFromStatus(const absl::Status& status) {
  if (status.ok()) {
    // Unreachable for callers honouring REQUIRES; never answer "code 0".
    return MakeError(kInternalError, "error reported without a status");
  }
  ErrorObject error;
  error.code = api::JsonRpcCodeFor(status.code());
  const bool reserved = error.code <= kInvalidRequest && error.code >= kInternalError;
  error.message = reserved ? StandardMessage(error.code) : api::CodeName(status.code());
  error.data = api::ClientMessage(status);
  return error;
}

ErrorObject MakeError(int code, std::string data) {
  return ErrorObject{code, StandardMessage(code), std::move(data)};
}

json ResultResponse(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"result", std::move(result)}, {"id", id}};
}

json ErrorResponse(const json& id, const ErrorObject& error) {
  json object{{"code", error.code}, {"message", error.message}};
  if (!error.data.empty()) {
    object["data"] = error.data;
  }
  return json{{"jsonrpc", "2.0"}, {"error", std::move(object)}, {"id", id}};
}

json RequestMessage(const json& id, std::string_view method, json params) {
  json message = NotificationMessage(method, std::move(params));
  message["id"] = id;
  return message;
}

json NotificationMessage(std::string_view method, json params) {
  json message{{"jsonrpc", "2.0"}, {"method", std::string(method)}};
  if (!params.is_null()) {
    message["params"] = std::move(params);
  }
  return message;
}

std::string Serialize(const json& message) {
  try {
    return message.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
  } catch (const std::exception&) {
    // dump() with the replace handler does not throw for any DOM this codec builds.
    return R"({"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":null})";
  }
}

}  // namespace recplat::renewal_ws
