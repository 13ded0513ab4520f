// File: router.h
//
// Router: maps (method, path) to a handler. Patterns are literal segments and `{name}` segments
// that bind one path segment ("/v1/items/{id}"); a literal segment wins over a parameter. An
// unknown path answers 404 and a known path with another method 405 with an `Allow` header, both
// with the JSON error body of ErrorResponse. A handler that throws is answered 500 (the
// exception's text goes to the log only).
//
// A trailing slash is ignored ("/x/" is "/x"), except for the root "/". A parameter binds a
// non-empty segment only.
//
// Route sets (native API, ecoseller, ...) add their routes to one Router at start-up; a
// duplicate (method, pattern) is an error.
//
// Access control: every route says what it needs (api::Access: open, user or admin; user by
// default). Once SetApiKeys() has given the router keys, a matched route's request must carry
// them as `Authorization: Bearer <key>` (api_keys.h): a missing or unknown key is answered
// 401 with `WWW-Authenticate: Bearer ...`, a user key on an admin route 403, both with the
// JSON error body of ErrorResponse; the handler does not run. Unmatched paths answer 404/405
// before any check. Without keys (the default) nothing is checked.
//
// Thread-safety: Add() before serving, from one thread; Dispatch() is const and thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/api/api_keys.h"
#include "frontends/http_rest/http_message.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace recplat::metrics {
class AuthFailureMetrics;
}  // namespace recplat::metrics

namespace recplat::http {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` ("GET", "POST", ...) and `pattern` (starts with '/').
  // `route_label` names the route in metrics (defaults to the pattern); `access` is what a
  // request needs once keys are set.
  absl::Status Add(std::string method, std::string pattern, Handler handler,
                   std::string route_label = "", api::Access access = api::Access::kUser);
  // The same with the default label.
  absl::Status Add(std::string method, std::string pattern, Handler handler, api::Access access) {
    return Add(std::move(method), std::move(pattern), std::move(handler), "", access);
  }

  // Answers every unmatched request (unknown path, or a known path with another method) with
  // `handler` instead of the 404/405 JSON error body (route sets whose original answered its
  // own not-found body). Before serving, from one thread.
  void SetUnmatchedHandler(Handler handler);
  // Adds a header to every response Dispatch returns, matched or not, refused or failed (e.g.
  // Access-Control-Allow-Origin). Before serving, from one thread.
  void AddResponseHeader(std::string name, std::string value);
  // The headers added by AddResponseHeader, in order (for the transport's own answers:
  // HttpServerOptions::response_headers).
  const std::vector<std::pair<std::string, std::string>>& response_headers() const {
    return response_headers_;
  }
  // Checks every request against `keys` from now on (before serving, from one thread).
  // `metrics` (may be null) counts refusals in recplat_auth_failures_total{transport="http"}.
  void SetApiKeys(api::ApiKeys keys, prometheus::Registry* metrics);

  // Finds the handler, binds path parameters into a copy of `request`, and runs it.
  // `route_label` (optional) receives the matched route's label, or "unmatched".
  HttpResponse Dispatch(const HttpRequest& request, std::string* route_label = nullptr) const;

  // As Dispatch, but binds path parameters into `request->path_params` (replacing what was
  // there) instead of a copy; the transport uses it to avoid copying every request.
  HttpResponse DispatchInPlace(HttpRequest* request, std::string* route_label = nullptr) const;

 private:
  struct Node;
  HttpResponse DispatchUndecorated(HttpRequest* request, bool in_place,
                                   std::string* route_label) const;
  HttpResponse Decorate(HttpResponse response) const;

  std::unique_ptr<Node> root_;
  // Set: the answer to unmatched requests (SetUnmatchedHandler).
  Handler unmatched_;
  // Added to every response (AddResponseHeader).
  std::vector<std::pair<std::string, std::string>> response_headers_;
  // No key: requests are not checked.
  api::ApiKeys keys_;
  std::unique_ptr<metrics::AuthFailureMetrics> auth_failures_;
};

}  // namespace recplat::http
