// End-to-end against a real broker: Debian's RabbitMQ with its STOMP plugin (the broker the
// EOSC databus runs), started on loopback by the test (tests/testing/rabbitmq.h).
//   - the STOMP client: publishes with receipts that RabbitMQ confirms, a subscriber gets every
//     frame, in order;
//   - the recplat binary with config/eosc.yaml and the databus on: it connects and subscribes,
//     a marketplace recommendation reaches a subscriber of the publish topic with the
//     original's JSON and is confirmed, and a user action published by the marketplace on the
//     subscription topic is written through the core.
// Skipped when rabbitmq-server is not installed (scripts/install-deps.sh installs it).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/common/stomp/stomp_client.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/eosc_databus_payloads.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/rabbitmq.h"
#include "tests/testing/stomp_broker.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

using nlohmann::json;

// A marketplace-side STOMP client: records the bodies of its subscription.
struct Peer {
  absl::Mutex mu;
  std::vector<std::string> bodies;
  std::unique_ptr<stomp::StompClient> client;

  static std::unique_ptr<Peer> Connect(int port, const std::string& subscription) {
    auto peer = std::make_unique<Peer>();
    stomp::StompOptions o;
    o.port = static_cast<uint16_t>(port);
    o.virtual_host = "/";
    o.login = "guest";
    o.passcode = "guest";
    o.subscription = subscription;
    o.reconnect_base_ms = 100;
    o.reconnect_max_ms = 1000;
    Peer* raw = peer.get();
    auto started = stomp::StompClient::Start(o, [raw](const stomp::Frame& f) {
      absl::MutexLock lock(&raw->mu);
      raw->bodies.push_back(f.body);
    });
    if (!started.ok()) return nullptr;
    peer->client = *std::move(started);
    return peer;
  }
  std::vector<std::string> Bodies() {
    absl::MutexLock lock(&mu);
    return bodies;
  }
};

class RabbitMqE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!RabbitMq::Available()) return;
    auto started = RabbitMq::Start();
    ASSERT_TRUE(started.ok()) << started.status();
    broker_ = started->release();
  }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }
  void SetUp() override {
    if (!RabbitMq::Available()) {
      GTEST_SKIP() << "rabbitmq-server is not installed (scripts/install-deps.sh installs it)";
    }
    ASSERT_NE(broker_, nullptr);
  }
  static RabbitMq* broker_;
};
RabbitMq* RabbitMqE2eTest::broker_ = nullptr;

TEST_F(RabbitMqE2eTest, PublishesAreConfirmedAndDeliveredInOrder) {
  auto subscriber = Peer::Connect(broker_->stomp_port(), "/topic/recplat-order");
  ASSERT_NE(subscriber, nullptr);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return subscriber->client->connected(); }))
      << broker_->Log();
  auto publisher = Peer::Connect(broker_->stomp_port(), "");
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return publisher->client->connected(); }));
  // A topic subscription exists once its SUBSCRIBE was handled: wait for a first frame.
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] {
    publisher->client->Publish("/topic/recplat-order", "warm-up");
    return !subscriber->Bodies().empty();
  }));
  const size_t before = subscriber->Bodies().size();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(publisher->client->Publish("/topic/recplat-order", absl::StrCat("m", i)));
  }
  ASSERT_TRUE(
      TestStompBroker::WaitUntil([&] { return subscriber->Bodies().size() >= before + 50; }));
  std::vector<std::string> got = subscriber->Bodies();
  got.erase(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(before));
  got.erase(std::remove(got.begin(), got.end(), "warm-up"), got.end());
  ASSERT_EQ(got.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], absl::StrCat("m", i));
  ASSERT_TRUE(
      TestStompBroker::WaitUntil([&] { return publisher->client->stats().unconfirmed == 0; }));
  EXPECT_EQ(publisher->client->stats().receipts, publisher->client->stats().sent);
  EXPECT_EQ(publisher->client->stats().resent, 0u);
}

TEST_F(RabbitMqE2eTest, EoscDatabusPublishesAndConsumesThroughRabbitMq) {
  auto marketplace = Peer::Connect(broker_->stomp_port(), "/topic/recommendations");
  ASSERT_NE(marketplace, nullptr);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return marketplace->client->connected(); }));
  TempDir dir;
  ServerProcess server({"--profile", (SourceDir() / "config" / "eosc.yaml").string(), "--data-dir",
                        (dir.path() / "data").string(), "--set", "models.NCF.train.on_start=false",
                        "--set", "eosc.databus_enabled=true", "--set",
                        absl::StrCat("eosc.databus_port=", broker_->stomp_port()), "--set",
                        "eosc.databus_virtual_host=/", "--set", "eosc.databus_login=guest", "--set",
                        "eosc.databus_passcode=guest", "--set",
                        "eosc.databus_ack=client-individual"});
  ASSERT_TRUE(server.Start()) << server.ReadStderr();
  HttpClient http(server.http_address());
  HttpClient metrics(server.metrics_address());
  auto databus = [&] { return json::parse(http.Get("/health").body)["databus"]; };
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return databus()["status"] == "UP"; },
                                         std::chrono::seconds(20)))
      << http.Get("/health").body << server.ReadStderr();

  ASSERT_EQ(http.Post("/database_dumps", EoscDatabusDump().dump()).status, 204);
  json answer;
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] {
    HttpResult r = http.Post("/recommendations", EoscDatabusContext().dump());
    answer = json::parse(r.body, nullptr, false);
    return r.status == 200 && answer.value("recommendations", json::array()).size() == 3;
  }));
  // The marketplace's subscriber gets the answer as the original publishes it.
  const json want = {
      {"recommender_system", "cyfronet"}, {"context", EoscDatabusContext()}, {"response", answer}};
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] {
    for (const std::string& body : marketplace->Bodies()) {
      if (json::parse(body, nullptr, false) == want) return true;
    }
    return false;
  })) << marketplace->Bodies().size()
      << " messages";
  // RabbitMQ confirmed it (the metrics follow the client at /health and at each publish).
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] {
    http.Get("/health");
    const std::string text = metrics.Get("/metrics").body;
    return text.find("recplat_eosc_databus_publications_total{result=\"confirmed\"} 1\n") !=
               std::string::npos &&
           text.find("recplat_eosc_databus_unconfirmed 0\n") != std::string::npos;
  })) << metrics.Get("/metrics").body;

  // A user action the marketplace publishes is written through the core and ACKed.
  ASSERT_TRUE(marketplace->client->Publish("/topic/user_actions", EoscDatabusAction().dump()));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] {
    return metrics.Get("/metrics")
               .body.find("recplat_eosc_databus_user_actions_total{result=\"stored\"} 1") !=
           std::string::npos;
  }));
  EXPECT_EQ(server.Terminate(), 0);
}

}  // namespace
}  // namespace recplat::testing
