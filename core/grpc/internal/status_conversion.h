// File: status_conversion.h (private to core/grpc)
//
// absl::Status <-> grpc::Status. Both use the canonical code numbering, so codes pass through
// unchanged; the server side sends only what api::ClientMessage lets a client see.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "core/api/status_mapping.h"
#include "grpcpp/support/status.h"

namespace recplat::grpc_frontend::internal {

// Server side: the status a client receives for `s` (message capped; INTERNAL, UNKNOWN and
// DATA_LOSS details replaced by a generic text).
inline grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) {
    return grpc::Status::OK;
  }
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), api::ClientMessage(s));
}

// Client side: the remote (or transport) status as an absl::Status, code and message unchanged.
// A code outside the canonical range (a misbehaving peer) becomes UNKNOWN.
inline absl::Status FromGrpcStatus(const grpc::Status& s) {
  if (s.ok()) {
    return absl::OkStatus();
  }
  const int code = static_cast<int>(s.error_code());
  if (code <= 0 || code > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return absl::UnknownError(s.error_message());
  }
  return absl::Status(static_cast<absl::StatusCode>(code), s.error_message());
}

}  // namespace recplat::grpc_frontend::internal
