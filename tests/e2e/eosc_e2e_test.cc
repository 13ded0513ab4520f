// End-to-end: the recplat binary with config/eosc.yaml, spoken to over real HTTP the way the EOSC
// Marketplace does (seed-systems.md section 2): database dumps of both generations,
// recommendations for logged-in, aai_uid and anonymous users on both panels, with and without
// candidates and search filters, user actions of both generations, update (import + training
// of NCF), training, health, swagger and bad input. The RL agent's case is in eosc_rl_e2e_test.cc.
#include <set>
#include <string>

#include "tests/e2e/eosc_e2e_fixture.h"

namespace recplat::testing {
namespace {

TEST_F(EoscE2eTest, MarketplaceTraffic) {
  // A fresh server: health answers (DOWN: empty tables, no trained NCF), docs are served.
  HttpResult health = http_->Get("/health");
  ASSERT_EQ(health.status, 200) << health.body;
  json h = json::parse(health.body);
  EXPECT_EQ(h["status"], "DOWN");
  EXPECT_EQ(h["database"]["user_table"]["status"], "DOWN");
  EXPECT_EQ(h["recommender_engines"]["Random"]["status"], "UP");
  EXPECT_EQ(h["recommender_engines"]["NCF"]["status"], "DOWN");
  EXPECT_EQ(http_->Get("/").status, 200);
  HttpResult swagger = http_->Get("/swagger.json");
  ASSERT_EQ(swagger.status, 200);
  EXPECT_TRUE(json::parse(swagger.body)["paths"].contains("/recommendations"));
  // Nothing to recommend yet.
  EXPECT_EQ(Recommend({}), json({{"recommendations", json::array()}}));

  // The 2021 dump: 13 recommendable services (14 is a draft).
  Import("/database_dumps", Dump(false), kServices - 1);
  health = http_->Get("/health");
  EXPECT_EQ(json::parse(health.body)["database"]["status"], "UP") << health.body;

  // Anonymous, 2021 shape, both panels.
  for (int i = 0; i < 5; ++i) {
    json v1 = Recommend({});
    ASSERT_EQ(v1.size(), 1u) << v1;
    std::set<int> ids = Ids(v1);
    EXPECT_EQ(ids.size(), 3u);
    EXPECT_FALSE(ids.contains(kServices)) << v1;
    EXPECT_EQ(Ids(Recommend({{"panel_id", "v2"}})).size(), 2u);
  }
  // Logged in (accessed 1 and 2), 2024 shape, before any training: the fallback engine, and
  // accessed services are dropped whatever the engine.
  for (int i = 0; i < 10; ++i) {
    json r = Recommend({{"user_id", 1}, {"engine_version", "NCF"}, {"client_id", "marketplace"}});
    EXPECT_EQ(r["engine_version"], "Random") << r;
    EXPECT_EQ(r["panel_id"], "v1");
    ASSERT_EQ(r["scores"].size(), 3u);
    EXPECT_NEAR(r["scores"][0].get<double>(), 1.0 / 11, 1e-9);  // 13 - 2 accessed.
    EXPECT_EQ(r["explanations_short"][0], "Random service.");
    std::set<int> ids = Ids(r);
    EXPECT_FALSE(ids.contains(1) || ids.contains(2) || ids.contains(kServices)) << r;
  }
  // Candidates: their intersection with the catalogue, minus accessed and drafts.
  json c = Recommend({{"user_id", 1}, {"candidates", {1, 2, 3, 4, 5, 14, 999}}});
  EXPECT_EQ(Ids(c), std::set<int>({3, 4, 5})) << c;
  EXPECT_EQ(Recommend({{"user_id", 1}, {"candidates", {1, 2, 3, 4, 14}}}),
            json({{"recommendations", json::array()}}));
  // An unknown user is anonymous: nothing dropped.
  EXPECT_EQ(Ids(Recommend({{"user_id", 4242}, {"candidates", {1, 2, 3}}})),
            std::set<int>({1, 2, 3}));
  // search_data: list filters (AND of fields, OR within one) and q as an OR of words, stemmed.
  EXPECT_EQ(Ids(Recommend({{"panel_id", "v2"}, {"search_data", {{"q", "gpu"}}}})),
            std::set<int>({7, 8}));
  EXPECT_EQ(Recommend({{"search_data", {{"q", "GPU"}}}}),
            json({{"recommendations", json::array()}}));  // 2 < K = 3.
  // Snowball English stemming as Mongo's $text: "compute" meets "computing".
  EXPECT_EQ(Ids(Recommend({{"panel_id", "v2"}, {"search_data", {{"q", "Computers"}}}})),
            std::set<int>({7, 8}));
  // Category 1 (ids 3, 6, 9, 12) and domain 1 (even ids): 6 and 12.
  json filtered = Recommend({{"panel_id", "v2"},
                             {"search_data",
                              {{"categories", {1}},
                               {"scientific_domains", {1}},
                               {"geographical_availabilities", {"PL", "DE"}}}}});
  EXPECT_EQ(Ids(filtered), std::set<int>({6, 12})) << filtered;
  EXPECT_EQ(Recommend({{"search_data", {{"providers", {2}}}}}),
            json({{"recommendations", json::array()}}));

  // User actions, both generations, logged in and anonymous.
  json action = {
      {"user_id", 1},
      {"unique_id", "5642c351-80fe-44cf-b606-304f2f338122"},
      {"timestamp", "2021-03-18T19:33:21.620Z"},
      {"source",
       {{"visit_id", "202090a4-de4c-4230-acba-6e2931d9e37c"},
        {"page_id", "services_catalogue_list"},
        {"root", {{"type", "recommendation_panel"}, {"panel_id", "v1"}, {"service_id", 3}}}}},
      {"target",
       {{"visit_id", "9f543b80-dd5b-409b-a619-6312a0b04f4f"}, {"page_id", "service_about"}}},
      {"action", {{"type", "button"}, {"text", "Details"}, {"order", true}}}};
  HttpResult a = Post("/user_actions", action);
  EXPECT_EQ(a.status, 204) << a.body;
  json head_action = action;
  head_action.erase("user_id");
  head_action["aai_uid"] = "nobody@egi.eu";
  head_action["client_id"] = "marketplace";
  head_action["source"]["visit_id"] = nullptr;
  head_action["source"]["root"] = {{"type", "recommendation_panel"},
                                   {"panel_id", "v2"},
                                   {"resource_type", "service"},
                                   {"resource_id", 999}};
  EXPECT_EQ(Post("/user_actions", head_action).status, 204);
  // A click is not an access: service 3 is still recommended to user 1.
  EXPECT_EQ(Ids(Recommend({{"user_id", 1}, {"candidates", {3, 4, 5}}})), std::set<int>({3, 4, 5}));

  // The 2024 dump through /update (service 13 removed, aai_uids), then NCF trains.
  Import("/update", Dump(true, kServices - 2), kServices - 2);
  EXPECT_EQ(http_->Get("/training").body, "null");
  ASSERT_TRUE(WaitFor(
      [&] {
        json t = json::parse(http_->Get("/health").body);
        // RL trains after NCF, on the lists served to user 1 above.
        return t["recommender_engines"]["NCF"]["status"] == "UP" &&
               t["recommender_engines"]["RL"]["status"] == "UP";
      },
      120))
      << http_->Get("/health").body;
  EXPECT_EQ(json::parse(http_->Get("/health").body)["status"], "UP");
  for (const json& who : {json{{"user_id", 2}}, json{{"aai_uid", "user2@egi.eu"}}}) {
    json extra = who;
    extra["engine_version"] = "NCF";
    json r = Recommend(extra);
    EXPECT_EQ(r["engine_version"], "NCF") << r;
    ASSERT_EQ(r["scores"].size(), 3u) << r;
    EXPECT_GE(r["scores"][0].get<double>(), r["scores"][1].get<double>());
    EXPECT_GT(r["scores"][2].get<double>(), 0.0);
    EXPECT_LT(r["scores"][0].get<double>(), 1.0);
    EXPECT_EQ(r["explanations"].size(), 3u);
    std::set<int> ids = Ids(r);
    EXPECT_FALSE(ids.contains(2) || ids.contains(3) || ids.contains(13) || ids.contains(14)) << r;
  }
  // The profile's default engine answers when the request names none; anonymous stays Random.
  EXPECT_EQ(Recommend({{"user_id", 2}, {"client_id", "marketplace"}})["engine_version"], "NCF");
  EXPECT_EQ(Recommend({{"client_id", "marketplace"}})["engine_version"], "Random");
  EXPECT_EQ(Recommend({{"panel_id", "v2"}, {"aai_uid", "user5@egi.eu"}})["scores"].size(), 2u);
}

TEST_F(EoscE2eTest, AccessedServicesFollowTheLastDump) {
  Import("/database_dumps", Dump(false), kServices - 1);
  const json candidates = {{"user_id", 1}, {"candidates", {1, 2, 3, 4, 14}}};
  // User 1 accessed 1 and 2: only 3 and 4 are left, fewer than the panel's 3.
  EXPECT_EQ(Recommend(candidates), json({{"recommendations", json::array()}}));
  // The next dump lists only 3 as theirs (the Marketplace's record replaced, as the
  // original's Mongo did): 1 and 2 are candidates again, 3 no longer.
  json dump = Dump(false);
  dump["users"][0]["accessed_services"] = {3};
  HttpResult r = Post("/database_dumps", dump);
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(WaitFor([&] { return Ids(Recommend(candidates)) == std::set<int>({1, 2, 4}); }, 30))
      << Recommend(candidates);
  // By aai_uid too (2024 dump).
  json head = Dump(true);
  head["users"][0]["accessed_services"] = {4};
  r = Post("/database_dumps", head);
  ASSERT_EQ(r.status, 204) << r.body;
  const json by_aai = {{"aai_uid", "user1@egi.eu"}, {"candidates", {1, 2, 3, 4, 14}}};
  EXPECT_TRUE(WaitFor([&] { return Ids(Recommend(by_aai)) == std::set<int>({1, 2, 3}); }, 30))
      << Recommend(by_aai);
}

TEST_F(EoscE2eTest, BadInputIsRejectedWithFlaskRestxBodies) {
  json r = Recommend({{"panel_id", "v3"}}, 400);
  EXPECT_EQ(r["message"], "Input payload validation failed");
  EXPECT_TRUE(r["errors"].contains("panel_id")) << r;
  json missing = Context({});
  missing.erase("unique_id");
  missing["search_data"] = {{"categories", {"x"}}};
  HttpResult m = Post("/recommendations", missing);
  ASSERT_EQ(m.status, 400);
  json errors = json::parse(m.body)["errors"];
  EXPECT_EQ(errors["unique_id"], "'unique_id' is a required property") << m.body;
  EXPECT_EQ(errors["search_data.categories.0"], "'x' is not of type 'integer'") << m.body;
  HttpResult bad_json = http_->Post("/recommendations", "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_TRUE(json::parse(bad_json.body).contains("message"));
  EXPECT_EQ(Post("/user_actions", {{"unique_id", "x"}}).status, 400);

  // A rejected dump changes nothing.
  Import("/database_dumps", Dump(false), kServices - 1);
  json bad = Dump(false, 3);
  bad["services"][1]["id"] = "two";
  HttpResult d = Post("/database_dumps", bad);
  ASSERT_EQ(d.status, 400) << d.body;
  EXPECT_EQ(json::parse(d.body)["errors"]["services.1.id"], "'two' is not of type 'integer'");
  json no_users = Dump(false);
  no_users.erase("users");
  EXPECT_EQ(json::parse(Post("/update", no_users).body)["errors"]["users"],
            "'users' is a required property");
  json all = Recommend({{"candidates", json::array()}, {"engine_version", "RandomRanking"}});
  EXPECT_EQ(all["recommendations"].size(), static_cast<size_t>(kServices - 1)) << all;
  EXPECT_EQ(all["engine_version"], "RandomRanking");
  EXPECT_NEAR(all["scores"][0].get<double>(), 0.077, 1e-9);  // round(1/13, 3).
}

}  // namespace
}  // namespace recplat::testing

