// File: fake_renewal_backend.h
//
// FakeRenewalBackend: a small stand-in for the Renewal backend (seed-systems.md §1.2-§1.4) for
// the integration tests of recplat's recsystem side. On 127.0.0.1 (port 0 or a given port), over
// plain TCP or TLS, it serves
//   GET /v1/articles?limit&since_id&max_id  newest first, from SetArticles/AddArticle
//   GET /v1/user_assignments                the JSON of SetAssignments
//   WS  /v1/event_stream                    handed to the test as a FakeSession
// and refuses (401) any request without `Authorization: Bearer <token>`. The test drives each
// session: Call() sends a JSON-RPC request and waits for the answer, Notify() a notification.
// Test-only; not a model of the real backend beyond what the tests need.
//
// Thread safety: all methods may be called from the test thread while the server runs on its
// own I/O thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_ws::renewal_test {

// One accepted event-stream connection, seen from the backend.
class FakeSession {
 public:
  // Sends {"jsonrpc":"2.0","method":..,"params":..,"id":n} and waits for the response with
  // that id: its `result`, or an object {"error": {...}} for an error response.
  // DEADLINE_EXCEEDED on timeout, UNAVAILABLE when the connection is gone.
  absl::StatusOr<nlohmann::json> Call(const std::string& method, nlohmann::json params,
                                      absl::Duration timeout = absl::Seconds(5));
  // Sends a notification (no id; nothing comes back).
  void Notify(const std::string& method, nlohmann::json params);
  // Whether the connection is gone; waits up to `timeout` for it.
  bool WaitClosed(absl::Duration timeout);
  // Frames received that were not responses to Call (should stay empty).
  std::vector<std::string> unexpected_frames() const;

  // Used by the server.
  void Attach(std::function<void(std::string)> send);
  void OnFrame(const std::string& frame);
  void MarkClosed();

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::function<void(std::string)> send_;
  bool closed_ = false;
  int64_t next_id_ = 1;
  std::map<int64_t, nlohmann::json> responses_;
  std::vector<std::string> unexpected_;
};

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

  // Closes the listener and every connection, and joins the I/O thread. Idempotent.
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
