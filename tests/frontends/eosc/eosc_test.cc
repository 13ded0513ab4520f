// Unit tests of the eosc route set: the flask-restx schema errors, the text search words, the
// catalogue labels and queries, the engine chain, the dump and user-action writes, and the
// routes over a FakeApi (what they ask the core, what they answer).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "frontends/http_rest/eosc/eosc_codec.h"
#include "frontends/http_rest/eosc/eosc_routes.h"
#include "frontends/http_rest/eosc/eosc_schema.h"
#include "frontends/http_rest/eosc/eosc_text.h"
#include "frontends/http_rest/router.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fake_api.h"

namespace recplat::http::eosc {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

json Context() {
  return {{"user_id", 1},
          {"unique_id", "5642c351-80fe-44cf-b606-304f2f338122"},
          {"timestamp", "2021-03-18T18:49:55.006Z"},
          {"visit_id", "202090a4-de4c-4230-acba-6e2931d9e37c"},
          {"page_id", "some_page_identifier"},
          {"panel_id", "v1"},
          {"search_data",
           {{"q", "Cloud GPU"},
            {"categories", {1}},
            {"geographical_availabilities", {"PL"}},
            {"order_type", "open_access"},
            {"providers", {1}},
            {"rating", "5"},
            {"related_platforms", {1}},
            {"scientific_domains", {1}},
            {"sort", "_score"},
            {"target_users", {1}}}}};
}

TEST(EoscSchemaTest, SeedContextDecodes) {
  SchemaErrors errors;
  RecommendationContext c = ParseRecommendationContext(Context(), &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(c.user_id, 1);
  EXPECT_FALSE(c.head_style);
  EXPECT_EQ(c.search_data.q, "Cloud GPU");
  EXPECT_THAT(c.search_data.geographical_availabilities, ElementsAre("PL"));
}

TEST(EoscSchemaTest, HeadFieldsMakeAHeadRequest) {
  json body = Context();
  body["candidates"] = {1, 2, 3};
  body["engine_version"] = "NCF";
  body["visit_id"] = nullptr;
  SchemaErrors errors;
  RecommendationContext c = ParseRecommendationContext(body, &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(c.head_style);
  ASSERT_TRUE(c.candidates.has_value());
  EXPECT_THAT(*c.candidates, ElementsAre(1, 2, 3));
}

TEST(EoscSchemaTest, ViolationsAreCollectedWithFlaskRestxPaths) {
  json body = Context();
  body.erase("unique_id");
  body["user_id"] = "1";
  body["search_data"]["categories"] = {1, "two"};
  body["client_id"] = "shop";
  SchemaErrors errors;
  ParseRecommendationContext(body, &errors);
  EXPECT_EQ(errors["unique_id"], "'unique_id' is a required property");
  EXPECT_EQ(errors["user_id"], "'1' is not of type 'integer'");
  EXPECT_EQ(errors["search_data.categories.1"], "'two' is not of type 'integer'");
  EXPECT_TRUE(errors.contains("client_id"));
  SchemaErrors root;
  ParseRecommendationContext(json::array(), &root);
  EXPECT_EQ(root[""], "[] is not of type 'object'");
}

TEST(EoscSchemaTest, UserActionsOfBothGenerations) {
  json seed = {
      {"user_id", 1234},
      {"unique_id", "u"},
      {"timestamp", "2021-03-18T19:33:21.620Z"},
      {"source",
       {{"visit_id", "a"},
        {"page_id", "services_catalogue_list"},
        {"root", {{"type", "recommendation_panel"}, {"panel_id", "v1"}, {"service_id", 7}}}}},
      {"target", {{"visit_id", "b"}, {"page_id", "service_about"}}},
      {"action", {{"type", "button"}, {"text", "Details"}, {"order", true}}}};
  SchemaErrors errors;
  UserAction a = ParseUserAction(seed, &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(a.root_service_id, 7);
  EXPECT_TRUE(a.action_order);
  json head = seed;
  head["source"]["root"] = {
      {"type", "recommendation_panel"}, {"resource_type", "service"}, {"resource_id", 9}};
  head["source"]["visit_id"] = nullptr;
  UserAction b = ParseUserAction(head, &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(b.root_service_id, 9);
  head["source"]["root"]["resource_type"] = "datasource";
  EXPECT_FALSE(ParseUserAction(head, &errors).root_service_id.has_value());
  json bad = seed;
  bad["action"].erase("order");
  ParseUserAction(bad, &errors);
  EXPECT_EQ(errors["action.order"], "'order' is a required property");
}

TEST(EoscTextTest, WordsAreLowerCasedStemmedAndStopWordsDropped) {
  EXPECT_THAT(SearchWords("The Clouds, and computing GPUs!"),
              ElementsAre("cloud", "comput", "gpus"));
  // Porter2 (Mongo's $text), not only step 1: the forms of "compute" meet.
  EXPECT_THAT(SearchWords("compute computer computation computational"),
              ElementsAre("comput"));
  EXPECT_THAT(SearchWords("Generously shared, ourselves; user's"),
              ElementsAre("generous", "share", "user"));
  EXPECT_EQ(Stem("caresses"), "caress");
  EXPECT_EQ(Stem("ponies"), "poni");
  EXPECT_EQ(Stem("hopping"), "hop");
  EXPECT_EQ(Stem("agreed"), "agre");
  EXPECT_EQ(Stem("happy"), "happi");
  EXPECT_THAT(SearchWords("of the and"), ElementsAre());
}

TEST(EoscCodecTest, ServiceLabelsAndTheQueryAgree) {
  Service s;
  s.id = 5;
  s.name = "GPU cloud";
  s.categories = {1, 2};
  s.countries = {"PL"};
  s.resource_organisation = 3;
  std::vector<std::string> labels = ServiceLabels(s);
  EXPECT_THAT(labels, Contains("c:1"));
  EXPECT_THAT(labels, Contains("country:PL"));
  EXPECT_THAT(labels, Contains("org:3"));
  EXPECT_THAT(labels, Contains("w:gpu"));
  EXPECT_LE(ServiceLabels(s, 3).size(), 3u);

  SearchData sd;
  sd.categories = {2, 7};
  sd.q = "GPUs storage";
  v1::CatalogQuery q = SearchQuery(sd);
  ASSERT_EQ(q.label_clauses_size(), 2);
  EXPECT_THAT(q.label_clauses(0).labels(), ElementsAre("c:2", "c:7"));
  EXPECT_THAT(q.label_clauses(1).labels(), ElementsAre("w:gpus", "w:storag"));
  EXPECT_EQ(SearchQuery(SearchData()).label_clauses_size(), 0);
}

TEST(EoscCodecTest, PanelsAndEngines) {
  std::string panel;
  EXPECT_EQ(PanelK("v1", &panel), 3);
  EXPECT_EQ(PanelK("v2", &panel), 2);
  EXPECT_EQ(panel, "v2");
  EXPECT_EQ(PanelK("", &panel), 3);
  EXPECT_EQ(PanelK("service", &panel), 3);
  EXPECT_EQ(panel, "v1");
  EXPECT_EQ(PanelK("v3", &panel), 0);
  const std::vector<std::string> engines = {"NCF", "RL", "Random"};
  EXPECT_THAT(EngineChain(std::nullopt, "ncf", engines), ElementsAre("NCF", "RL", "Random"));
  EXPECT_THAT(EngineChain("random", "NCF", engines), ElementsAre("Random", "NCF", "RL"));
  EXPECT_THAT(EngineChain("RLRanking", "NCF", engines), ElementsAre("RL", "NCF", "Random"));
  EXPECT_THAT(EngineChain("bogus", "NCF", engines), ElementsAre("NCF", "RL", "Random"));
  EXPECT_TRUE(IsRankingEngine("NCFRanking"));
  EXPECT_FALSE(IsRankingEngine("NCF"));
}

TEST(EoscCodecTest, DumpIsOneWriteThatReplacesWhatIsGone) {
  Dump dump;
  Service s1, s2;
  s1.id = 1;
  s1.status = "published";
  s2.id = 2;
  s2.status = "draft";
  dump.services = {s1, s2};
  DumpUser u;
  u.id = 10;
  u.aai_uid = "u10@egi.eu";
  u.accessed_services = {2, 1, 99};
  dump.users = {u};
  ExistingState existing{{"1", "3"}, {"10", "11"}, {"old@egi.eu"}};
  v1::WriteRequest w = EncodeDump(dump, existing, "t", 1000);
  EXPECT_TRUE(w.wait_applied());
  std::vector<std::string> kinds;
  for (const v1::WriteOp& op : w.ops()) {
    switch (op.op_case()) {
      case v1::WriteOp::kUpsertItem:
        kinds.push_back(
            absl::StrCat("item ", op.upsert_item().id(), " ", op.upsert_item().available()));
        break;
      case v1::WriteOp::kDeleteItem:
        kinds.push_back(absl::StrCat("delete ", op.delete_item().id()));
        break;
      case v1::WriteOp::kPutDocument:
        kinds.push_back(absl::StrCat(op.put_document().deleted() ? "undoc " : "doc ",
                                     op.put_document().collection(), "/", op.put_document().key()));
        break;
      case v1::WriteOp::kUpsertUser:
        kinds.push_back(absl::StrCat("user ", op.upsert_user().id()));
        break;
      case v1::WriteOp::kEvent:
        kinds.push_back(absl::StrCat("event ", op.event().type(), " ", op.event().item_id(), " ",
                                     op.event().timestamp_ms(), " ", op.event().event_id()));
        break;
      default:
        kinds.push_back("other");
    }
  }
  EXPECT_THAT(
      kinds,
      ElementsAre("item 1 1", "item 2 0", "delete 3", "undoc eosc.user/11",
                  "undoc eosc.aai/old@egi.eu", "doc eosc.user/10", "doc eosc.aai/u10@egi.eu",
                  "user 10", "event order 2 997 accessed:10:2", "event order 1 998 accessed:10:1"));
}

class EoscRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EoscOptions options;
    options.tenant = "t";
    auto frontend = EoscFrontend::Create(&api_, options);
    ASSERT_TRUE(frontend.ok());
    frontend_ = *std::move(frontend);
    ASSERT_TRUE(frontend_->AddRoutes(&router_).ok());
  }
  HttpResponse Post(const std::string& path, const json& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body.dump();
    return router_.Dispatch(r);
  }
  HttpResponse Get(const std::string& path) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    return router_.Dispatch(r);
  }

  testing::FakeApi api_;
  Router router_;
  std::unique_ptr<EoscFrontend> frontend_;
};

TEST_F(EoscRoutesTest, KnownUserGetsTheEngineChainAndTheHeadShape) {
  v1::GetDocumentsResponse user;
  user.add_documents()->set_key("1");
  api_.get_documents().Respond(user);
  v1::RecommendResponse answer;
  for (const char* id : {"7", "8", "9", "10"}) {
    v1::RecommendedItem* item = answer.add_items();
    item->set_item_id(id);
    item->set_score(0.5);
  }
  answer.set_scoring_model("NCF");
  api_.recommend().Respond(answer);
  json body = Context();
  body["engine_version"] = "RL";
  HttpResponse r = Post("/recommendations", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json out = json::parse(r.body);
  EXPECT_EQ(out["recommendations"], json({7, 8, 9}));
  EXPECT_EQ(out["engine_version"], "NCF");
  EXPECT_EQ(out["scores"], json({0.5, 0.5, 0.5}));
  EXPECT_EQ(out["panel_id"], "v1");
  const v1::RecommendRequest& sent = api_.recommend().last_request();
  EXPECT_EQ(sent.user_id(), "1");
  EXPECT_EQ(sent.k(), 3);
  EXPECT_EQ(sent.min_k(), 3);
  EXPECT_THAT(sent.scoring_models(), ElementsAre("RL", "NCF", "Random"));
  EXPECT_TRUE(sent.skip_unconfigured_models());
  EXPECT_EQ(sent.query().label_clauses_size(), 7);  // six lists and q.
}

TEST_F(EoscRoutesTest, AnonymousFewerThanKAndBadInput) {
  v1::RecommendResponse two;
  two.add_items()->set_item_id("1");
  two.add_items()->set_item_id("2");
  api_.recommend().Respond(two);
  json body = Context();
  body.erase("user_id");
  HttpResponse r = Post("/recommendations", body);
  EXPECT_EQ(r.body, R"({"recommendations":[]})");
  EXPECT_THAT(api_.recommend().last_request().scoring_models(), ElementsAre("Random"));
  body["panel_id"] = "v9";
  r = Post("/recommendations", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"], "Input payload validation failed");
  HttpRequest raw;
  raw.method = "POST";
  raw.path = "/user_actions";
  raw.body = "{";
  EXPECT_EQ(router_.Dispatch(raw).status, 400);
}

TEST_F(EoscRoutesTest, DumpsAreValidatedAtOnceAndImportedInTheBackground) {
  json dump = {{"services", {{{"id", 1}, {"name", "A"}}}}, {"users", json::array()}};
  for (const char* key : kDumpCollections) dump[key] = json::array();
  HttpResponse bad = Post("/update", json{{"services", "x"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(api_.write().calls(), 0);
  HttpResponse ok = Post("/update", dump);
  EXPECT_EQ(ok.status, 204);
  frontend_->WaitForImportsForTest();
  EXPECT_EQ(api_.write().calls(), 1);
  EXPECT_EQ(api_.write().last_request().ops(0).upsert_item().id(), "1");
  // Then both training models are queued.
  EXPECT_EQ(api_.train().calls(), 2);
  EXPECT_EQ(Get("/training").body, "null");
  EXPECT_EQ(api_.train().calls(), 4);
}

TEST_F(EoscRoutesTest, HealthOnAnEmptyCore) {
  v1::ListModelsResponse none;
  api_.list_models().Respond(none);
  HttpResponse r = Get("/health");
  ASSERT_EQ(r.status, 200);
  json h = json::parse(r.body);
  EXPECT_EQ(h["status"], "DOWN");
  EXPECT_EQ(h["database"]["service_table"]["status"], "DOWN");
  EXPECT_EQ(h["recommender_engines"]["Random"]["status"], "UP");
  EXPECT_EQ(h["recommender_engines"]["NCF"]["status"], "DOWN");
  EXPECT_FALSE(h.contains("databus"));  // No databus configured.
  EXPECT_EQ(Get("/").status, 200);
  EXPECT_EQ(json::parse(Get("/swagger.json").body)["swagger"], "2.0");
}

}  // namespace
}  // namespace recplat::http::eosc
