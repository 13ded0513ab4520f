// File: json_codec.h
//
// JSON <-> internal API messages for the HTTP frontend, with the proto3 JSON mapping
// (docs/http_api.md):
//   - Requests: field names as in the .proto (snake_case; lowerCamelCase is accepted too).
//     Unknown fields, wrong types and malformed JSON are INVALID_ARGUMENT naming the problem.
//   - Responses: field names as in the .proto; fields holding their default value (0, "",
//     false, empty lists) are omitted; 64-bit integers are JSON strings.
// Query and path parameters set top-level scalar fields of a request by their .proto name.
#pragma once

#include <initializer_list>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "frontends/http_rest/http_message.h"
#include "google/protobuf/message.h"

namespace recplat::http {

// Parses the request body (one JSON object) into `message`, which is cleared first (and left
// cleared on error). INVALID_ARGUMENT, with a message starting "request body: " and naming the
// field's path (e.g. "items[2].available"), when the body is empty, is not strict JSON (RFC 8259),
// nests deeper than 32 levels, names a field `message` does not have, or holds a value of the
// wrong JSON type or out of its field's range. null means the field's default.
absl::Status ParseJsonBody(const HttpRequest& request, google::protobuf::Message* message);

// Sets the field of `message` named `name` (a top-level scalar or enum field) from its text
// form. `what` names the value in errors (e.g. "query parameter 'page_size'"). Integers are
// decimal, bools are true/false/1/0, enums are their value name or number.
// INVALID_ARGUMENT when there is no such scalar field or the text does not parse as its type.
absl::Status SetFieldFromText(absl::string_view name, absl::string_view text,
                              absl::string_view what, google::protobuf::Message* message);

// Sets fields of `message` from the request's query parameters, one field per parameter
// (SetFieldFromText). `path_bound` lists fields that the route sets from the path; a query
// parameter naming one is rejected. INVALID_ARGUMENT naming the parameter when it is unknown
// or its value does not parse.
absl::Status ParseQueryParams(const HttpRequest& request, google::protobuf::Message* message,
                              std::initializer_list<absl::string_view> path_bound = {});

// `message` as a JSON response with HTTP status `status`. A message that cannot be encoded
// answers 500 (ErrorResponse of INTERNAL).
HttpResponse ProtoResponse(const google::protobuf::Message& message, int status = 200);

// ProtoResponse of the value, or ErrorResponse of the error.
template <typename T>
HttpResponse FromStatusOr(const absl::StatusOr<T>& result, int status = 200) {
  if (!result.ok()) {
    return ErrorResponse(result.status());
  }
  return ProtoResponse(*result, status);
}

}  // namespace recplat::http
