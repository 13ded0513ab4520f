// Access control and TLS of GrpcServer and the gRPC Api client (grpc_server.h, "Access
// control", "TLS"; grpc_api_client.h, "Credentials"), over loopback against a FakeApi.
#include <map>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "core/api/api_keys.h"
#include "tests/core/grpc/grpc_test_util.h"
#include "tests/testing/test_pki.h"

namespace recplat::grpc_frontend {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kUserKey[] = "user-key-0123456789abcdef";
constexpr char kUserKey2[] = "user-key-rotated-0123456789";
constexpr char kAdminKey[] = "admin-key-0123456789abcdef";

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

class GrpcAuthTest : public ::testing::Test {
 protected:
  void Start(GrpcServerOptions options) {
    options.listen = "127.0.0.1:0";
    options.health_poll_interval = absl::Milliseconds(10);
    ASSERT_OK_AND_ASSIGN(server_, GrpcServer::Start(options, fake_, registry_));
  }

  void StartWithKeys() {
    GrpcServerOptions options;
    ASSERT_OK_AND_ASSIGN(options.keys,
                         api::ApiKeys::Create({kUserKey, kUserKey2}, {kAdminKey}));
    Start(std::move(options));
  }

  std::unique_ptr<api::Api> Client(const std::string& key, common::ClientTls tls = {}) {
    GrpcApiClientOptions options;
    options.address = server_->bound_address();
    options.timeout = absl::Seconds(10);
    options.ready_cache = absl::ZeroDuration();
    options.api_key = key;
    options.tls = std::move(tls);
    absl::StatusOr<std::unique_ptr<api::Api>> client = ConnectGrpcApi(options);
    EXPECT_OK(client.status());
    return client.ok() ? *std::move(client) : nullptr;
  }

  // reason -> count of recplat_auth_failures_total{transport="grpc"}, and the request count of
  // `method` with `code`.
  std::map<std::string, double> Failures() {
    std::map<std::string, double> out;
    for (const auto& family : registry_.Collect()) {
      if (family.name != "recplat_auth_failures_total") continue;
      for (const auto& metric : family.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& label : metric.label) labels[label.name] = label.value;
        if (labels["transport"] == "grpc") out[labels["reason"]] = metric.counter.value;
      }
    }
    return out;
  }
  double Requests(const std::string& method, const std::string& code) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != "recplat_grpc_requests_total") continue;
      for (const auto& metric : family.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& label : metric.label) labels[label.name] = label.value;
        if (labels["method"] == method && labels["code"] == code) return metric.counter.value;
      }
    }
    return 0;
  }

  testing::FakeApi fake_;
  prometheus::Registry registry_;
  std::unique_ptr<GrpcServer> server_;
};

TEST_F(GrpcAuthTest, NoKeyOrAWrongKeyIsUnauthenticated) {
  StartWithKeys();
  auto anonymous = Client("");
  EXPECT_THAT(anonymous->Recommend({}),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("Bearer")));
  auto wrong = Client("wrong-key-0123456789abcdef");
  EXPECT_THAT(wrong->Recommend({}), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(wrong->GetConfig({}), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_TRUE(fake_.CallOrder().empty()) << "the Api must not be called";
  EXPECT_THAT(Failures(), UnorderedElementsAre(Pair("missing", 1), Pair("invalid", 2),
                                               Pair("forbidden", 0)));
  EXPECT_EQ(Requests("RecommendService/Recommend", "UNAUTHENTICATED"), 2);
}

TEST_F(GrpcAuthTest, UserKeysReachUserRpcsAndArePermissionDeniedOnAdminRpcs) {
  StartWithKeys();
  for (const char* key : {kUserKey, kUserKey2}) {  // rotation: both keys are valid
    auto user = Client(key);
    EXPECT_OK(user->Recommend({}).status());
    EXPECT_OK(user->AppendEvents({}).status());
    EXPECT_OK(user->UpsertItems({}).status());
    EXPECT_OK(user->ListModels({}).status());
    v1::WriteRequest write;
    write.add_ops()->mutable_upsert_item()->set_id("a");
    EXPECT_OK(user->Write(write).status());
  }
  fake_.ClearCalls();
  auto user = Client(kUserKey);
  EXPECT_THAT(user->Train({}), StatusIs(absl::StatusCode::kPermissionDenied));
  v1::TrainRequest waiting;
  waiting.set_wait(true);
  EXPECT_THAT(user->Train(waiting), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(user->Promote({}), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(user->DeleteItems({}), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(user->GetConfig({}), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(user->GetStats({}), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(user->ScanServed({}), StatusIs(absl::StatusCode::kPermissionDenied));
  v1::WriteRequest deleting;
  deleting.add_ops()->mutable_delete_item()->set_id("a");
  EXPECT_THAT(user->Write(deleting), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_TRUE(fake_.CallOrder().empty());
  EXPECT_EQ(Failures()["forbidden"], 8);

  auto admin = Client(kAdminKey);
  EXPECT_OK(admin->Train({}).status());
  EXPECT_OK(admin->Train(waiting).status());
  EXPECT_OK(admin->Promote({}).status());
  EXPECT_OK(admin->DeleteItems({}).status());
  EXPECT_OK(admin->GetConfig({}).status());
  EXPECT_OK(admin->Write(deleting).status());
  EXPECT_OK(admin->Recommend({}).status());
}

TEST_F(GrpcAuthTest, HealthStaysOpen) {
  StartWithKeys();
  auto anonymous = Client("");
  EXPECT_TRUE(Eventually([&] { return anonymous->Ready(); }));
  fake_.SetReady(false);
  EXPECT_TRUE(Eventually([&] { return !anonymous->Ready(); }));
}

TEST_F(GrpcAuthTest, WithoutKeysEverythingIsOpen) {
  Start({});
  auto anonymous = Client("");
  EXPECT_OK(anonymous->GetConfig({}).status());
  EXPECT_OK(Client(kUserKey)->Train({}).status());  // a key nobody asked for is ignored
}

TEST(GrpcClientKeyTest, AMalformedKeyIsRefusedWithoutEchoingIt) {
  GrpcApiClientOptions options;
  options.address = "127.0.0.1:1";
  options.api_key = "short secret";
  EXPECT_THAT(ConnectGrpcApi(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("api_key"), ::testing::Not(HasSubstr("secret")))));
}

class GrpcTlsTest : public GrpcAuthTest {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(pki_, testing::MakeTestPki()); }

  void StartTls(bool mutual, bool with_keys = false) {
    GrpcServerOptions options;
    options.tls.cert_chain_pem = pki_.server.cert_pem;
    options.tls.private_key_pem = pki_.server.key_pem;
    if (mutual) options.tls.client_ca_pem = pki_.ca_pem;
    if (with_keys) {
      ASSERT_OK_AND_ASSIGN(options.keys, api::ApiKeys::Create({kUserKey}, {kAdminKey}));
    }
    Start(std::move(options));
  }

  common::ClientTls Tls(const testing::PemPair* cert = nullptr) const {
    common::ClientTls tls;
    tls.enabled = true;
    tls.ca_pem = pki_.ca_pem;
    if (cert != nullptr) {
      tls.cert_chain_pem = cert->cert_pem;
      tls.private_key_pem = cert->key_pem;
    }
    return tls;
  }

  testing::TestPki pki_;
};

TEST_F(GrpcTlsTest, ServesTlsClientsAndRefusesPlaintextOnes) {
  StartTls(/*mutual=*/false);
  auto tls = Client("", Tls());
  EXPECT_OK(tls->Recommend({}).status());
  EXPECT_TRUE(Eventually([&] { return tls->Ready(); }));
  auto plain = Client("");
  EXPECT_THAT(plain->Recommend({}), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_FALSE(plain->Ready());
}

TEST_F(GrpcTlsTest, TheServerCertificateIsVerified) {
  StartTls(/*mutual=*/false);
  common::ClientTls untrusting = Tls();
  untrusting.ca_pem = pki_.stranger.cert_pem;
  EXPECT_THAT(Client("", untrusting)->Recommend({}), StatusIs(absl::StatusCode::kUnavailable));
  common::ClientTls wrong_name = Tls();
  wrong_name.server_name = "not-the-server.example";
  EXPECT_THAT(Client("", wrong_name)->Recommend({}), StatusIs(absl::StatusCode::kUnavailable));
  common::ClientTls right_name = Tls();
  right_name.server_name = "localhost";
  EXPECT_OK(Client("", right_name)->Recommend({}).status());
}

TEST_F(GrpcTlsTest, MutualTlsNeedsAClientCertificateOfTheClientCa) {
  StartTls(/*mutual=*/true);
  EXPECT_OK(Client("", Tls(&pki_.client))->Recommend({}).status());
  EXPECT_THAT(Client("", Tls())->Recommend({}), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(Client("", Tls(&pki_.stranger))->Recommend({}),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(GrpcTlsTest, KeysOverMutualTls) {
  StartTls(/*mutual=*/true, /*with_keys=*/true);
  EXPECT_THAT(Client("", Tls(&pki_.client))->Recommend({}),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(Client(kUserKey, Tls(&pki_.client))->Train({}),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_OK(Client(kAdminKey, Tls(&pki_.client))->Train({}).status());
}

TEST_F(GrpcTlsTest, TlsMaterialThatDoesNotLoadIsInvalidArgument) {
  GrpcServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls.cert_chain_pem = pki_.server.cert_pem;
  options.tls.private_key_pem = pki_.client.key_pem;
  EXPECT_THAT(GrpcServer::Start(options, fake_, registry_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not match")));
  GrpcApiClientOptions client;
  client.address = "127.0.0.1:1";
  client.tls = Tls(&pki_.client);
  client.tls.private_key_pem = pki_.server.key_pem;
  EXPECT_THAT(ConnectGrpcApi(client),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not match")));
  client.tls = Tls();
  client.tls.ca_pem = "garbage";
  EXPECT_THAT(ConnectGrpcApi(client),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("CA")));
}

}  // namespace
}  // namespace recplat::grpc_frontend
