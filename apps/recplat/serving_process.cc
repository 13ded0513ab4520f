#include "apps/recplat/serving_process.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "apps/recplat/frontends.h"
#include "apps/recplat/runtime_metrics.h"
#include "apps/recplat/security.h"
#include "core/api/read_your_writes.h"
#include "core/common/logging.h"
#include "core/common/metrics/metrics.h"
#include "core/common/metrics/process_metrics.h"
#include "core/common/status_macros.h"
#include "core/config/config_loader.h"
#include "core/config/frontend_registry.h"
#include "core/grpc/grpc_api_client.h"
#include "frontends/http_rest/http_server.h"
#include "frontends/http_rest/native_routes.h"
#include "frontends/http_rest/router.h"

namespace recplat::app {

struct ServingProcess::Impl {
  config::Config config;
  // API keys and TLS, read before anything starts.
  Security security;
  // Roles all and core.
  std::unique_ptr<Runtime> runtime;
  // Role frontend: the remote core, and the metrics the Runtime would otherwise own.
  std::unique_ptr<api::Api> remote;
  std::shared_ptr<prometheus::Registry> own_metrics;
  std::unique_ptr<metrics::MetricsExposer> exposer;
  // What the frontends use; points into `runtime` or `remote`/`own_metrics`.
  api::Api* api = nullptr;
  // `api` as the profile frontends see it: their users' and sessions' reads wait for their own
  // writes (api.read_your_writes_keys). The native routes get `api` itself.
  std::unique_ptr<api::ReadYourWritesApi> session_api;
  prometheus::Registry* metrics = nullptr;
  std::unique_ptr<http::Router> router;
  std::vector<std::unique_ptr<RunningFrontend>> frontends;
  std::unique_ptr<http::HttpServer> http;
  // recplat_build_info, recplat_profile_info and recplat_ready, on whichever exposer serves.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectors;
  BoundPorts ports;
  bool shut_down = false;

  // Role frontend: the client of the core, and metrics.
  absl::Status ConnectCore() {
    grpc_frontend::GrpcApiClientOptions options;
    options.address = config.core.address;
    options.timeout = absl::Seconds(config.core.timeout_seconds);
    options.max_message_bytes = config.api.max_message_bytes;
    options.api_key = security.core_api_key;
    options.tls = security.core_tls;
    absl::StatusOr<std::unique_ptr<api::Api>> connected = grpc_frontend::ConnectGrpcApi(options);
    if (!connected.ok()) {
      return absl::Status(connected.status().code(),
                          absl::StrCat("core: ", connected.status().message()));
    }
    remote = *std::move(connected);
    api = remote.get();
    own_metrics = std::make_shared<prometheus::Registry>();
    metrics = own_metrics.get();
    if (config.metrics.enabled) {
      RECPLAT_ASSIGN_OR_RETURN(exposer,
                               metrics::MetricsExposer::Start(config.metrics.listen, own_metrics,
                                                              security.metrics));
      ports.metrics = exposer->bound_address();
    }
    return absl::OkStatus();
  }

  // Registers the process-wide info and readiness series with the exposer serving /metrics.
  void RegisterProcessMetrics() {
    metrics::MetricsExposer* serving = runtime != nullptr ? runtime->exposer() : exposer.get();
    if (serving == nullptr) return;
    metrics::BuildInfo build{RECPLAT_VERSION, RECPLAT_BUILD_TYPE, RECPLAT_COMPILER};
    metrics::ProfileInfo profile{config.profile, std::string(config::RoleName(config.role))};
    api::Api* ready_api = api;
    collectors = {std::make_shared<metrics::InfoCollector>(build, profile),
                  std::make_shared<ReadyCollector>([ready_api] { return ready_api->Ready(); })};
    for (const auto& collector : collectors) serving->Register(collector);
  }

  // Starts the frontends (routes on `router` for those that mount on HTTP), then the HTTP
  // listener. Role core serves the native routes only.
  absl::Status StartFrontendsAndHttp() {
    if (config.http.enabled) {
      router = std::make_unique<http::Router>();
      if (security.keys.enabled()) router->SetApiKeys(security.keys, metrics);
      RECPLAT_RETURN_IF_ERROR(http::AddHealthRoutes(api, router.get()));
    }
    const std::vector<std::string> names =
        config.role == config::Role::kCore
            ? std::vector<std::string>{std::string(config::FrontendRegistry::kNative)}
            : config.frontends;
    session_api = std::make_unique<api::ReadYourWritesApi>(
        api, static_cast<size_t>(config.api.read_your_writes_keys));
    for (const std::string& name : names) {
      FrontendContext context{name == config::FrontendRegistry::kNative ? api : session_api.get(),
                              &config, metrics, router.get()};
      // No listener, no native JSON API (the loader lets only `native` go without it).
      if (router == nullptr && name == config::FrontendRegistry::kNative) continue;
      absl::StatusOr<std::unique_ptr<RunningFrontend>> started = StartFrontend(name, context);
      if (!started.ok()) {
        return absl::Status(started.status().code(),
                            absl::StrCat("frontend '", name, "': ", started.status().message()));
      }
      frontends.push_back(*std::move(started));
    }
    if (router == nullptr) return absl::OkStatus();
    const config::HttpConfig& hc = config.http;
    http::HttpServerOptions ho;
    ho.listen = hc.listen;
    ho.threads = hc.threads;
    ho.max_body_bytes = hc.max_body_bytes;
    ho.header_timeout = absl::Seconds(hc.header_timeout_seconds);
    ho.read_timeout = absl::Seconds(hc.read_timeout_seconds);
    ho.idle_timeout = absl::Seconds(hc.idle_timeout_seconds);
    ho.tls = security.http_tls;
    // The route sets' headers (e.g. article_rec's CORS) on the transport's refusals too.
    ho.response_headers = router->response_headers();
    RECPLAT_ASSIGN_OR_RETURN(http, http::HttpServer::Start(ho, router.get(), metrics));
    ports.http = http->address();
    return absl::OkStatus();
  }
};

ServingProcess::ServingProcess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ServingProcess::~ServingProcess() { Shutdown(absl::Seconds(5)); }

const BoundPorts& ServingProcess::ports() const { return impl_->ports; }

absl::StatusOr<std::unique_ptr<ServingProcess>> ServingProcess::Start(
    const config::Config& config, const std::string& profile_path) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  // Before opening anything: a key or certificate that does not load stops start-up at once.
  RECPLAT_ASSIGN_OR_RETURN(impl->security, LoadSecurity(config));
  if (config.role == config::Role::kFrontend) {
    RECPLAT_RETURN_IF_ERROR(impl->ConnectCore());
  } else {
    RECPLAT_ASSIGN_OR_RETURN(impl->runtime, Runtime::Open({config, profile_path}));
    RECPLAT_RETURN_IF_ERROR(impl->runtime->Start(
        /*serve=*/true, ListenerSecurity{impl->security.keys, impl->security.grpc_tls,
                                         impl->security.metrics}));
    impl->api = &impl->runtime->service();
    impl->metrics = &impl->runtime->metrics();
    impl->ports = impl->runtime->ports();
  }
  // From here on a failure must stop what was started: the destructor does.
  std::unique_ptr<ServingProcess> process(new ServingProcess(std::move(impl)));
  process->impl_->RegisterProcessMetrics();
  RECPLAT_RETURN_IF_ERROR(process->impl_->StartFrontendsAndHttp());
  RECPLAT_LOG(Info, "recplat serving",
              {{"profile", config.profile},
               {"role", std::string(config::RoleName(config.role))},
               {"grpc", process->impl_->ports.grpc},
               {"http", process->impl_->ports.http},
               {"metrics", process->impl_->ports.metrics}});
  return process;
}

void ServingProcess::Shutdown(absl::Duration grace) {
  Impl& s = *impl_;
  if (s.shut_down) return;
  s.shut_down = true;
  if (s.runtime != nullptr) s.runtime->service().SetReady(false);
  if (s.http != nullptr) s.http->Shutdown(grace);
  // Frontends stop while the core still accepts their last writes.
  for (auto it = s.frontends.rbegin(); it != s.frontends.rend(); ++it) (*it)->Shutdown();
  s.frontends.clear();
  if (s.runtime != nullptr) s.runtime->Shutdown(grace);
  s.exposer.reset();
  s.remote.reset();
}

}  // namespace recplat::app
