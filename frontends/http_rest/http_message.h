// File: http_message.h
//
// The HTTP request and response as the router and handlers see them: plain values, independent
// of the transport (Boost.Beast lives only in http_server.cc). Handlers are pure functions from an
// HttpRequest to an HttpResponse, which keeps them testable without sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace recplat::http {

struct HttpRequest {
  // Upper-case verb as sent ("GET", "POST", ...).
  std::string method;
  // Path without the query string, percent-decoded ("/predict/product_positions").
  std::string path;
  // The path as sent, before percent-decoding; empty when the request was built in code. When
  // set, the router splits it on '/' before decoding, so "/items/a%2Fb" binds {id} to "a/b".
  std::string raw_path;
  // Query parameters, percent-decoded; a repeated name keeps its last value.
  absl::flat_hash_map<std::string, std::string> query;
  // Header names lower-cased; a repeated header's values joined with ", ".
  absl::flat_hash_map<std::string, std::string> headers;
  std::string body;
  // Path parameters bound by the router ("/v1/items/{id}" -> {"id": ...}).
  absl::flat_hash_map<std::string, std::string> path_params;

  // The query parameter `name`, or nullptr.
  const std::string* Query(absl::string_view name) const;
  // The header `name` (any case), or nullptr.
  const std::string* Header(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (e.g. "Allow" on 405).
  std::vector<std::pair<std::string, std::string>> headers;
};

// A 200 (or `status`) response with a JSON body.
HttpResponse JsonResponse(std::string body, int status = 200);

// An empty-bodied response (ecoseller's store routes answer 200 with no body).
HttpResponse EmptyResponse(int status = 200);

// The JSON error body every route uses:
//   {"error": {"code": "INVALID_ARGUMENT", "status": 400, "message": "..."}}
// with the HTTP status taken from api::HttpStatusFor (the one status-mapping table) and the
// message from api::ClientMessage. `status` must not be OK.
HttpResponse ErrorResponse(const absl::Status& status);

// The same body for an HTTP status the mapping table has no row for (405, 408, 413, 431):
// `http_status` is sent as is, `code` names the closest canonical code, and `message` passes
// through api::ClientMessage.
HttpResponse ErrorResponse(int http_status, absl::StatusCode code, absl::string_view message);

// Replaces *out with the percent-decoded `in` ('+' stays '+'). False on a malformed escape.
bool PercentDecode(absl::string_view in, std::string* out);

// Sets request->path, request->raw_path and request->query from a request target in origin form ("/a/b?x=1") or
// absolute form ("http://host/a/b?x=1"). Both are percent-decoded; in the query '+' also decodes
// to a space. INVALID_ARGUMENT for any other form or a bad percent-escape.
absl::Status ParseRequestTarget(absl::string_view target, HttpRequest* request);

}  // namespace recplat::http
