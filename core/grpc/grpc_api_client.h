// File: grpc_api_client.h
//
// A client of a remote core (a process with `role: core`) that implements api::Api over gRPC,
// so a frontend works against a remote core exactly as against the in-process LocalService
// (`role: frontend`, `core.address`). Every call maps to the RPC of the same name; the remote
// status code and message come back unchanged; a core that cannot be reached gives UNAVAILABLE,
// a call that outlives its deadline DEADLINE_EXCEEDED.
//
// Credentials: with `api_key`, every call carries `authorization: Bearer <key>` (the core's
// access control, core/api/api_keys.h); with `tls.enabled`, the channel is TLS (the server
// certificate checked against tls.ca_pem or the system roots, a client certificate presented
// when set). A core that refuses the key answers UNAUTHENTICATED / PERMISSION_DENIED, passed
// through like every code (the first UNAUTHENTICATED is also logged, naming this process's key
// configuration as the likely cause).
//
// Thread-safety: thread-safe; one channel is shared by all calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "core/common/tls.h"

namespace recplat::grpc_frontend {

struct GrpcApiClientOptions {
  // "host:port" of the core's gRPC listener.
  std::string address;
  // Deadline of every call.
  absl::Duration timeout = absl::Seconds(30);
  // Largest message sent or received, bytes.
  int64_t max_message_bytes = 64 << 20;
  // How long Ready() trusts its last answer from the core's health service.
  absl::Duration ready_cache = absl::Seconds(1);
  // The API key sent with every call; empty sends none.
  std::string api_key;
  // TLS to the core; off by default.
  common::ClientTls tls;
};

// Creates the client. INVALID_ARGUMENT for a malformed address, an API key that is not a valid
// key (api::ParseApiKeys) or TLS material that does not load. Does not wait for the core:
// calls made while it is down fail with UNAVAILABLE, and Ready() is false.
absl::StatusOr<std::unique_ptr<api::Api>> ConnectGrpcApi(const GrpcApiClientOptions& options);

}  // namespace recplat::grpc_frontend
