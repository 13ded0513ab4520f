// End-to-end: registry.store s3 (issue 12's model store). Two recplat processes with their own
// data directories share a bucket on a real S3-compatible server (s3rver on loopback): what one
// trains and promotes, the other lists and serves within seconds, also after a restart, and a
// second training replaces it there too. Credentials reach both through AWS_* variables.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/s3rver.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

constexpr char kProfile[] = R"(
profile: e2e
log: {sync: always}
training: {enabled: false}
registry: {poll_seconds: 0.5, store: s3, s3: {bucket: models, prefix: shop/}}
event_types:
  view: {weight: 1}
models:
  popularity:
    family: popularity
    train: {on_start: false}
surfaces:
  default:
    retrieval: [popularity]
)";

class S3ModelStoreE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = S3rver::Start({"models"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    setenv("AWS_ACCESS_KEY_ID", S3rver::kAccessKeyId, 1);
    setenv("AWS_SECRET_ACCESS_KEY", S3rver::kSecretAccessKey, 1);
    profile_ = (dir_.path() / "profile.yaml").string();
    std::ofstream(profile_) << kProfile;
  }

  std::unique_ptr<ServerProcess> StartProcess(const std::string& name) {
    auto process = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--profile", profile_, "--data-dir", (dir_.path() / name).string(), "--set",
        absl::StrCat("registry.s3.endpoint=", store_->endpoint())});
    EXPECT_TRUE(process->Start()) << process->ReadStderr();
    return process;
  }

  static nlohmann::json Post(ServerProcess& process, const std::string& path,
                             const nlohmann::json& body) {
    HttpClient http(process.http_address());
    HttpResult response = http.Post(path, body.dump());
    EXPECT_EQ(response.status, 200) << path << ": " << response.body;
    return nlohmann::json::parse(response.body, nullptr, false);
  }

  // The version of popularity that `process` lists as CURRENT (0: none).
  static int64_t CurrentVersion(ServerProcess& process) {
    HttpClient http(process.http_address());
    nlohmann::json listed =
        nlohmann::json::parse(http.Get("/v1/models?model=popularity").body, nullptr, false);
    if (!listed.is_object() || !listed.contains("versions")) return 0;
    for (const nlohmann::json& v : listed["versions"]) {
      if (v.value("status", "") == "MODEL_STATUS_CURRENT" && v.value("model", "") == "popularity") {
        return std::stoll(v.value("version", "0"));
      }
    }
    return 0;
  }

  // Waits up to 15 s for `process` to serve `version`; the seconds it took, or -1.
  static double WaitForVersion(ServerProcess& process, int64_t version) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(15)) {
      if (CurrentVersion(process) == version) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }

  TempDir dir_;
  std::unique_ptr<S3rver> store_;
  std::string profile_;
};

TEST_F(S3ModelStoreE2eTest, WhatOneProcessTrainsTheOtherServesThroughTheBucket) {
  std::unique_ptr<ServerProcess> trainer = StartProcess("trainer");
  std::unique_ptr<ServerProcess> replica = StartProcess("replica");
  ASSERT_TRUE(trainer->running() && replica->running());
  nlohmann::json items = {{"items", nlohmann::json::array()}};
  for (int i = 0; i < 5; ++i) items["items"].push_back({{"id", absl::StrCat("item", i)}});
  Post(*trainer, "/v1/items", items);
  nlohmann::json events = {{"events", nlohmann::json::array()}, {"wait_applied", true}};
  for (int u = 0; u < 6; ++u) {
    events["events"].push_back({{"user_id", absl::StrCat("u", u)}, {"item_id", "item3"},
                                {"type", "view"}});
  }
  Post(*trainer, "/v1/events", events);
  Post(*trainer, "/v1/models/train", {{"model", "popularity"}});
  ASSERT_GE(WaitForVersion(*trainer, 1), 0) << trainer->ReadStderr();
  const double first = WaitForVersion(*replica, 1);
  ASSERT_GE(first, 0) << replica->ReadStderr();
  EXPECT_LT(first, 10.0);

  // The bucket holds it under the prefix; the replica downloaded and loaded it.
  HttpClient bucket(store_->endpoint().substr(7));
  EXPECT_EQ(bucket.Get("/models/shop/default/popularity/CURRENT").body, "1");
  HttpClient replica_metrics(replica->metrics_address());
  const std::string metrics = replica_metrics.Get("/metrics").body;
  EXPECT_NE(metrics.find(R"(recplat_registry_source_loads_total{model="popularity",result="ok"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("recplat_registry_store_requests_total{code=\"OK\",operation=\"GetObject\"}"),
            std::string::npos);

  // A restarted replica serves the bucket's version again; a second training replaces it.
  EXPECT_EQ(replica->Terminate(), 0);
  replica = StartProcess("replica");
  EXPECT_GE(WaitForVersion(*replica, 1), 0) << replica->ReadStderr();
  Post(*trainer, "/v1/models/train", {{"model", "popularity"}});
  ASSERT_GE(WaitForVersion(*trainer, 2), 0);
  EXPECT_GE(WaitForVersion(*replica, 2), 0) << replica->ReadStderr();
  EXPECT_EQ(trainer->Terminate(), 0) << trainer->ReadStderr();
  EXPECT_EQ(replica->Terminate(), 0) << replica->ReadStderr();
}

TEST_F(S3ModelStoreE2eTest, AStoreWithoutItsBucketSettingsStopsStartUpNamingTheKey) {
  std::string output;
  const int code = RunRecplat({"--profile", profile_, "--data-dir", (dir_.path() / "x").string(),
                               "--set", "registry.s3.bucket=", "--set",
                               "registry.s3.endpoint=http://127.0.0.1:1"},
                              60, &output);
  EXPECT_NE(code, 0);
  EXPECT_NE(output.find("registry.s3.bucket"), std::string::npos) << output;
}

}  // namespace
}  // namespace recplat::testing
