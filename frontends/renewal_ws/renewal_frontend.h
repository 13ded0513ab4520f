// File: renewal_frontend.h
//
// RenewalFrontend: the `renewal` profile's frontend, wired. It makes recplat a Renewal
// recsystem (seed-systems.md §1): on start-up it syncs the backend's articles (GET
// /v1/articles, newest first, up to the cache size) and user assignments (GET
// /v1/user_assignments), then connects to <api-base>/event_stream as a WebSocket client and
// serves the backend's JSON-RPC calls (renewal_service.h) on that socket. When the connection is
// lost it reconnects forever with backoff; before each reconnection it catches up on the
// articles published meanwhile (since_id = the newest cached one) and re-reads the assignments.
//
// It reaches the core only through api::Api. It does not parse flags or the environment:
// the caller fills RenewalOptions, usually from the `renewal:` config section
// (RenewalOptionsFromSection; the CLI flags and RENEWAL_* variables override its keys).
//
// Thread safety: Start/Shutdown from one thread; the accessors from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "frontends/renewal_ws/renewal_config.h"
#include "frontends/renewal_ws/renewal_service.h"
#include "frontends/renewal_ws/rest_client.h"
#include "prometheus/registry.h"

namespace recplat::renewal_ws {

struct RenewalOptions {
  // Bearer token of this recsystem (a JWT). Required. Secret: never logged.
  std::string token;
  // Base of the backend API; the event stream is <base>/event_stream (ws for http, wss for
  // https).
  std::string api_base_uri = kDefaultApiBaseUri;
  // PEM file of trusted CA certificates for https/wss; empty uses the system store.
  std::string ca_file;
  // Accept any server certificate (no verification). Only for development backends.
  bool insecure_skip_verify = false;

  // Reconnection backoff: base * 2^(failures-1) capped at max, plus up to jitter of it.
  absl::Duration reconnect_base = absl::Seconds(5);
  absl::Duration reconnect_max = absl::Seconds(60);
  double reconnect_jitter = 0.2;
  // TCP + TLS + upgrade of the event stream; one whole REST request; silence on the socket
  // before it is dropped (a ping is sent at half of it; zero disables).
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration request_timeout = absl::Seconds(30);
  absl::Duration idle_timeout = absl::Seconds(60);

  // Articles per GET /v1/articles page (the reference INITIAL_ARTICLES).
  int32_t page_size = 1000;
  // Read GET /v1/user_assignments at each sync (a backend without it, 404, is tolerated).
  bool sync_assignments = true;
  // Threads running the JSON-RPC handlers.
  int32_t threads = 4;
  // Tenant, surface, cache size (the sync's article limit), answer limits.
  RenewalServiceOptions service;
  // Seed of the backoff jitter.
  uint64_t seed = 0x5eed;
  // Where the frontend's metrics go (renewal_metrics.h); none when null. Not owned; must
  // outlive the frontend.
  prometheus::Registry* metrics = nullptr;
};

class RenewalFrontend {
 public:
  // Validates the options (INVALID_ARGUMENT: empty token, bad URI, unreadable CA file, bad
  // sizes), loads the service's kept state, and starts syncing and connecting in the
  // background: an unreachable backend is not an error (it is retried forever).
  // `api` is not owned and must outlive the frontend.
  static absl::StatusOr<std::unique_ptr<RenewalFrontend>> Start(api::Api* api,
                                                                RenewalOptions options);
  ~RenewalFrontend();  // Shutdown()

  RenewalFrontend(const RenewalFrontend&) = delete;
  RenewalFrontend& operator=(const RenewalFrontend&) = delete;

  // Cancels a sync in progress, closes the event stream, and waits for the JSON-RPC calls in
  // flight. Idempotent.
  void Shutdown();

  RenewalService& service();
  // Whether the event stream is up; how many times it came up; how many syncs completed.
  bool connected() const;
  int64_t connections() const;
  int64_t syncs() const;

 private:
  struct Impl;
  explicit RenewalFrontend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The options of a frontend configured by `section` (renewal_config.h): the token resolved
// (ResolveToken), the service on `section.surface` with max_k = section.max_k, or
// `surface_max_k` (the surface's configured max_k) when that is 0. Everything not in the
// section keeps the RenewalOptions default; `metrics` is left null. INVALID_ARGUMENT, naming
// the key, for a missing or unresolvable token, or a max_k above `surface_max_k`.
absl::StatusOr<RenewalOptions> RenewalOptionsFromSection(const RenewalSection& section,
                                                         int32_t surface_max_k);

// The token of `--token/-t`: the JWT itself (three dot-separated base64url segments), or the
// path of a file holding only the JWT (surrounding whitespace stripped). INVALID_ARGUMENT when
// it is neither (the message does not repeat the value), or the file holds no token.
absl::StatusOr<std::string> ResolveToken(std::string_view token_or_path);

}  // namespace recplat::renewal_ws
