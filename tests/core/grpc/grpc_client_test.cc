// The gRPC Api client's contract: status codes and messages, deadlines, message sizes, a core
// that is down, Ready() from the core's health service, concurrent calls, bad options.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "core/api/status_mapping.h"
#include "tests/core/grpc/grpc_test_util.h"

namespace recplat::grpc_frontend {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

// Polls `condition` until it holds or 10 s pass.
template <typename Fn>
bool Eventually(Fn condition) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return condition();
}

using GrpcClientTest = GrpcLoopbackTest;

TEST_F(GrpcClientTest, EveryCodeComesBackWithItsMessage) {
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    const absl::Status sent(code, absl::StrCat("message for ", absl::StatusCodeToString(code),
                                               ": ops[2].counter.name 'naïve'"));
    SCOPED_TRACE(sent.ToString());
    fake_.recommend().Fail(sent);
    absl::StatusOr<v1::RecommendResponse> got = client_->Recommend({});
    EXPECT_THAT(got, StatusIs(code, api::ClientMessage(sent)));
    const bool internal = code == absl::StatusCode::kInternal ||
                          code == absl::StatusCode::kUnknown || code == absl::StatusCode::kDataLoss;
    if (internal) {
      // Details stay in the server log.
      EXPECT_THAT(got.status().message(), ::testing::Not(HasSubstr("ops[2]")));
    } else {
      EXPECT_EQ(got.status().message(), sent.message());
    }
  }
}

TEST_F(GrpcClientTest, MonitoringCallsCarryTheCoresFiguresAndErrors) {
  v1::EvaluateServedResponse figures;
  figures.mutable_general()->set_predictions(3);
  (*figures.mutable_models())["ease"].set_hits(2);
  fake_.evaluate_served().Respond(figures);
  v1::EvaluateServedRequest request;
  request.set_k(10);
  request.mutable_clicks()->set_event_type("product_detail_enter");
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got, client_->EvaluateServed(request));
  EXPECT_EQ(got.general().predictions(), 3);
  EXPECT_EQ(got.models().at("ease").hits(), 2);
  EXPECT_EQ(fake_.evaluate_served().last_request().clicks().event_type(), "product_detail_enter");
  fake_.evaluate_served().Fail(absl::FailedPreconditionError("clicks.event_type: not recorded"));
  EXPECT_THAT(client_->EvaluateServed(request),
              StatusIs(absl::StatusCode::kFailedPrecondition, "clicks.event_type: not recorded"));
  fake_.model_training_stats().Fail(absl::NotFoundError("model 'x' is not configured"));
  EXPECT_THAT(client_->ModelTrainingStats({}),
              StatusIs(absl::StatusCode::kNotFound, "model 'x' is not configured"));
}

TEST_F(GrpcClientTest, LongMessagesAreCapped) {
  fake_.write().Fail(absl::InvalidArgumentError(std::string(5000, 'x')));
  absl::StatusOr<v1::WriteResponse> got = client_->Write({});
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(got.status().message().size(), api::kMaxClientMessage);
}

TEST_F(GrpcClientTest, ACallOutlivingItsDeadlineFailsWithDeadlineExceeded) {
  GrpcApiClientOptions options = ClientOptions();
  options.timeout = absl::Milliseconds(200);
  ASSERT_OK_AND_ASSIGN(auto client, ConnectGrpcApi(options));
  // Shared with the handler, which may still be returning from its wait when the test ends.
  auto release = std::make_shared<absl::Notification>();
  fake_.scan_served().Handle(
      [release](const v1::ScanServedRequest&) -> absl::StatusOr<v1::ScanServedResponse> {
        release->WaitForNotificationWithTimeout(absl::Seconds(30));
        return v1::ScanServedResponse();
      });
  const absl::Time t0 = absl::Now();
  EXPECT_THAT(client->ScanServed({}), StatusIs(absl::StatusCode::kDeadlineExceeded));
  const absl::Duration took = absl::Now() - t0;
  release->Notify();
  EXPECT_GE(took, absl::Milliseconds(150));
  EXPECT_LT(took, absl::Seconds(5));  // Did not wait for the handler.
  // The channel stays usable.
  fake_.scan_served().Reset();
  EXPECT_OK(client->ScanServed({}));
}

TEST_F(GrpcClientTest, MessagesOverTheLimitAreResourceExhausted) {
  GrpcApiClientOptions options = ClientOptions();
  options.max_message_bytes = 4096;
  ASSERT_OK_AND_ASSIGN(auto client, ConnectGrpcApi(options));
  v1::WriteRequest big;
  big.add_ops()->mutable_put_document()->set_body(std::string(10000, 'b'));
  EXPECT_THAT(client->Write(big), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(fake_.write().calls(), 0);  // Never sent.

  v1::ScanDocumentsResponse large;
  large.add_documents()->set_body(std::string(10000, 'd'));
  fake_.scan_documents().Respond(large);
  EXPECT_THAT(client->ScanDocuments({}), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(fake_.scan_documents().calls(), 1);
  // Within the limit both ways: fine.
  big.mutable_ops(0)->mutable_put_document()->set_body("small");
  EXPECT_OK(client->Write(big));
}

TEST_F(GrpcClientTest, ACoreThatIsDownIsUnavailableAndNotReady) {
  const std::string address = server_->bound_address();
  client_.reset();
  server_->Shutdown(absl::Seconds(1));
  server_.reset();
  GrpcApiClientOptions options;
  options.address = address;
  options.timeout = absl::Seconds(10);
  ASSERT_OK_AND_ASSIGN(auto client, ConnectGrpcApi(options));
  const absl::Time t0 = absl::Now();
  EXPECT_THAT(client->Recommend({}), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(client->Write({}), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(absl::Now() - t0, absl::Seconds(5));  // Fails fast, not at the deadline.
  EXPECT_FALSE(client->Ready());
  EXPECT_EQ(fake_.CallOrder().size(), 0u);
}

TEST_F(GrpcClientTest, ReadyFollowsTheCoresHealth) {
  EXPECT_TRUE(client_->Ready());
  fake_.SetReady(false);
  EXPECT_TRUE(Eventually([&] { return !client_->Ready(); }));
  fake_.SetReady(true);
  EXPECT_TRUE(Eventually([&] { return client_->Ready(); }));
  server_->Shutdown(absl::Seconds(1));
  EXPECT_FALSE(client_->Ready());  // NOT_SERVING, then no server at all.
}

TEST_F(GrpcClientTest, ReadyIsCachedForReadyCache) {
  GrpcApiClientOptions options = ClientOptions();
  options.ready_cache = absl::Hours(1);
  ASSERT_OK_AND_ASSIGN(auto client, ConnectGrpcApi(options));
  EXPECT_TRUE(client->Ready());
  server_->Shutdown(absl::Seconds(1));
  EXPECT_TRUE(client->Ready());    // The cached answer.
  EXPECT_FALSE(client_->Ready());  // A client without cache asks again.
}

TEST_F(GrpcClientTest, ConcurrentCallsEachGetTheirOwnAnswer) {
  fake_.recommend().Handle(
      [](const v1::RecommendRequest& r) -> absl::StatusOr<v1::RecommendResponse> {
        v1::RecommendResponse resp;
        resp.set_recommendation_id("for-" + r.user_id());
        resp.add_items()->set_item_id(r.surface());
        return resp;
      });
  constexpr int kThreads = 8;
  constexpr int kCalls = 25;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        v1::RecommendRequest req;
        req.set_user_id(absl::StrCat("u", t, "-", i));
        req.set_surface(absl::StrCat("s", i));
        absl::StatusOr<v1::RecommendResponse> got = client_->Recommend(req);
        if (!got.ok() || got->recommendation_id() != "for-" + req.user_id() ||
            got->items_size() != 1 || got->items(0).item_id() != req.surface()) {
          wrong.fetch_add(1);
        }
        if (!client_->Ready()) wrong.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(fake_.recommend().calls(), kThreads * kCalls);
}

TEST(GrpcApiClientOptionsTest, BadOptionsAreInvalidArgument) {
  GrpcApiClientOptions options;
  for (const char* bad : {"", "localhost", ":50051", "host:0", "host:65536", "host:http", "a b:1",
                          "::1:80", "[::1:80"}) {
    options.address = bad;
    EXPECT_THAT(ConnectGrpcApi(options),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("address")))
        << bad;
  }
  for (const char* good : {"localhost:50051", "127.0.0.1:1", "[::1]:65535", "core.svc:8080"}) {
    options.address = good;
    EXPECT_OK(ConnectGrpcApi(options)) << good;
  }
  options.timeout = absl::ZeroDuration();
  EXPECT_THAT(ConnectGrpcApi(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("timeout")));
  options.timeout = absl::Seconds(1);
  options.max_message_bytes = 0;
  EXPECT_THAT(ConnectGrpcApi(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_message_bytes")));
  options.max_message_bytes = int64_t{1} << 40;
  EXPECT_THAT(ConnectGrpcApi(options), StatusIs(absl::StatusCode::kInvalidArgument));
  options.max_message_bytes = 1024;
  options.ready_cache = -absl::Seconds(1);
  EXPECT_THAT(ConnectGrpcApi(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ready_cache")));
}

TEST(GrpcServerOptionsTest, BadOptionsAreRejected) {
  testing::FakeApi fake;
  prometheus::Registry registry;
  GrpcServerOptions options;
  options.listen = "127.0.0.1:0";
  options.health_poll_interval = absl::ZeroDuration();
  EXPECT_THAT(GrpcServer::Start(options, fake, registry),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("health_poll_interval")));
  options.health_poll_interval = absl::Milliseconds(10);
  options.listen = "nonsense";
  EXPECT_THAT(GrpcServer::Start(options, fake, registry),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::grpc_frontend
