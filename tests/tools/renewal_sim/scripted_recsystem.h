// File: scripted_recsystem.h
//
// ScriptedRecsystem: a minimal Renewal recsystem for the simulator's tests, over a plain
// WebSocket to 127.0.0.1 (Beast): it answers `ping` with "pong", `recommend` with what the
// test's function returns, any other request with null, and records every request and
// notification it receives. Unlike recplat's real client it has no core, no sync and no
// reconnection, so the tests can state exact wire shapes and hand-made lists.
//
// Thread safety: the accessors may be called from any thread while its own thread reads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_sim::testing {

class ScriptedRecsystem {
 public:
  // The answer to a recommend call (its params) — the result JSON, e.g. an array of ids.
  using RecommendFn = std::function<nlohmann::json(const nlohmann::json& params)>;

  // Connects to ws://127.0.0.1:<port>/v1/event_stream with `token`. A refused upgrade (any
  // status; Beast 1.74 does not report which) is PERMISSION_DENIED, other failures UNAVAILABLE.
  static absl::StatusOr<std::unique_ptr<ScriptedRecsystem>> Connect(uint16_t port,
                                                                    const std::string& token,
                                                                    RecommendFn recommend);
  ~ScriptedRecsystem();  // Close()

  // Closes the socket and joins the reader. Idempotent.
  void Close();
  bool closed() const;

  // Params of the notifications / requests received for `method`, in arrival order.
  std::vector<nlohmann::json> Notifications(const std::string& method) const;
  std::vector<nlohmann::json> Requests(const std::string& method) const;
  // Methods of all requests received, in order.
  std::vector<std::string> RequestMethods() const;
  // Polls `done` until it holds or `timeout` passes; its last value.
  bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout) const;

  struct Impl;

 private:
  explicit ScriptedRecsystem(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::renewal_sim::testing
