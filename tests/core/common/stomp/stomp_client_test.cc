// StompClient (core/common/stomp/stomp_client.h) against the loopback TestStompBroker: CONNECT
// headers, SUBSCRIBE, SEND, MESSAGE + ACK, reconnect after a drop, ERROR on CONNECT, the bounded
// queue, receipts (confirmed, sent again after a loss, bounded), and the broker heart-beat check.
#include "core/common/stomp/stomp_client.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/stomp_broker.h"
#include "tests/testing/test_pki.h"

namespace recplat::stomp {
namespace {

using testing::TestStompBroker;

// Records what the client's callbacks saw.
struct Recorder {
  absl::Mutex mu;
  std::vector<std::string> bodies;
  std::vector<std::string> states;  // "up" or "down: <error>"

  StompClient::MessageHandler OnMessage() {
    return [this](const Frame& f) {
      absl::MutexLock lock(&mu);
      bodies.push_back(f.body);
    };
  }
  StompClient::StateHandler OnState() {
    return [this](bool up, const std::string& error) {
      absl::MutexLock lock(&mu);
      states.push_back(up ? "up" : "down: " + error);
    };
  }
  size_t body_count() {
    absl::MutexLock lock(&mu);
    return bodies.size();
  }
  bool SawDown(const std::string& part) {
    absl::MutexLock lock(&mu);
    for (const std::string& s : states) {
      if (s.rfind("down: ", 0) == 0 && s.find(part) != std::string::npos) return true;
    }
    return false;
  }
};

StompOptions OptionsFor(const TestStompBroker& broker) {
  StompOptions o;
  o.host = "127.0.0.1";
  o.port = broker.port();
  o.virtual_host = "/";
  o.login = "guest";
  o.passcode = "secret:pass";
  o.subscription = "/topic/user_actions";
  o.heartbeat_send_ms = 0;
  o.heartbeat_receive_ms = 0;
  o.reconnect_base_ms = 50;
  o.reconnect_max_ms = 200;
  return o;
}

TEST(StompClientTest, ConnectsSubscribesPublishesAndAcks) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  Recorder rec;
  StompOptions o = OptionsFor(*broker);
  o.ack = "client-individual";
  auto client = StompClient::Start(o, rec.OnMessage(), rec.OnState());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return !broker->ReceivedOf("SUBSCRIBE").empty(); }));

  const Frame connect = broker->ReceivedOf("CONNECT").at(0);
  EXPECT_EQ(connect.Header("accept-version"), "1.2");
  EXPECT_EQ(connect.Header("host"), "/");
  EXPECT_EQ(connect.Header("login"), "guest");
  EXPECT_EQ(connect.Header("passcode"), "secret:pass");  // CONNECT is not escaped.
  EXPECT_EQ(connect.Header("heart-beat"), "0,0");
  const Frame sub = broker->ReceivedOf("SUBSCRIBE").at(0);
  EXPECT_EQ(sub.Header("destination"), "/topic/user_actions");
  EXPECT_EQ(sub.Header("ack"), "client-individual");

  const std::string body = std::string("{\"a\":\"x\0y\"}", 11);
  EXPECT_TRUE((*client)->Publish("/topic/recommendations", body));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return !broker->ReceivedOf("SEND").empty(); }));
  const Frame send = broker->ReceivedOf("SEND").at(0);
  EXPECT_EQ(send.Header("destination"), "/topic/recommendations");
  EXPECT_EQ(send.Header("content-type"), "application/json");
  EXPECT_EQ(send.Header("content-length"), "11");
  EXPECT_EQ(send.body, body);

  ASSERT_TRUE(broker->SendMessage("{\"m\":1}"));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return rec.body_count() == 1; }));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return !broker->ReceivedOf("ACK").empty(); }));
  EXPECT_EQ(broker->ReceivedOf("ACK").at(0).Header("id"), "ack-0");
  EXPECT_EQ((*client)->stats().messages, 1u);
  EXPECT_EQ((*client)->stats().sent, 1u);
}

TEST(StompClientTest, ReconnectsAfterTheBrokerDropsTheConnection) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  Recorder rec;
  auto client = StompClient::Start(OptionsFor(*broker), rec.OnMessage(), rec.OnState());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
  broker->SetAccepting(false);
  broker->DropConnection();
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return !(*client)->connected(); }));
  EXPECT_FALSE((*client)->last_error().empty());
  // Published while down: kept in the queue and sent after the reconnect.
  EXPECT_TRUE((*client)->Publish("/topic/recommendations", "{}"));
  broker->SetAccepting(true);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->sessions() == 2; }));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
  EXPECT_EQ(broker->ReceivedOf("SUBSCRIBE").size(), 2u);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->ReceivedOf("SEND").size() == 1; }));
  EXPECT_GE((*client)->stats().connects, 2u);
  EXPECT_TRUE((*client)->last_error().empty());
}

TEST(StompClientTest, ErrorOnConnectIsReportedAndRetried) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  broker->SetRefuseLogin(true);
  Recorder rec;
  auto client = StompClient::Start(OptionsFor(*broker), rec.OnMessage(), rec.OnState());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return rec.SawDown("Access refused"); }));
  EXPECT_FALSE((*client)->connected());
  EXPECT_GE((*client)->stats().errors, 1u);
  broker->SetRefuseLogin(false);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
}

TEST(StompClientTest, QueueIsBoundedAndDropsAreCounted) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  broker->SetAccepting(false);
  StompOptions o = OptionsFor(*broker);
  o.max_queue = 2;
  auto client = StompClient::Start(o, nullptr);
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE((*client)->Publish("/q", "1"));
  EXPECT_TRUE((*client)->Publish("/q", "2"));
  EXPECT_FALSE((*client)->Publish("/q", "3"));
  EXPECT_EQ((*client)->stats().dropped, 1u);
  broker->SetAccepting(true);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->ReceivedOf("SEND").size() == 2; }));
  EXPECT_EQ(broker->ReceivedOf("SEND")[0].body, "1");
  EXPECT_EQ(broker->ReceivedOf("SEND")[1].body, "2");
}

TEST(StompClientTest, EverySendAsksAReceiptAndIsConfirmed) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  auto client = StompClient::Start(OptionsFor(*broker), nullptr);
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE((*client)->Publish("/q", std::to_string(i)));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->stats().receipts == 5; }));
  std::vector<std::string> ids;
  for (const Frame& f : broker->ReceivedOf("SEND")) ids.push_back(f.Header("receipt").value_or(""));
  EXPECT_THAT(ids, ::testing::ElementsAre("p1", "p2", "p3", "p4", "p5"));
  EXPECT_EQ((*client)->stats().unconfirmed, 0u);
  EXPECT_EQ((*client)->stats().resent, 0u);
}

TEST(StompClientTest, SendsLeftUnconfirmedByALostConnectionAreSentAgain) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  broker->SetReceipts(false);  // The broker takes the frames but confirms none of them.
  auto client = StompClient::Start(OptionsFor(*broker), nullptr);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
  EXPECT_TRUE((*client)->Publish("/q", "a"));
  EXPECT_TRUE((*client)->Publish("/q", "b"));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->ReceivedOf("SEND").size() == 2; }));
  EXPECT_EQ((*client)->stats().unconfirmed, 2u);

  broker->SetReceipts(true);
  broker->DropConnection();
  // After the reconnect both go again, in order, with new receipts, and are confirmed.
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->ReceivedOf("SEND").size() == 4; }));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->stats().unconfirmed == 0; }));
  const std::vector<Frame> sends = broker->ReceivedOf("SEND");
  EXPECT_EQ(sends[2].body, "a");
  EXPECT_EQ(sends[3].body, "b");
  EXPECT_EQ(sends[2].Header("receipt"), "p3");
  EXPECT_EQ((*client)->stats().resent, 2u);
  EXPECT_EQ((*client)->stats().receipts, 2u);
}

TEST(StompClientTest, UnconfirmedSendsCountAgainstTheQueueBound) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  broker->SetReceipts(false);
  StompOptions o = OptionsFor(*broker);
  o.max_queue = 3;
  auto client = StompClient::Start(o, nullptr);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE((*client)->Publish("/q", std::to_string(i)));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->ReceivedOf("SEND").size() == 3; }));
  // Written, not confirmed: a broker that stops confirming cannot grow the client's memory.
  EXPECT_FALSE((*client)->Publish("/q", "3"));
  EXPECT_EQ((*client)->stats().dropped, 1u);
}

TEST(StompClientTest, WithoutReceiptsNothingIsAskedOrKept) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  StompOptions o = OptionsFor(*broker);
  o.receipts = false;
  o.max_queue = 1;
  auto client = StompClient::Start(o, nullptr);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE((*client)->Publish("/q", std::to_string(i)));
    ASSERT_TRUE(TestStompBroker::WaitUntil(
        [&] { return broker->ReceivedOf("SEND").size() == static_cast<size_t>(i + 1); }));
  }
  EXPECT_FALSE(broker->ReceivedOf("SEND")[0].Header("receipt").has_value());
  EXPECT_EQ((*client)->stats().unconfirmed, 0u);
}

TEST(StompClientTest, SilentBrokerPastItsHeartBeatIsDropped) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  broker->SetHeartBeat("100,0");  // Promises a beat every 100 ms, never sends one.
  Recorder rec;
  StompOptions o = OptionsFor(*broker);
  o.heartbeat_receive_ms = 100;
  auto client = StompClient::Start(o, rec.OnMessage(), rec.OnState());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return rec.SawDown("heart-beat"); }));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->sessions() >= 2; }));
}

TEST(StompClientTest, MalformedBytesDropTheConnection) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  Recorder rec;
  auto client = StompClient::Start(OptionsFor(*broker), rec.OnMessage(), rec.OnState());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
  ASSERT_TRUE(broker->SendRaw("MESSAGE\nbad header line\n\n"));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return rec.SawDown("bad frame"); }));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->sessions() >= 2; }));
}

TEST(StompClientTest, TlsWithTheBrokersCa) {
  absl::StatusOr<testing::TestPki> pki = testing::MakeTestPki();
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto broker = TestStompBroker::Start(pki->server.cert_pem, pki->server.key_pem);
  ASSERT_NE(broker, nullptr);
  Recorder rec;
  StompOptions o = OptionsFor(*broker);
  o.tls.enabled = true;
  o.tls.ca_pem = pki->ca_pem;
  auto client = StompClient::Start(o, rec.OnMessage(), rec.OnState());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return (*client)->connected(); }));
  EXPECT_TRUE((*client)->Publish("/topic/recommendations", "{\"tls\":true}"));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return !broker->ReceivedOf("SEND").empty(); }));
  EXPECT_EQ(broker->ReceivedOf("SEND").at(0).body, "{\"tls\":true}");
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker->in_session(); }));
  ASSERT_TRUE(broker->SendMessage("{}"));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return rec.body_count() == 1; }));
}

TEST(StompClientTest, TlsRefusesABrokerItDoesNotTrust) {
  absl::StatusOr<testing::TestPki> pki = testing::MakeTestPki();
  ASSERT_TRUE(pki.ok()) << pki.status();
  // Signed by another CA.
  auto broker = TestStompBroker::Start(pki->stranger.cert_pem, pki->stranger.key_pem);
  ASSERT_NE(broker, nullptr);
  Recorder rec;
  StompOptions o = OptionsFor(*broker);
  o.tls.enabled = true;
  o.tls.ca_pem = pki->ca_pem;
  auto client = StompClient::Start(o, rec.OnMessage(), rec.OnState());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return rec.SawDown("TLS handshake"); }));
  EXPECT_FALSE((*client)->connected());
  EXPECT_EQ(broker->sessions(), 0);
}

TEST(StompClientTest, BadOptionsAreRejected) {
  StompOptions o;
  o.ack = "client";
  EXPECT_FALSE(StompClient::Start(o, nullptr).ok());
  o = StompOptions();
  o.host = "";
  EXPECT_FALSE(StompClient::Start(o, nullptr).ok());
  o = StompOptions();
  o.reconnect_max_ms = 1;
  EXPECT_FALSE(StompClient::Start(o, nullptr).ok());
}

}  // namespace
}  // namespace recplat::stomp
