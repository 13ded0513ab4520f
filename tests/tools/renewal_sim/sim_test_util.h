// File: sim_test_util.h
//
// Helpers of the simulator's end-to-end tests: raw HTTP requests to the simulator, and the
// SimBackendTest fixture (a simulator on the MIND fixture plus scripted recsystems).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"
#include "tests/tools/renewal_sim/mind_fixture.h"
#include "tests/tools/renewal_sim/scripted_recsystem.h"
#include "tools/renewal_sim/sim_backend.h"

namespace recplat::renewal_sim::testing {

inline constexpr char kSecret[] = "sim-secret";

// A GET to the simulator on 127.0.0.1: status (0 when unreachable) and parsed body.
std::pair<unsigned, nlohmann::json> Get(uint16_t port, const std::string& target,
                                        const std::string& token);

// The status and body of a WebSocket upgrade request to the event stream with `token` (101
// when accepted; the connection is then dropped). Raw HTTP, to read the refusals.
std::pair<unsigned, std::string> Upgrade(uint16_t port, const std::string& token);

// first, first +- 1, ..., last.
std::vector<int64_t> Range(int64_t first, int64_t last);

class SimBackendTest : public ::testing::Test {
 protected:
  // 12 users, 300 articles of which `initial` released, the given options otherwise.
  void StartSim(SimOptions options, size_t users = 12) {
    MindLoadOptions load;
    load.max_users = users;
    load.min_clicks = 1;
    auto data = LoadMind(MindFixtureDir(), load);
    ASSERT_OK(data);
    options.secret = kSecret;
    auto sim = SimBackend::Start(std::move(options), *std::move(data));
    ASSERT_OK(sim);
    sim_ = *std::move(sim);
  }

  static SimOptions Defaults() {
    SimOptions options;
    options.initial_articles = 40;
    options.shown = 10;
    options.min_articles = 5;
    options.max_articles = 20;
    return options;
  }

  // Connects a scripted recsystem `sub` answering `recommend` with `fn`, and waits for its
  // greeting.
  std::unique_ptr<ScriptedRecsystem> Connect(const std::string& sub,
                                             ScriptedRecsystem::RecommendFn fn) {
    const size_t before = sim_->greeted().size();
    auto rs = ScriptedRecsystem::Connect(sim_->port(), sim_->TokenFor(sub), std::move(fn));
    EXPECT_OK(rs);
    if (!rs.ok()) return nullptr;
    EXPECT_TRUE(sim_->WaitForGreeted(before + 1, absl::Seconds(5)));
    return *std::move(rs);
  }

  static ScriptedRecsystem::RecommendFn Fixed(std::vector<int64_t> ids) {
    return [ids](const nlohmann::json&) { return nlohmann::json(ids); };
  }

  std::unique_ptr<SimBackend> sim_;
};

}  // namespace recplat::renewal_sim::testing
