#include "tools/renewal_sim/trigger.h"

#include <chrono>
#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"

namespace recplat::renewal_sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;
using nlohmann::ordered_json;

constexpr char kFakeUser[] = "fake-user";

std::string QuoteString(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out + "'";
}

struct Uri {
  bool tls = false;
  std::string host;
  std::string port;
  std::string path;  // ends with '/'
};

absl::StatusOr<Uri> ParseUri(const std::string& uri) {
  Uri out;
  std::string rest;
  if (absl::StartsWithIgnoreCase(uri, "https://")) {
    out.tls = true;
    rest = uri.substr(8);
  } else if (absl::StartsWithIgnoreCase(uri, "http://")) {
    rest = uri.substr(7);
  } else {
    return absl::InvalidArgumentError("api base uri: expected http:// or https://");
  }
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  out.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (out.path.back() != '/') out.path += '/';
  const size_t colon = authority.rfind(':');
  out.host = authority.substr(0, colon);
  out.port = colon == std::string::npos ? (out.tls ? "443" : "80") : authority.substr(colon + 1);
  int port = 0;
  if (out.host.empty() || !absl::SimpleAtoi(out.port, &port) || port <= 0 || port > 65535) {
    return absl::InvalidArgumentError("api base uri: bad host or port");
  }
  return out;
}

absl::Status FromHttp(unsigned status, const json& body) {
  const std::string message =
      body.is_object() && body.contains("error") && body["error"].is_string()
          ? body["error"].get<std::string>()
          : absl::StrCat("HTTP ", status);
  switch (status) {
    case 400:
      return absl::InvalidArgumentError(message);
    case 401:
      return absl::UnauthenticatedError(message);
    case 403:
      return absl::PermissionDeniedError(message);
    case 404:
      return absl::NotFoundError(message);
    case 503:
      return absl::UnavailableError(message);
    case 504:
      return absl::DeadlineExceededError(message);
    default:
      return absl::InternalError(message);
  }
}

template <typename Stream>
absl::StatusOr<json> Exchange(Stream& stream, const http::request<http::string_body>& req) {
  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("trigger: send failed: ", ec.message()));
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("trigger: no answer: ", ec.message()));
  json body = json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
  if (res.result_int() != 200) return FromHttp(res.result_int(), body);
  if (!body.is_object()) return absl::InternalError("trigger: the answer is not a JSON object");
  return body;
}

}  // namespace

ordered_json FakeParams(const std::string& method) {
  const ordered_json user = {{"user_id", kFakeUser}, {"interactions", ordered_json::array()}};
  if (method == "recommend") {
    return {{"user_id", kFakeUser}, {"max_articles", 200}, {"min_articles", 15}};
  }
  if (method == "new_article") {
    return {{"article",
             {{"article_id", 0},
              {"url", "https://example.org/fake-article"},
              {"title", "Fake article"},
              {"summary", "A fake article sent by the test utility."},
              {"authors", ordered_json::array()},
              {"keywords", {"test"}},
              {"lang", "en"},
              {"publish_date", "2020-01-01T00:00:00"},
              {"metrics", {{"likes", 0}, {"dislikes", 0}, {"bookmarks", 0}, {"clicks", 0}}},
              {"site", {{"name", "Test"}, {"url", "https://example.org"}}}}}};
  }
  if (method == "article_interaction") {
    return {{"interaction", {{"user_id", kFakeUser}, {"article_id", 0}, {"clicked", true}}}};
  }
  if (method == "assigned_user" || method == "unassigned_user") {
    return {{"user_id", kFakeUser}, {"user", user}};
  }
  return nullptr;  // ping and unknown methods
}

std::string PyRepr(const ordered_json& value) {
  switch (value.type()) {
    case ordered_json::value_t::null:
      return "None";
    case ordered_json::value_t::boolean:
      return value.get<bool>() ? "True" : "False";
    case ordered_json::value_t::string:
      return QuoteString(value.get<std::string>());
    case ordered_json::value_t::array: {
      std::vector<std::string> items;
      for (const ordered_json& v : value) items.push_back(PyRepr(v));
      return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
    }
    case ordered_json::value_t::object: {
      std::vector<std::string> items;
      for (const auto& [k, v] : value.items()) {
        items.push_back(absl::StrCat(QuoteString(k), ": ", PyRepr(v)));
      }
      return absl::StrCat("{", absl::StrJoin(items, ", "), "}");
    }
    default:
      return value.dump();  // numbers
  }
}

std::string CallLine(const std::string& method, const ordered_json& params, const json& answer) {
  std::vector<std::string> args;
  if (params.is_object()) {
    for (const auto& [k, v] : params.items()) args.push_back(absl::StrCat(k, "=", PyRepr(v)));
  }
  const bool error = answer.is_object() && answer.size() == 1 && answer.contains("error");
  return absl::StrCat(method, "(", absl::StrJoin(args, ", "), ") -> ",
                      error ? absl::StrCat("error: ", PyRepr(ordered_json(answer["error"])))
                            : PyRepr(ordered_json(answer)));
}

bool ValidMethodName(const std::string& method) {
  if (method.empty() || method.size() > 64) return false;
  if (!absl::ascii_isalpha(method[0]) && method[0] != '_') return false;
  for (char c : method) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.') return false;
  }
  return true;
}

absl::StatusOr<json> PostTrigger(const TriggerRequest& request) {
  if (!ValidMethodName(request.method)) {
    return absl::InvalidArgumentError("trigger: bad method name");
  }
  if (!request.params.is_null() && !request.params.is_object()) {
    return absl::InvalidArgumentError("trigger: params must be a JSON object");
  }
  absl::StatusOr<Uri> uri = ParseUri(request.api_base_uri);
  if (!uri.ok()) return uri.status();
  http::request<http::string_body> req{http::verb::post,
                                       absl::StrCat(uri->path, "test/", request.method), 11};
  req.set(http::field::host, absl::StrCat(uri->host, ":", uri->port));
  req.set(http::field::authorization, absl::StrCat("Bearer ", request.token));
  req.set(http::field::content_type, "application/json");
  req.body() = request.params.is_null() ? "" : request.params.dump();
  req.prepare_payload();
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(uri->host, uri->port, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("trigger: cannot resolve ", uri->host));
    const auto timeout = absl::ToChronoNanoseconds(request.timeout);
    if (!uri->tls) {
      beast::tcp_stream stream(ioc);
      stream.expires_after(timeout);
      stream.connect(endpoints, ec);
      if (ec)
        return absl::UnavailableError(absl::StrCat("trigger: cannot connect: ", ec.message()));
      return Exchange(stream, req);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (request.insecure_skip_verify) {
      ctx.set_verify_mode(asio::ssl::verify_none);
    } else {
      if (request.ca_file.empty()) {
        ctx.set_default_verify_paths();
      } else {
        ctx.load_verify_file(request.ca_file, ec);
        if (ec) return absl::InvalidArgumentError("trigger: cannot load the CA file");
      }
      ctx.set_verify_mode(asio::ssl::verify_peer);
    }
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    if (!request.insecure_skip_verify) {
      stream.set_verify_callback(asio::ssl::host_name_verification(uri->host));
    }
    SSL_set_tlsext_host_name(stream.native_handle(), uri->host.c_str());
    beast::get_lowest_layer(stream).expires_after(timeout);
    beast::get_lowest_layer(stream).connect(endpoints, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("trigger: cannot connect: ", ec.message()));
    stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("trigger: TLS failed: ", ec.message()));
    return Exchange(stream, req);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("trigger: ", e.what()));
  }
}

}  // namespace recplat::renewal_sim
