// The simulator on 127.0.0.1 with scripted recsystems: interleaved head-to-heads and their
// credit and determinism, the test utility (in process and over REST), pacing.
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
#include "tools/renewal_sim/sim_backend.h"
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

TEST_F(SimBackendTest, InterleavedHeadToHeadCreditsTheBetterRecsystem) {
  // "fan" recommends each user's favourite category (its MIND history's: user u likes
  // category u % 6, articles 6k + u % 6 + 1) and "off" the one after it; shown 10 of each.
  auto favourite = [](int shift) {
    return [shift](const json& params) {
      const int u = std::stoi(params["user_id"].get<std::string>().substr(1));
      std::vector<int64_t> ids;
      for (int k = 49; k >= 0 && ids.size() < 20; --k) ids.push_back(6 * k + (u + shift) % 6 + 1);
      return json(ids);
    };
  };
  auto run = [&](uint64_t seed) {
    SimOptions options = Defaults();
    options.initial_articles = 300;
    options.seed = seed;
    options.recsystems = {"fan", "off"};
    StartSim(options);
    std::unique_ptr<ScriptedRecsystem> fan = Connect("fan", favourite(0));
    std::unique_ptr<ScriptedRecsystem> off = Connect("off", favourite(3));
    EXPECT_TRUE(fan && off);
    for (int step = 0; step < 6; ++step) sim_->Step();
    auto out = std::make_pair(sim_->stats(), sim_->pairs());
    sim_->Stop();
    return out;
  };
  const auto [stats, pairs] = run(42);
  const RecsystemStats& fan = stats.at("fan");
  const RecsystemStats& off = stats.at("off");
  // Every refresh is a contest; the interleaved list splits 5 / 5.
  EXPECT_EQ(fan.contests, 72);
  EXPECT_EQ(off.contests, 72);
  EXPECT_EQ(fan.shown, 360);
  EXPECT_EQ(off.shown, 360);
  EXPECT_GT(fan.clicks, 2 * off.clicks);
  EXPECT_GT(fan.wins, 2 * fan.losses);
  EXPECT_EQ(fan.wins, off.losses);
  EXPECT_EQ(fan.ties, off.ties);
  const PairStats& p = pairs.at({"fan", "off"});
  EXPECT_EQ(p.first_wins, fan.wins);
  EXPECT_EQ(p.second_wins, off.wins);
  EXPECT_EQ(p.first_wins + p.second_wins + p.ties + p.no_clicks, 72);
  // Same seed, same recsystems: the same run; another seed: another one.
  const auto [again, again_pairs] = run(42);
  EXPECT_EQ(again.at("fan").clicks, fan.clicks);
  EXPECT_EQ(again.at("off").clicks, off.clicks);
  EXPECT_EQ(again_pairs.at({"fan", "off"}).ties, p.ties);
  const auto [other, other_pairs] = run(43);
  EXPECT_NE(std::make_pair(other.at("fan").clicks, other.at("off").clicks),
            std::make_pair(fan.clicks, off.clicks));
}

TEST_F(SimBackendTest, TriggerCallsTheCallersRecsystem) {
  SimOptions options = Defaults();
  options.trigger_timeout = absl::Seconds(5);
  StartSim(options);
  std::unique_ptr<ScriptedRecsystem> a = Connect("a", Fixed({3, 1}));
  ASSERT_NE(a, nullptr);
  ASSERT_OK_AND_ASSIGN(TriggerResult r, sim_->Trigger("a", "recommend", nullptr));
  EXPECT_EQ(r.line, "recommend(user_id='fake-user', max_articles=200, min_articles=15) -> [3, 1]");
  EXPECT_EQ(a->Requests("recommend").back(),
            json({{"user_id", "fake-user"}, {"min_articles", 15}, {"max_articles", 200}}));
  EXPECT_THAT(sim_->Trigger("nobody", "ping", nullptr).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(sim_->Trigger("a", "bad name", nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));

  // Over REST with the recsystem's own token, as `renewal-sim trigger` does.
  TriggerRequest request;
  request.api_base_uri = sim_->base_uri();
  request.token = sim_->TokenFor("a");
  request.method = "ping";
  ASSERT_OK_AND_ASSIGN(json body, PostTrigger(request));
  EXPECT_EQ(body["line"], "ping() -> 'pong'");
  EXPECT_EQ(body["result"], "pong");
  request.method = "recommend";
  request.params = {{"max_articles", 3}};
  ASSERT_OK_AND_ASSIGN(body, PostTrigger(request));
  EXPECT_EQ(body["line"],
            "recommend(user_id='fake-user', max_articles=3, min_articles=15) -> [3, 1]");
  request.method = "new_article";
  request.params = nullptr;
  ASSERT_OK_AND_ASSIGN(body, PostTrigger(request));
  EXPECT_THAT(body["line"].get<std::string>(), HasSubstr("new_article(article={'article_id': 0,"));
  EXPECT_THAT(body["line"].get<std::string>(), HasSubstr(") -> None"));
  EXPECT_EQ(a->Requests("new_article").back()["article"]["title"], "Fake article");
  // Not connected, bad token, unreachable.
  request.token = sim_->TokenFor("b");
  EXPECT_THAT(PostTrigger(request), StatusIs(absl::StatusCode::kNotFound, HasSubstr("'b'")));
  request.token = "garbage";
  EXPECT_THAT(PostTrigger(request), StatusIs(absl::StatusCode::kUnauthenticated));
  request.api_base_uri = "http://127.0.0.1:1/v1/";
  EXPECT_THAT(PostTrigger(request), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(SimBackendTest, TriggerTimesOutOnASilentRecsystem) {
  SimOptions options = Defaults();
  options.trigger_timeout = absl::Milliseconds(200);
  StartSim(options);
  std::unique_ptr<ScriptedRecsystem> a = Connect("a", [](const json&) {
    absl::SleepFor(absl::Milliseconds(600));
    return json::array();
  });
  ASSERT_NE(a, nullptr);
  EXPECT_THAT(sim_->Trigger("a", "recommend", nullptr).status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(SimBackendTest, RunPacesStepsInRealTime) {
  SimOptions options = Defaults();
  options.step_interval = absl::Milliseconds(100);
  options.release_per_step = 2;
  StartSim(options);
  const absl::Time begin = absl::Now();
  sim_->Run(3);
  EXPECT_GE(absl::Now() - begin, absl::Milliseconds(300));
  EXPECT_EQ(sim_->released_articles(), 46u);
  EXPECT_EQ(sim_->now(), absl::FromUnixSeconds(1573430400) + absl::Hours(3));
  sim_->Stop();
  options.step_interval = absl::ZeroDuration();
  StartSim(options);
  const absl::Time fast = absl::Now();
  sim_->Run(3);
  EXPECT_LT(absl::Now() - fast, absl::Milliseconds(300));
}

}  // namespace
}  // namespace recplat::renewal_sim
