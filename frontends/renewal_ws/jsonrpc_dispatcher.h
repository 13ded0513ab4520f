// File: jsonrpc_dispatcher.h
//
// The JSON-RPC 2.0 dispatcher of the Renewal frontend: maps method names (`ping`, `recommend`,
// `new_article`, ...) to handlers and answers each inbound text frame (seed-systems.md §1.2:
// "incoming frames are dispatched concurrently; notifications produce no frame").
//
// What it does with a frame (see jsonrpc_codec.h for how frames are classified):
//  - each request runs on the injected Executor, concurrently with the others, and is answered
//    as soon as it completes: replies to separate frames may go out in any order (the peer
//    matches them by id);
//  - a batch is answered with one array, sent when its last request completes, in batch order;
//    a batch holding only notifications (or responses) gets no reply at all;
//  - notifications run but are never answered, not even with an error;
//  - malformed frames/messages are answered at once (-32700 / -32600), without the executor;
//  - responses to requests this side sent go to the response handler; nothing answers them.
// It is not a transport: the caller owns the socket and passes a SendFn per frame.
//
// Errors: a handler's non-OK status becomes an error object through the one status-mapping
// table (ErrorFromStatus, e.g. INVALID_ARGUMENT -> -32602); an unknown method is UNIMPLEMENTED
// (-32601); a handler that throws, or an executor that refuses a task, is -32603. Every request
// gets exactly one reply; nothing stalls a batch forever as long as every handler returns.
//
// Thread safety: all methods may be called concurrently from any thread. Handlers run on
// executor threads, concurrently with each other and possibly with themselves.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/synchronization/mutex.h"
#include "frontends/renewal_ws/jsonrpc_codec.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_ws {

// Runs `task` later, on some thread (the transport's thread pool). Must run each task it accepts
// exactly once; may instead throw to refuse it without running it (the request then fails with
// -32603).
using Executor = std::function<void(std::function<void()> task)>;

// A method body. `params` is the object made by BindParams from the method's parameter names
// (named or positional on the wire). Returns the result, or a status: INVALID_ARGUMENT for bad
// params (-> -32602), other codes per the status-mapping table. May throw (-> -32603).
using MethodHandler = std::function<absl::StatusOr<nlohmann::json>(const nlohmann::json& params)>;

// Writes one text frame to the peer. Called on executor threads, possibly concurrently: the
// transport serialises frames (e.g. one outgoing queue). Must not throw (exceptions are dropped).
using SendFn = std::function<void(std::string frame)>;

// Receives a well-formed response to a request this side sent. Called on the HandleFrame thread;
// must not block.
using ResponseHandler = std::function<void(Response response)>;

// Observes every call after it completes (requests and notifications, unknown methods
// included) with the handler's full status and how long the handler ran (zero for calls that
// never reached one): for logs and per-method metrics. Called on the thread that completed the
// call; must be thread-safe and must not block.
using CallObserver = std::function<void(std::string_view method, const absl::Status& status,
                                        absl::Duration elapsed)>;

struct DispatcherOptions {
  // Frame size, batch size and nesting limits.
  CodecOptions codec;
  // Optional; see CallObserver.
  CallObserver observer;
};

class JsonRpcDispatcher {
 public:
  // `executor` runs request handlers; it is copied and must stay usable while frames are
  // handled and their requests are in flight.
  explicit JsonRpcDispatcher(Executor executor, DispatcherOptions options = {});

  JsonRpcDispatcher(const JsonRpcDispatcher&) = delete;
  JsonRpcDispatcher& operator=(const JsonRpcDispatcher&) = delete;

  // Adds method `name` taking `param_names` (in positional order; named params may be given in
  // any order). Frames handled afterwards can call it.
  // ALREADY_EXISTS if `name` is registered; INVALID_ARGUMENT if `name` is empty, `handler` is
  // empty or `param_names` repeats a name.
  absl::Status Register(std::string name, std::vector<std::string> param_names,
                        MethodHandler handler);

  // Routes inbound responses to `handler` (replacing any earlier one). Without a handler they
  // are dropped.
  void SetResponseHandler(ResponseHandler handler);

  // Handles one inbound text frame. Returns once the frame is parsed and its requests are
  // submitted; replies are sent through `send` (at most one frame per request, one per batch)
  // as the requests complete, possibly before this returns. In-flight requests keep what they
  // need alive (`send`, the handler), so the dispatcher may be destroyed before they complete.
  void HandleFrame(std::string_view frame, SendFn send);

 private:
  struct Method {
    std::vector<std::string> param_names;
    MethodHandler handler;
  };

  std::shared_ptr<const Method> FindMethod(const std::string& name) const;

  const Executor executor_;
  const DispatcherOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const Method>> methods_ ABSL_GUARDED_BY(mu_);
  ResponseHandler response_handler_ ABSL_GUARDED_BY(mu_);
};

}  // namespace recplat::renewal_ws
