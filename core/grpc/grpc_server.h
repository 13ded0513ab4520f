// File: grpc_server.h
//
// GrpcServer: serves the internal API (recplat.v1 CatalogService, EventService,
// RecommendService, ModelService, AdminService) over gRPC by adapting each RPC to an Api call,
// plus the standard grpc.health.v1.Health service and server reflection. Status codes pass
// through unchanged (they are the canonical codes); messages are capped by
// api::ClientMessage. A request message that does not decode is answered INVALID_ARGUMENT.
//
// This is the only module besides gRPC clients that includes gRPC headers.
//
// Thread-safety: Start/Shutdown from one thread; RPCs run on gRPC's callback threads.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "prometheus/registry.h"

namespace recplat::grpc_frontend {

struct GrpcServerOptions {
  // "host:port"; port 0 picks a free port.
  std::string listen = "127.0.0.1:50051";
  // Largest request accepted, bytes (larger: RESOURCE_EXHAUSTED from gRPC).
  int64_t max_message_bytes = 64 << 20;
};

class GrpcServer {
 public:
  // Starts serving. `api` and `metrics` are not owned and must outlive the server.
  // UNAVAILABLE when the address cannot be bound.
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
