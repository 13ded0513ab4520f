// File: renewal_config.h
//
// The `renewal:` configuration section of the Renewal recsystem frontend (docs/renewal.md),
// declared here for the configuration loader (core/common/config_section.h), and its
// registration: frontend `renewal`, not mounted on the HTTP listener, with the reference
// recsystem's environment variables as aliases (RENEWAL_TOKEN, RENEWAL_API_BASE_URI,
// RENEWAL_CA_FILE, RENEWAL_INSECURE, RENEWAL_LOG_LEVEL). The command-line flags --token/-t,
// --api-base-uri/-a, --ca-file and --insecure override these keys (apps/recplat).
//
// RenewalOptionsFromSection (renewal_frontend.h) turns a section into RenewalOptions.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/common/config_section.h"

namespace recplat::renewal_ws {

// The frontend's name in `frontends:` and the key of its section.
inline constexpr char kRenewalFrontendName[] = "renewal";
// The public Renewal backend (seed-systems.md §1.2).
inline constexpr char kDefaultApiBaseUri[] = "https://api.renewal-research.com/v1/";

struct RenewalSection final : common::CopyableSection<RenewalSection> {
  // The recsystem's JWT, or the path of a file holding only it. Required when the frontend
  // runs. Secret: never printed.
  std::string token;
  // Base of the backend API; the event stream is <base>/event_stream.
  std::string api_base_uri = kDefaultApiBaseUri;
  // PEM file of trusted CA certificates for https/wss; empty uses the system store.
  std::string ca_file;
  // Accept any server certificate. Only for development backends.
  bool insecure_skip_verify = false;
  // The surface `recommend` asks; it must be configured.
  std::string surface = "feed";
  // Answer size when a recommend call gives neither max_articles nor limit.
  int32_t default_limit = 30;
  // Largest answer; 0 means the surface's max_k (and more than it is an error).
  int32_t max_k = 0;
  // Items / documents per core write when many articles arrive at once (sync).
  int32_t write_batch = 500;
  // Reconnection backoff: base * 2^(failures-1), capped at max.
  double reconnect_base_seconds = 5;
  double reconnect_max_seconds = 60;

  void Bind(common::SectionBinder& binder) override;
  // INVALID_ARGUMENT when reconnect_max_seconds < reconnect_base_seconds.
  absl::Status Validate() const override;
};

// The registration of frontend `renewal` (see the file comment).
common::FrontendRegistration RenewalRegistration();

}  // namespace recplat::renewal_ws
