// File: stomp_broker.h
//
// TestStompBroker: a minimal STOMP 1.2 broker on 127.0.0.1:0 for the tests of STOMP clients
// (core/common/stomp, the eosc databus). It serves one connection at a time (the next one
// waits in the backlog): answers CONNECT with CONNECTED (or ERROR when told to refuse), records
// every frame it receives, and lets the test push MESSAGE frames to the subscriber and drop the
// connection. Not a router: SENDs are recorded, not delivered. With a certificate and key it
// speaks TLS (OpenSSL), for the tests of the client's TLS.
//
// Thread-safety: all methods are thread-safe; one background thread serves the connections and
// does all socket (and TLS) I/O: the test's sends and drops are queued for it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/common/stomp/stomp_frame.h"

namespace recplat::testing {

class TestStompBroker {
 public:
  // Binds 127.0.0.1:0 and starts serving; nullptr (with a gtest failure) if it cannot bind.
  // With `cert_pem` and `key_pem`, every connection is TLS.
  static std::unique_ptr<TestStompBroker> Start(const std::string& cert_pem = "",
                                                const std::string& key_pem = "");
  ~TestStompBroker();

  uint16_t port() const { return port_; }

  // Frames received so far, over every connection, in order (CONNECT, SUBSCRIBE, SEND, ACK...).
  std::vector<stomp::Frame> Received() const;
  // The received frames with `command`.
  std::vector<stomp::Frame> ReceivedOf(const std::string& command) const;
  // Connections that got CONNECTED.
  int sessions() const;
  // Whether a session is open now (CONNECTED sent, not dropped).
  bool in_session() const;

  // Polls `predicate` every 10 ms until it holds or `timeout` passes; returns its last value.
  static bool WaitUntil(const std::function<bool()>& predicate,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Sends a MESSAGE with `body` to the open session's subscription (the id and destination of
  // its SUBSCRIBE; `ack` header = "ack-<n>"). False when no session has subscribed.
  bool SendMessage(const std::string& body);
  // Writes raw bytes to the open session (for malformed input). False without one.
  bool SendRaw(const std::string& bytes);
  // Closes the open session's socket.
  void DropConnection();
  // While false, new connections are closed right after accept.
  void SetAccepting(bool accepting) { accepting_ = accepting; }
  // While set, CONNECT is answered with ERROR (message: "Access refused") and a close.
  void SetRefuseLogin(bool refuse) { refuse_login_ = refuse; }
  // The heart-beat header of CONNECTED ("0,0" by default: none).
  void SetHeartBeat(const std::string& value);
  // While false, frames asking for a RECEIPT get none (a broker that stops confirming); true
  // by default.
  void SetReceipts(bool receipts) { receipts_ = receipts; }

 private:
  TestStompBroker() = default;
  struct Tls;
  void Serve();
  void ServeConnection(int fd);
  // Queues bytes for the serving thread.
  bool QueueLocked(const std::string& bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::unique_ptr<Tls> tls_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> accepting_{true};
  std::atomic<bool> refuse_login_{false};
  std::atomic<bool> receipts_{true};

  mutable absl::Mutex mu_;
  bool connection_open_ ABSL_GUARDED_BY(mu_) = false;
  bool drop_requested_ ABSL_GUARDED_BY(mu_) = false;
  std::string outbox_ ABSL_GUARDED_BY(mu_);
  bool session_ ABSL_GUARDED_BY(mu_) = false;
  int sessions_ ABSL_GUARDED_BY(mu_) = 0;
  std::string subscription_id_ ABSL_GUARDED_BY(mu_);
  std::string subscription_destination_ ABSL_GUARDED_BY(mu_);
  int next_message_ ABSL_GUARDED_BY(mu_) = 0;
  std::string heart_beat_ ABSL_GUARDED_BY(mu_) = "0,0";
  std::vector<stomp::Frame> received_ ABSL_GUARDED_BY(mu_);
};

}  // namespace recplat::testing
