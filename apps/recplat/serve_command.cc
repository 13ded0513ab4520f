// `recplat serve`: runs until SIGTERM/SIGINT, then drains.
#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "apps/recplat/commands.h"
#include "apps/recplat/runtime.h"
#include "core/common/logging.h"
#include "frontends/renewal_ws/renewal_frontend.h"

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
  // The renewal profile is a client of the Renewal backend as well as a server.
  std::unique_ptr<renewal_ws::RenewalFrontend> renewal;
  if (config.profile == "renewal") {
    if (args.renewal_token.empty()) {
      std::fprintf(stderr, "recplat: the renewal profile needs --token (or RENEWAL_TOKEN)\n");
      (*runtime)->Shutdown(absl::Seconds(1));
      return 2;
    }
    renewal_ws::RenewalOptions o;
    absl::StatusOr<std::string> token = renewal_ws::ResolveToken(args.renewal_token);
    if (!token.ok()) {
      std::fprintf(stderr, "recplat: --token: %s\n", std::string(token.status().message()).c_str());
      (*runtime)->Shutdown(absl::Seconds(1));
      return 2;
    }
    o.token = *std::move(token);
    if (!args.renewal_api_base_uri.empty()) o.api_base_uri = args.renewal_api_base_uri;
    o.ca_file = args.renewal_ca_file;
    o.insecure_skip_verify = args.renewal_insecure;
    o.service.surface = "feed";
    o.metrics = &(*runtime)->metrics();
    if (auto it = config.surfaces.find("feed"); it != config.surfaces.end()) {
      o.service.max_k = it->second.max_k;
    }
    auto started = renewal_ws::RenewalFrontend::Start(&(*runtime)->service(), std::move(o));
    if (!started.ok()) {
      std::fprintf(stderr, "recplat: renewal: %s\n", started.status().ToString().c_str());
      (*runtime)->Shutdown(absl::Seconds(1));
      return 2;
    }
    renewal = *std::move(started);
  }
  RECPLAT_LOG(Info, "recplat serving",
              {{"profile", config.profile}, {"grpc", ports.grpc}, {"http", ports.http},
               {"metrics", ports.metrics}, {"data_dir", config.data_dir}});
  int sig = 0;
  sigwait(&signals, &sig);
  RECPLAT_LOG(Info, "shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  if (renewal != nullptr) renewal->Shutdown();
  (*runtime)->Shutdown(absl::Seconds(10));
  runtime->reset();
  RECPLAT_LOG(Info, "stopped cleanly");
  return 0;
}

}  // namespace recplat::app
