// File: dispatcher.h (private to core/grpc)
//
// Dispatcher: what every service adapter of GrpcServer shares. It checks the caller's API key
// against the access the RPC needs (refusals counted in recplat_auth_failures_total), runs one
// api::Api call for an RPC, finishes the RPC with the converted status
// (internal/status_conversion.h), logs INTERNAL/DATA_LOSS failures (their details never reach
// the client) and records the request in recplat_grpc_requests_total /
// recplat_grpc_request_latency_seconds {method, code}.
//
// Ownership: `api` and `metrics` are not owned and must outlive the dispatcher.
// Thread-safety: Run/RunBlocking are called concurrently from gRPC's callback threads;
// JoinBlocking from the thread that shuts the server down.
#pragma once

#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/api/api.h"
#include "core/api/api_keys.h"
#include "core/api/status_mapping.h"
#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/common/metrics/metrics.h"
#include "core/grpc/internal/status_conversion.h"
#include "grpcpp/grpcpp.h"

namespace recplat::grpc_frontend::internal {

class Dispatcher {
 public:
  Dispatcher(api::Api& api, prometheus::Registry& metrics, api::ApiKeys keys)
      : api_(api),
        metrics_(metrics, "grpc"),
        keys_(std::move(keys)),
        auth_failures_(metrics, "grpc") {}
  ~Dispatcher() { JoinBlocking(); }

  api::Api& api() { return api_; }

  // Runs `fn` (returning absl::StatusOr<Resp>) on the calling callback thread and finishes the
  // RPC, once the caller's key allows `access`. `method` ("Service/Method") must be a string
  // literal (it labels the metrics).
  template <typename Resp, typename Fn>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx, const char* method,
                                api::Access access, Resp* resp, Fn&& fn) {
    const double t0 = common::Clock::Default().MonotonicSeconds();
    auto* reactor = ctx->DefaultReactor();
    if (absl::Status refused = Authorize(*ctx, access); !refused.ok()) {
      Finish(reactor, method, resp, absl::StatusOr<Resp>(std::move(refused)), t0);
      return reactor;
    }
    absl::StatusOr<Resp> result = fn();
    Finish(reactor, method, resp, std::move(result), t0);
    return reactor;
  }

  // Like Run, for calls that may block for long (training with wait): runs `fn` on its own
  // thread so gRPC's callback threads stay free. `fn` must own (copy) what it reads.
  template <typename Resp, typename Fn>
  grpc::ServerUnaryReactor* RunBlocking(grpc::CallbackServerContext* ctx, const char* method,
                                        api::Access access, Resp* resp, Fn fn) {
    const double t0 = common::Clock::Default().MonotonicSeconds();
    auto* reactor = ctx->DefaultReactor();
    if (absl::Status refused = Authorize(*ctx, access); !refused.ok()) {
      Finish(reactor, method, resp, absl::StatusOr<Resp>(std::move(refused)), t0);
      return reactor;
    }
    absl::MutexLock lock(&mu_);
    threads_.emplace_back([this, reactor, method, resp, fn = std::move(fn), t0]() mutable {
      Finish(reactor, method, resp, fn(), t0);
    });
    return reactor;
  }

  // Waits for every RunBlocking call started so far.
  void JoinBlocking() {
    std::vector<std::thread> threads;
    {
      absl::MutexLock lock(&mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) {
      t.join();
    }
  }

 private:
  // OK when the caller's `authorization` metadata allows `access`, else the refusal (counted).
  absl::Status Authorize(const grpc::CallbackServerContext& ctx, api::Access access) {
    if (!keys_.enabled()) return absl::OkStatus();
    const auto& metadata = ctx.client_metadata();
    const auto it = metadata.find("authorization");
    const absl::string_view authorization =
        it == metadata.end() ? absl::string_view()
                             : absl::string_view(it->second.data(), it->second.size());
    const api::AuthResult result = keys_.Check(authorization, access);
    if (result == api::AuthResult::kOk) return absl::OkStatus();
    auth_failures_.Record(api::AuthResultName(result));
    return api::AuthStatus(result);
  }

  template <typename Resp>
  void Finish(grpc::ServerUnaryReactor* reactor, const char* method, Resp* resp,
              absl::StatusOr<Resp> result, double t0) {
    grpc::Status status;
    if (result.ok()) {
      *resp = std::move(result).value();
    } else {
      status = ToGrpcStatus(result.status());
      if (result.status().code() == absl::StatusCode::kInternal ||
          result.status().code() == absl::StatusCode::kDataLoss) {
        RECPLAT_LOG(Error, "rpc failed",
                    {{"method", method}, {"error", result.status().ToString()}});
      }
    }
    metrics_.Record(method, api::CodeName(result.status().code()),
                    common::Clock::Default().MonotonicSeconds() - t0);
    reactor->Finish(status);
  }

  api::Api& api_;
  metrics::RequestMetrics metrics_;
  const api::ApiKeys keys_;
  metrics::AuthFailureMetrics auth_failures_;
  absl::Mutex mu_;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace recplat::grpc_frontend::internal
