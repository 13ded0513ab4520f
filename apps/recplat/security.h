// File: security.h
//
// A serving process's access control and TLS, read once at start-up (before anything listens)
// from the files and environment variables the configuration names: auth.* (the API keys of the
// HTTP and gRPC listeners), http.tls.*, grpc.tls.* (the listeners' certificates), core.api_key_*
// and core.tls.* (how a role `frontend` process reaches its core). docs/operations.md, "Access
// control and TLS".
//
// Only what the role uses is read: the gRPC listener's TLS for roles `all` and `core`, the
// core's key and TLS for role `frontend`, the HTTP listener's TLS when it is on.
//
// Thread-safety: LoadSecurity is thread-compatible (it reads the environment).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/api/api_keys.h"
#include "core/common/metrics/metrics.h"
#include "core/common/tls.h"
#include "core/config/config.h"

namespace recplat::app {

struct Security {
  // auth.*: checked by the HTTP router and the gRPC server.
  api::ApiKeys keys;
  // http.tls.*, grpc.tls.*: off when no certificate is configured.
  common::ServerTls http_tls;
  common::ServerTls grpc_tls;
  // core.api_key_*: the key a role `frontend` process sends to its core (empty: none).
  std::string core_api_key;
  // core.tls.*.
  common::ClientTls core_tls;
  // metrics.tls.*, metrics.bearer_token_*.
  metrics::MetricsServerOptions metrics;
};

// Reads and checks everything above. Every error is INVALID_ARGUMENT naming the configuration
// key and the problem (a file that cannot be read, a variable that is not set, a malformed key,
// a certificate and key that do not match), never a key's value. Logs how many keys of each
// level are configured, and warns when user keys are set without an admin key (admin
// operations then accept user keys).
absl::StatusOr<Security> LoadSecurity(const config::Config& config);

// The text of the file `path` named by configuration key `key` (for messages); "" when `path` is
// empty; INVALID_ARGUMENT naming the key and the path when it cannot be read.
absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view key);

}  // namespace recplat::app
