// File: backend_server.h
//
// BackendServer: the transport of a Renewal backend (seed-systems.md §1.2, §1.4) on 127.0.0.1,
// shared by the simulator (sim_backend.h) and the recsystem tests' fake backend
// (tests/frontends/renewal_ws/fake_renewal_backend.h). Over plain TCP or TLS (https/wss) it
// serves HTTP/1.1 REST requests and the WebSocket event stream, and leaves every decision to a
// BackendHandler:
//   - Authenticate() each request the handler says needs it: a failure is answered 401
//     {"error": "unauthorized"} and the connection closed;
//   - a WebSocket upgrade at `event_stream_path` asks AdmitStream() for an RpcPeer (a refusal,
//     e.g. the one-connection-per-recsystem rule, is answered 403 {"error": <message>} before
//     the upgrade), then OnStreamOpen() once accepted and OnStreamClosed() when it ends;
//   - any other request goes to Serve(), which runs on a small worker pool (it may block, e.g.
//     on a JSON-RPC call to a recsystem) and returns the status and JSON body.
// It is not a general HTTP server: JSON bodies only, bodies of at most 1 MiB, no chunked
// uploads of note, no HTTP/2.
//
// Thread safety: Start/Stop from one thread; the accessors from any thread. Handler methods
// AdmitStream/OnStreamOpen/OnStreamClosed/Authenticate run on the I/O thread and must not block;
// Serve runs on a worker thread (possibly two at once).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tools/renewal_sim/rpc_peer.h"

namespace recplat::renewal_sim {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  // The raw request target ("/v1/articles?limit=5"), its path without the query and without a
  // trailing '/' (except "/"), and the query parameters (not percent-decoded; last one wins).
  std::string target;
  std::string path;
  std::map<std::string, std::string> query;
  // The Authorization header ("" when absent) and the body.
  std::string authorization;
  std::string body;
};

struct HttpResponse {
  unsigned status = 200;
  nlohmann::json body;
};

// Decisions of one backend. Not owned by the server; must outlive it.
class BackendHandler {
 public:
  virtual ~BackendHandler() = default;
  // Whether `request` needs Authenticate (e.g. GET /v1 does not on the real backend).
  virtual bool RequiresAuth(const HttpRequest& request) { return true; }
  // The principal (recsystem id) of an authenticated request; any error answers 401.
  virtual absl::StatusOr<std::string> Authenticate(const HttpRequest& request) = 0;
  // A new peer for an event stream of `principal` (registered by the handler), or an error:
  // PERMISSION_DENIED answers 403 with the message as {"error": ...}, others 503.
  virtual absl::StatusOr<std::shared_ptr<RpcPeer>> AdmitStream(const std::string& principal) = 0;
  // The peer's WebSocket is accepted (frames can flow).
  virtual void OnStreamOpen(const std::shared_ptr<RpcPeer>& peer) {}
  // The peer's connection ended (also when the upgrade failed); the peer is already closed.
  virtual void OnStreamClosed(const std::shared_ptr<RpcPeer>& peer) {}
  // A REST request; `principal` is empty when it needs no auth.
  virtual HttpResponse Serve(const std::string& principal, const HttpRequest& request) = 0;
};

struct ServerOptions {
  // 0 picks a free port.
  uint16_t port = 0;
  // PEM certificate chain and private key: when both are set, everything is served over TLS.
  std::string cert_pem;
  std::string key_pem;
  std::string event_stream_path = "/v1/event_stream";
};

class BackendServer {
 public:
  // Listens on 127.0.0.1. UNAVAILABLE when the port cannot be bound; INVALID_ARGUMENT for an
  // unusable certificate or key. `handler` is not owned.
  static absl::StatusOr<std::unique_ptr<BackendServer>> Start(ServerOptions options,
                                                              BackendHandler* handler);
  ~BackendServer();  // Stop()

  BackendServer(const BackendServer&) = delete;
  BackendServer& operator=(const BackendServer&) = delete;

  // Closes the listener and every connection (open peers are marked closed first), waits for
  // the Serve calls in flight, and joins the threads. Idempotent.
  void Stop();

  uint16_t port() const;
  bool tls() const;
  // http(s)://127.0.0.1:<port>/v1/
  std::string base_uri() const;
  // Requests refused with 401; connections whose TLS handshake failed.
  int64_t unauthorized() const;
  int64_t tls_failures() const;

  struct Impl;

 private:
  explicit BackendServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::renewal_sim
