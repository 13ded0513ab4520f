#include "frontends/renewal_ws/rest_client.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http.hpp"
#include "frontends/renewal_ws/internal/transport.h"
#include "frontends/renewal_ws/renewal_codec.h"

namespace recplat::renewal_ws {
namespace {

namespace http = boost::beast::http;
using internal::asio::awaitable;
using internal::asio::redirect_error;
using internal::asio::use_awaitable;
using nlohmann::json;

absl::Status StatusForHttp(unsigned code, const std::string& target) {
  const std::string what = absl::StrCat("GET ", target, ": HTTP ", code);
  if (code == 401) return absl::UnauthenticatedError(absl::StrCat(what, " (token refused)"));
  if (code == 403) return absl::PermissionDeniedError(what);
  if (code == 404) return absl::NotFoundError(what);
  if (code == 429 || code >= 500) return absl::UnavailableError(what);
  return absl::FailedPreconditionError(what);
}

absl::Status StatusForNetwork(const internal::beast::error_code& ec, const std::string& target) {
  const std::string what = absl::StrCat("GET ", target, ": ", ec.message());
  if (ec == internal::beast::error::timeout) {
    return absl::DeadlineExceededError(what);
  }
  return absl::UnavailableError(what);
}

}  // namespace

struct RestClient::Impl {
  RestClientOptions options;
  internal::Endpoint endpoint;
  std::shared_ptr<internal::asio::ssl::context> tls;  // null for http

  absl::Mutex mu;
  bool cancelled ABSL_GUARDED_BY(mu) = false;
  std::vector<internal::asio::io_context*> running ABSL_GUARDED_BY(mu);

  // Sends one request on a connected stream and reads the answer into `body`.
  template <typename Stream>
  awaitable<absl::Status> Exchange(Stream& stream, const std::string& target, std::string* body) {
    internal::beast::error_code ec;
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, endpoint.HostHeader());
    req.set(http::field::user_agent, options.user_agent);
    req.set(http::field::accept, "application/json");
    req.set(http::field::authorization, absl::StrCat("Bearer ", options.token));
    req.set(http::field::connection, "close");
    internal::beast::get_lowest_layer(stream).expires_after(
        absl::ToChronoNanoseconds(options.timeout));
    co_await http::async_write(stream, req, redirect_error(use_awaitable, ec));
    if (ec) co_return StatusForNetwork(ec, target);
    internal::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(static_cast<uint64_t>(options.max_body_bytes));
    co_await http::async_read(stream, buffer, parser, redirect_error(use_awaitable, ec));
    if (ec) co_return StatusForNetwork(ec, target);
    const unsigned code = parser.get().result_int();
    if (code < 200 || code >= 300) co_return StatusForHttp(code, target);
    *body = std::move(parser.get().body());
    co_return absl::OkStatus();
  }

  awaitable<absl::Status> Get(const std::string& target, std::string* body) {
    const auto timeout = absl::ToChronoNanoseconds(options.timeout);
    auto ex = co_await internal::asio::this_coro::executor;
    if (tls == nullptr) {
      internal::TcpStream stream(ex);
      if (auto ec = co_await internal::Connect(stream, endpoint, timeout)) {
        co_return StatusForNetwork(ec, target);
      }
      absl::Status s = co_await Exchange(stream, target, body);
      internal::CloseQuietly(stream);
      co_return s;
    }
    internal::TlsStream stream(ex, *tls);
    if (auto ec = co_await internal::Connect(internal::beast::get_lowest_layer(stream), endpoint,
                                             timeout)) {
      co_return StatusForNetwork(ec, target);
    }
    if (auto ec = co_await internal::TlsHandshake(stream, endpoint, !options.insecure_skip_verify,
                                                  timeout)) {
      co_return absl::UnavailableError(
          absl::StrCat("GET ", target, ": TLS handshake failed: ", ec.message()));
    }
    absl::Status s = co_await Exchange(stream, target, body);
    co_await internal::CloseQuietly(stream, std::chrono::seconds(1));
    co_return s;
  }
};

RestClient::RestClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RestClient::~RestClient() = default;

absl::StatusOr<std::unique_ptr<RestClient>> RestClient::Create(RestClientOptions options) {
  auto impl = std::make_unique<Impl>();
  absl::StatusOr<internal::Endpoint> endpoint = internal::ParseUri(options.api_base_uri);
  if (!endpoint.ok()) return endpoint.status();
  impl->endpoint = *std::move(endpoint);
  if (impl->endpoint.tls) {
    auto tls = internal::MakeTlsContext({options.ca_file, options.insecure_skip_verify});
    if (!tls.ok()) return tls.status();
    impl->tls = *std::move(tls);
  }
  impl->options = std::move(options);
  return std::unique_ptr<RestClient>(new RestClient(std::move(impl)));
}

absl::StatusOr<json> RestClient::GetJson(std::string_view relative) {
  const std::string target = internal::Target(impl_->endpoint, relative);
  internal::asio::io_context ioc;
  {
    absl::MutexLock lock(&impl_->mu);
    if (impl_->cancelled) return absl::CancelledError("REST client cancelled");
    impl_->running.push_back(&ioc);
  }
  std::optional<absl::Status> result;
  std::string body;
  internal::asio::co_spawn(
      ioc, impl_->Get(target, &body), [&](std::exception_ptr e, absl::Status s) {
        result = e ? absl::InternalError(absl::StrCat("GET ", target, ": unexpected exception"))
                   : std::move(s);
      });
  try {
    ioc.run();
  } catch (const std::exception& e) {
    result = absl::InternalError(absl::StrCat("GET ", target, ": ", e.what()));
  }
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->running.erase(std::find(impl_->running.begin(), impl_->running.end(), &ioc));
  }
  if (!result.has_value()) return absl::CancelledError("REST client cancelled");
  if (!result->ok()) return *result;
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InternalError(absl::StrCat("GET ", target, ": the body is not JSON"));
  }
  return parsed;
}

absl::StatusOr<std::vector<json>> RestClient::GetArticles(int limit,
                                                          std::optional<int64_t> since_id,
                                                          std::optional<int64_t> max_id) {
  std::string relative = absl::StrCat("articles?limit=", limit);
  if (since_id.has_value()) absl::StrAppend(&relative, "&since_id=", *since_id);
  if (max_id.has_value()) absl::StrAppend(&relative, "&max_id=", *max_id);
  absl::StatusOr<json> page = GetJson(relative);
  if (!page.ok()) return page.status();
  if (!page->is_array()) {
    return absl::InternalError("GET articles: the body is not a JSON array");
  }
  std::vector<json> out;
  out.reserve(page->size());
  for (json& article : *page) out.push_back(std::move(article));
  return out;
}

absl::StatusOr<std::vector<json>> RestClient::FetchArticles(std::optional<int64_t> since_id,
                                                            size_t max_count, int page_size) {
  std::vector<json> out;
  std::optional<int64_t> max_id;
  while (out.size() < max_count) {
    const int limit = static_cast<int>(std::min<size_t>(page_size, max_count - out.size()));
    absl::StatusOr<std::vector<json>> page = GetArticles(limit, since_id, max_id);
    if (!page.ok()) return page.status();
    std::optional<int64_t> lowest;
    for (json& article : *page) {
      std::optional<int64_t> id = ArticleIdOf(article);
      // Ignore what a lax server returns outside the asked range.
      if (!id.has_value() || (since_id && *id <= *since_id) || (max_id && *id >= *max_id)) {
        continue;
      }
      lowest = lowest.has_value() ? std::min(*lowest, *id) : *id;
      if (out.size() < max_count) out.push_back(std::move(article));
    }
    // An empty (or useless) page ends the walk; a short one may only mean the server caps
    // `limit`, so the next page is asked for anyway.
    if (!lowest.has_value()) break;
    max_id = lowest;
  }
  return out;
}

absl::StatusOr<json> RestClient::GetUserAssignments() { return GetJson("user_assignments"); }

void RestClient::Cancel() {
  absl::MutexLock lock(&impl_->mu);
  impl_->cancelled = true;
  for (internal::asio::io_context* ioc : impl_->running) ioc->stop();
}

}  // namespace recplat::renewal_ws
