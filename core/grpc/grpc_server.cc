#include "core/grpc/grpc_server.h"

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/common/logging.h"
#include "core/common/metrics/metrics.h"
#include "core/grpc/internal/dispatcher.h"
#include "core/grpc/internal/service_adapters.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/support/server_interceptor.h"

namespace recplat::grpc_frontend {
namespace {

// Turns the failure gRPC reports for an undecodable request message (UNIMPLEMENTED or INTERNAL
// with no useful text) into INVALID_ARGUMENT.
class MalformedRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      malformed_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        malformed_ && !methods->GetSendStatus().ok()) {
      methods->ModifySendStatus(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                             "malformed request: the message does not decode"));
    }
    methods->Proceed();
  }

 private:
  bool malformed_ = false;
};

class MalformedRequestInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new MalformedRequestInterceptor();
  }
};

// The listener's credentials: TLS (mutual with client CAs) or plaintext.
std::shared_ptr<grpc::ServerCredentials> Credentials(const common::ServerTls& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      tls.require_client_cert() ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_root_certs = tls.client_ca_pem;
  options.pem_key_cert_pairs.push_back({tls.private_key_pem, tls.cert_chain_pem});
  return grpc::SslServerCredentials(options);
}

}  // namespace

struct GrpcServer::Impl {
  Impl(api::Api& api, prometheus::Registry& metrics, api::ApiKeys keys)
      : dispatcher(api, metrics, std::move(keys)),
        services(internal::MakeServiceAdapters(dispatcher)) {}

  // Keeps the health service's status equal to api.Ready() until Shutdown. Runs on
  // `health_thread`.
  void PollHealth(absl::Duration interval) {
    bool serving = true;  // Start() sets SERVING.
    absl::MutexLock lock(&health_mu);
    while (!health_stop) {
      const bool ready = dispatcher.api().Ready();
      if (ready != serving) {
        serving = ready;
        if (auto* health = server->GetHealthCheckService()) {
          health->SetServingStatus(serving);
        }
      }
      health_mu.AwaitWithTimeout(absl::Condition(&health_stop), interval);
    }
  }

  internal::Dispatcher dispatcher;
  std::vector<std::unique_ptr<grpc::Service>> services;
  absl::Mutex health_mu;
  bool health_stop ABSL_GUARDED_BY(health_mu) = false;
  std::thread health_thread;
  // Declared after the services and the dispatcher: destroyed before them.
  std::unique_ptr<grpc::Server> server;
  std::string bound_address;
  bool shut_down = false;
};

GrpcServer::GrpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GrpcServer::~GrpcServer() { Shutdown(absl::Seconds(5)); }

const std::string& GrpcServer::bound_address() const { return impl_->bound_address; }

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const GrpcServerOptions& options,
                                                              api::Api& api,
                                                              prometheus::Registry& metrics) {
  auto hp = metrics::SplitHostPort(options.listen);
  if (!hp.ok()) return hp.status();
  if (options.health_poll_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("health_poll_interval: must be > 0");
  }
  if (absl::Status tls = common::CheckServerTls(options.tls); !tls.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("gRPC server: TLS: ", tls.message()));
  }
  auto impl = std::make_unique<Impl>(api, metrics, options.keys);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, Credentials(options.tls), &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  for (const auto& service : impl->services) {
    builder.RegisterService(service.get());
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MalformedRequestInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on '", options.listen, "'"));
  }
  impl->bound_address = absl::StrCat(hp->first, ":", port);
  if (auto* health = impl->server->GetHealthCheckService()) health->SetServingStatus(true);
  Impl* raw = impl.get();
  impl->health_thread =
      std::thread([raw, interval = options.health_poll_interval] { raw->PollHealth(interval); });
  RECPLAT_LOG(Info, "gRPC server listening",
              {{"address", impl->bound_address},
               {"tls", !options.tls.enabled()              ? "off"
                       : options.tls.require_client_cert() ? "mutual"
                                                           : "on"},
               {"api_keys", options.keys.enabled() ? "on" : "off"}});
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(impl)));
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (impl_ == nullptr || impl_->shut_down) return;
  impl_->shut_down = true;
  {
    absl::MutexLock lock(&impl_->health_mu);
    impl_->health_stop = true;
  }
  impl_->health_thread.join();
  if (auto* health = impl_->server->GetHealthCheckService()) health->SetServingStatus(false);
  impl_->server->Shutdown(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  impl_->dispatcher.JoinBlocking();
  impl_->server->Wait();
}

}  // namespace recplat::grpc_frontend
