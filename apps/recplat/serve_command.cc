// `recplat serve`: runs until SIGTERM/SIGINT, then drains.
#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "apps/recplat/commands.h"
#include "apps/recplat/runtime.h"
#include "apps/recplat/serving_process.h"
#include "core/common/logging.h"

namespace recplat::app {

int RunServe(const config::Config& config, const std::string& profile_path,
             const ServeArgs& args) {
  // Block the shutdown signals before any thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto process = ServingProcess::Start(config, profile_path);
  if (!process.ok()) {
    std::fprintf(stderr, "recplat: %s\n", process.status().ToString().c_str());
    // A configuration the process cannot run with is bad usage, like a bad flag.
    return process.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (!args.ports_file.empty()) {
    if (absl::Status s = WritePortsFile(args.ports_file, (*process)->ports()); !s.ok()) {
      std::fprintf(stderr, "recplat: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  // A process serving gRPC owns the data directory: leave the address there for
  // `recplat batch` (best effort).
  std::string serving_ports;
  if (!(*process)->ports().grpc.empty()) {
    serving_ports = ServingPortsPath(config.data_dir);
    if (absl::Status s = WritePortsFile(serving_ports, (*process)->ports()); !s.ok()) {
      RECPLAT_LOG(Warn, "could not leave the ports in the data directory",
                  {{"error", s.ToString()}});
      serving_ports.clear();
    }
  }
  int sig = 0;
  sigwait(&signals, &sig);
  RECPLAT_LOG(Info, "shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  if (!serving_ports.empty()) std::remove(serving_ports.c_str());
  (*process)->Shutdown(absl::Seconds(10));
  process->reset();
  RECPLAT_LOG(Info, "stopped cleanly");
  return 0;
}

}  // namespace recplat::app
