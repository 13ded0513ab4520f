// File: service_adapters.h (private to core/grpc)
//
// The recplat.v1 gRPC services (Catalog, Write, Event, Document, Recommend, Model, Admin) as
// callback services, each RPC adapted to the api::Api method of the same name through a
// Dispatcher. They hold no state of their own.
//
// Ownership: the dispatcher is not owned and must outlive the services.
// Thread-safety: RPCs run concurrently on gRPC's callback threads.
#pragma once

#include <memory>
#include <vector>

#include "core/grpc/internal/dispatcher.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/service_type.h"

namespace recplat::grpc_frontend::internal {

// One service object per recplat.v1 service, to register with a grpc::ServerBuilder.
std::vector<std::unique_ptr<grpc::Service>> MakeServiceAdapters(Dispatcher& dispatcher);

}  // namespace recplat::grpc_frontend::internal
