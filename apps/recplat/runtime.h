// File: runtime.h
//
// Runtime: one recplat process's core, wired from a Config: the event log, the state store and
// its materializer, the model registry, the trainer, the engine and the LocalService, plus the
// core's servers (gRPC, metrics) when serving. Used by every subcommand of the executable
// (serve with role `all` or `core`, import, train) so they all see the same data the same
// way. The HTTP listener and the frontends are wired around it by ServingProcess
// (serving_process.h); a role `frontend` process has no Runtime.
//
// Data directory layout: <data_dir>/log (event log), <data_dir>/state (state store),
// <data_dir>/models (registry). A data directory is owned by one process at a time (RocksDB's
// lock); with RuntimeOptions::secondary_if_locked another process may open it read-only while
// the owner runs (see there).
//
// Thread-safety: Open/StartServing/Shutdown from one thread; the components are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/api/api_keys.h"
#include "core/common/metrics/metrics.h"
#include "core/common/tls.h"
#include "core/config/config.h"
#include "core/models/model_family.h"
#include "core/service/local_service.h"
#include "prometheus/registry.h"

namespace recplat::app {

struct RuntimeOptions {
  config::Config config;
  std::string profile_path;
  // When another process (a server) holds the data directory, open it as its read-only follower
  // instead of failing: the log and the state as RocksDB secondary instances (the state caught
  // up until it has applied everything the log held at open, or 10 s), the registry without
  // repairing it. The process then reads one consistent snapshot and writes only new model
  // versions, which the owner picks up through registry.poll_seconds (`recplat train`). Start()
  // and every write through the service fail in that mode.
  bool secondary_if_locked = false;
};

// What the gRPC and metrics listeners check (security.h): the API keys and TLS of gRPC, and
// the TLS and bearer tokens of /metrics.
struct ListenerSecurity {
  api::ApiKeys keys;
  common::ServerTls tls;
  metrics::MetricsServerOptions metrics;
};

// Addresses actually bound ("host:port"); empty when that listener is off.
struct BoundPorts {
  std::string grpc;
  std::string http;
  std::string metrics;
};

class Runtime {
 public:
  // Opens the data directory, validates every model's family and parameters, and applies the
  // whole log to the state (so the process starts consistent). Errors name what failed.
  static absl::StatusOr<std::unique_ptr<Runtime>> Open(RuntimeOptions options);
  ~Runtime();

  // Starts the materializer thread and the trainer; the gRPC and metrics servers too (those
  // enabled in the config) when `serve` is set, protected as `security` says.
  absl::Status Start(bool serve, ListenerSecurity security = {});

  // Drains: marks the service not ready, stops accepting gRPC requests, waits up to `grace` for
  // those in flight, stops the trainer and the materializer, and flushes the state. Stop the
  // frontends calling service() first. Idempotent.
  void Shutdown(absl::Duration grace);

  service::LocalService& service();
  training::Trainer& trainer();
  // The process's metrics registry (served at /metrics); frontends add their families to it.
  prometheus::Registry& metrics();
  // The /metrics server once serving with metrics enabled, else null; owned by the runtime.
  metrics::MetricsExposer* exposer();
  // gRPC and metrics addresses once serving (http is left empty).
  const BoundPorts& ports() const;
  const config::Config& config() const;
  // Whether Open() found the data directory held and opened it as a follower
  // (RuntimeOptions::secondary_if_locked).
  bool secondary() const;

 private:
  struct Impl;
  explicit Runtime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes `ports` as one JSON object {"grpc": ..., "http": ..., "metrics": ...} (keys of
// listeners that are off are omitted) to `path`, atomically (temp file + rename).
absl::Status WritePortsFile(const std::string& path, const BoundPorts& ports);

// The ports file a serving process that owns `data_dir` leaves in it (written once it serves,
// removed when it stops cleanly), so that `recplat batch` on the same directory finds the
// server's gRPC Api by itself while the server holds the directory.
std::string ServingPortsPath(const std::string& data_dir);
// The "grpc" address of a ports file (WritePortsFile); NOT_FOUND when the file is missing or
// names none.
absl::StatusOr<std::string> ReadGrpcAddress(const std::string& path);

// The model families this binary offers (built-in ones, then trainers/).
absl::Status RegisterAllFamilies(models::ModelFamilyRegistry* registry);

}  // namespace recplat::app
