// File: status_mapping.h
//
// The one table that maps absl status codes to every protocol recplat speaks (see STYLE.md,
// "One status-mapping table"). gRPC uses the canonical codes as they are; HTTP and JSON-RPC use
// the functions below. Messages sent to clients are capped and never expose internal details.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace recplat::api {

// Longest error message sent to a client.
inline constexpr size_t kMaxClientMessage = 1024;

// HTTP status for a code (e.g. INVALID_ARGUMENT -> 400, NOT_FOUND -> 404, INTERNAL -> 500).
int HttpStatusFor(absl::StatusCode code);

// JSON-RPC 2.0 error.code for a code (INVALID_ARGUMENT -> -32602, INTERNAL -> -32603, ...).
int JsonRpcCodeFor(absl::StatusCode code);

// The canonical name of a code ("INVALID_ARGUMENT"), for metrics labels and error bodies.
std::string CodeName(absl::StatusCode code);

// The message a client may see: the status message capped at kMaxClientMessage bytes (cut
// before a UTF-8 character that does not fit, then "..."), or a generic text for
// INTERNAL/UNKNOWN/DATA_LOSS (whose details go to the log only).
std::string ClientMessage(const absl::Status& status);

}  // namespace recplat::api
