// The eosc route set's STOMP databus (frontends/http_rest/eosc/eosc_databus.h) against the
// loopback TestStompBroker and the fake core: a marketplace recommendation is published with the
// original's JSON, a user action MESSAGE is stored like POST /user_actions, invalid messages are
// counted and skipped, and /health's databus node follows the connection (DOWN while the broker
// is away, UP after the reconnect).
#include <memory>
#include <string>

#include "frontends/http_rest/eosc/eosc_codec.h"
#include "frontends/http_rest/eosc/eosc_routes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fake_api.h"
#include "tests/testing/stomp_broker.h"

namespace recplat::http::eosc {
namespace {

using nlohmann::json;
using testing::TestStompBroker;

json Context() {
  return {{"user_id", 1},
          {"unique_id", "5642c351-80fe-44cf-b606-304f2f338122"},
          {"timestamp", "2021-03-18T18:49:55.006Z"},
          {"visit_id", "202090a4-de4c-4230-acba-6e2931d9e37c"},
          {"page_id", "some_page_identifier"},
          {"panel_id", "v1"},
          {"candidates", {7, 8, 9}},
          {"search_data", json::object()}};
}

json Action(int service) {
  return {{"user_id", 1},
          {"unique_id", "5642c351-80fe-44cf-b606-304f2f338122"},
          {"timestamp", "2021-03-18T19:33:21.620Z"},
          {"source",
           {{"visit_id", "202090a4-de4c-4230-acba-6e2931d9e37c"},
            {"page_id", "services_catalogue_list"},
            {"root",
             {{"type", "recommendation_panel"},
              {"panel_id", "v1"},
              {"resource_type", "service"},
              {"resource_id", service}}}}},
          {"target",
           {{"visit_id", "9f543b80-dd5b-409b-a619-6312a0b04f4f"}, {"page_id", "service_about"}}},
          {"action", {{"type", "button"}, {"text", "Details"}, {"order", false}}},
          {"client_id", "marketplace"}};
}

class EoscDatabusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = TestStompBroker::Start();
    ASSERT_NE(broker_, nullptr);
    EoscOptions options;
    options.tenant = "t";
    DatabusOptions bus;
    bus.stomp.host = "127.0.0.1";
    bus.stomp.port = broker_->port();
    bus.stomp.heartbeat_send_ms = 0;
    bus.stomp.heartbeat_receive_ms = 0;
    bus.stomp.reconnect_base_ms = 50;
    bus.stomp.reconnect_max_ms = 200;
    bus.stomp.ack = "client-individual";
    options.databus = bus;
    auto frontend = EoscFrontend::Create(&api_, options);
    ASSERT_TRUE(frontend.ok()) << frontend.status();
    frontend_ = *std::move(frontend);
    ASSERT_TRUE(frontend_->AddRoutes(&router_).ok());
    ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return DatabusStatus() == "UP"; }));
    ASSERT_TRUE(
        TestStompBroker::WaitUntil([&] { return !broker_->ReceivedOf("SUBSCRIBE").empty(); }));
  }
  void TearDown() override { frontend_.reset(); }

  HttpResponse Post(const std::string& path, const json& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body.dump();
    return router_.Dispatch(r);
  }
  json Health() {
    HttpRequest r;
    r.method = "GET";
    r.path = "/health";
    return json::parse(router_.Dispatch(r).body);
  }
  std::string DatabusStatus() { return Health()["databus"].value("status", ""); }
  // Writes of user actions: those whose ops put an eosc.action document.
  int ActionWrites() {
    int n = 0;
    for (const v1::WriteRequest& w : api_.write().requests()) {
      for (const v1::WriteOp& op : w.ops()) {
        if (op.has_put_document() && op.put_document().collection() == kActionsCollection) ++n;
      }
    }
    return n;
  }

  testing::FakeApi api_;
  Router router_;
  std::unique_ptr<TestStompBroker> broker_;
  std::unique_ptr<EoscFrontend> frontend_;
};

TEST_F(EoscDatabusTest, MarketplaceRecommendationsArePublished) {
  v1::GetDocumentsResponse user;
  user.add_documents()->set_key("1");
  api_.get_documents().Respond(user);
  v1::RecommendResponse answer;
  for (const char* id : {"7", "8", "9"}) answer.add_items()->set_item_id(id);
  answer.set_scoring_model("NCF");
  api_.recommend().Respond(answer);

  json other = Context();
  other["client_id"] = "search_service";
  ASSERT_EQ(Post("/recommendations", other).status, 200);
  json seed = Context();
  seed.erase("candidates");
  ASSERT_EQ(Post("/recommendations", seed).status, 200);  // No client_id: not published.
  json market = Context();
  market["client_id"] = "marketplace";
  HttpResponse r = Post("/recommendations", market);
  ASSERT_EQ(r.status, 200) << r.body;

  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return !broker_->ReceivedOf("SEND").empty(); }));
  const stomp::Frame send = broker_->ReceivedOf("SEND").at(0);
  EXPECT_EQ(send.Header("destination"), "/topic/recommendations");
  EXPECT_EQ(send.Header("content-type"), "application/json");
  const json published = json::parse(send.body);
  EXPECT_EQ(published, json({{"recommender_system", "cyfronet"},
                             {"context", market},
                             {"response", json::parse(r.body)}}));
  EXPECT_EQ(published["response"]["recommendations"], json({7, 8, 9}));
  EXPECT_EQ(broker_->ReceivedOf("SEND").size(), 1u);
}

TEST_F(EoscDatabusTest, UserActionMessagesAreStoredLikeThePostRoute) {
  ASSERT_TRUE(broker_->SendMessage(Action(7).dump()));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return ActionWrites() == 1; }));
  // The same payload through POST /user_actions writes the same request.
  const v1::WriteRequest from_bus = api_.write().last_request();
  ASSERT_EQ(Post("/user_actions", Action(7)).status, 204);
  EXPECT_EQ(api_.write().last_request().DebugString(), from_bus.DebugString());
  // Acknowledged (client-individual) after storing.
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return broker_->ReceivedOf("ACK").size() == 1; }));

  // Not JSON, and a schema violation: counted, nothing written, the subscription goes on.
  json bad = Action(7);
  bad["action"].erase("order");
  ASSERT_TRUE(broker_->SendMessage("{not json"));
  ASSERT_TRUE(broker_->SendMessage(bad.dump()));
  // Arbitrary bodies (NULs, invalid UTF-8, deep nesting, wrong types) are rejected, not fatal.
  for (const std::string& junk :
       {std::string("\0\0\xff", 3), std::string(5000, '['), std::string("null"),
        std::string("[1,2]"), std::string(R"({"user_id":"x","unique_id":5})"),
        std::string("\xc3\x28"), std::string()}) {
    ASSERT_TRUE(broker_->SendMessage(junk));
  }
  ASSERT_TRUE(broker_->SendMessage(Action(8).dump()));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return ActionWrites() == 3; }));
  // Every message was handled and acked.
  EXPECT_TRUE(TestStompBroker::WaitUntil([&] { return broker_->ReceivedOf("ACK").size() == 11; }))
      << broker_->ReceivedOf("ACK").size();
  EXPECT_EQ(DatabusStatus(), "UP");
}

TEST_F(EoscDatabusTest, HealthIsDownWhileDisconnectedAndRecoversAfterReconnect) {
  EXPECT_EQ(Health()["databus"], json({{"status", "UP"}}));
  broker_->SetAccepting(false);
  broker_->DropConnection();
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return DatabusStatus() == "DOWN"; }));
  json h = Health();
  EXPECT_EQ(h["status"], "DOWN");
  EXPECT_THAT(h["databus"]["error"].get<std::string>(), ::testing::HasSubstr("unreachable"));
  broker_->SetAccepting(true);
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return DatabusStatus() == "UP"; }));
  EXPECT_EQ(broker_->sessions(), 2);
  // Subscribed again: actions flow after the reconnect.
  ASSERT_TRUE(
      TestStompBroker::WaitUntil([&] { return broker_->ReceivedOf("SUBSCRIBE").size() == 2; }));
  ASSERT_TRUE(broker_->SendMessage(Action(9).dump()));
  ASSERT_TRUE(TestStompBroker::WaitUntil([&] { return ActionWrites() == 1; }));
}

}  // namespace
}  // namespace recplat::http::eosc
