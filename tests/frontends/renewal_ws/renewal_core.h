// File: renewal_core.h
//
// Test support: an in-process recplat core running config/renewal.yaml on a temporary data
// directory, the way `recplat --profile config/renewal.yaml` runs it but without its listeners
// (gRPC, HTTP, metrics), background training or fsync. For tests that put a real
// RenewalFrontend on it (tests/frontends/renewal_ws, tests/tools/renewal_sim).
//
// Thread-safety: as app::Runtime.
#pragma once

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "apps/recplat/frontends.h"
#include "apps/recplat/runtime.h"
#include "core/common/status_macros.h"
#include "core/config/config_loader.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {

// Opens and starts (serve = false) the core; `data_dir` is created by the runtime.
// `max_items` > 0 overrides the profile's catalog retention (the article cache size).
inline absl::StatusOr<std::unique_ptr<app::Runtime>> StartRenewalCore(
    const std::filesystem::path& data_dir, int64_t max_items = 0) {
  RECPLAT_ASSIGN_OR_RETURN(const config::FrontendRegistry frontends, app::ConfigFrontends());
  config::ConfigSources sources;
  sources.profile_path = (SourceDir() / "config" / "renewal.yaml").string();
  sources.frontends = &frontends;
  RECPLAT_ASSIGN_OR_RETURN(config::Config config, config::LoadConfig(sources));
  config.data_dir = data_dir.string();
  if (max_items > 0) config.catalog.max_items = max_items;
  config.training.enabled = false;
  config.log.sync = config::SyncPolicy::kNone;
  config.grpc.enabled = config.http.enabled = config.metrics.enabled = false;
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<app::Runtime> runtime,
                           app::Runtime::Open({config, sources.profile_path}));
  RECPLAT_RETURN_IF_ERROR(runtime->Start(/*serve=*/false));
  return runtime;
}

}  // namespace recplat::testing
