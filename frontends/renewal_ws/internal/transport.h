// File: internal/transport.h
//
// The byte-moving helpers shared by the Renewal WebSocket client (ws_client.h) and REST client
// (rest_client.h): parsing the backend's API base URI, building the OpenSSL client context, and
// connecting a Beast stream (plain TCP or TLS over TCP) within a timeout. Private to
// frontends/renewal_ws: it exposes Boost types, which the public headers keep out.
//
// TLS: certificate verification is ON unless TlsSettings::insecure_skip_verify is set; the
// peer's certificate must chain to `ca_file` (or to the system store when it is empty) and name
// the host (DNS name, or IP address for an IP literal). TLS 1.2 is the minimum.
//
// Thread safety: the free functions are thread-safe; a stream is used from one thread (or one
// strand) at a time, as Asio requires.
#pragma once

// <utility> is needed before Boost 1.74's asio/awaitable.hpp, which uses std::exchange without
// including it (every file using coroutines here includes standard headers first).
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/beast/core/error.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/ssl/ssl_stream.hpp"

namespace recplat::renewal_ws::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;

using TcpStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Duration = std::chrono::steady_clock::duration;

// Where a URI points.
struct Endpoint {
  // https/wss.
  bool tls = false;
  // Host name or IP literal (without the brackets of an IPv6 literal).
  std::string host;
  // Port, numeric; the scheme's default when the URI has none.
  std::string port;
  // Path, starting and ending with '/'.
  std::string path;
  // Whether `port` was given explicitly (the Host header then carries it).
  bool explicit_port = false;

  // The value of the Host header: host, or host:port for an explicit port.
  std::string HostHeader() const;
};

// Parses "scheme://host[:port][/path]" with scheme http, https, ws or wss (case-insensitive);
// a missing path is "/", and the path always gets a trailing '/'. INVALID_ARGUMENT for another
// scheme, an empty host, a bad port, user info, a query or a fragment. Never logs the URI.
absl::StatusOr<Endpoint> ParseUri(std::string_view uri);

// The request target for `relative` (no leading '/') under the endpoint's base path, e.g.
// path "/v1/" + "articles?limit=5" -> "/v1/articles?limit=5".
std::string Target(const Endpoint& endpoint, std::string_view relative);

// The URI of `relative` for logs and messages: scheme://host[:port]/path/relative, with the
// WebSocket scheme (ws/wss) when `websocket` is set, else http/https.
std::string Url(const Endpoint& endpoint, std::string_view relative, bool websocket);

struct TlsSettings {
  // PEM file of trusted CA certificates; empty uses the system's default store.
  std::string ca_file;
  // Accept any certificate (no chain or host check). For tests against self-signed backends.
  bool insecure_skip_verify = false;
};

// A TLS client context for `settings`. INVALID_ARGUMENT when the CA file cannot be loaded
// (the message names the file).
absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const TlsSettings& settings);

// Resolves the endpoint and connects `stream` within `timeout` (the stream's expiry is left
// at `timeout` from the start; callers reset it for later operations).
asio::awaitable<beast::error_code> Connect(TcpStream& stream, const Endpoint& endpoint,
                                           Duration timeout);

// Client TLS handshake within `timeout`: sets SNI (for host names) and, when `verify` is set,
// checks that the certificate names the endpoint's host.
asio::awaitable<beast::error_code> TlsHandshake(TlsStream& stream, const Endpoint& endpoint,
                                                bool verify, Duration timeout);

// Shuts TLS down politely (bounded by `timeout`) and closes the socket; errors are ignored.
asio::awaitable<void> CloseQuietly(TlsStream& stream, Duration timeout);
void CloseQuietly(TcpStream& stream);

}  // namespace recplat::renewal_ws::internal
