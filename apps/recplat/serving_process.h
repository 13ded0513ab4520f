// File: serving_process.h
//
// ServingProcess: one `recplat serve` process, wired by its role (config `role`,
// docs/configuration.md "Roles"):
//   all       the core (Runtime: log, state, registry, engine, training; gRPC and metrics)
//             and the selected frontends over the in-process LocalService: one process.
//   core      the core, serving gRPC, metrics and the HTTP listener with /healthz, /readyz
//             and the native routes only (no profile frontends).
//   frontend  no data directory at all: a gRPC client of the core at `core.address`
//             (grpc_frontend::ConnectGrpcApi), metrics, and the selected frontends over that
//             client; /readyz reflects the remote core's readiness.
// The frontends are started by name through frontends.h, in the order of `frontends:`; those
// that mount on HTTP add their routes before the listener starts.
//
// Thread-safety: Start/Shutdown/ports from one thread.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "apps/recplat/runtime.h"
#include "core/config/config.h"

namespace recplat::app {

class ServingProcess {
 public:
  // Opens what the role needs and starts every listener and frontend. `config` must have been
  // loaded with ConfigFrontends() (it then holds the frontend sections). Errors name what
  // failed; INVALID_ARGUMENT is a configuration the process cannot run with.
  static absl::StatusOr<std::unique_ptr<ServingProcess>> Start(const config::Config& config,
                                                               const std::string& profile_path);
  ~ServingProcess();  // Shutdown(absl::Seconds(5)).

  // The addresses listened on (empty for a listener that is off, and gRPC for role
  // `frontend`).
  const BoundPorts& ports() const;

  // Drains in order: marks the core not ready, stops the HTTP listener (waiting up to `grace`
  // for requests in flight), stops the frontends (while the core still accepts their calls),
  // then the core (Runtime::Shutdown) or the client and metrics. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  struct Impl;
  explicit ServingProcess(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::app
