// End-to-end: the recplat binary with config/eosc.yaml and the STOMP databus on
// (eosc.databus_*), against the loopback TestStompBroker: the profile's wiring connects and
// subscribes, a marketplace recommendation is published with the original's JSON, a user action
// MESSAGE is written through the core (the event log grows, the metric counts it), and
// /health's databus node goes DOWN while the broker is away and UP after the reconnect.
#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/eosc_databus_payloads.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/stomp_broker.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

using nlohmann::json;

TEST(EoscDatabusE2eTest, PublishesConsumesAndReportsHealth) {
  auto broker = TestStompBroker::Start();
  ASSERT_NE(broker, nullptr);
  TempDir dir;
  ServerProcess server({"--profile", (SourceDir() / "config" / "eosc.yaml").string(), "--data-dir",
                        (dir.path() / "data").string(), "--set", "models.NCF.train.on_start=false",
                        "--set", "eosc.databus_enabled=true", "--set",
                        absl::StrCat("eosc.databus_port=", broker->port()), "--set",
                        "eosc.databus_heartbeat_ms=0", "--set", "eosc.databus_login=guest"});
  ASSERT_TRUE(server.Start()) << server.ReadStderr();
  HttpClient http(server.http_address());
  auto databus = [&] { return json::parse(http.Get("/health").body)["databus"]; };
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return databus()["status"] == "UP"; }))
      << http.Get("/health").body;
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return !broker->ReceivedOf("SUBSCRIBE").empty(); }));
  EXPECT_EQ(broker->ReceivedOf("CONNECT").at(0).Header("login"), "guest");
  EXPECT_EQ(broker->ReceivedOf("SUBSCRIBE").at(0).Header("destination"), "/topic/user_actions");

  // Import 4 services; answers before the import are empty and not published.
  ASSERT_EQ(http.Post("/database_dumps", EoscDatabusDump().dump()).status, 204);
  json answer;
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] {
    HttpResult r = http.Post("/recommendations", EoscDatabusContext().dump());
    answer = json::parse(r.body, nullptr, false);
    return r.status == 200 && answer.value("recommendations", json::array()).size() == 3;
  }));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return !broker->ReceivedOf("SEND").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(broker->ReceivedOf("SEND").size(), 1u);
  const stomp::Frame send = broker->ReceivedOf("SEND").at(0);
  EXPECT_EQ(send.Header("destination"), "/topic/recommendations");
  EXPECT_EQ(json::parse(send.body), json({{"recommender_system", "cyfronet"},
                                          {"context", EoscDatabusContext()},
                                          {"response", answer}}));

  // A user action from the subscription is written through the core.
  auto log_offset = [&] {
    return json::parse(http.Get("/v1/stats").body).value("log_next_offset", std::string("0"));
  };
  const std::string before = log_offset();
  ASSERT_TRUE(broker->SendMessage(EoscDatabusAction().dump()));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] {
    HttpClient metrics(server.metrics_address());
    return metrics.Get("/metrics")
               .body.find("recplat_eosc_databus_user_actions_total{result=\"stored\"} 1") !=
           std::string::npos;
  }));
  EXPECT_NE(log_offset(), before);

  // The broker goes away: DOWN; it comes back: UP again, subscribed again.
  broker->SetAccepting(false);
  broker->DropConnection();
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return databus()["status"] == "DOWN"; }));
  EXPECT_EQ(json::parse(http.Get("/health").body)["status"], "DOWN");
  broker->SetAccepting(true);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return databus()["status"] == "UP"; },
                                         std::chrono::seconds(20)));
  EXPECT_EQ(broker->ReceivedOf("SUBSCRIBE").size(), 2u);
  EXPECT_EQ(server.Terminate(), 0);
}

}  // namespace
}  // namespace recplat::testing
