// The simulator's interaction store (article_store.h), the test utility's formatting
// (trigger.h) and the command line (sim_flags.h).
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tools/renewal_sim/article_store.h"
#include "tools/renewal_sim/sim_flags.h"
#include "tools/renewal_sim/trigger.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<int64_t> Ids(const json& articles) {
  std::vector<int64_t> ids;
  for (const json& a : articles) ids.push_back(a["article_id"].get<int64_t>());
  return ids;
}

TEST(ArticleStoreTest, ListsNewestFirstWithinBounds) {
  ArticleStore store;
  for (int64_t id = 1; id <= 10; ++id) ASSERT_OK(store.Add(json{{"article_id", id}}));
  EXPECT_THAT(store.Add(json{{"article_id", 3}}), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(store.Add(json{{"title", "x"}}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(store.size(), 10u);
  EXPECT_THAT(Ids(store.List(3, std::nullopt, 10)), ElementsAre(9, 8, 7));
  EXPECT_THAT(Ids(store.List(1000, 6, std::nullopt)), ElementsAre(10, 9, 8, 7));
  EXPECT_THAT(Ids(store.List(1000, 2, 5)), ElementsAre(4, 3));
  EXPECT_THAT(Ids(store.List(0, std::nullopt, std::nullopt)), ElementsAre(10));  // clamps to 1
  EXPECT_TRUE(store.List(5, 10, std::nullopt).empty());
  // Missing metrics are zeros.
  EXPECT_EQ(store.Get(4)->at("metrics"),
            json({{"likes", 0}, {"dislikes", 0}, {"bookmarks", 0}, {"clicks", 0}}));
  EXPECT_FALSE(store.Get(11).has_value());
}

TEST(ArticleStoreTest, InteractionsAccumulateAndDriveMetrics) {
  ArticleStore store;
  ASSERT_OK(store.Add(json{{"article_id", 7}}));
  const absl::Time t = absl::FromUnixSeconds(1573430400) + absl::Milliseconds(5);
  ASSERT_OK_AND_ASSIGN(json p, store.Interact("alice", 7, {{"recommended", true}}, t));
  EXPECT_EQ(p, json({{"user_id", "alice"},
                     {"article_id", 7},
                     {"recommended", true},
                     {"timestamp", "2019-11-11T00:00:00.005Z"}}));
  auto metrics = [&] { return store.Get(7)->at("metrics"); };
  EXPECT_EQ(metrics()["clicks"], 0);  // recommended changes no metric
  ASSERT_OK(store.Interact("alice", 7, {{"clicked", true}}, t).status());
  ASSERT_OK(store.Interact("bob", 7, {{"clicked", true}}, t).status());
  ASSERT_OK(store.Interact("alice", 7, {{"rating", 1}, {"prev_rating", 0}}, t).status());
  ASSERT_OK(store.Interact("alice", 7, {{"bookmarked", true}}, t).status());
  EXPECT_EQ(metrics(), json({{"likes", 1}, {"dislikes", 0}, {"bookmarks", 1}, {"clicks", 2}}));
  // Changing a rating moves the count; un-bookmarking and un-clicking remove; never below 0.
  ASSERT_OK(store.Interact("alice", 7, {{"rating", -1}, {"prev_rating", 1}}, t).status());
  ASSERT_OK(store.Interact("alice", 7, {{"bookmarked", false}}, t).status());
  ASSERT_OK(store.Interact("bob", 7, {{"clicked", false}}, t).status());
  ASSERT_OK(store.Interact("bob", 7, {{"clicked", false}}, t).status());
  ASSERT_OK(store.Interact("bob", 7, {{"clicked", false}}, t).status());
  EXPECT_EQ(metrics(), json({{"likes", 0}, {"dislikes", 1}, {"bookmarks", 0}, {"clicks", 0}}));

  // The accumulated document per (user, article).
  std::optional<json> alice = store.Interaction("alice", 7);
  ASSERT_TRUE(alice.has_value());
  EXPECT_EQ((*alice)["recommended"], true);
  EXPECT_EQ((*alice)["clicked"], true);
  EXPECT_EQ((*alice)["rating"], -1);
  EXPECT_EQ((*alice)["prev_rating"], 1);
  EXPECT_EQ((*alice)["bookmarked"], false);
  EXPECT_TRUE(store.Clicked("alice", 7));
  EXPECT_FALSE(store.Clicked("bob", 7));
  EXPECT_EQ(store.Rating("alice", 7), -1);
  EXPECT_EQ(store.Rating("carol", 7), 0);
  EXPECT_EQ(store.InteractionsOfArticle(7).size(), 2u);
  EXPECT_EQ(store.InteractionsOfUser("alice").size(), 1u);
  EXPECT_TRUE(store.InteractionsOfUser("carol").empty());
  EXPECT_FALSE(store.Interaction("carol", 7).has_value());

  EXPECT_THAT(store.Interact("alice", 8, {{"clicked", true}}, t).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store.Interact("alice", 7, {{"rating", 2}}, t).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store.Interact("alice", 7, json::array(), t).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TriggerFormatTest, ReproducesTheReferenceLogLine) {
  EXPECT_EQ(CallLine("recommend", FakeParams("recommend"), json::array()),
            "recommend(user_id='fake-user', max_articles=200, min_articles=15) -> []");
  EXPECT_EQ(CallLine("recommend", FakeParams("recommend"), json({3, 1})),
            "recommend(user_id='fake-user', max_articles=200, min_articles=15) -> [3, 1]");
  EXPECT_EQ(CallLine("ping", FakeParams("ping"), "pong"), "ping() -> 'pong'");
  EXPECT_EQ(CallLine("nope", nullptr, json{{"error", {{"code", -32601}, {"message", "x"}}}}),
            "nope() -> error: {'code': -32601, 'message': 'x'}");
  EXPECT_EQ(PyRepr(ordered_json({{"b", true}, {"a", nullptr}, {"c", {1.5, "it's"}}})),
            "{'b': True, 'a': None, 'c': [1.5, 'it\\'s']}");
  EXPECT_EQ(FakeParams("new_article")["article"]["article_id"], 0);
  EXPECT_EQ(FakeParams("article_interaction")["interaction"]["clicked"], true);
  EXPECT_EQ(FakeParams("assigned_user")["user"]["user_id"], "fake-user");
  EXPECT_TRUE(FakeParams("ping").is_null());
  EXPECT_TRUE(ValidMethodName("article_interaction"));
  EXPECT_FALSE(ValidMethodName("../x"));
  EXPECT_FALSE(ValidMethodName(""));
  EXPECT_FALSE(ValidMethodName("1abc"));
}

absl::StatusOr<Command> Parse(std::vector<std::string> args) { return ParseCommandLine(args); }

TEST(SimFlagsTest, RunFlags) {
  ASSERT_OK_AND_ASSIGN(Command defaults, Parse({}));
  EXPECT_EQ(defaults.kind, Command::Kind::kRun);
  EXPECT_THAT(defaults.run.sim.recsystems, ElementsAre("recsystem-1"));
  EXPECT_EQ(defaults.run.sim.mode, ShowMode::kInterleaved);
  EXPECT_EQ(defaults.run.sim.step_duration, absl::Hours(1));
  EXPECT_EQ(defaults.run.sim.user_model.freshness_half_life, absl::Hours(24));

  ASSERT_OK_AND_ASSIGN(Command c, Parse({"run",
                                         "--sub",
                                         "a",
                                         "--sub=b",
                                         "--mode",
                                         "separate",
                                         "--style",
                                         "2020",
                                         "--steps=7",
                                         "--users",
                                         "9",
                                         "--step-interval-ms",
                                         "250",
                                         "--half-life-hours",
                                         "0",
                                         "--rotate-every",
                                         "3",
                                         "--recsystems-per-user",
                                         "1",
                                         "--no-seed-history",
                                         "--tls-cert",
                                         "c.pem",
                                         "--tls-key",
                                         "k.pem",
                                         "--port",
                                         "8080",
                                         "--step-minutes",
                                         "30"}));
  const RunConfig& r = c.run;
  EXPECT_THAT(r.sim.recsystems, ElementsAre("a", "b"));
  EXPECT_EQ(r.sim.mode, ShowMode::kSeparate);
  EXPECT_EQ(r.sim.style, RecommendStyle::k2020);
  EXPECT_EQ(r.steps, 7);
  EXPECT_EQ(r.load.max_users, 9u);
  EXPECT_EQ(r.sim.step_interval, absl::Milliseconds(250));
  EXPECT_EQ(r.sim.user_model.freshness_half_life, absl::ZeroDuration());
  EXPECT_EQ(r.sim.rotate_every, 3);
  EXPECT_EQ(r.sim.recsystems_per_user, 1u);
  EXPECT_FALSE(r.sim.seed_history);
  EXPECT_EQ(r.tls_cert_file, "c.pem");
  EXPECT_EQ(r.sim.port, 8080);
  EXPECT_EQ(r.sim.step_duration, absl::Minutes(30));

  for (std::vector<std::string> bad : {std::vector<std::string>{"--port", "70000"},
                                       {"--mode", "mixed"},
                                       {"--style", "2019"},
                                       {"--steps", "-1"},
                                       {"--bogus", "1"},
                                       {"--steps"},
                                       {"--tls-cert", "c.pem"},
                                       {"--min-articles", "30", "--max-articles", "10"},
                                       {"--click-scale", "x"},
                                       {"--step-minutes", "0"}}) {
    EXPECT_THAT(Parse(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad[0];
  }
  EXPECT_THAT(Parse({"--port", "x"}).status().message(), HasSubstr("--port"));
  ASSERT_OK_AND_ASSIGN(Command help, Parse({"--steps", "3", "--help"}));
  EXPECT_EQ(help.kind, Command::Kind::kHelp);
  EXPECT_THAT(Usage(), HasSubstr("--step-interval-ms"));
}

TEST(SimFlagsTest, TriggerFlags) {
  ASSERT_OK_AND_ASSIGN(Command c, Parse({"trigger", "--method", "recommend", "--token", "t",
                                         "--params", R"({"max_articles": 3})", "--api-base-uri",
                                         "https://127.0.0.1:9/v1/", "--ca-file", "ca.pem"}));
  EXPECT_EQ(c.kind, Command::Kind::kTrigger);
  EXPECT_EQ(c.trigger.request.method, "recommend");
  EXPECT_EQ(c.trigger.request.params, json({{"max_articles", 3}}));
  EXPECT_EQ(c.trigger.request.ca_file, "ca.pem");
  ASSERT_OK_AND_ASSIGN(
      c, Parse({"trigger", "--method=ping", "--secret", "s", "--sub", "rs", "--insecure"}));
  EXPECT_TRUE(c.trigger.request.insecure_skip_verify);
  EXPECT_EQ(c.trigger.sub, "rs");
  EXPECT_THAT(Parse({"trigger", "--token", "t"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse({"trigger", "--method", "ping"}),
              StatusIs(absl::StatusCode::kInvalidArgument));  // no token
  EXPECT_THAT(Parse({"trigger", "--method", "ping", "--token", "t", "--params", "[1]"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse({"trigger", "--method", "ping", "--token", "t", "--steps", "3"}),
              StatusIs(absl::StatusCode::kInvalidArgument));  // a run flag
}

}  // namespace
}  // namespace recplat::renewal_sim
