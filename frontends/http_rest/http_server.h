// File: http_server.h
//
// HttpServer: the HTTP/1.1 transport on Boost.Beast. Accepts on one address, serves each
// connection with keep-alive on a pool of worker threads, and hands every complete request to a
// Router. Limits and timeouts protect it from slow or hostile clients:
//   - body larger than max_body_bytes -> 413 with the JSON error body, connection closed;
//   - malformed request line/headers  -> 400 with the JSON error body, connection closed;
//   - headers larger than 16 KiB      -> 431 with the JSON error body, connection closed;
//   - headers not complete within header_timeout, or body within read_timeout -> closed
//     (408 sent when possible);
//   - a keep-alive connection idle longer than idle_timeout -> closed.
// Every response carries Content-Type (unless the handler's is empty) and Content-Length (except
// 204/304, sent without a body); `Connection: close` from the client is honoured, and an HTTP/1.0
// client without keep-alive is closed after its response. Every response is counted in
// Prometheus by route pattern, method and status (route_metrics.h).
// A timeout is enforced within about min(timeouts)/8 (at least 5 ms, at most 250 ms) of expiry,
// and a response not written within read_timeout closes the connection.
//
// TLS (options.tls): the listener speaks HTTPS only. The handshake must finish within
// header_timeout; a client that does not speak TLS, or (with client_ca_pem) presents no
// certificate chaining to the client CAs, is closed during the handshake without an answer. A
// response with `Connection: close` ends with close_notify. The plain listener's code is the
// same template over a TCP socket, so it pays nothing for TLS (internal/http_connection.h).
//
// Shutdown(grace): stops accepting, lets requests in flight finish (up to `grace`), closes idle
// keep-alive connections at once, then joins the workers. Idempotent. A handler still running
// after `grace` cannot be interrupted: Shutdown waits for it and drops its response.
//
// Thread-safety: Start/Shutdown from one thread; the router is called concurrently from the
// worker threads (`threads` of them run one io_context, so a slow handler ties up one thread, not
// the connections another thread could serve).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/common/tls.h"
#include "frontends/http_rest/router.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace recplat::http {

struct HttpServerOptions {
  // "host:port"; port 0 picks a free port.
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  int64_t max_body_bytes = 8 << 20;
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration idle_timeout = absl::Seconds(60);
  // Value of the Server header.
  std::string server_name = "recplat";
  // Added to every response the server writes, the routes' answers and the server's own
  // refusals alike (malformed request line, oversized headers or body, timeouts), unless the
  // response has a header of that name already (case-insensitive). E.g. the route set's
  // Access-Control-Allow-Origin (Router::response_headers()). Invalid ones are dropped.
  std::vector<std::pair<std::string, std::string>> response_headers;
  // Off unless a certificate is set (common/tls.h).
  common::ServerTls tls;
};

class HttpServer {
 public:
  // `router` must outlive the server. `metrics` may be null (no metrics). INVALID_ARGUMENT for
  // bad options or TLS material that does not load (saying which part), UNAVAILABLE when the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                           const Router* router,
                                                           prometheus::Registry* metrics);
  ~HttpServer();  // Shutdown(absl::Seconds(5)) if still running.

  // The bound address, "host:port" with the real port.
  const std::string& address() const;
  int port() const;

  void Shutdown(absl::Duration grace);

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::http
