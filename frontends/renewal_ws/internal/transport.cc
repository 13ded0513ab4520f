#include "frontends/renewal_ws/internal/transport.h"

#include <charconv>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/ip/address.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/ssl/host_name_verification.hpp"
#include "boost/asio/this_coro.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "openssl/ssl.h"

namespace recplat::renewal_ws::internal {
namespace {

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::string Endpoint::HostHeader() const {
  const std::string h = absl::StrContains(host, ':') ? absl::StrCat("[", host, "]") : host;
  return explicit_port ? absl::StrCat(h, ":", port) : h;
}

absl::StatusOr<Endpoint> ParseUri(std::string_view uri) {
  const size_t sep = uri.find("://");
  if (sep == std::string_view::npos) {
    return absl::InvalidArgumentError("API base URI: expected scheme://host[:port][/path]");
  }
  const std::string scheme = absl::AsciiStrToLower(std::string(uri.substr(0, sep)));
  Endpoint ep;
  if (scheme == "https" || scheme == "wss") {
    ep.tls = true;
  } else if (scheme != "http" && scheme != "ws") {
    return absl::InvalidArgumentError(
        absl::StrCat("API base URI: unsupported scheme '", scheme, "' (http, https, ws, wss)"));
  }
  std::string_view rest = uri.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return absl::InvalidArgumentError("API base URI: a query or fragment is not allowed");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  ep.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (ep.path.back() != '/') {
    ep.path.push_back('/');
  }
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError("API base URI: user info is not allowed");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError("API base URI: unterminated IPv6 literal");
    }
    ep.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return absl::InvalidArgumentError("API base URI: bad authority");
      }
      port = after.substr(1);
      ep.explicit_port = true;
    }
  } else {
    const size_t colon = authority.rfind(':');
    ep.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      ep.explicit_port = true;
    }
  }
  if (ep.host.empty()) {
    return absl::InvalidArgumentError("API base URI: empty host");
  }
  if (ep.explicit_port) {
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 ||
        value > 65535) {
      return absl::InvalidArgumentError("API base URI: bad port");
    }
    ep.port = std::string(port);
  } else {
    ep.port = ep.tls ? "443" : "80";
  }
  return ep;
}

std::string Target(const Endpoint& endpoint, std::string_view relative) {
  return absl::StrCat(endpoint.path, std::string(relative));
}

std::string Url(const Endpoint& endpoint, std::string_view relative, bool websocket) {
  const char* scheme =
      websocket ? (endpoint.tls ? "wss" : "ws") : (endpoint.tls ? "https" : "http");
  return absl::StrCat(scheme, "://", endpoint.HostHeader(), Target(endpoint, relative));
}

absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const TlsSettings& settings) {
  try {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    if (settings.insecure_skip_verify) {
      ctx->set_verify_mode(asio::ssl::verify_none);
      return ctx;
    }
    ctx->set_verify_mode(asio::ssl::verify_peer);
    if (settings.ca_file.empty()) {
      ctx->set_default_verify_paths();
    } else {
      boost::system::error_code ec;
      ctx->load_verify_file(settings.ca_file, ec);
      if (ec) {
        return absl::InvalidArgumentError(
            absl::StrCat("cannot load CA file '", settings.ca_file, "': ", ec.message()));
      }
    }
    return ctx;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot create the TLS context: ", e.what()));
  }
}

asio::awaitable<beast::error_code> Connect(TcpStream& stream, const Endpoint& endpoint,
                                           Duration timeout) {
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
  stream.expires_after(timeout);
  auto results = co_await resolver.async_resolve(endpoint.host, endpoint.port,
                                                 asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return ec;
  }
  co_await stream.async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    // JSON-RPC replies are small frames answered one by one: Nagle's algorithm would hold
    // each back until the previous one is acknowledged (tens of ms per recommend).
    beast::error_code ignored;
    stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  }
  co_return ec;
}

asio::awaitable<beast::error_code> TlsHandshake(TlsStream& stream, const Endpoint& endpoint,
                                                bool verify, Duration timeout) {
  beast::error_code ec;
  if (!IsIpLiteral(endpoint.host) &&
      !SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
    co_return beast::error_code(static_cast<int>(::ERR_get_error()),
                                asio::error::get_ssl_category());
  }
  if (verify) {
    stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host), ec);
    if (ec) {
      co_return ec;
    }
  }
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

asio::awaitable<void> CloseQuietly(TlsStream& stream, Duration timeout) {
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  beast::get_lowest_layer(stream).close();
}

void CloseQuietly(TcpStream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream.close();
}

}  // namespace recplat::renewal_ws::internal
