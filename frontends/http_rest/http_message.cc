#include "frontends/http_rest/http_message.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/api/status_mapping.h"
#include "core/common/json.h"

namespace recplat::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// PercentDecode, optionally decoding '+' to a space as in form-encoded queries.
bool Decode(absl::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

}  // namespace

bool PercentDecode(absl::string_view in, std::string* out) {
  return Decode(in, /*plus_is_space=*/false, out);
}

const std::string* HttpRequest::Query(absl::string_view name) const {
  auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

const std::string* HttpRequest::Header(absl::string_view name) const {
  const bool lower = std::none_of(name.begin(), name.end(), absl::ascii_isupper);
  auto it = lower ? headers.find(name) : headers.find(absl::AsciiStrToLower(name));
  return it == headers.end() ? nullptr : &it->second;
}

HttpResponse JsonResponse(std::string body, int status) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse EmptyResponse(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

HttpResponse ErrorResponse(int http_status, absl::StatusCode code, absl::string_view message) {
  const std::string client_message = api::ClientMessage(absl::Status(code, message));
  HttpResponse response;
  response.status = http_status;
  absl::StrAppend(&response.body, R"({"error":{"code":")", api::CodeName(code),
                  R"(","status":)", http_status, R"(,"message":)");
  common::AppendJsonString(&response.body, client_message);
  response.body.append("}}");
  return response;
}

HttpResponse ErrorResponse(const absl::Status& status) {
  if (status.ok()) {
    // A caller bug; answer something well-formed rather than a 200 error body.
    return ErrorResponse(500, absl::StatusCode::kInternal, "error response for an OK status");
  }
  return ErrorResponse(api::HttpStatusFor(status.code()), status.code(), status.message());
}

absl::Status ParseRequestTarget(absl::string_view target, HttpRequest* request) {
  if (!absl::StartsWith(target, "/")) {
    // Absolute form: drop "scheme://authority".
    size_t scheme_end = target.find("://");
    absl::string_view scheme = target.substr(0, scheme_end);
    if (scheme_end == absl::string_view::npos ||
        !(absl::EqualsIgnoreCase(scheme, "http") || absl::EqualsIgnoreCase(scheme, "https"))) {
      return absl::InvalidArgumentError("request target is neither a path nor an http URL");
    }
    target.remove_prefix(scheme_end + 3);
    const size_t path_start = target.find_first_of("/?");
    target = path_start == absl::string_view::npos ? "/" : target.substr(path_start);
  }
  target = target.substr(0, target.find('#'));
  const size_t question = target.find('?');
  absl::string_view path = target.substr(0, question);
  if (path.empty()) path = "/";
  request->raw_path.assign(path.data(), path.size());
  if (!PercentDecode(path, &request->path)) {
    return absl::InvalidArgumentError("malformed percent-escape in the request path");
  }
  request->query.clear();
  if (question == absl::string_view::npos) return absl::OkStatus();
  absl::string_view rest = target.substr(question + 1);
  std::string key;
  std::string value;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    absl::string_view pair = rest.substr(0, amp);
    rest = amp == absl::string_view::npos ? absl::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    absl::string_view raw_value =
        eq == absl::string_view::npos ? absl::string_view() : pair.substr(eq + 1);
    if (!Decode(pair.substr(0, eq), /*plus_is_space=*/true, &key) ||
        !Decode(raw_value, /*plus_is_space=*/true, &value)) {
      return absl::InvalidArgumentError("malformed percent-escape in the query string");
    }
    request->query.insert_or_assign(std::move(key), std::move(value));
  }
  return absl::OkStatus();
}

}  // namespace recplat::http
