// File: internal/stomp_connection.h
//
// One TCP (optionally TLS) connection of the STOMP client (stomp_client.cc) and the OpenSSL
// client context it uses. Private to core/common/stomp: it exposes Boost types.
//
// TLS: the broker's certificate must chain to the configured CAs (or the system's roots) and
// name the host (or ClientTls::server_name); SNI is sent for host names; TLS 1.2 minimum.
//
// Thread-safety: a Connection lives on the client's I/O thread and is used from it only.
#pragma once

// <utility> first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/buffer.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/asio/ssl/stream.hpp"
#include "boost/asio/steady_timer.hpp"
#include "core/common/tls.h"

namespace recplat::stomp::internal {

using ErrorCode = boost::system::error_code;

// The TLS client context for `tls` (a default one when TLS is off, never used then).
// INVALID_ARGUMENT when the CAs, certificate or key do not load.
absl::StatusOr<std::unique_ptr<boost::asio::ssl::context>> MakeClientContext(
    const common::ClientTls& tls);

struct Connection {
  Connection(boost::asio::io_context& io, boost::asio::ssl::context& ctx, bool use_tls)
      : stream(io, ctx), wake(io), tls(use_tls) {}

  // Resolves and connects to host:port, then (with TLS) handshakes checking `server_name`.
  // UNAVAILABLE with the step and the reason on failure.
  boost::asio::awaitable<absl::Status> Connect(const std::string& host, uint16_t port,
                                               const std::string& server_name);
  // Writes all of `bytes` (kept alive by the caller until it returns).
  boost::asio::awaitable<size_t> Write(const std::string& bytes, ErrorCode& ec);
  boost::asio::awaitable<size_t> ReadSome(boost::asio::mutable_buffer buffer, ErrorCode& ec);
  // Closes the socket (cancelling reads and writes) and wakes the writer. Idempotent.
  void Close();

  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream;
  // Wakes the writer: cancelled when a frame is queued or the connection closes.
  boost::asio::steady_timer wake;
  const bool tls;
  bool closed = false;
  // Why the writer closed the connection (heart-beat timeout, write error); OK otherwise.
  absl::Status error;
  std::chrono::steady_clock::time_point last_read = std::chrono::steady_clock::now();
  // Frames the reader wants sent before queued publishes (ACKs), encoded.
  std::deque<std::string> control;
};

}  // namespace recplat::stomp::internal
