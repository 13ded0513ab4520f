// Tests of the `eosc_rl` family (trainers/torch_rl/rl_family.h): journey parsing, SARS
// building from hand-made served lists and journeys (actions, rewards, episodes), params, and
// the fit / serve / save / load round trip with a tiny network.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <map>
#include <numeric>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/torch_rl/rl_family.h"
#include "trainers/torch_rl/rl_model.h"
#include "trainers/torch_rl/rl_sars.h"

namespace recplat::rl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A small transition table: list -> service page is mild_interest, service -> offers interest,
// an order is an order.
constexpr char kTable[] =
    "source,/services,/services/{id},/services/{id}/offers,order,unknown_page_id\n"
    "/services,unknown_transition,mild_interest,unknown_transition,order,unknown_transition\n"
    "/services/{id},simple_transition,simple_transition,interest,order,unknown_transition\n"
    "/services/{id}/offers,simple_transition,simple_transition,simple_transition,order,"
    "unknown_transition\n"
    "unknown_page_id,unknown_transition,unknown_transition,unknown_transition,unknown_transition,"
    "unknown_transition\n";

std::string Action(const std::string& from_visit, const std::string& from_page,
                   const std::string& to_visit, const std::string& to_page, int root_service,
                   const std::string& panel, bool order, bool head = false) {
  std::string root;
  if (root_service > 0) {
    root = head ? absl::StrCat(R"(,"root":{"type":"recommendation_panel","panel_id":")", panel,
                               R"(","resource_type":"service","resource_id":)", root_service, "}")
                : absl::StrCat(R"(,"root":{"type":"recommendation_panel","panel_id":")", panel,
                               R"(","service_id":)", root_service, "}");
  }
  return absl::StrCat(R"({"user_id":1,"unique_id":"u","timestamp":"2021-03-18T19:33:21.620Z",)",
                      R"("source":{"visit_id":")", from_visit, R"(","page_id":")", from_page, "\"",
                      root, R"(},"target":{"visit_id":")", to_visit, R"(","page_id":")", to_page,
                      R"("},"action":{"type":"button","text":"x","order":)",
                      order ? "true" : "false", "}}");
}

models::ServedListRecord List(uint32_t user, int64_t at, std::vector<uint32_t> items,
                              const std::string& visit, const std::string& panel) {
  models::ServedListRecord r;
  r.user = user;
  r.user_id = absl::StrCat(user + 1);
  r.surface = "eosc";
  r.served_at_ms = at;
  r.items = std::move(items);
  if (!panel.empty()) r.context.emplace_back("panel_id", panel);
  if (!visit.empty()) r.context.emplace_back("visit_id", visit);
  return r;
}

// Services 0..11 (ids "10".."21", category c:<i % 3>); users 0 and 1; user 0 accessed 0 and 1
// before everything; lists and journeys as the tests below describe.
models::TrainingData Data() {
  models::TrainingData d;
  d.num_users = 2;
  d.num_items = 12;
  d.event_types = {"order", "click"};
  d.event_type_weights = {1, 0};
  d.interactions = {{0, 0, 0, 1, 10}, {0, 1, 0, 1, 20}, {0, 5, 0, 1, 2500}, {1, 2, 0, 1, 10}};
  d.items.resize(12);
  for (uint32_t i = 0; i < 12; ++i) {
    d.item_ids.push_back(absl::StrCat(10 + i));
    d.items[i].categories = {absl::StrCat("c:", i % 3), absl::StrCat("domain:", i % 2)};
  }
  d.items[11].available = false;
  d.served_lists = {
      List(0, 1000, {2, 3, 4}, "va", "v1"),
      List(0, 2000, {3, 4, 6}, "vb", "v1"),
      List(0, 3000, {7, 8}, "vc", "v2"),
      List(1, 4000, {2, 3, 4}, "vd", "v1"),
      List(models::ServedListRecord::kUnknownUser, 5000, {2, 3, 4}, "ve", "v1"),  // anonymous
      List(1, 6000, {2, 3, 4}, "", "v1"),                                        // no visit
      List(1, 7000, {2, 3, 4, 5}, "vf", "v1"),                                   // not K
  };
  d.served_lists[1].complete = true;
  const std::vector<std::string> actions = {
      // From list va, service 12 (index 2): /services -> its page -> offers -> order.
      Action("va", "/services", "va1", "/services/s12", 12, "v1", false),
      Action("va1", "/services/s12", "va2", "/services/s12/offers", 0, "", false),
      Action("va2", "/services/s12/offers", "va3", "/services/s12/offers", 0, "", true),
      // From list va, service 13 through the v2 panel: another list's feedback, ignored.
      Action("va", "/services", "vx", "/services/s13", 13, "v2", false),
      // From list vc (v2), service 17 (index 7), 2024 root: mild interest.
      Action("vc", "/services", "vc1", "/services/s17", 17, "v2", false, true),
      // From list vd, a service that was not served (index 9): ignored.
      Action("vd", "/services", "vd1", "/services/s19", 19, "v1", false),
  };
  for (size_t i = 0; i < actions.size(); ++i) {
    d.documents.push_back({"eosc.action", absl::StrCat("k", i), actions[i], 0});
  }
  d.documents.push_back({"eosc.action", "bad", "not json", 0});
  return d;
}

TransitionTable Table() { return *TransitionTable::Parse(kTable); }

TEST(RlSarsTest, ParsesBothActionGenerations) {
  std::optional<JourneyRecord> seed =
      ParseJourneyRecord(Action("a", "/services", "b", "/services/x", 12, "v1", true));
  ASSERT_TRUE(seed.has_value());
  EXPECT_EQ(seed->source_visit_id, "a");
  EXPECT_EQ(seed->target_page_id, "/services/x");
  EXPECT_EQ(seed->root_type, "recommendation_panel");
  EXPECT_EQ(seed->root_panel_id, "v1");
  EXPECT_EQ(seed->root_service_id, "12");
  EXPECT_TRUE(seed->order);
  std::optional<JourneyRecord> head =
      ParseJourneyRecord(Action("a", "/services", "b", "/services/x", 7, "v2", false, true));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->root_service_id, "7");
  EXPECT_FALSE(head->order);
  EXPECT_FALSE(ParseJourneyRecord("[1]").has_value());
  EXPECT_FALSE(ParseJourneyRecord("{\"source\":{}}").has_value());
}

TEST(RlSarsTest, BuildsTransitionsFromServedListsAndJourneys) {
  const models::TrainingData data = Data();
  SarsOptions options;
  options.k = 3;
  SarsStats stats;
  std::vector<RlTransition> t = BuildSars(data, Table(), options, &stats);
  // va, vb (user 0), vd (user 1); not the anonymous, visit-less, 4-service or v2 lists.
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(stats.transitions, 3);
  EXPECT_EQ(stats.rewarded, 1);
  EXPECT_EQ(stats.journey_actions, 6);
  EXPECT_THAT(t[0].action, ElementsAre(2, 3, 4));
  // Service 12's journey reached an order (1.0); 13 and 14 got nothing: RMS = sqrt(1/3).
  EXPECT_NEAR(t[0].reward, std::sqrt(1.0 / 3.0), 1e-6);
  EXPECT_FLOAT_EQ(t[1].reward, 0.0f);
  EXPECT_FLOAT_EQ(t[2].reward, 0.0f);  // The clicked service was not in the list.
  // State: the accessed services before the list, oldest first; the mask is every live,
  // available service but those.
  EXPECT_THAT(t[0].state.history, ElementsAre(0, 1));
  ASSERT_NE(t[0].state.pool, nullptr);
  EXPECT_EQ(t[0].state.pool->size(), 11u);  // 11 is unavailable.
  EXPECT_THAT(t[0].state.excluded, ElementsAre(0, 1));
  // va and vb are one episode (1 s apart): va's next state is vb's (5 accessed at 2.5 s comes
  // later); vb ends it. vd is user 1's only list.
  EXPECT_FALSE(t[0].done);
  EXPECT_THAT(t[0].next_state.history, ElementsAre(0, 1));
  EXPECT_TRUE(t[1].done);
  EXPECT_TRUE(t[2].done);
  EXPECT_THAT(t[2].state.history, ElementsAre(2));

  // A shorter episode splits them.
  options.episode_seconds = 0.5;
  t = BuildSars(data, Table(), options, &stats);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_TRUE(t[0].done);

  // K = 2: the v2 list, whose 2024-style journey shows mild interest in 17.
  options.k = 2;
  t = BuildSars(data, Table(), options, &stats);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_THAT(t[0].action, ElementsAre(7, 8));
  EXPECT_NEAR(t[0].reward, std::sqrt(0.3 * 0.3 / 2), 1e-6);
  EXPECT_THAT(t[0].state.history, ElementsAre(0, 1, 5));
}

TEST(RlFamilyTest, ParamsHaveThe210DefaultsAndRejectUnknownKeys) {
  ASSERT_OK_AND_ASSIGN(EoscRlParams p, ParseEoscRlParams(models::ModelParams()));
  EXPECT_THAT(p.ks, ElementsAre(3, 2));
  EXPECT_DOUBLE_EQ(p.agent.polyak, 0.95);
  EXPECT_DOUBLE_EQ(p.agent.actor_lr, 1e-3);
  EXPECT_DOUBLE_EQ(p.agent.critic_lr, 1e-4);
  EXPECT_DOUBLE_EQ(p.agent.target_noise, 0.4);
  EXPECT_DOUBLE_EQ(p.agent.noise_clip, 0.5);
  EXPECT_DOUBLE_EQ(p.agent.gamma, 1.0);
  EXPECT_EQ(p.agent.policy_delay, 2);
  EXPECT_EQ(p.agent.epochs, 100);
  EXPECT_EQ(p.agent.history_len, 5);
  EXPECT_EQ(p.agent.batch_size, 64);
  EXPECT_EQ(EoscRlFamily().TrainingDocuments(models::ModelParams()),
            std::vector<std::string>{"eosc.action"});
  using Values = std::map<std::string, std::string>;
  EXPECT_FALSE(ParseEoscRlParams(models::ModelParams(Values{{"epoch", "3"}})).ok());
  EXPECT_FALSE(ParseEoscRlParams(models::ModelParams(Values{{"ks", "3,x"}})).ok());
  EXPECT_EQ(ResolveDatasetPath("/abs/t.csv"), std::filesystem::path("/abs/t.csv"));
}

class RlFamilyFitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = dir_.path() / "transition_rewards.csv";
    std::ofstream(table_) << kTable;
  }
  models::ModelParams Params(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> p = {
        {"transition_rewards", table_.string()}, {"epochs", "3"}, {"batch_size", "2"},
        {"layers", "8"}, {"lstm_layers", "1"}, {"se", "8"}};
    for (auto& [k, v] : extra) p[k] = v;
    return models::ModelParams(p);
  }
  testing::TempDir dir_;
  std::filesystem::path table_;
};

std::vector<double> Scores(const models::Model& model, size_t k, std::vector<uint32_t> history,
                           std::vector<uint32_t> candidates, absl::Status* status) {
  models::RecommendContext ctx;
  ctx.k = k;
  ctx.user_history = history;
  std::vector<models::ScoredItem> items;
  for (uint32_t c : candidates) items.push_back({c, 0.0});
  *status = model.Score(ctx, std::span<models::ScoredItem>(items));
  std::vector<double> out;
  for (const auto& s : items) out.push_back(s.score);
  return out;
}

TEST_F(RlFamilyFitTest, FitsServesAndRoundTrips) {
  const EoscRlFamily family;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<models::Model> model, family.Fit(Data(), Params()));
  const std::vector<std::pair<std::string, double>> fitted = model->Metrics();
  std::map<std::string, double> metrics(fitted.begin(), fitted.end());
  EXPECT_EQ(metrics["transitions_k3"], 3);
  EXPECT_EQ(metrics["rewarded_k3"], 1);
  EXPECT_EQ(metrics["transitions_k2"], 1);
  EXPECT_EQ(metrics["epochs_k3"], 3);

  models::RecommendContext ctx;
  for (size_t k : {2u, 3u}) {
    ctx.k = k;
    EXPECT_TRUE(model->Ready(ctx)) << k;
  }
  ctx.k = 4;
  EXPECT_FALSE(model->Ready(ctx));

  // K of the candidates get a score >= 0, the others -1.
  const std::vector<uint32_t> candidates = {2, 3, 4, 6, 7, 9};
  absl::Status status;
  std::vector<double> scores = Scores(*model, 3, {1, 0}, candidates, &status);
  ASSERT_OK(status);
  int chosen = 0;
  for (double s : scores) {
    if (s >= 0) {
      ++chosen;
      EXPECT_LE(s, 1.0);
    } else {
      EXPECT_EQ(s, -1.0);
    }
  }
  EXPECT_EQ(chosen, 3);
  const std::vector<double> two = Scores(*model, 2, {1, 0}, candidates, &status);
  ASSERT_OK(status);
  EXPECT_EQ(std::count_if(two.begin(), two.end(), [](double s) { return s >= 0; }), 2);
  // Fewer candidates than K: insufficient space (the engine falls back).
  Scores(*model, 3, {1, 0}, {2, 3}, &status);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  Scores(*model, 4, {1, 0}, candidates, &status);
  EXPECT_FALSE(status.ok());

  // Concurrent requests (no lock around the actor) answer as one request alone does.
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        absl::Status s;
        if (Scores(*model, 3, {1, 0}, candidates, &s) != scores || !s.ok()) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);

  // Save / load answers alike.
  testing::TempDir artifact;
  ASSERT_OK(model->Save(artifact.path()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<models::Model> loaded,
                       family.Load(artifact.path(), Params()));
  EXPECT_EQ(Scores(*loaded, 3, {1, 0}, candidates, &status), scores);
  ASSERT_OK(status);
  EXPECT_EQ(loaded->Metrics().size(), model->Metrics().size());
  EXPECT_FALSE(family.Load(dir_.path(), Params()).ok());
}

TEST_F(RlFamilyFitTest, NeedsTheTableAndServedLists) {
  const EoscRlFamily family;
  const std::string missing = (dir_.path() / "nope.csv").string();
  absl::StatusOr<std::unique_ptr<models::Model>> fitted =
      family.Fit(Data(), Params({{"transition_rewards", missing}}));
  EXPECT_TRUE(absl::IsNotFound(fitted.status())) << fitted.status();
  EXPECT_THAT(fitted.status().message(), HasSubstr(missing));

  models::TrainingData no_lists = Data();
  no_lists.served_lists.clear();
  fitted = family.Fit(no_lists, Params());
  EXPECT_TRUE(absl::IsFailedPrecondition(fitted.status())) << fitted.status();

  // Only v2 lists: an agent for K = 2 only.
  models::TrainingData v2 = Data();
  v2.served_lists = {v2.served_lists[2]};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<models::Model> model, family.Fit(v2, Params()));
  models::RecommendContext ctx;
  ctx.k = 2;
  EXPECT_TRUE(model->Ready(ctx));
  ctx.k = 3;
  EXPECT_FALSE(model->Ready(ctx));
}

// The training time figure of docs/eosc.md (skipped unless RL_FIGURE_LISTS is set): the
// profile's agent (the 2.10 defaults, one thread) fitted on RL_FIGURE_LISTS served v1 lists of
// RL_FIGURE_USERS users over RL_FIGURE_SERVICES services, a fifth of them followed by a
// journey, for RL_FIGURE_EPOCHS epochs (default 100); then the serving figure: the mean time
// of a Score over every service.
TEST_F(RlFamilyFitTest, TrainingTimeFigure) {
  auto env = [](const char* name, int def) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::atoi(v) : def;
  };
  const int lists = env("RL_FIGURE_LISTS", 0);
  if (lists <= 0) GTEST_SKIP() << "set RL_FIGURE_LISTS to measure";
  const int services = env("RL_FIGURE_SERVICES", 1000), users = env("RL_FIGURE_USERS", 1000);
  std::mt19937_64 rng(7);
  models::TrainingData d;
  d.num_users = users;
  d.num_items = services;
  d.event_types = {"order"};
  d.event_type_weights = {1};
  d.items.resize(services);
  for (int i = 0; i < services; ++i) {
    d.item_ids.push_back(absl::StrCat(i + 1));
    d.items[i].categories = {absl::StrCat("c:", i % 12), absl::StrCat("domain:", i % 8)};
  }
  for (int u = 0; u < users; ++u) {
    for (int j = 0; j < 3; ++j) {
      d.interactions.push_back({static_cast<uint32_t>(u), static_cast<uint32_t>(rng() % services),
                                0, 1, j});
    }
  }
  for (int l = 0; l < lists; ++l) {
    const std::string visit = absl::StrCat("v", l);
    std::vector<uint32_t> items;
    while (items.size() < 3) {
      const uint32_t i = rng() % services;
      if (std::find(items.begin(), items.end(), i) == items.end()) items.push_back(i);
    }
    d.served_lists.push_back(List(rng() % users, 1000 + l, items, visit, "v1"));
    if (l % 5 == 0) {
      d.documents.push_back({"eosc.action", visit,
                             Action(visit, "/services", visit + "a", "/services/x",
                                    static_cast<int>(items[0]) + 1, "v1", false),
                             0});
    }
  }
  const std::string epochs = absl::StrCat(env("RL_FIGURE_EPOCHS", 100));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<models::Model> model,
                       EoscRlFamily().Fit(d, models::ModelParams(std::map<std::string, std::string>{
                                                 {"transition_rewards", table_.string()},
                                                 {"ks", "3"},
                                                 {"epochs", epochs}})));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::map<std::string, double> m;
  for (const auto& [k, v] : model->Metrics()) m[k] = v;
  std::cout << "eosc_rl fit: " << m["transitions_k3"] << " transitions, " << services
            << " services, " << epochs << " epochs: " << seconds << " s (train "
            << m["train_seconds"] << " s)\n";
  EXPECT_EQ(m["transitions_k3"], lists);
  // Serving: one request over every service as candidates.
  std::vector<uint32_t> all(services);
  std::iota(all.begin(), all.end(), 0u);
  constexpr int kRequests = 200;
  const auto serve_start = std::chrono::steady_clock::now();
  for (int r = 0; r < kRequests; ++r) {
    absl::Status s;
    Scores(*model, 3, {1, 2, 3}, all, &s);
    ASSERT_OK(s);
  }
  std::cout << "eosc_rl serve: "
            << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                         serve_start)
                       .count() /
                   kRequests
            << " ms per request over " << services << " candidates\n";
}

}  // namespace
}  // namespace recplat::rl
