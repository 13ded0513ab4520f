#include "core/grpc/internal/service_adapters.h"

#include "core/api/api_keys.h"
#include "recplat/v1/admin.grpc.pb.h"
#include "recplat/v1/catalog.grpc.pb.h"
#include "recplat/v1/documents.grpc.pb.h"
#include "recplat/v1/events.grpc.pb.h"
#include "recplat/v1/models.grpc.pb.h"
#include "recplat/v1/recommend.grpc.pb.h"
#include "recplat/v1/write.grpc.pb.h"

namespace recplat::grpc_frontend::internal {
namespace {

// One unary RPC answered by the Api method of the same name, with the access that method
// needs (api::RequiredAccess, looked up once); metrics label "Service/Method".
#define RECPLAT_UNARY(Service, Method, Req, Resp)                                         \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Req* req,  \
                                   v1::Resp* resp) override {                             \
    static const api::Access access = api::RequiredAccess(#Method);                       \
    return d_.Run(ctx, #Service "/" #Method, access, resp,                                \
                  [&] { return d_.api().Method(*req); });                                 \
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

class WriteAdapter final : public v1::WriteService::CallbackService {
 public:
  explicit WriteAdapter(Dispatcher& d) : d_(d) {}

  // A Write that deletes items needs what DeleteItems needs.
  grpc::ServerUnaryReactor* Write(grpc::CallbackServerContext* ctx, const v1::WriteRequest* req,
                                  v1::WriteResponse* resp) override {
    return d_.Run(ctx, "WriteService/Write", api::RequiredAccess(*req), resp,
                  [&] { return d_.api().Write(*req); });
  }

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
  RECPLAT_UNARY(RecommendService, ScanServed, ScanServedRequest, ScanServedResponse)
  RECPLAT_UNARY(RecommendService, EvaluateServed, EvaluateServedRequest, EvaluateServedResponse)

 private:
  Dispatcher& d_;
};

class ModelAdapter final : public v1::ModelService::CallbackService {
 public:
  explicit ModelAdapter(Dispatcher& d) : d_(d) {}
  RECPLAT_UNARY(ModelService, ListModels, ListModelsRequest, ListModelsResponse)
  RECPLAT_UNARY(ModelService, Promote, PromoteRequest, PromoteResponse)
  RECPLAT_UNARY(ModelService, ModelTrainingStats, ModelTrainingStatsRequest,
                ModelTrainingStatsResponse)

  grpc::ServerUnaryReactor* Train(grpc::CallbackServerContext* ctx, const v1::TrainRequest* req,
                                  v1::TrainResponse* resp) override {
    static const api::Access access = api::RequiredAccess("Train");
    if (!req->wait()) {
      return d_.Run(ctx, "ModelService/Train", access, resp,
                    [&] { return d_.api().Train(*req); });
    }
    v1::TrainRequest copy = *req;
    return d_.RunBlocking(ctx, "ModelService/Train", access, resp,
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

std::vector<std::unique_ptr<grpc::Service>> MakeServiceAdapters(Dispatcher& dispatcher) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<CatalogAdapter>(dispatcher));
  services.push_back(std::make_unique<WriteAdapter>(dispatcher));
  services.push_back(std::make_unique<EventAdapter>(dispatcher));
  services.push_back(std::make_unique<DocumentAdapter>(dispatcher));
  services.push_back(std::make_unique<RecommendAdapter>(dispatcher));
  services.push_back(std::make_unique<ModelAdapter>(dispatcher));
  services.push_back(std::make_unique<AdminAdapter>(dispatcher));
  return services;
}

}  // namespace recplat::grpc_frontend::internal
