// File: grpc_client.h
//
// Stubs of every recplat.v1 service on one channel, plus small helpers, for end-to-end tests.
#pragma once

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "recplat/v1/admin.grpc.pb.h"
#include "recplat/v1/catalog.grpc.pb.h"
#include "recplat/v1/documents.grpc.pb.h"
#include "recplat/v1/events.grpc.pb.h"
#include "recplat/v1/models.grpc.pb.h"
#include "recplat/v1/recommend.grpc.pb.h"

namespace recplat::testing {

struct GrpcClient {
  explicit GrpcClient(const std::string& address)
      : channel(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
        catalog(v1::CatalogService::NewStub(channel)),
        events(v1::EventService::NewStub(channel)),
        documents(v1::DocumentService::NewStub(channel)),
        recommend(v1::RecommendService::NewStub(channel)),
        models(v1::ModelService::NewStub(channel)),
        admin(v1::AdminService::NewStub(channel)) {}

  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::CatalogService::Stub> catalog;
  std::unique_ptr<v1::EventService::Stub> events;
  std::unique_ptr<v1::DocumentService::Stub> documents;
  std::unique_ptr<v1::RecommendService::Stub> recommend;
  std::unique_ptr<v1::ModelService::Stub> models;
  std::unique_ptr<v1::AdminService::Stub> admin;
};

// A context with a deadline, so a hung server fails the test instead of hanging it.
inline std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 30) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

}  // namespace recplat::testing
