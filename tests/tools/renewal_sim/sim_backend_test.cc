// The simulator on 127.0.0.1 with scripted recsystems (scripted_recsystem.h): REST and auth,
// the interactions endpoint and metrics, greeting and the one-connection rule, notification
// shapes, both recommend styles, discarded lists, separate mode and assignments.
#include "tools/renewal_sim/sim_backend.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/tools/renewal_sim/scripted_recsystem.h"
#include "tests/tools/renewal_sim/sim_test_util.h"
#include "tools/renewal_sim/jwt.h"
#include "tools/renewal_sim/trigger.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;
using recplat::testing::StatusIs;
using ::testing::ElementsAre;
using testing::Get;
using ::testing::HasSubstr;
using testing::Range;
using testing::ScriptedRecsystem;
using testing::SimBackendTest;
using ::testing::SizeIs;
using testing::Upgrade;

TEST_F(SimBackendTest, RestApiAndAuth) {
  SimOptions options = Defaults();
  options.recsystems = {"rs"};
  StartSim(options);
  const uint16_t port = sim_->port();
  const std::string token = sim_->TokenFor("rs");
  EXPECT_EQ(Get(port, "/v1", "").second, json({{"version", 1}}));
  EXPECT_EQ(Get(port, "/v1/", "").first, 200u);
  EXPECT_EQ(Get(port, "/v1/articles", "").first, 401u);
  EXPECT_EQ(Get(port, "/v1/articles", RecsystemToken("rs", "wrong", absl::Now())).first, 401u);
  auto [status, page] = Get(port, "/v1/articles?limit=3&max_id=10", token);
  EXPECT_EQ(status, 200u);
  ASSERT_EQ(page.size(), 3u) << page.dump();
  EXPECT_EQ(page[0]["article_id"], 9);
  EXPECT_EQ(page[2]["article_id"], 7);
  EXPECT_EQ(Get(port, "/v1/articles?since_id=35", token).second.size(), 5u);
  EXPECT_EQ(Get(port, "/v1/articles?since_id=-1&limit=2", token).second.size(), 2u);
  EXPECT_EQ(Get(port, "/v1/articles?limit=abc", token).first, 400u);
  // Initial articles: one release interval (12 min at 5 per hour) apart, the newest at start.
  EXPECT_EQ(Get(port, "/v1/articles/40", token).second["publish_date"], "2019-11-11T00:00:00");
  EXPECT_EQ(Get(port, "/v1/articles/39", token).second["publish_date"], "2019-11-10T23:48:00");
  EXPECT_EQ(Get(port, "/v1/articles/41", token).first, 404u);  // not released yet
  EXPECT_EQ(Get(port, "/v1/articles/x", token).first, 404u);
  EXPECT_EQ(Get(port, "/v1/nothing", token).first, 404u);
  EXPECT_GE(sim_->unauthorized(), 2);

  // The users' MIND clicks on released articles are seeded: N1001 (article 2) by all 12 users,
  // N1012 (article 13) by U0 and U6 (the first of their history).
  EXPECT_EQ(Get(port, "/v1/articles/2", token).second["metrics"]["clicks"], 12);
  auto [s13, docs] = Get(port, "/v1/articles/interactions/13", token);
  EXPECT_EQ(s13, 200u);
  ASSERT_THAT(docs, SizeIs(2));
  EXPECT_EQ(docs[0]["user_id"], "U0");
  EXPECT_EQ(docs[1]["user_id"], "U6");
  EXPECT_EQ(docs[0]["clicked"], true);
  auto [s_one, one] = Get(port, "/v1/articles/interactions/13?user_id=U0", token);
  EXPECT_EQ(s_one, 200u);
  EXPECT_EQ(one["article_id"], 13);
  EXPECT_EQ(one["user_id"], "U0");
  EXPECT_EQ(Get(port, "/v1/articles/interactions/13?user_id=U1", token).first, 404u);
  EXPECT_EQ(Get(port, "/v1/articles/interactions/20", token).first, 404u);   // none
  EXPECT_EQ(Get(port, "/v1/articles/interactions/999", token).first, 404u);  // no article
  // Assignments of a known recsystem: every user (one recsystem), with their interactions.
  auto [s_users, users] = Get(port, "/v1/user_assignments", token);
  EXPECT_EQ(s_users, 200u);
  ASSERT_THAT(users, SizeIs(12));
  EXPECT_EQ(users[0]["user_id"], "U0");
  // U0's MIND clicks among the 40 released: N1001, N1007 (an impression), N1012 (history).
  ASSERT_THAT(users[0]["interactions"], SizeIs(3));
  EXPECT_EQ(users[0]["interactions"][1]["article_id"], 8);
  // An unknown recsystem has no users until it connects.
  EXPECT_THAT(Get(port, "/v1/user_assignments", sim_->TokenFor("stranger")).second, SizeIs(0));
}

TEST_F(SimBackendTest, PingFirstOneConnectionPerRecsystem) {
  StartSim(Defaults());
  std::unique_ptr<ScriptedRecsystem> a = Connect("a", Fixed({}));
  ASSERT_NE(a, nullptr);
  EXPECT_THAT(a->RequestMethods(), ElementsAre("ping"));
  EXPECT_THAT(sim_->greeted(), ElementsAre("a"));
  // A second stream for "a" is refused before the upgrade with the backend's message.
  auto [status, body] = Upgrade(sim_->port(), sim_->TokenFor("a"));
  EXPECT_EQ(status, 403u);
  EXPECT_EQ(json::parse(body, nullptr, false),
            json({{"error",
                   "multiple simultaneous connections from the same recsystem are not "
                   "currently allowed"}}));
  EXPECT_THAT(ScriptedRecsystem::Connect(sim_->port(), sim_->TokenFor("a"), Fixed({})).status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(sim_->duplicates_refused(), 2);
  EXPECT_EQ(Upgrade(sim_->port(), "garbage").first, 401u);
  EXPECT_EQ(Upgrade(sim_->port(), "").first, 401u);
  // Another recsystem may connect; "a" again once its first stream is gone.
  std::unique_ptr<ScriptedRecsystem> b = Connect("b", Fixed({}));
  ASSERT_NE(b, nullptr);
  a->Close();
  ASSERT_TRUE(a->WaitUntil([&] { return sim_->greeted().size() == 1; }, absl::Seconds(5)));
  std::unique_ptr<ScriptedRecsystem> a2 = Connect("a", Fixed({}));
  ASSERT_NE(a2, nullptr);
  EXPECT_THAT(sim_->greeted(), ElementsAre("a", "b"));
}

TEST_F(SimBackendTest, RecommendStylesAndNotificationShapes) {
  for (RecommendStyle style : {RecommendStyle::k2021, RecommendStyle::k2020}) {
    SimOptions options = Defaults();
    options.style = style;
    options.recsystems = {"a"};
    StartSim(options, /*users=*/2);
    std::unique_ptr<ScriptedRecsystem> a = Connect("a", Fixed(Range(40, 21)));
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(sim_->ReleaseArticles(2), 2u);
    sim_->Step();
    const std::vector<json> calls = a->Requests("recommend");
    ASSERT_THAT(calls, SizeIs(2));
    if (style == RecommendStyle::k2021) {
      EXPECT_EQ(calls[0], json({{"user_id", "U0"}, {"min_articles", 5}, {"max_articles", 20}}));
    } else {
      EXPECT_EQ(
          calls[0],
          json({{"user_id", "U0"}, {"limit", 20}, {"since_id", nullptr}, {"max_id", nullptr}}));
    }
    EXPECT_EQ(calls[1]["user_id"], "U1");
    // new_article: the released articles, published now (the start).
    ASSERT_TRUE(a->WaitUntil([&] { return a->Notifications("new_article").size() == 2; },
                             absl::Seconds(5)));
    const json article = a->Notifications("new_article")[0]["article"];
    EXPECT_EQ(article["article_id"], 41);
    EXPECT_EQ(article["publish_date"], "2019-11-11T00:00:00");
    EXPECT_EQ(article["title"], "Title 40");
    // article_interaction: `recommended` for the 10 shown (of 20) per user, then the reactions.
    const RecsystemStats st = sim_->stats().at("a");
    EXPECT_EQ(st.recommend_calls, 2);
    EXPECT_EQ(st.failed_calls, 0);
    EXPECT_EQ(st.shown, 20);
    EXPECT_EQ(st.contests, 0);  // one list per user: no contest
    const size_t expected = 20 + st.clicks + st.likes + st.dislikes + st.bookmarks;
    ASSERT_TRUE(
        a->WaitUntil([&] { return a->Notifications("article_interaction").size() == expected; },
                     absl::Seconds(5)));
    const json first = a->Notifications("article_interaction")[0]["interaction"];
    EXPECT_EQ(first["user_id"], "U0");
    EXPECT_EQ(first["article_id"], 40);
    EXPECT_EQ(first["recommended"], true);
    EXPECT_EQ(first["timestamp"], "2019-11-11T00:00:00.000Z");
    int64_t clicks = 0;
    for (const json& n : a->Notifications("article_interaction")) {
      const json& x = n["interaction"];
      if (x.contains("clicked")) ++clicks;
      if (x.contains("rating")) {
        EXPECT_TRUE(x.contains("prev_rating")) << x.dump();
      }
    }
    EXPECT_EQ(clicks, st.clicks);
    // The clock moved one step on.
    EXPECT_EQ(sim_->now(), absl::FromUnixSeconds(1573430400) + absl::Hours(1));
    a->Close();
    sim_->Stop();
  }
}

TEST_F(SimBackendTest, ShortAndBadListsAreDiscardedOrFailed) {
  SimOptions options = Defaults();
  options.recsystems = {"short", "bad", "good"};
  StartSim(options, /*users=*/3);
  std::unique_ptr<ScriptedRecsystem> s = Connect("short", Fixed({40, 39, 38, 999}));
  std::unique_ptr<ScriptedRecsystem> b =
      Connect("bad", [](const json&) { return json("not a list"); });
  std::unique_ptr<ScriptedRecsystem> g = Connect("good", Fixed(Range(1, 30)));
  ASSERT_TRUE(s && b && g);
  sim_->Step();
  const auto stats = sim_->stats();
  EXPECT_EQ(stats.at("short").discarded, 3);  // 3 known ids < min_articles 5
  EXPECT_EQ(stats.at("short").shown, 0);
  EXPECT_EQ(stats.at("bad").failed_calls, 3);
  EXPECT_EQ(stats.at("good").shown, 30);  // alone: its top 10, no contest
  EXPECT_EQ(stats.at("good").contests, 0);
  EXPECT_TRUE(sim_->pairs().empty());
}

TEST_F(SimBackendTest, SeparateModeShowsEachListToItsOwnRecsystem) {
  SimOptions options = Defaults();
  options.mode = ShowMode::kSeparate;
  options.recsystems = {"a", "b"};
  StartSim(options, /*users=*/4);
  std::unique_ptr<ScriptedRecsystem> a = Connect("a", Fixed(Range(1, 10)));
  std::unique_ptr<ScriptedRecsystem> b = Connect("b", Fixed(Range(11, 20)));
  ASSERT_TRUE(a && b);
  // The article metrics (GET /v1/articles) follow the simulated clicks, ratings and bookmarks.
  auto totals = [&] {
    json sum = {{"clicks", 0}, {"likes", 0}, {"dislikes", 0}, {"bookmarks", 0}};
    for (const json& article : Get(sim_->port(), "/v1/articles", sim_->TokenFor("a")).second) {
      for (auto& [key, value] : sum.items())
        value = value.get<int64_t>() + article["metrics"][key].get<int64_t>();
    }
    return sum;
  };
  const json before = totals();
  sim_->Step();
  const json after = totals();
  const auto stats = sim_->stats();
  EXPECT_EQ(after["clicks"].get<int64_t>() - before["clicks"].get<int64_t>(),
            stats.at("a").clicks + stats.at("b").clicks);
  EXPECT_EQ(after["likes"].get<int64_t>() - before["likes"].get<int64_t>(),
            stats.at("a").likes + stats.at("b").likes);
  EXPECT_EQ(after["dislikes"].get<int64_t>() - before["dislikes"].get<int64_t>(),
            stats.at("a").dislikes + stats.at("b").dislikes);
  EXPECT_EQ(after["bookmarks"].get<int64_t>() - before["bookmarks"].get<int64_t>(),
            stats.at("a").bookmarks + stats.at("b").bookmarks);
  EXPECT_GT(after["clicks"].get<int64_t>(), before["clicks"].get<int64_t>());
  // Each shown article has the user's accumulated `recommended` interaction.
  auto [status, doc] =
      Get(sim_->port(), "/v1/articles/interactions/15?user_id=U3", sim_->TokenFor("b"));
  EXPECT_EQ(status, 200u);
  EXPECT_EQ(doc["recommended"], true);
  EXPECT_EQ(sim_->stats().at("a").shown, 40);
  EXPECT_EQ(sim_->stats().at("b").shown, 40);
  EXPECT_EQ(sim_->stats().at("a").contests, 0);
  // Each hears only about its own list.
  ASSERT_TRUE(a->WaitUntil([&] { return a->Notifications("article_interaction").size() >= 40; },
                           absl::Seconds(5)));
  for (const json& n : a->Notifications("article_interaction")) {
    EXPECT_LE(n["interaction"]["article_id"].get<int64_t>(), 10);
  }
}

TEST_F(SimBackendTest, AssignmentsAreNotifiedAndRotate) {
  SimOptions options = Defaults();
  options.recsystems = {"a", "b"};
  options.recsystems_per_user = 1;
  options.rotate_every = 1;
  StartSim(options, /*users=*/4);
  auto users_of = [&](const std::string& sub) {
    std::vector<std::string> ids;
    for (const json& u : Get(sim_->port(), "/v1/user_assignments", sim_->TokenFor(sub)).second) {
      ids.push_back(u["user_id"]);
      EXPECT_TRUE(u["interactions"].is_array());
    }
    return ids;
  };
  EXPECT_THAT(users_of("a"), ElementsAre("U0", "U2"));
  EXPECT_THAT(users_of("b"), ElementsAre("U1", "U3"));
  std::unique_ptr<ScriptedRecsystem> a = Connect("a", Fixed(Range(1, 20)));
  std::unique_ptr<ScriptedRecsystem> b = Connect("b", Fixed(Range(21, 40)));
  ASSERT_TRUE(a && b);
  sim_->Step();  // step 0: no rotation; each asked only for its users
  std::vector<std::string> asked;
  for (const json& p : a->Requests("recommend")) asked.push_back(p["user_id"]);
  EXPECT_THAT(asked, ElementsAre("U0", "U2"));
  EXPECT_TRUE(a->Notifications("assigned_user").empty());
  sim_->Step();  // step 1: rotation before the refreshes
  ASSERT_TRUE(a->WaitUntil([&] { return a->Notifications("assigned_user").size() == 2; },
                           absl::Seconds(5)));
  const std::vector<json> gone = a->Notifications("unassigned_user");
  ASSERT_THAT(gone, SizeIs(2));
  EXPECT_EQ(gone[0]["user_id"], "U0");
  EXPECT_EQ(gone[0]["user"]["user_id"], "U0");
  EXPECT_TRUE(gone[0]["user"]["interactions"].is_array());
  const json joined = a->Notifications("assigned_user")[0];
  EXPECT_EQ(joined["user_id"], "U1");
  // U1 was shown b's list in step 0: the user object carries those interactions.
  EXPECT_FALSE(joined["user"]["interactions"].empty());
  EXPECT_THAT(users_of("a"), ElementsAre("U1", "U3"));
  EXPECT_THAT(sim_->UsersOf("b"), ElementsAre("U0", "U2"));
  asked.clear();
  for (const json& p : a->Requests("recommend")) asked.push_back(p["user_id"]);
  EXPECT_THAT(asked, ElementsAre("U0", "U2", "U1", "U3"));

  // A recsystem unknown until it connects joins the rotation and is told its users.
  std::unique_ptr<ScriptedRecsystem> c = Connect("c", Fixed({}));
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(
      c->WaitUntil([&] { return !c->Notifications("assigned_user").empty(); }, absl::Seconds(5)));
  std::vector<std::string> told;
  for (const json& n : c->Notifications("assigned_user")) told.push_back(n["user_id"]);
  EXPECT_EQ(told, sim_->UsersOf("c"));
}

}  // namespace
}  // namespace recplat::renewal_sim
