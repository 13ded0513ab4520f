// HttpServer over TLS (http_server.h, "TLS"): HTTPS with a certificate from a throwaway CA,
// keep-alive and close over TLS, plaintext clients refused, mutual TLS (no client certificate
// and a certificate of another CA refused), TLS material that does not load, and the API-key
// check over HTTPS.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/http.hpp"
#include "core/api/api_keys.h"
#include "frontends/http_rest/http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/testing/https_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_pki.h"

namespace recplat::http {
namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using ::recplat::testing::Answer;
using ::recplat::testing::HttpsClient;
using ::recplat::testing::PlainGet;
using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(pki_, testing::MakeTestPki());
    ASSERT_OK(router_.Add("GET", "/hello", [](const HttpRequest&) { return JsonResponse("hi"); },
                          api::Access::kOpen));
    ASSERT_OK(router_.Add("GET", "/private",
                          [](const HttpRequest&) { return JsonResponse("secret"); }));
  }

  common::ServerTls Tls(bool mutual) const {
    common::ServerTls tls;
    tls.cert_chain_pem = pki_.server.cert_pem;
    tls.private_key_pem = pki_.server.key_pem;
    if (mutual) tls.client_ca_pem = pki_.ca_pem;
    return tls;
  }

  void StartServer(common::ServerTls tls) {
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.tls = std::move(tls);
    ASSERT_OK_AND_ASSIGN(server_, HttpServer::Start(options, &router_, &registry_));
  }

  testing::TestPki pki_;
  Router router_;
  prometheus::Registry registry_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpsServerTest, ServesHttpsWithKeepAliveAndClosesCleanly) {
  StartServer(Tls(/*mutual=*/false));
  HttpsClient client(server_->port(), pki_.ca_pem, nullptr);
  ASSERT_TRUE(client.handshake_ok());
  for (int i = 0; i < 3; ++i) {  // one connection, several requests
    const Answer a = client.Send(bhttp::verb::get, "/hello");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, "hi");
    EXPECT_TRUE(a.keep_alive);
  }
  const Answer last = client.Send(bhttp::verb::get, "/hello", "", /*close=*/true);
  EXPECT_EQ(last.status, 200);
  EXPECT_FALSE(last.keep_alive);
  EXPECT_TRUE(client.ShutdownCleanly());
}

TEST_F(HttpsServerTest, APlaintextClientGetsNoAnswer) {
  StartServer(Tls(/*mutual=*/false));
  EXPECT_EQ(PlainGet(server_->port(), "/hello"), 0);
  // The listener still serves TLS clients afterwards.
  HttpsClient client(server_->port(), pki_.ca_pem, nullptr);
  EXPECT_EQ(client.Send(bhttp::verb::get, "/hello").status, 200);
}

TEST_F(HttpsServerTest, AClientThatDoesNotTrustTheServerRefusesIt) {
  StartServer(Tls(/*mutual=*/false));
  HttpsClient client(server_->port(), pki_.stranger.cert_pem, nullptr);
  EXPECT_FALSE(client.handshake_ok());
}

TEST_F(HttpsServerTest, MutualTlsRequiresACertificateOfTheClientCa) {
  StartServer(Tls(/*mutual=*/true));
  {
    HttpsClient with_cert(server_->port(), pki_.ca_pem, &pki_.client);
    ASSERT_TRUE(with_cert.handshake_ok());
    EXPECT_EQ(with_cert.Send(bhttp::verb::get, "/hello").status, 200);
  }
  {
    // TLS 1.3 finishes the client's side of the handshake before the server has checked the
    // client's certificate: the refusal shows on the first request at the latest.
    HttpsClient without(server_->port(), pki_.ca_pem, nullptr);
    EXPECT_EQ(without.Send(bhttp::verb::get, "/hello").status, 0);
  }
  {
    HttpsClient stranger(server_->port(), pki_.ca_pem, &pki_.stranger);
    EXPECT_EQ(stranger.Send(bhttp::verb::get, "/hello").status, 0);
  }
  EXPECT_EQ(PlainGet(server_->port(), "/hello"), 0);
}

TEST_F(HttpsServerTest, ApiKeysAreCheckedOverHttps) {
  ASSERT_OK_AND_ASSIGN(api::ApiKeys keys,
                       api::ApiKeys::Create({"user-key-0123456789abcdef"}, {}));
  router_.SetApiKeys(keys, &registry_);
  StartServer(Tls(/*mutual=*/false));
  HttpsClient client(server_->port(), pki_.ca_pem, nullptr);
  const Answer refused = client.Send(bhttp::verb::get, "/private");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.www_authenticate, R"(Bearer realm="recplat")");
  EXPECT_THAT(refused.body, HasSubstr("UNAUTHENTICATED"));
  // The connection stays usable after a 401.
  EXPECT_EQ(client.Send(bhttp::verb::get, "/private", "Bearer user-key-0123456789abcdef").body,
            "secret");
  EXPECT_EQ(client.Send(bhttp::verb::get, "/hello").status, 200);
}

TEST_F(HttpsServerTest, TlsMaterialThatDoesNotLoadFailsStart) {
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls = Tls(false);
  options.tls.private_key_pem = pki_.client.key_pem;  // another certificate's key
  EXPECT_THAT(HttpServer::Start(options, &router_, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not match")));
  options.tls = Tls(false);
  options.tls.cert_chain_pem = "not a certificate";
  EXPECT_THAT(HttpServer::Start(options, &router_, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("certificate")));
  options.tls = Tls(true);
  options.tls.client_ca_pem = "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n";
  EXPECT_THAT(HttpServer::Start(options, &router_, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("client CA")));
}

TEST_F(HttpsServerTest, AHandshakeNotFinishedWithinTheHeaderTimeoutIsClosed) {
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls = Tls(/*mutual=*/false);
  options.header_timeout = absl::Milliseconds(200);
  ASSERT_OK_AND_ASSIGN(server_, HttpServer::Start(options, &router_, &registry_));
  net::io_context io;
  tcp::socket silent(io);
  silent.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"),
                               static_cast<uint16_t>(server_->port())));
  // The server closes it: the read ends (EOF or reset) instead of blocking.
  const auto start = std::chrono::steady_clock::now();
  char byte;
  boost::system::error_code ec;
  silent.read_some(net::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec) << "the server sent bytes to a client that never said hello";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(HttpsServerTest, ShutdownClosesTlsConnectionsMidHandshakeAndIdle) {
  StartServer(Tls(/*mutual=*/false));
  HttpsClient idle(server_->port(), pki_.ca_pem, nullptr);
  ASSERT_EQ(idle.Send(bhttp::verb::get, "/hello").status, 200);
  // A connection that never starts its handshake.
  net::io_context io;
  tcp::socket silent(io);
  silent.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"),
                               static_cast<uint16_t>(server_->port())));
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(absl::Seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace recplat::http
