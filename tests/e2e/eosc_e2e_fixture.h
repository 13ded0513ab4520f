// The fixture of the eosc end-to-end tests (eosc_e2e_test.cc, eosc_rl_e2e_test.cc): the recplat
// binary with config/eosc.yaml (small NCF and RL networks, the RL transition table of the
// datasets, or a minimal one when they are absent), and Marketplace payloads.
#pragma once

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {

using nlohmann::json;

inline constexpr int kServices = 14;

inline std::string ProfilePath() { return (SourceDir() / "config" / "eosc.yaml").string(); }

// Services 1..14: category 1 + id % 3, domain 1 + id % 2; service 14 is a draft (never
// recommended); 7 and 8 are the only "GPU" ones. `head` adds the 2024 fields.
inline json Services(bool head, int count = kServices) {
  json out = json::array();
  for (int id = 1; id <= count; ++id) {
    json s = {{"id", id},
              {"name",
               absl::StrCat("Service ", id, id == 7 || id == 8 ? " GPU computing" : " storage")},
              {"description", absl::StrCat("A service for ", id % 2 ? "clouds" : "data")},
              {"tagline", "research, science"},
              {"countries", {"PL", "WW"}},
              {"order_type", "open_access"},
              {"rating", "5"},
              {"categories", {1 + id % 3}},
              {"providers", {1}},
              {"resource_organisation", 1},
              {"scientific_domains", {1 + id % 2}},
              {"platforms", {1}},
              {"target_users", {1}},
              {"related_services", json::array()},
              {"required_services", json::array()},
              {"access_modes", {1}},
              {"access_types", {1}},
              {"trls", {1}},
              {"life_cycle_statuses", {1}},
              {"status", id == kServices ? "draft" : (id % 2 ? "published" : "unverified")}};
    if (head) {
      s["pid"] = nullptr;
      s["research_steps"] = {1};
      s["horizontal"] = false;
    }
    out.push_back(s);
  }
  return out;
}

// Users 1..12; user u accessed services u and u + 1 (u and 1 for user 12).
inline json Dump(bool head, int services = kServices) {
  json users = json::array();
  for (int u = 1; u <= 12; ++u) {
    json user = {{"id", u},
                 {"scientific_domains", {1}},
                 {"categories", {1}},
                 {"accessed_services", {u, u < 12 ? u + 1 : 1}}};
    if (head) user["aai_uid"] = absl::StrCat("user", u, "@egi.eu");
    users.push_back(user);
  }
  auto named = [](const char* name) {
    return json::array({{{"id", 1}, {"name", name}, {"description", nullptr}}});
  };
  json dump = {{"services", Services(head, services)},
               {"users", users},
               {"categories", named("Compute")},
               {"providers", named("CYFRONET")},
               {"scientific_domains", named("Physics")},
               {"platforms", named("EGI")},
               {"target_users", named("Researchers")},
               {"access_modes", named("Free")},
               {"access_types", named("Remote")},
               {"trls", named("trl-9")},
               {"life_cycle_statuses", named("Production")}};
  if (head) {
    dump["projects"] = json::array({{{"id", 1}, {"user_id", 1}, {"services", {1, 2}}}});
    dump["research_steps"] = named("Analysis");
  }
  return dump;
}

inline json Context(const json& extra) {
  json c = {{"unique_id", "5642c351-80fe-44cf-b606-304f2f338122"},
            {"timestamp", "2021-03-18T18:49:55.006Z"},
            {"visit_id", "202090a4-de4c-4230-acba-6e2931d9e37c"},
            {"page_id", "some_page_identifier"},
            {"panel_id", "v1"},
            {"search_data", json::object()}};
  for (const auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

class EoscE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::path table =
        DatasetPath("eosc-marketplace-catalog-seeds/transition_rewards.csv");
    if (table.empty()) {
      // The rows the tests' journeys use, with the dataset's symbols.
      table = dir_.path() / "transition_rewards.csv";
      std::ofstream(table)
          << "source,/services,/services/{id},/services/{id}/offers,/services/{id}/summary,order\n"
             "/services,x,mild_interest,x,x,x\n"
             "/services/{id},x,simple_transition,interest,x,x\n"
             "/services/{id}/offers,x,x,x,interest,x\n"
             "/services/{id}/summary,x,x,x,x,order\n";
    }
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--profile", ProfilePath(), "--data-dir", (dir_.path() / "data").string(), "--set",
        "models.NCF.params.epochs=5", "--set", "models.NCF.train.on_start=false", "--set",
        absl::StrCat("models.RL.params.transition_rewards=", table.string()), "--set",
        "models.RL.params.epochs=10", "--set", "models.RL.params.layers=16", "--set",
        "models.RL.params.lstm_layers=1", "--set", "models.RL.params.se=8", "--set",
        "models.RL.params.batch_size=8"});
    ASSERT_TRUE(server_->Start()) << server_->ReadStderr();
    http_ = std::make_unique<HttpClient>(server_->http_address());
  }

  HttpResult Post(const std::string& path, const json& body) {
    return http_->Post(path, body.dump());
  }

  json Recommend(const json& extra, int want_status = 200) {
    HttpResult r = Post("/recommendations", Context(extra));
    EXPECT_EQ(r.status, want_status) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::set<int> Ids(const json& answer) {
    std::set<int> ids;
    for (const json& id : answer.value("recommendations", json::array())) ids.insert(id.get<int>());
    return ids;
  }

  // Polls `done` every 50 ms for up to `seconds`.
  template <typename F>
  bool WaitFor(F done, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  }

  // Imports `dump` and waits until the catalogue has `services` recommendable services.
  void Import(const std::string& route, const json& dump, size_t recommendable) {
    HttpResult r = Post(route, dump);
    ASSERT_EQ(r.status, 204) << r.body;
    EXPECT_EQ(r.body, "");
    ASSERT_TRUE(WaitFor(
        [&] {
          json all =
              Recommend({{"candidates", json::array()}, {"engine_version", "RandomRanking"}});
          return all.value("recommendations", json::array()).size() == recommendable;
        },
        60));
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace recplat::testing
