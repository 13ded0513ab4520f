// File: grpc_server.h
//
// GrpcServer: serves the internal API (recplat.v1 CatalogService, WriteService, EventService,
// DocumentService, RecommendService, ModelService, AdminService) over gRPC by adapting each RPC
// to the Api method of the same name (core/grpc/internal/service_adapters.cc), plus the
// standard grpc.health.v1.Health service and server reflection. Status codes pass through
// unchanged (they are the canonical codes); messages are capped by api::ClientMessage. A
// request message that does not decode is answered INVALID_ARGUMENT. Every RPC is counted in
// recplat_grpc_requests_total / recplat_grpc_request_latency_seconds {method, code}.
//
// Access control (options.keys, core/api/api_keys.h): every recplat.v1 RPC needs the access of
// its Api method (a Write that deletes items needs admin); the key travels in the
// `authorization` metadata as "Bearer <key>". A missing or unknown key is answered
// UNAUTHENTICATED, a user key on an admin RPC PERMISSION_DENIED, both counted in
// recplat_auth_failures_total{transport="grpc"} and in the request metrics. The health service
// and server reflection stay open (probes; reflection shows only the public schema).
//
// TLS (options.tls): the listener accepts TLS only; with client CAs, a client must present a
// certificate that chains to them (mutual TLS), or the handshake fails.
//
// Health: SERVING while api.Ready() (polled every health_poll_interval), NOT_SERVING from
// Shutdown on. The gRPC Api client (grpc_api_client.h) answers Ready() from it.
//
// core/grpc is the only module that includes gRPC headers; neither this header nor
// grpc_api_client.h exposes them.
//
// Thread-safety: Start/Shutdown from one thread; RPCs run on gRPC's callback threads.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "core/api/api_keys.h"
#include "core/common/tls.h"
#include "prometheus/registry.h"

namespace recplat::grpc_frontend {

struct GrpcServerOptions {
  // "host:port"; port 0 picks a free port.
  std::string listen = "127.0.0.1:50051";
  // Largest request accepted, bytes (larger: RESOURCE_EXHAUSTED from gRPC).
  int64_t max_message_bytes = 64 << 20;
  // How often the health service's status is refreshed from api.Ready(); > 0.
  absl::Duration health_poll_interval = absl::Milliseconds(250);
  // The keys callers must present; none: every RPC is open.
  api::ApiKeys keys;
  // Off unless a certificate is set.
  common::ServerTls tls;
};

class GrpcServer {
 public:
  // Starts serving. `api` and `metrics` are not owned and must outlive the server.
  // UNAVAILABLE when the address cannot be bound; INVALID_ARGUMENT for a malformed option or
  // TLS material that does not load (saying which part).
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const GrpcServerOptions& options,
                                                           api::Api& api,
                                                           prometheus::Registry& metrics);
  ~GrpcServer();

  // "host:port" actually bound.
  const std::string& bound_address() const;

  // Reports NOT_SERVING on the health service, stops accepting calls, and waits up to `grace`
  // for calls in flight before cancelling them. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  struct Impl;
  explicit GrpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::grpc_frontend
