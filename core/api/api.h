// File: api.h
//
// Api: the internal API of recplat as a C++ interface, one method per RPC of
// proto/recplat/v1/*.proto. Frontends (gRPC, HTTP, WebSocket JSON-RPC, batch) decode their
// protocol into these messages, call an Api, and encode the answer; they never reach the state
// store, the models or the engine, and keep no state or ranking rule of their own. Two
// implementations: service::LocalService (in-process, role `all` and `core`) and the gRPC
// client of core/grpc (role `frontend`), so a frontend works either way unchanged.
//
// This module (core/api) is all of the core that frontends and tools/ may include, besides
// core/common (scripts/check-layering.sh).
//
// Errors are absl::Status with the canonical codes documented on each RPC in the .proto files;
// status_mapping.h turns them into each protocol's codes.
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include "absl/status/statusor.h"
#include "recplat/v1/admin.pb.h"
#include "recplat/v1/catalog.pb.h"
#include "recplat/v1/documents.pb.h"
#include "recplat/v1/events.pb.h"
#include "recplat/v1/models.pb.h"
#include "recplat/v1/monitoring.pb.h"
#include "recplat/v1/recommend.pb.h"
#include "recplat/v1/write.pb.h"

namespace recplat::api {

class Api {
 public:
  virtual ~Api() = default;

  // CatalogService
  virtual absl::StatusOr<v1::UpsertItemsResponse> UpsertItems(const v1::UpsertItemsRequest&) = 0;
  virtual absl::StatusOr<v1::DeleteItemsResponse> DeleteItems(const v1::DeleteItemsRequest&) = 0;
  virtual absl::StatusOr<v1::Item> GetItem(const v1::GetItemRequest&) = 0;
  virtual absl::StatusOr<v1::ListItemsResponse> ListItems(const v1::ListItemsRequest&) = 0;
  virtual absl::StatusOr<v1::UpsertUsersResponse> UpsertUsers(const v1::UpsertUsersRequest&) = 0;
  virtual absl::StatusOr<v1::GetUserResponse> GetUser(const v1::GetUserRequest&) = 0;

  // WriteService: any mix of writes, validated as a whole and appended atomically.
  virtual absl::StatusOr<v1::WriteResponse> Write(const v1::WriteRequest&) = 0;

  // EventService
  virtual absl::StatusOr<v1::AppendEventsResponse> AppendEvents(const v1::AppendEventsRequest&) = 0;

  // DocumentService
  virtual absl::StatusOr<v1::PutDocumentsResponse> PutDocuments(
      const v1::PutDocumentsRequest&) = 0;
  virtual absl::StatusOr<v1::GetDocumentsResponse> GetDocuments(
      const v1::GetDocumentsRequest&) = 0;
  virtual absl::StatusOr<v1::ScanDocumentsResponse> ScanDocuments(
      const v1::ScanDocumentsRequest&) = 0;

  // RecommendService
  virtual absl::StatusOr<v1::RecommendResponse> Recommend(const v1::RecommendRequest&) = 0;
  virtual absl::StatusOr<v1::SimilarItemsResponse> SimilarItems(
      const v1::SimilarItemsRequest&) = 0;
  virtual absl::StatusOr<v1::ScanServedResponse> ScanServed(const v1::ScanServedRequest&) = 0;
  // Online evaluation of the served lists against recorded clicks (monitoring.proto).
  virtual absl::StatusOr<v1::EvaluateServedResponse> EvaluateServed(
      const v1::EvaluateServedRequest&) = 0;

  // ModelService
  virtual absl::StatusOr<v1::ListModelsResponse> ListModels(const v1::ListModelsRequest&) = 0;
  virtual absl::StatusOr<v1::TrainResponse> Train(const v1::TrainRequest&) = 0;
  virtual absl::StatusOr<v1::PromoteResponse> Promote(const v1::PromoteRequest&) = 0;
  // Training statistics of the registry's versions (monitoring.proto).
  virtual absl::StatusOr<v1::ModelTrainingStatsResponse> ModelTrainingStats(
      const v1::ModelTrainingStatsRequest&) = 0;

  // AdminService
  virtual absl::StatusOr<v1::GetStatsResponse> GetStats(const v1::GetStatsRequest&) = 0;
  virtual absl::StatusOr<v1::GetConfigResponse> GetConfig(const v1::GetConfigRequest&) = 0;

  // Whether the core is ready to serve (state caught up with the log at start-up).
  virtual bool Ready() const = 0;
};

}  // namespace recplat::api
