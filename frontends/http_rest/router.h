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
// Thread-safety: Add() before serving, from one thread; Dispatch() is const and thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "frontends/http_rest/http_message.h"

namespace recplat::http {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` ("GET", "POST", ...) and `pattern` (starts with '/').
  // `route_label` names the route in metrics (defaults to the pattern).
  absl::Status Add(std::string method, std::string pattern, Handler handler,
                   std::string route_label = "");

  // Finds the handler, binds path parameters into a copy of `request`, and runs it.
  // `route_label` (optional) receives the matched route's label, or "unmatched".
  HttpResponse Dispatch(const HttpRequest& request, std::string* route_label = nullptr) const;

  // As Dispatch, but binds path parameters into `request->path_params` (replacing what was
  // there) instead of a copy; the transport uses it to avoid copying every request.
  HttpResponse DispatchInPlace(HttpRequest* request, std::string* route_label = nullptr) const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
};

}  // namespace recplat::http
