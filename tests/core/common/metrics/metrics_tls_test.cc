// MetricsExposer protected (metrics.h, MetricsServerOptions): HTTPS with a certificate from a
// throwaway CA, plaintext refused, mutual TLS, TLS material that does not load, and bearer
// tokens over plain HTTP and over HTTPS.
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "core/common/metrics/metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/https_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_pki.h"

namespace recplat::metrics {
namespace {

using ::recplat::testing::Answer;
using ::recplat::testing::HttpsClient;
using ::recplat::testing::PlainGet;
using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;
using Verb = HttpsClient::Verb;

constexpr char kToken[] = "scrape-token-0123456789";

int PortOf(const MetricsExposer& exposer) {
  const std::string& address = exposer.bound_address();
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) << address;
  return port;
}

// Accepts exactly "Bearer <kToken>" (the apps pass api::ApiKeys::Check).
bool AcceptToken(std::string_view value) { return value == std::string("Bearer ") + kToken; }

class MetricsTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(pki_, testing::MakeTestPki());
    registry_ = std::make_shared<prometheus::Registry>();
  }

  common::ServerTls Tls(bool mutual) const {
    common::ServerTls tls;
    tls.cert_chain_pem = pki_.server.cert_pem;
    tls.private_key_pem = pki_.server.key_pem;
    if (mutual) tls.client_ca_pem = pki_.ca_pem;
    return tls;
  }

  testing::TestPki pki_;
  std::shared_ptr<prometheus::Registry> registry_;
};

TEST_F(MetricsTlsTest, ServesOverHttpsOnlyWhenACertificateIsSet) {
  ASSERT_OK_AND_ASSIGN(auto exposer,
                       MetricsExposer::Start("127.0.0.1:0", registry_, {.tls = Tls(false)}));
  HttpsClient client(PortOf(*exposer), pki_.ca_pem, nullptr);
  ASSERT_TRUE(client.handshake_ok());
  Answer got = client.Send(Verb::get, "/metrics");
  EXPECT_EQ(got.status, 200);
  EXPECT_THAT(got.body, HasSubstr("process_open_fds "));
  EXPECT_TRUE(got.keep_alive);
  EXPECT_EQ(client.Send(Verb::get, "/other").status, 404) << "the connection is kept";
  Answer last = client.Send(Verb::get, "/metrics", "", /*close=*/true);
  EXPECT_EQ(last.status, 200);
  EXPECT_TRUE(client.ShutdownCleanly());
  EXPECT_EQ(PlainGet(PortOf(*exposer), "/metrics"), 0) << "plaintext gets no HTTP answer";
}

TEST_F(MetricsTlsTest, MutualTlsRefusesClientsWithoutATrustedCertificate) {
  ASSERT_OK_AND_ASSIGN(auto exposer,
                       MetricsExposer::Start("127.0.0.1:0", registry_, {.tls = Tls(true)}));
  const int port = PortOf(*exposer);
  HttpsClient with_cert(port, pki_.ca_pem, &pki_.client);
  ASSERT_TRUE(with_cert.handshake_ok());
  EXPECT_EQ(with_cert.Send(Verb::get, "/metrics").status, 200);
  HttpsClient without(port, pki_.ca_pem, nullptr);
  EXPECT_EQ(without.Send(Verb::get, "/metrics").status, 0);
  HttpsClient stranger(port, pki_.ca_pem, &pki_.stranger);
  EXPECT_EQ(stranger.Send(Verb::get, "/metrics").status, 0);
}

TEST_F(MetricsTlsTest, TlsMaterialThatDoesNotLoadFailsTheStart) {
  common::ServerTls mismatched = Tls(false);
  mismatched.private_key_pem = pki_.client.key_pem;
  EXPECT_THAT(MetricsExposer::Start("127.0.0.1:0", registry_, {.tls = mismatched}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not match")));
  common::ServerTls garbage = Tls(false);
  garbage.cert_chain_pem = "not a certificate";
  EXPECT_THAT(MetricsExposer::Start("127.0.0.1:0", registry_, {.tls = garbage}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(MetricsTlsTest, ABearerTokenIsRequiredWhenConfigured) {
  ASSERT_OK_AND_ASSIGN(auto exposer,
                       MetricsExposer::Start("127.0.0.1:0", registry_,
                                             {.tls = Tls(false), .authorize = AcceptToken}));
  HttpsClient client(PortOf(*exposer), pki_.ca_pem, nullptr);
  ASSERT_TRUE(client.handshake_ok());
  Answer missing = client.Send(Verb::get, "/metrics");
  EXPECT_EQ(missing.status, 401);
  EXPECT_THAT(missing.www_authenticate, HasSubstr("Bearer"));
  EXPECT_THAT(missing.body, ::testing::Not(HasSubstr("process_")));
  EXPECT_EQ(client.Send(Verb::get, "/metrics", "Bearer wrong-token-0123456789").status, 401);
  EXPECT_EQ(client.Send(Verb::get, "/other", "").status, 401) << "nothing is revealed";
  Answer ok = client.Send(Verb::get, "/metrics", std::string("Bearer ") + kToken);
  EXPECT_EQ(ok.status, 200);
  EXPECT_THAT(ok.body, HasSubstr("process_open_fds "));
}

TEST_F(MetricsTlsTest, ABearerTokenWorksOverPlainHttpToo) {
  ASSERT_OK_AND_ASSIGN(auto exposer,
                       MetricsExposer::Start("127.0.0.1:0", registry_, {.authorize = AcceptToken}));
  EXPECT_EQ(PlainGet(PortOf(*exposer), "/metrics"), 401);
}

}  // namespace
}  // namespace recplat::metrics
