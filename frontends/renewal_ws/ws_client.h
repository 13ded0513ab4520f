// File: ws_client.h
//
// WsClient: the Renewal recsystem's end of the event stream (seed-systems.md §1.2). It is the
// WebSocket CLIENT of the backend (ws:// or wss://<api-base>/event_stream, header
// `Authorization: Bearer <token>`) and hands every inbound text frame to a FrameHandler (the
// JSON-RPC dispatcher); replies come back through the SendFn given with the frame and leave
// through one write queue per connection, in the order they were sent.
//
// Connection lifecycle, forever until Stop():
//   before_connect() (the REST sync / catch-up) -> connect (TCP, TLS, WebSocket upgrade) ->
//   read frames until the connection breaks -> wait the backoff -> again.
// The backoff after a failure is reconnect_base * 2^(failures-1), capped at reconnect_max, plus
// a uniform jitter of up to reconnect_jitter of it; a connection that reached the upgrade
// resets it. before_connect() failing counts as a failed attempt (nothing is connected then).
// Each loss is logged as "lost connection to the backend; trying to re-establish".
// Frames sent through the SendFn of a connection that is gone are dropped.
//
// TLS (wss): certificate verification is ON (the chain must reach `ca_file`, or the system store
// when empty, and name the host) unless `insecure_skip_verify`. The token is never logged.
//
// Thread safety: one internal I/O thread runs the connection, before_connect() and the
// FrameHandler; SendFns may be called from any thread; Stop() from any thread but the I/O one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontends/renewal_ws/jsonrpc_dispatcher.h"

namespace recplat::renewal_ws {

struct WsClientOptions {
  // Base of the backend API (http(s)://host[:port]/path/); the client connects to
  // <base>/event_stream with ws for http and wss for https.
  std::string api_base_uri;
  // Bearer token (a JWT). Secret: never logged.
  std::string token;
  // PEM file of trusted CA certificates; empty uses the system store.
  std::string ca_file;
  // Accept any server certificate. Only for tests and self-signed development backends.
  bool insecure_skip_verify = false;
  // Backoff between attempts (see the file comment).
  absl::Duration reconnect_base = absl::Seconds(5);
  absl::Duration reconnect_max = absl::Seconds(60);
  double reconnect_jitter = 0.2;
  // Time allowed for TCP connect + TLS + upgrade, and for the closing handshake.
  absl::Duration connect_timeout = absl::Seconds(10);
  // A connection silent for this long is dropped; a WebSocket ping is sent at half of it.
  // Zero disables the check.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Largest inbound message.
  uint64_t max_message_bytes = 16 << 20;
  std::string user_agent = "recplat-renewal";
  // Seed of the jitter.
  uint64_t seed = 0x5eed;
};

class WsClient {
 public:
  // Handles one inbound text frame; `send` writes a reply frame on the same connection.
  using FrameHandler = std::function<void(std::string_view frame, SendFn send)>;
  // Runs before each connection attempt; a non-OK status skips the attempt (backoff, retry).
  using BeforeConnect = std::function<absl::Status()>;
  // Told when a connection is up (after the upgrade) and when it is gone.
  using ConnectionObserver = std::function<void(bool connected)>;

  struct Callbacks {
    FrameHandler on_frame;             // required
    BeforeConnect before_connect;      // optional
    ConnectionObserver on_connection;  // optional
  };

  // Validates the options (INVALID_ARGUMENT: bad URI, empty token, unreadable CA file, empty
  // on_frame) and starts the I/O thread, which connects in the background.
  static absl::StatusOr<std::unique_ptr<WsClient>> Start(WsClientOptions options,
                                                         Callbacks callbacks);
  ~WsClient();  // Stop()

  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Closes the connection (WebSocket close handshake, bounded by connect_timeout), stops
  // reconnecting and joins the I/O thread. Waits for a before_connect() in progress.
  // Idempotent.
  void Stop();

  // Whether a connection is up now.
  bool connected() const;
  // Number of connections established (upgrades accepted) so far.
  int64_t connections() const;
  // The event stream URL (no secret in it).
  const std::string& url() const;

 private:
  struct Impl;
  explicit WsClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace recplat::renewal_ws
