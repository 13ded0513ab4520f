// File: stomp_client.h
//
// StompClient: a STOMP 1.2 client of one broker (RabbitMQ's rabbitmq_stomp, ActiveMQ, ...) over
// TCP or TLS, for publishing to a destination and consuming one subscription. It runs one
// background I/O thread (Boost.Asio, C++20 coroutines) that:
//   - connects (TCP, then TLS when on), sends CONNECT (accept-version 1.2, host, login,
//     passcode, heart-beat) and waits for CONNECTED; an ERROR frame is logged with its message
//     header and body and the connection is dropped;
//   - subscribes to `subscription` (when set) with ack `auto` or `client-individual` (then each
//     MESSAGE is ACKed after the handler returns);
//   - sends queued SEND frames (content-type, content-length) and heart-beats, and checks the
//     broker's heart-beats (a silent broker for twice its interval is a dead connection);
//   - with `receipts` (default), asks a RECEIPT for every SEND and keeps the frame until it
//     comes: frames sent on a connection that is lost before their RECEIPT are sent again,
//     first, after the next CONNECTED (at-least-once: a frame the broker took just before the
//     loss reaches its subscribers twice);
//   - on any failure, reconnects with exponential backoff (base, doubling, capped, reset by a
//     successful CONNECTED), until Stop().
// Publish() never blocks: frames go to a bounded queue; when it is full the frame is dropped
// and Publish() returns false (callers count drops). Frames queued while disconnected are sent
// after the next CONNECTED, as long as they fit the queue. The bound (`max_queue`) counts the
// frames waiting and those sent without a RECEIPT yet, so a broker that stops confirming
// makes Publish() refuse rather than grow memory. Frames still waiting or unconfirmed at
// Stop() are lost.
//
// What it is not: a broker or a transaction manager.
//
// Thread-safety: Publish(), connected() and stats() are thread-safe. The message and state
// callbacks run on the I/O thread, one at a time; they must not call Stop(). Stop() (and the
// destructor) wait for the I/O thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/common/stomp/stomp_frame.h"
#include "core/common/tls.h"

namespace recplat::stomp {

struct StompOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 61613;
  // The CONNECT `host` header (RabbitMQ: the virtual host); empty: `host`.
  std::string virtual_host;
  std::string login;
  std::string passcode;
  // TLS towards the broker (certificate checked against the CAs, or the system's roots, and
  // against `host` or tls.server_name).
  common::ClientTls tls;
  // Heart-beats offered in CONNECT, milliseconds (0: none): what we send, what we want.
  int64_t heartbeat_send_ms = 10000;
  int64_t heartbeat_receive_ms = 10000;
  // The destination to subscribe to; empty: no subscription.
  std::string subscription;
  // Subscription ack mode: "auto" or "client-individual".
  std::string ack = "auto";
  // Frames waiting to be sent or to be confirmed by a RECEIPT, at most.
  size_t max_queue = 1000;
  // Ask a RECEIPT for every SEND and send again what a lost connection left unconfirmed.
  bool receipts = true;
  // Reconnect backoff: first wait, and the cap of the doubling.
  int64_t reconnect_base_ms = 500;
  int64_t reconnect_max_ms = 30000;
  // Connecting, TLS handshake and CONNECTED, each within this.
  int64_t connect_timeout_ms = 10000;
  ParserLimits limits;
};

struct StompStats {
  uint64_t connects = 0;     // CONNECTED frames received.
  uint64_t disconnects = 0;  // Connections lost or refused after being attempted.
  uint64_t sent = 0;         // SEND frames written.
  uint64_t dropped = 0;      // Publish() calls refused because the queue was full.
  uint64_t messages = 0;     // MESSAGE frames received.
  uint64_t errors = 0;       // ERROR frames received.
  uint64_t receipts = 0;     // RECEIPT frames received.
  uint64_t resent = 0;       // SEND frames queued again after a connection lost before RECEIPT.
  uint64_t unconfirmed = 0;  // Now: SEND frames written and not yet confirmed.
};

class StompClient {
 public:
  // Called for each MESSAGE of the subscription (its destination header and body).
  using MessageHandler = std::function<void(const Frame& message)>;
  // Called when the client becomes connected (after CONNECTED) or disconnected; `error` says
  // why it disconnected (empty when connected).
  using StateHandler = std::function<void(bool connected, const std::string& error)>;

  // INVALID_ARGUMENT for bad options (empty host, port 0, ack mode, backoff, TLS material).
  // Starts the I/O thread, which connects at once.
  static absl::StatusOr<std::unique_ptr<StompClient>> Start(StompOptions options,
                                                            MessageHandler on_message,
                                                            StateHandler on_state = nullptr);
  ~StompClient();

  // Queues a SEND of `body` to `destination` with `content_type`; false (and counted in
  // stats().dropped) when the queue is full or the client is stopped. Never blocks on I/O.
  bool Publish(std::string destination, std::string body,
               std::string content_type = "application/json");

  // Whether the broker answered CONNECTED on the current connection.
  bool connected() const;
  // The last connection error ("" when none since the last CONNECTED).
  std::string last_error() const;
  StompStats stats() const;

  // Closes the connection and joins the I/O thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit StompClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::stomp
