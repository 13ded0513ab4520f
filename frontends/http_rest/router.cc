#include "frontends/http_rest/router.h"

#include <algorithm>
#include <array>
#include <exception>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/logging.h"
#include "core/common/metrics/metrics.h"

namespace recplat::http {
namespace {

// Most `{param}` segments one pattern may have; bindings live on the stack during matching.
constexpr size_t kMaxParams = 16;
constexpr char kUnmatched[] = "unmatched";

// The path with one trailing '/' removed (except for the root), without the leading '/'.
absl::string_view SegmentsOf(absl::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  path.remove_prefix(1);
  return path;
}

bool IsValidMethod(absl::string_view method) {
  return !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
}

bool IsValidParamName(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

struct Captures {
  std::array<absl::string_view, kMaxParams> values;
  std::array<std::string, kMaxParams> decoded;  // backs values[i] decoded from a raw path
  size_t size = 0;
};

}  // namespace

struct Router::Node {
  struct Route {
    std::string method;
    Handler handler;
    std::string label;
    std::vector<std::string> param_names;  // in the order of the pattern's `{...}` segments
    api::Access access;
  };

  absl::flat_hash_map<std::string, std::unique_ptr<Node>> literals;
  std::unique_ptr<Node> param;
  std::vector<Route> routes;

  // The route for `method` on the highest-precedence node matching `rest` (the unconsumed
  // segments, percent-encoded when `raw`; `done` when none are left), binding parameters into
  // `captures`. Methods of path-matching nodes without `method` are appended to `allowed`.
  const Route* Match(absl::string_view rest, bool done, bool raw, absl::string_view method,
                     Captures* captures, std::vector<absl::string_view>* allowed) const {
    if (done) {
      for (const Route& route : routes) {
        if (route.method == method) return &route;
      }
      for (const Route& route : routes) allowed->push_back(route.method);
      return nullptr;
    }
    const size_t slash = rest.find('/');
    absl::string_view segment = rest.substr(0, slash);
    const bool next_done = slash == absl::string_view::npos;
    const absl::string_view next = next_done ? absl::string_view() : rest.substr(slash + 1);
    std::string decoded;
    if (raw && segment.find('%') != absl::string_view::npos) {
      if (!PercentDecode(segment, &decoded)) return nullptr;
      segment = decoded;
    }
    if (auto it = literals.find(segment); it != literals.end()) {
      const Route* r = it->second->Match(next, next_done, raw, method, captures, allowed);
      if (r != nullptr) return r;
    }
    if (param != nullptr && !segment.empty() && captures->size < kMaxParams) {
      const size_t i = captures->size++;
      if (segment.data() == decoded.data()) {
        captures->decoded[i] = std::move(decoded);
        segment = captures->decoded[i];
      }
      captures->values[i] = segment;
      if (const Route* r = param->Match(next, next_done, raw, method, captures, allowed)) {
        return r;
      }
      --captures->size;
    }
    return nullptr;
  }
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::SetApiKeys(api::ApiKeys keys, prometheus::Registry* metrics) {
  keys_ = std::move(keys);
  auth_failures_ = nullptr;
  if (metrics != nullptr) {
    auth_failures_ = std::make_unique<metrics::AuthFailureMetrics>(*metrics, "http");
  }
}

absl::Status Router::Add(std::string method, std::string pattern, Handler handler,
                         std::string route_label, api::Access access) {
  if (!IsValidMethod(method)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid HTTP method '", method, "'"));
  }
  if (!handler) {
    return absl::InvalidArgumentError(absl::StrCat("no handler for ", method, " ", pattern));
  }
  if (pattern.empty() || pattern[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("pattern '", pattern, "' must start with /"));
  }
  Node* node = root_.get();
  std::vector<std::string> names;
  absl::string_view rest = SegmentsOf(pattern);
  bool done = rest.empty() && pattern.size() == 1;
  while (!done) {
    const size_t slash = rest.find('/');
    const absl::string_view segment = rest.substr(0, slash);
    done = slash == absl::string_view::npos;
    rest = done ? absl::string_view() : rest.substr(slash + 1);
    const auto invalid = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("pattern '", pattern, "': ", why));
    };
    if (segment.empty()) return invalid("empty segment");
    if (segment.front() == '{') {
      const absl::string_view name = segment.substr(1, segment.size() - 2);
      if (segment.back() != '}' || !IsValidParamName(name)) {
        return invalid(absl::StrCat("bad parameter segment '", segment, "'"));
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        return invalid(absl::StrCat("parameter '", name, "' repeated"));
      }
      if (names.size() == kMaxParams) return invalid("too many parameters");
      names.emplace_back(name);
      if (node->param == nullptr) node->param = std::make_unique<Node>();
      node = node->param.get();
    } else {
      if (segment.find_first_of("{}") != absl::string_view::npos) {
        return invalid(absl::StrCat("braces inside literal segment '", segment, "'"));
      }
      std::unique_ptr<Node>& child = node->literals[segment];
      if (child == nullptr) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  for (const Node::Route& route : node->routes) {
    if (route.method == method) {
      return absl::AlreadyExistsError(absl::StrCat("route ", method, " ", pattern,
                                                   " is already registered (as ", route.label,
                                                   ")"));
    }
  }
  if (route_label.empty()) route_label = pattern;
  node->routes.push_back(Node::Route{std::move(method), std::move(handler),
                                     std::move(route_label), std::move(names), access});
  return absl::OkStatus();
}

namespace {

HttpResponse Invoke(const Handler& handler, const HttpRequest& request, absl::string_view label) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    RECPLAT_LOG(Error, "http handler threw", {{"route", label}, {"error", e.what()}});
  } catch (...) {
    RECPLAT_LOG(Error, "http handler threw", {{"route", label}, {"error", "non-std exception"}});
  }
  return ErrorResponse(absl::InternalError("handler threw"));
}

template <typename Node>
const typename Node::Route* Find(const Node& root, const HttpRequest& request, Captures* captures,
                                 std::vector<absl::string_view>* allowed) {
  const bool raw = !request.raw_path.empty() && request.raw_path[0] == '/';
  const std::string& path = raw ? request.raw_path : request.path;
  return root.Match(SegmentsOf(path), path.size() == 1, raw, request.method, captures, allowed);
}

HttpResponse Unmatched(const HttpRequest& request, std::vector<absl::string_view>& allowed) {
  if (allowed.empty()) {
    return ErrorResponse(absl::NotFoundError(absl::StrCat("no route for ", request.path)));
  }
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  std::string allow = absl::StrJoin(allowed, ", ");
  HttpResponse response =
      ErrorResponse(405, absl::StatusCode::kUnimplemented,
                    absl::StrCat("method ", request.method, " is not allowed for ", request.path,
                                 "; allowed: ", allow));
  response.headers.emplace_back("Allow", std::move(allow));
  return response;
}

// The answer to a request the key check refused: 401 with a Bearer challenge (RFC 6750), or
// 403 for a user key on an admin route.
HttpResponse Refused(api::AuthResult result) {
  HttpResponse response = ErrorResponse(api::AuthStatus(result));
  const char* challenge = R"(Bearer realm="recplat")";
  if (result == api::AuthResult::kInvalid) {
    challenge = R"(Bearer realm="recplat", error="invalid_token")";
  } else if (result == api::AuthResult::kForbidden) {
    challenge = R"(Bearer realm="recplat", error="insufficient_scope")";
  }
  response.headers.emplace_back("WWW-Authenticate", challenge);
  return response;
}

// kOk when `keys` let `request` use a route needing `access`.
api::AuthResult Authorize(const api::ApiKeys& keys, const HttpRequest& request,
                          api::Access access, metrics::AuthFailureMetrics* failures) {
  const auto it = request.headers.find("authorization");
  const api::AuthResult result =
      keys.Check(it == request.headers.end() ? absl::string_view() : it->second, access);
  if (result != api::AuthResult::kOk && failures != nullptr) {
    failures->Record(api::AuthResultName(result));
  }
  return result;
}

}  // namespace

void Router::SetUnmatchedHandler(Handler handler) { unmatched_ = std::move(handler); }

void Router::AddResponseHeader(std::string name, std::string value) {
  response_headers_.emplace_back(std::move(name), std::move(value));
}

HttpResponse Router::Decorate(HttpResponse response) const {
  for (const auto& header : response_headers_) {
    response.headers.push_back(header);
  }
  return response;
}

HttpResponse Router::Dispatch(const HttpRequest& request, std::string* route_label) const {
  HttpRequest copy = request;
  return Decorate(DispatchUndecorated(&copy, /*in_place=*/false, route_label));
}

HttpResponse Router::DispatchInPlace(HttpRequest* request, std::string* route_label) const {
  return Decorate(DispatchUndecorated(request, /*in_place=*/true, route_label));
}

HttpResponse Router::DispatchUndecorated(HttpRequest* request, bool in_place,
                                         std::string* route_label) const {
  if (request->path.empty() || request->path[0] != '/') {
    if (route_label != nullptr) *route_label = kUnmatched;
    if (unmatched_) return Invoke(unmatched_, *request, kUnmatched);
    return ErrorResponse(absl::NotFoundError("request path must start with /"));
  }
  Captures captures;
  std::vector<absl::string_view> allowed;
  const Node::Route* route = Find(*root_, *request, &captures, &allowed);
  if (route_label != nullptr) *route_label = route == nullptr ? kUnmatched : route->label;
  if (route == nullptr) {
    if (unmatched_) return Invoke(unmatched_, *request, kUnmatched);
    return Unmatched(*request, allowed);
  }
  if (keys_.enabled()) {
    const api::AuthResult auth = Authorize(keys_, *request, route->access, auth_failures_.get());
    if (auth != api::AuthResult::kOk) return Refused(auth);
  }
  if (!in_place && route->param_names.empty() && request->path_params.empty()) {
    return Invoke(route->handler, *request, route->label);
  }
  request->path_params.clear();
  for (size_t i = 0; i < captures.size; ++i) {
    request->path_params.emplace(route->param_names[i], captures.values[i]);
  }
  return Invoke(route->handler, *request, route->label);
}

}  // namespace recplat::http
