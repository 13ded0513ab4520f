// File: grpc_test_util.h
//
// A GrpcServer on 127.0.0.1:0 over a FakeApi, with a gRPC Api client connected to it, for the
// tests of core/grpc.
#pragma once

#include <memory>

#include "core/api/api.h"
#include "core/grpc/grpc_api_client.h"
#include "core/grpc/grpc_server.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/testing/fake_api.h"
#include "tests/testing/status_matchers.h"

namespace recplat::grpc_frontend {

class GrpcLoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GrpcServerOptions options;
    options.listen = "127.0.0.1:0";
    options.health_poll_interval = absl::Milliseconds(10);
    ASSERT_OK_AND_ASSIGN(server_, GrpcServer::Start(options, fake_, registry_));
    ASSERT_OK_AND_ASSIGN(client_, ConnectGrpcApi(ClientOptions()));
  }

  // Options of a client of server_: 10 s deadline, Ready() never cached.
  GrpcApiClientOptions ClientOptions() const {
    GrpcApiClientOptions options;
    options.address = server_->bound_address();
    options.timeout = absl::Seconds(10);
    options.ready_cache = absl::ZeroDuration();
    return options;
  }

  // Declared in construction order: the client goes first, the fake last.
  testing::FakeApi fake_;
  prometheus::Registry registry_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<api::Api> client_;
};

}  // namespace recplat::grpc_frontend
