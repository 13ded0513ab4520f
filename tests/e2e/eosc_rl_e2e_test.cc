// End-to-end: the eosc profile's RL agent (docs/eosc.md). A dump, recommendations to logged-in
// users on both panels (recorded by the core with their visit and panel), the users' actions
// on the served panels (a journey down to an order), GET /training (NCF, then RL), then
// `engine_version: "RL"` answers K services from the request's candidates with the RL
// explanations, /health shows RL UP, and too few candidates answer the empty list.
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/eosc_e2e_fixture.h"

namespace recplat::testing {
namespace {

constexpr char kRlLong[] =
    "This service has been selected based on the analysis of historical services orders and "
    "users activity patterns.";
constexpr char kRlShort[] = "This service has been selected based on the users activity.";

// One user action of a journey from `from_visit` (the page the panel was on) to `to_visit`.
json JourneyAction(int user, const std::string& from_visit, const std::string& from_page,
                   const std::string& to_visit, const std::string& to_page, int root_service,
                   const std::string& panel, bool order) {
  json source = {{"visit_id", from_visit}, {"page_id", from_page}};
  if (root_service > 0) {
    source["root"] = {
        {"type", "recommendation_panel"}, {"panel_id", panel}, {"service_id", root_service}};
  }
  return {{"user_id", user},
          {"unique_id", "5642c351-80fe-44cf-b606-304f2f338122"},
          {"timestamp", "2024-03-18T19:33:21.620Z"},
          {"source", source},
          {"target", {{"visit_id", to_visit}, {"page_id", to_page}}},
          {"action", {{"type", "button"}, {"text", "Details"}, {"order", order}}}};
}

TEST_F(EoscE2eTest, RlAgentLearnsFromServedPanelsAndAnswers) {
  Import("/database_dumps", Dump(true), kServices - 1);
  EXPECT_EQ(json::parse(http_->Get("/health").body)["recommender_engines"]["RL"]["status"],
            "DOWN");
  // Before any training, RL is not ready: the chain falls back to Random.
  EXPECT_EQ(Recommend({{"user_id", 1}, {"engine_version", "RL"}})["engine_version"], "Random");

  // Users 1..6 see both panels on a few pages; on each v1 panel they open the first service,
  // go on to its offers and its order summary, and order it on every other page.
  int actions = 0;
  for (int user = 1; user <= 6; ++user) {
    for (int page = 0; page < 3; ++page) {
      for (const std::string panel : {"v1", "v2"}) {
        const std::string visit = absl::StrCat("visit-", user, "-", page, "-", panel);
        json r = Recommend({{"user_id", user}, {"panel_id", panel}, {"visit_id", visit},
                            {"page_id", "/services"}, {"client_id", "marketplace"}});
        ASSERT_EQ(r["recommendations"].size(), panel == "v1" ? 3u : 2u) << r;
        if (panel != "v1") continue;
        const int service = r["recommendations"][0].get<int>();
        const std::string page_path = absl::StrCat("/services/s", service);
        std::vector<json> journey = {
            JourneyAction(user, visit, "/services", visit + "-a", page_path, service, "v1", false),
            JourneyAction(user, visit + "-a", page_path, visit + "-b", page_path + "/offers", 0,
                          "", false),
            JourneyAction(user, visit + "-b", page_path + "/offers", visit + "-c",
                          page_path + "/summary", 0, "", false),
        };
        if (page % 2 == 0) {
          journey.push_back(JourneyAction(user, visit + "-c", page_path + "/summary",
                                          visit + "-d", page_path + "/summary", 0, "", true));
        }
        for (const json& a : journey) {
          HttpResult posted = Post("/user_actions", a);
          ASSERT_EQ(posted.status, 204) << posted.body;
          ++actions;
        }
      }
    }
  }
  EXPECT_EQ(actions, 6 * (3 * 3 + 2));

  // GET /training trains NCF, then RL (served lists reach the core's store within ~100 ms;
  // a training that saw none fails and the next request trains again).
  auto rl_up = [&] {
    json t = json::parse(http_->Get("/health").body);
    return t["recommender_engines"]["RL"]["status"] == "UP";
  };
  bool trained = false;
  for (int attempt = 0; attempt < 5 && !trained; ++attempt) {
    EXPECT_EQ(http_->Get("/training").body, "null");
    trained = WaitFor(rl_up, 30);
  }
  ASSERT_TRUE(trained) << http_->Get("/health").body;
  json health = json::parse(http_->Get("/health").body);
  EXPECT_EQ(health["recommender_engines"]["NCF"]["status"], "UP") << health;
  EXPECT_EQ(health["status"], "UP") << health;

  // engine_version RL: K services among the candidates (user 1 accessed 1 and 2), RL
  // explanations, the masked engagement as scores.
  const std::set<int> candidates = {1, 2, 3, 4, 5, 6, 7, 8};
  for (const std::string panel : {"v1", "v2"}) {
    json r = Recommend({{"user_id", 1}, {"panel_id", panel}, {"engine_version", "RL"},
                        {"candidates", json(candidates)}, {"visit_id", "visit-after"}});
    const size_t k = panel == "v1" ? 3 : 2;
    EXPECT_EQ(r["engine_version"], "RL") << r;
    EXPECT_EQ(r["panel_id"], panel);
    ASSERT_EQ(r["recommendations"].size(), k) << r;
    std::set<int> ids = Ids(r);
    EXPECT_EQ(ids.size(), k) << r;
    for (int id : ids) {
      EXPECT_TRUE(candidates.contains(id)) << r;
      EXPECT_FALSE(id == 1 || id == 2) << r;
    }
    ASSERT_EQ(r["scores"].size(), k);
    for (const json& s : r["scores"]) {
      EXPECT_GT(s.get<double>(), 0.0) << r;
      EXPECT_LE(s.get<double>(), 1.0) << r;
    }
    EXPECT_EQ(r["explanations"][0], kRlLong);
    EXPECT_EQ(r["explanations_short"][k - 1], kRlShort);
  }
  // The aai_uid names the same user; too few candidates: the original's empty answer.
  EXPECT_EQ(Recommend({{"aai_uid", "user1@egi.eu"}, {"engine_version", "rl"}})["engine_version"],
            "RL");
  EXPECT_EQ(Recommend({{"user_id", 1}, {"engine_version", "RL"}, {"candidates", {3, 4}}}),
            json({{"recommendations", json::array()}}));
  // Anonymous users stay Random.
  EXPECT_EQ(Recommend({{"engine_version", "RL"}, {"client_id", "marketplace"}})["engine_version"],
            "Random");
}

}  // namespace
}  // namespace recplat::testing
