#include "core/grpc/grpc_server.h"

#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/common/metrics/metrics.h"
#include "core/api/status_mapping.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/support/server_interceptor.h"
#include "recplat/v1/admin.grpc.pb.h"
#include "recplat/v1/catalog.grpc.pb.h"
#include "recplat/v1/documents.grpc.pb.h"
#include "recplat/v1/events.grpc.pb.h"
#include "recplat/v1/models.grpc.pb.h"
#include "recplat/v1/recommend.grpc.pb.h"

namespace recplat::grpc_frontend {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), api::ClientMessage(s));
}

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

// Shared by the five service adapters: runs an Api call and finishes the RPC.
class Dispatcher {
 public:
  Dispatcher(api::Api& api, prometheus::Registry& metrics)
      : api_(api), metrics_(metrics, "grpc") {}
  ~Dispatcher() { JoinBlocking(); }

  api::Api& api() { return api_; }

  template <typename Resp, typename Fn>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx, const char* method, Resp* resp,
                                Fn&& fn) {
    const double t0 = common::Clock::Default().MonotonicSeconds();
    auto* reactor = ctx->DefaultReactor();
    absl::StatusOr<Resp> result = fn();
    Finish(reactor, method, resp, std::move(result), t0);
    return reactor;
  }

  // Like Run, for calls that may block for long (training with wait): runs `fn` on its own
  // thread so gRPC's callback threads stay free.
  template <typename Resp, typename Fn>
  grpc::ServerUnaryReactor* RunBlocking(grpc::CallbackServerContext* ctx, const char* method,
                                        Resp* resp, Fn fn) {
    const double t0 = common::Clock::Default().MonotonicSeconds();
    auto* reactor = ctx->DefaultReactor();
    absl::MutexLock lock(&mu_);
    threads_.emplace_back([this, reactor, method, resp, fn = std::move(fn), t0]() mutable {
      Finish(reactor, method, resp, fn(), t0);
    });
    return reactor;
  }

  void JoinBlocking() {
    std::vector<std::thread> threads;
    {
      absl::MutexLock lock(&mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  template <typename Resp>
  void Finish(grpc::ServerUnaryReactor* reactor, const char* method, Resp* resp,
              absl::StatusOr<Resp> result, double t0) {
    grpc::Status status;
    if (result.ok()) {
      *resp = std::move(result).value();
    } else {
      status = ToGrpc(result.status());
      if (result.status().code() == absl::StatusCode::kInternal ||
          result.status().code() == absl::StatusCode::kDataLoss) {
        RECPLAT_LOG(Error, "rpc failed", {{"method", method}, {"error", result.status().ToString()}});
      }
    }
    metrics_.Record(method, api::CodeName(result.status().code()),
                    common::Clock::Default().MonotonicSeconds() - t0);
    reactor->Finish(status);
  }

  api::Api& api_;
  metrics::RequestMetrics metrics_;
  absl::Mutex mu_;
  std::vector<std::thread> threads_;
};

#define RECPLAT_UNARY(Service, Method, Req, Resp)                                           \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Req* req,  \
                                   v1::Resp* resp) override {                             \
    return d_.Run(ctx, #Service "/" #Method, resp, [&] { return d_.api().Method(*req); }); \
  }

class CatalogAdapter final : public v1::CatalogService::CallbackService {
 public:
  explicit CatalogAdapter(Dispatcher& d) : d_(d) {}
  RECPLAT_UNARY(CatalogService, UpsertItems, UpsertItemsRequest, UpsertItemsResponse)
  RECPLAT_UNARY(CatalogService, DeleteItems, DeleteItemsRequest, DeleteItemsResponse)
  RECPLAT_UNARY(CatalogService, GetItem, GetItemRequest, Item)
  RECPLAT_UNARY(CatalogService, ListItems, ListItemsRequest, ListItemsResponse)
  RECPLAT_UNARY(CatalogService, UpsertUsers, UpsertUsersRequest, UpsertUsersResponse)
  RECPLAT_UNARY(CatalogService, GetUser, GetUserRequest, GetUserResponse)

 private:
  Dispatcher& d_;
};

class EventAdapter final : public v1::EventService::CallbackService {
 public:
  explicit EventAdapter(Dispatcher& d) : d_(d) {}
  RECPLAT_UNARY(EventService, AppendEvents, AppendEventsRequest, AppendEventsResponse)

 private:
  Dispatcher& d_;
};

class DocumentAdapter final : public v1::DocumentService::CallbackService {
 public:
  explicit DocumentAdapter(Dispatcher& d) : d_(d) {}
  RECPLAT_UNARY(DocumentService, PutDocuments, PutDocumentsRequest, PutDocumentsResponse)
  RECPLAT_UNARY(DocumentService, GetDocuments, GetDocumentsRequest, GetDocumentsResponse)
  RECPLAT_UNARY(DocumentService, ScanDocuments, ScanDocumentsRequest, ScanDocumentsResponse)

 private:
  Dispatcher& d_;
};

class RecommendAdapter final : public v1::RecommendService::CallbackService {
 public:
  explicit RecommendAdapter(Dispatcher& d) : d_(d) {}
  RECPLAT_UNARY(RecommendService, Recommend, RecommendRequest, RecommendResponse)
  RECPLAT_UNARY(RecommendService, SimilarItems, SimilarItemsRequest, SimilarItemsResponse)

 private:
  Dispatcher& d_;
};

class ModelAdapter final : public v1::ModelService::CallbackService {
 public:
  explicit ModelAdapter(Dispatcher& d) : d_(d) {}
  RECPLAT_UNARY(ModelService, ListModels, ListModelsRequest, ListModelsResponse)
  RECPLAT_UNARY(ModelService, Promote, PromoteRequest, PromoteResponse)

  grpc::ServerUnaryReactor* Train(grpc::CallbackServerContext* ctx, const v1::TrainRequest* req,
                                  v1::TrainResponse* resp) override {
    if (!req->wait()) {
      return d_.Run(ctx, "ModelService/Train", resp, [&] { return d_.api().Train(*req); });
    }
    v1::TrainRequest copy = *req;
    return d_.RunBlocking(ctx, "ModelService/Train", resp,
                          [this, copy] { return d_.api().Train(copy); });
  }

 private:
  Dispatcher& d_;
};

class AdminAdapter final : public v1::AdminService::CallbackService {
 public:
  explicit AdminAdapter(Dispatcher& d) : d_(d) {}
  RECPLAT_UNARY(AdminService, GetStats, GetStatsRequest, GetStatsResponse)
  RECPLAT_UNARY(AdminService, GetConfig, GetConfigRequest, GetConfigResponse)

 private:
  Dispatcher& d_;
};

#undef RECPLAT_UNARY

}  // namespace

struct GrpcServer::Impl {
  Impl(api::Api& api, prometheus::Registry& metrics)
      : dispatcher(api, metrics),
        catalog(dispatcher),
        events(dispatcher),
        documents(dispatcher),
        recommend(dispatcher),
        models(dispatcher),
        admin(dispatcher) {}
  Dispatcher dispatcher;
  CatalogAdapter catalog;
  EventAdapter events;
  DocumentAdapter documents;
  RecommendAdapter recommend;
  ModelAdapter models;
  AdminAdapter admin;
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
  auto impl = std::make_unique<Impl>(api, metrics);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  builder.RegisterService(&impl->catalog);
  builder.RegisterService(&impl->events);
  builder.RegisterService(&impl->documents);
  builder.RegisterService(&impl->recommend);
  builder.RegisterService(&impl->models);
  builder.RegisterService(&impl->admin);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MalformedRequestInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on '", options.listen, "'"));
  }
  impl->bound_address = absl::StrCat(hp->first, ":", port);
  if (auto* health = impl->server->GetHealthCheckService()) health->SetServingStatus(true);
  RECPLAT_LOG(Info, "gRPC server listening", {{"address", impl->bound_address}});
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(impl)));
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (impl_ == nullptr || impl_->shut_down) return;
  impl_->shut_down = true;
  if (auto* health = impl_->server->GetHealthCheckService()) health->SetServingStatus(false);
  impl_->server->Shutdown(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  impl_->dispatcher.JoinBlocking();
  impl_->server->Wait();
}

}  // namespace recplat::grpc_frontend
