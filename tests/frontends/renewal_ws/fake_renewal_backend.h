// File: fake_renewal_backend.h
//
// FakeRenewalBackend: a small stand-in for the Renewal backend (seed-systems.md §1.2-§1.4) for
// the integration tests of recplat's recsystem side, built on the simulator's transport
// (tools/renewal_sim/backend_server.h: plain TCP or TLS on 127.0.0.1). It serves
//   GET /v1/articles?limit&since_id&max_id  newest first, from SetArticles/AddArticle
//   GET /v1/user_assignments                the JSON of SetAssignments
//   WS  /v1/event_stream                    handed to the test as a FakeSession
// and refuses (401) any request without `Authorization: Bearer <token>`. Unlike the simulator
// it sends nothing by itself: the test drives each session (Call() sends a JSON-RPC request
// and waits for the answer, Notify() a notification). Test-only.
//
// Thread safety: all methods may be called from the test thread while the server runs on its
// own threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tools/renewal_sim/rpc_peer.h"

namespace recplat::renewal_ws::renewal_test {

// One accepted event-stream connection, seen from the backend (see rpc_peer.h): Call() returns
// the result, an object {"error": {...}} for an error response, DEADLINE_EXCEEDED on timeout
// and UNAVAILABLE when the connection is gone.
using FakeSession = renewal_sim::RpcPeer;

struct FakeBackendOptions {
  std::string token = "test-token";
  // 0 picks a free port.
  uint16_t port = 0;
  // PEM certificate chain and private key: when set, everything is served over TLS.
  std::string cert_pem;
  std::string key_pem;
};

class FakeRenewalBackend {
 public:
  static absl::StatusOr<std::unique_ptr<FakeRenewalBackend>> Start(FakeBackendOptions options);
  ~FakeRenewalBackend();  // Stop()

  // Closes the listener and every connection, and joins the server's threads. Idempotent.
  void Stop();

  uint16_t port() const;
  // http(s)://127.0.0.1:<port>/v1/
  std::string base_uri() const;

  void SetArticles(std::vector<nlohmann::json> articles);
  void AddArticle(nlohmann::json article);
  void SetAssignments(nlohmann::json assignments);

  // Targets of the REST requests served (authorized ones), in order.
  std::vector<std::string> rest_requests() const;
  // Requests (REST or upgrade) refused for a missing or wrong token.
  int unauthorized() const;
  // Connections whose TLS handshake failed.
  int tls_failures() const;

  // The next accepted event-stream session, or null after `timeout`.
  std::shared_ptr<FakeSession> WaitForSession(absl::Duration timeout);

  struct Impl;

 private:
  explicit FakeRenewalBackend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::renewal_ws::renewal_test
