// File: rpc_peer.h
//
// RpcPeer: one recsystem's event-stream connection seen from the Renewal backend, which is the
// JSON-RPC 2.0 *client* on that socket (seed-systems.md §1.2): it sends requests (`ping`,
// `recommend`, ...) and notifications (`new_article`, `article_interaction`, ...) and matches
// the responses to its requests by id. Frames that are not responses (the recsystem should send
// none) are kept for inspection; responses to unknown ids (e.g. after a timeout) are dropped.
//
// It does not own the socket: the server (backend_server.h) attaches a send function and a
// close function, feeds it the inbound frames and tells it when the connection is gone.
//
// Thread safety: all methods may be called from any thread. Completion callbacks run on the
// thread that delivers the response (the server's I/O thread) or that closes the peer; they must
// not block.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_sim {

class RpcPeer {
 public:
  // The callback of a request: the response's `result`, or an object {"error": {...}} for an
  // error response; UNAVAILABLE when the connection is (or goes) away before the answer.
  using Done = std::function<void(absl::StatusOr<nlohmann::json>)>;

  // `principal` names the recsystem (the JWT's `sub`); may be empty.
  explicit RpcPeer(std::string principal = "");

  RpcPeer(const RpcPeer&) = delete;
  RpcPeer& operator=(const RpcPeer&) = delete;

  const std::string& principal() const { return principal_; }

  // Sends {"jsonrpc":"2.0","method":..,"params":..,"id":n}; `done` gets the answer (see Done).
  // `params` null sends no params member.
  void CallAsync(const std::string& method, nlohmann::json params, Done done);

  // Blocking CallAsync: DEADLINE_EXCEEDED after `timeout` (a later answer is dropped).
  absl::StatusOr<nlohmann::json> Call(const std::string& method, nlohmann::json params,
                                      absl::Duration timeout = absl::Seconds(5));

  // Sends a notification (no id; nothing comes back). Dropped when closed.
  void Notify(const std::string& method, nlohmann::json params);

  // Asks the server to close the connection (asynchronously).
  void Close();

  bool closed() const;
  // Whether the connection is gone; waits up to `timeout` for it.
  bool WaitClosed(absl::Duration timeout);
  // Frames received that were not responses (a well-behaved recsystem sends none).
  std::vector<std::string> unexpected_frames() const;

  // Used by the server. `send` writes one text frame, `close` closes the socket; both must be
  // non-blocking and safe to call from any thread.
  void Attach(std::function<void(std::string)> send, std::function<void()> close);
  void OnFrame(const std::string& frame);
  // The connection is gone: fails the pending requests with UNAVAILABLE. Idempotent.
  void MarkClosed();

 private:
  const std::string principal_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::function<void(std::string)> send_;
  std::function<void()> close_;
  bool closed_ = false;
  int64_t next_id_ = 1;
  std::map<int64_t, Done> pending_;
  std::vector<std::string> unexpected_;
};

}  // namespace recplat::renewal_sim
