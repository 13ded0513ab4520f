// `recplat serve`: runs until SIGTERM/SIGINT, then drains.
#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "apps/recplat/commands.h"
#include "apps/recplat/runtime.h"
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

  auto runtime = Runtime::Open({config, profile_path});
  if (!runtime.ok()) {
    std::fprintf(stderr, "recplat: %s\n", runtime.status().ToString().c_str());
    return 1;
  }
  if (absl::Status s = (*runtime)->Start(/*serve=*/true); !s.ok()) {
    std::fprintf(stderr, "recplat: %s\n", s.ToString().c_str());
    return 1;
  }
  const BoundPorts& ports = (*runtime)->ports();
  if (!args.ports_file.empty()) {
    if (absl::Status s = WritePortsFile(args.ports_file, ports); !s.ok()) {
      std::fprintf(stderr, "recplat: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  RECPLAT_LOG(Info, "recplat serving",
              {{"profile", config.profile}, {"grpc", ports.grpc}, {"http", ports.http},
               {"metrics", ports.metrics}, {"data_dir", config.data_dir}});
  int sig = 0;
  sigwait(&signals, &sig);
  RECPLAT_LOG(Info, "shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*runtime)->Shutdown(absl::Seconds(10));
  runtime->reset();
  RECPLAT_LOG(Info, "stopped cleanly");
  return 0;
}

}  // namespace recplat::app
