// File: frontends.h
//
// The frontends this binary runs, by name: each one's configuration registration (the section
// it declares, its environment aliases, whether it mounts on the HTTP listener) and how to
// start it against an api::Api. The serve command starts every frontend named in `frontends:`,
// in order, through StartFrontend; nothing else in the binary names a profile or a frontend.
//
//   native     the JSON mirror of the internal API (/v1/...) on the HTTP listener (built into
//              the config loader; no section);
//   ecoseller  the ecoseller route set on the HTTP listener (section `ecoseller:`);
//   renewal    the Renewal recsystem, a WebSocket client of the backend (section `renewal:`).
//
// Thread-safety: ConfigFrontends and StartFrontend are thread-compatible; a RunningFrontend is
// driven from one thread (the frontends themselves are thread-safe).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/api/api.h"
#include "core/config/config.h"
#include "core/config/frontend_registry.h"
#include "frontends/http_rest/router.h"
#include "prometheus/registry.h"

namespace recplat::app {

// What a frontend is started with. Nothing is owned; everything must outlive the frontend.
struct FrontendContext {
  // The core: the in-process LocalService (role `all`) or the gRPC client of a remote core
  // (role `frontend`).
  api::Api* api = nullptr;
  // The effective configuration, loaded with ConfigFrontends() (so it holds the sections).
  const config::Config* config = nullptr;
  // The process's metrics registry (served at /metrics).
  prometheus::Registry* metrics = nullptr;
  // The HTTP listener's router, for frontends that mount on it: routes are added before the
  // listener starts. Null when the listener is off.
  http::Router* router = nullptr;
};

// A started frontend.
class RunningFrontend {
 public:
  virtual ~RunningFrontend() = default;
  // Stops the frontend's background work and waits for the calls in flight, writing what it
  // still holds through the Api (which must still accept calls). REQUIRES: the HTTP listener
  // it mounted on has stopped. Idempotent; the destructor does not call it.
  virtual void Shutdown() = 0;
};

// The registry the configuration loader needs: every frontend of this binary, with its
// section and aliases. Fails only on a broken registration (a programming error).
absl::StatusOr<config::FrontendRegistry> ConfigFrontends();

// Starts frontend `name` with `context`. NOT_FOUND for a name this binary does not run;
// FAILED_PRECONDITION when it mounts on HTTP and `context.router` is null, or its section is
// missing from the config; INVALID_ARGUMENT naming the key for a configuration it cannot run
// with (e.g. renewal.token missing, renewal.surface not configured); otherwise the frontend's
// own start-up errors.
absl::StatusOr<std::unique_ptr<RunningFrontend>> StartFrontend(const std::string& name,
                                                               const FrontendContext& context);

}  // namespace recplat::app
