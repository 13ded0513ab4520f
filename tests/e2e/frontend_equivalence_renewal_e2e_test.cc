// End-to-end, issue 9 ("What it must show"), renewal half: the renewal frontend as a
// `role: frontend` process over a `role: core` process (B) answers like one `role: all`
// process (A). Both are recsystems of ONE Renewal backend simulator (tools/renewal_sim), as
// "split" and "single": they sync the same released articles and user assignments (with the
// users' past clicks), receive the same new_article and article_interaction notifications (the
// simulator broadcasts every interaction of an interleaved refresh to every recsystem), and
// are asked the same recommend calls (the simulator's refresh steps, then the §1.8 trigger
// utility for calls whose answers the test reads). What each returns must be equal, and never
// an article the user interacted with or was recommended before (the core's filters).
//
// Determinism: the feed cascade is only the deterministic `recent` model
// (`surfaces.feed.retrieval=[recent]`) and automatic training is off; before every step that
// reads, the test waits (bounded) until BOTH cores have applied exactly the articles and
// events sent so far (GET /v1/stats: item and event counts, materializer lag 0), since
// notifications are applied asynchronously; the simulator's randomness is seeded per (step,
// user), so equal answers make equal refreshes.
#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/equivalence_support.h"
#include "tests/testing/test_env.h"
#include "tools/renewal_sim/sim_backend.h"

namespace recplat::testing {
namespace {

using nlohmann::json;
using renewal_sim::MindData;
using renewal_sim::SimBackend;
using renewal_sim::SimOptions;

constexpr size_t kInitialArticles = 30;
constexpr size_t kPerStep = 3;
constexpr int kSteps = 3;

// 60 articles in three categories; four users with past clicks on initial articles (U2: none).
MindData Data() {
  MindData d = renewal_sim::SyntheticMind(60, 4, {"sports", "news", "finance"});
  const std::vector<std::vector<int64_t>> clicked = {{3, 7, 12}, {5, 28}, {}, {1, 2, 30}};
  for (size_t u = 0; u < d.users.size(); ++u) d.users[u].clicked_articles = clicked[u];
  return d;
}

constexpr uint64_t kSeededClicks = 8;  // The clicked_articles above.

class RenewalEquivalenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimOptions options;
    options.recsystems = {"single", "split"};
    options.initial_articles = kInitialArticles;
    options.release_per_step = kPerStep;
    options.min_articles = 3;
    options.max_articles = 5;
    options.shown = 5;
    options.seed = 7;
    auto sim = SimBackend::Start(options, Data());
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = *std::move(sim);
    single_ = Make("single", 0);
    split_ = Make("split", 1);
    ASSERT_TRUE(single_->Start()) << single_->Diagnostics();
    ASSERT_TRUE(split_->Start()) << split_->Diagnostics();
    ASSERT_TRUE(sim_->WaitForGreeted(2, absl::Seconds(20)))
        << single_->Diagnostics() << split_->Diagnostics();
  }

  void TearDown() override {
    if (sim_ != nullptr) sim_->Stop();
  }

  std::unique_ptr<Deployment> Make(const std::string& sub, int frontends) {
    const std::string token = (dir_.path() / (sub + ".token")).string();
    std::ofstream(token) << sim_->TokenFor(sub) << "\n";
    DeploymentOptions o;
    o.profile = (SourceDir() / "config" / "renewal.yaml").string();
    o.data_dir = dir_.path() / sub;
    o.common_args = {"--set", "log.sync=none",
                     "--set", "training.enabled=false",
                     "--set", "surfaces.feed.retrieval=[recent]"};
    o.frontend_args = {"--token", token, "--api-base-uri", sim_->base_uri()};
    o.frontends = frontends;
    return std::make_unique<Deployment>(std::move(o));
  }

  // Waits until both cores have applied exactly `items` items and `events` events.
  void AwaitBoth(uint64_t items, uint64_t events) {
    for (Deployment* d : {single_.get(), split_.get()}) {
      json last;
      const bool settled = AwaitSettled(
          d->Core(),
          [&](const json& t) {
            return StatCount(t, "items") == items && StatCount(t, "events") == events;
          },
          absl::Seconds(20), &last);
      ASSERT_TRUE(settled) << (d->split() ? "B" : "A") << " expected " << items << " items, "
                           << events << " events; stats " << last.dump();
    }
  }

  // Events the simulator has sent each recsystem so far: the seeded clicks, and one per
  // interaction notification of the refreshes (recommended, clicked, rating, bookmarked; every
  // one is broadcast to both, so the sum over the teams that contributed the articles).
  uint64_t ExpectedEvents() const {
    uint64_t n = kSeededClicks;
    for (const auto& [sub, s] : sim_->stats()) {
      n += s.shown + s.clicks + s.likes + s.dislikes + s.bookmarks;
    }
    return n;
  }

  // A user's history (GET /v1/users/U) in A (its process) and in B (through the frontend's
  // native routes, i.e. over gRPC): must be equal. Returns the items of A's history.
  std::set<std::string> SameHistory(const std::string& user) {
    const std::string path = "/v1/users/" + user + "?history_limit=1000";
    JsonAnswer a = CallJson(single_->Core(), boost::beast::http::verb::get, path);
    JsonAnswer b = CallJson(split_->Frontend(0), boost::beast::http::verb::get, path);
    EXPECT_EQ(a.status, b.status) << user << "\nA: " << a.raw << "\nB: " << b.raw;
    EXPECT_EQ(a.body, b.body) << user << "\nA: " << a.raw << "\nB: " << b.raw;
    std::set<std::string> items;
    if (a.body.is_object() && a.body.contains("history")) {
      for (const json& h : a.body["history"]) items.insert(h.value("item_id", ""));
    }
    return items;
  }

  // Every article as the core lists it (GET /v1/items, through A's process and B's frontend):
  // equal, including the article metrics the frontend keeps as core counters. Normalised:
  // updated_at_ms (wall time of the last write) and the values of event_counts (decayed to
  // the moment of the read).
  void SameItems() {
    const std::string path = "/v1/items?page_size=1000";
    auto normalise = [](json v) {
      return NormaliseMapValues(Normalise(std::move(v), {"updated_at_ms"}), {"event_counts"});
    };
    JsonAnswer a = CallJson(single_->Core(), boost::beast::http::verb::get, path);
    JsonAnswer b = CallJson(split_->Frontend(0), boost::beast::http::verb::get, path);
    EXPECT_EQ(a.status, 200) << a.raw;
    EXPECT_EQ(a.status, b.status) << "\nA: " << a.raw << "\nB: " << b.raw;
    EXPECT_EQ(normalise(a.body), normalise(b.body)) << "\nA: " << a.raw << "\nB: " << b.raw;
  }

  // The same JSON-RPC call (simulator trigger) to both recsystems; expects equal answers and
  // returns A's.
  json SameCall(const std::string& method, const json& params) {
    auto a = sim_->Trigger("single", method, params);
    auto b = sim_->Trigger("split", method, params);
    EXPECT_TRUE(a.ok()) << a.status();
    EXPECT_TRUE(b.ok()) << b.status();
    if (!a.ok() || !b.ok()) return json();
    EXPECT_EQ(a->answer, b->answer)
        << method << " " << params.dump() << "\nA: " << a->line << "\nB: " << b->line;
    return a->answer;
  }

  json Recommend(const std::string& user, int max_articles) {
    json answer = SameCall(
        "recommend", {{"user_id", user}, {"min_articles", 3}, {"max_articles", max_articles}});
    EXPECT_TRUE(answer.is_array()) << answer.dump();
    return answer.is_array() ? answer : json::array();
  }

  TempDir dir_;
  std::unique_ptr<SimBackend> sim_;
  std::unique_ptr<Deployment> single_;
  std::unique_ptr<Deployment> split_;
};

std::set<std::string> Ids(const json& answer) {
  std::set<std::string> out;
  for (const json& id : answer) out.insert(id.dump());
  return out;
}

TEST_F(RenewalEquivalenceTest, FrontendOverARemoteCoreAnswersLikeOneProcess) {
  const std::vector<std::string> users = {"U0", "U1", "U2", "U3"};
  // The start-up sync: the released articles, and the users' listed past clicks.
  ASSERT_NO_FATAL_FAILURE(AwaitBoth(kInitialArticles, kSeededClicks));
  for (const std::string& user : users) SameHistory(user);

  // Refreshes by the simulator: both are asked the same recommend calls (the simulator drops
  // unknown or repeated ids and counts too short lists as discarded) and told the same
  // interactions.
  for (int step = 0; step < kSteps; ++step) {
    sim_->ReleaseArticles(kPerStep);
    ASSERT_NO_FATAL_FAILURE(
        AwaitBoth(sim_->released_articles(), ExpectedEvents()));  // new_article applied
    sim_->Step();
    ASSERT_NO_FATAL_FAILURE(AwaitBoth(sim_->released_articles(), ExpectedEvents()));
    for (const std::string& user : users) SameHistory(user);
    SameItems();
  }
  for (const auto& [sub, s] : sim_->stats()) {
    EXPECT_EQ(s.recommend_calls, kSteps * 4) << sub;
    EXPECT_EQ(s.failed_calls, 0) << sub;
    EXPECT_EQ(s.discarded, 0) << sub;
  }
  EXPECT_GT(ExpectedEvents(), kSeededClicks);

  // Recommend calls whose answers the test reads: equal in both, never what the user
  // interacted with (history) nor what was recommended to them before.
  std::set<std::string> answered_u0;
  for (const std::string& user : users) {
    const std::set<std::string> history = SameHistory(user);
    const json first = Recommend(user, 5);
    const json second = Recommend(user, 5);
    EXPECT_EQ(first.size(), 5u) << user;
    EXPECT_EQ(second.size(), 5u) << user;
    std::set<std::string> ids = Ids(first);
    for (const std::string& id : Ids(second)) EXPECT_TRUE(ids.insert(id).second) << user << id;
    for (const std::string& id : ids) EXPECT_FALSE(history.contains(id)) << user << " " << id;
    if (user == "U0") answered_u0 = ids;
  }

  // A new article and a click through the same JSON-RPC methods the backend notifies.
  const uint64_t items = sim_->released_articles();
  const uint64_t events = ExpectedEvents();
  const std::string when =
      absl::FormatTime("%Y-%m-%dT%H:%M:%S", sim_->now() + absl::Hours(1), absl::UTCTimeZone());
  EXPECT_EQ(SameCall("new_article", {{"article",
                                      {{"article_id", 1000},
                                       {"title", "Breaking"},
                                       {"keywords", {"news"}},
                                       {"publish_date", when},
                                       {"site", {{"name", "MSN"}}},
                                       {"metrics", nullptr}}}}),
            json(nullptr));
  // The newest article U0 has neither seen nor been recommended: `recent` ranks it within U0's
  // next four (only articles of its own release, at most kPerStep, can tie with it), so the
  // click below is what keeps it out.
  std::set<std::string> u0_seen = SameHistory("U0");
  u0_seen.insert(answered_u0.begin(), answered_u0.end());
  int64_t clicked = 0;
  for (int64_t id = static_cast<int64_t>(items); id > 0 && clicked == 0; --id) {
    if (!u0_seen.contains(absl::StrCat(id))) clicked = id;
  }
  ASSERT_GT(clicked, 0);
  EXPECT_EQ(SameCall("article_interaction", {{"interaction",
                                              {{"user_id", "U0"},
                                               {"article_id", clicked},
                                               {"clicked", true},
                                               {"timestamp", when + "Z"}}}}),
            json(nullptr));
  ASSERT_NO_FATAL_FAILURE(AwaitBoth(items + 1, events + 1));
  const json after = Recommend("U0", 5);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after[0], 1000) << after.dump();  // Newest first.
  for (const std::string& id : Ids(after)) {
    EXPECT_NE(id, absl::StrCat(clicked)) << after.dump();
    EXPECT_FALSE(answered_u0.contains(id)) << id;
  }

  // The 2020 parameters: an id window (exclusive bounds) and a limit.
  const json window = SameCall("recommend", {{"user_id", "U2"},
                                             {"limit", 4},
                                             {"since_id", 10},
                                             {"max_id", 25},
                                             {"min_articles", nullptr},
                                             {"max_articles", nullptr}});
  ASSERT_TRUE(window.is_array()) << window.dump();
  EXPECT_EQ(window.size(), 4u) << window.dump();
  for (const json& id : window) {
    EXPECT_GT(id.get<int64_t>(), 10);
    EXPECT_LT(id.get<int64_t>(), 25);
  }
  for (const std::string& user : users) SameHistory(user);
  SameItems();

  EXPECT_TRUE(split_->Stop()) << split_->Diagnostics();
  EXPECT_TRUE(single_->Stop()) << single_->Diagnostics();
}

}  // namespace
}  // namespace recplat::testing
