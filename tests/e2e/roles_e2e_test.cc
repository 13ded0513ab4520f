// End-to-end: one deployment split into two processes of the real recplat binary with
// config/ecoseller.yaml: a `role: core` process (its own data directory) and a
// `role: frontend` process (`--set role=frontend --set core.address=...`) that opens no data
// directory and runs the ecoseller and native frontends over the core's gRPC API. Writes and
// predictions through the frontend land in the core; the core serves no profile routes; the
// frontend's /readyz follows the core.
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

using nlohmann::json;

std::string ProfilePath() { return (SourceDir() / "config" / "ecoseller.yaml").string(); }

// Category 1 with product 10 (variants A1, A2, in stock) and product 11 (B1, out of stock).
json Shop() {
  auto variant = [](const std::string& sku, int stock) {
    return json{{"_model_class", "ProductVariant"}, {"sku", sku}, {"ean", "ean-" + sku},
                {"weight", 1.0}, {"stock_quantity", stock}, {"recommendation_weight", 1.0},
                {"update_at", "2023-08-01T10:00:00Z"}, {"create_at", "2023-08-01T10:00:00Z"},
                {"attributes", json::array()}};
  };
  auto product = [](int id, std::vector<std::string> skus) {
    return json{{"_model_class", "Product"}, {"id", id}, {"published", true},
                {"category_id", 1}, {"type_id", nullptr},
                {"product_translations", json::array()}, {"product_variants", skus},
                {"update_at", "2023-08-01T10:00:00Z"}, {"create_at", "2023-08-01T10:00:00Z"}};
  };
  return json::array({{{"_model_class", "Category"}, {"id", 1}, {"parent_id", nullptr}},
                      product(10, {"A1", "A2"}), product(11, {"B1"}), variant("A1", 5),
                      variant("A2", 3), variant("B1", 0)});
}

// GET `path` on `address` until it answers `status` (bounded), returning the last answer.
HttpResult AwaitStatus(const std::string& address, const std::string& path, int status) {
  HttpResult r;
  for (int i = 0; i < 200; ++i) {
    HttpClient client(address);
    r = client.Get(path);
    if (r.status == status) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return r;
}

class RolesE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--profile", ProfilePath(), "--data-dir", (dir_.path() / "core").string(), "--set",
        "role=core", "--set", "log.sync=none"});
    ASSERT_TRUE(core_->Start()) << core_->ReadStderr();
    ASSERT_FALSE(core_->grpc_address().empty());
    ASSERT_FALSE(core_->http_address().empty());
    frontend_dir_ = dir_.path() / "frontend";
    frontend_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--profile", ProfilePath(), "--data-dir", frontend_dir_.string(), "--set",
        "role=frontend", "--set", "core.address=" + core_->grpc_address()});
    ASSERT_TRUE(frontend_->Start()) << frontend_->ReadStderr();
  }

  TempDir dir_;
  std::filesystem::path frontend_dir_;
  std::unique_ptr<ServerProcess> core_;
  std::unique_ptr<ServerProcess> frontend_;
};

TEST_F(RolesE2eTest, FrontendProcessServesTheProfileOverTheCore) {
  // The frontend listens on HTTP and metrics only.
  EXPECT_TRUE(frontend_->grpc_address().empty());
  EXPECT_FALSE(frontend_->http_address().empty());
  EXPECT_FALSE(frontend_->metrics_address().empty());
  EXPECT_EQ(AwaitStatus(frontend_->http_address(), "/readyz", 200).status, 200);

  HttpClient front(frontend_->http_address());
  HttpResult stored = front.Post("/store_objects", Shop().dump());
  ASSERT_EQ(stored.status, 200) << stored.body << frontend_->ReadStderr();
  json cart = json::array({{{"_model_class", "ProductAddToCart"}, {"session_id", "s1"},
                            {"user_id", 7}, {"product_id", 10}, {"product_variant_sku", "A1"}}});
  ASSERT_EQ(front.Post("/store_objects", cart.dump()).status, 200);

  HttpResult predicted = front.Post(
      "/predict", json{{"recommendation_type", "CATEGORY_LIST"}, {"session_id", "s2"},
                       {"user_id", nullptr}, {"category_id", 1}}
                      .dump());
  ASSERT_EQ(predicted.status, 200) << predicted.body;
  const json list = json::parse(predicted.body, nullptr, false);
  ASSERT_TRUE(list.is_array()) << predicted.body;
  std::set<std::string> skus;
  for (const json& item : list) skus.insert(item["product_variant_sku"].get<std::string>());
  EXPECT_EQ(skus, (std::set<std::string>{"A1", "A2", "B1"})) << predicted.body;
  EXPECT_EQ(list.back()["product_variant_sku"], "B1");  // Out of stock: last.

  // What went through the frontend is in the core (its native API).
  HttpClient core(core_->http_address());
  HttpResult item = core.Get("/v1/items/A1");
  ASSERT_EQ(item.status, 200) << item.body;
  EXPECT_EQ(json::parse(item.body)["id"], "A1");
  HttpResult user = core.Get("/v1/users/7?history_limit=10");
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_NE(user.body.find("A1"), std::string::npos) << user.body;
  // The frontend's native routes read the same core.
  EXPECT_EQ(front.Get("/v1/items/A2").status, 200);

  // The core runs no profile frontend.
  EXPECT_EQ(core.Post("/predict", "{}").status, 404);
  EXPECT_EQ(core.Get("/dashboard/configuration").status, 404);

  // The frontend never opened (nor created) a data directory.
  EXPECT_FALSE(std::filesystem::exists(frontend_dir_));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "core" / "state"));

  EXPECT_EQ(frontend_->Terminate(), 0) << frontend_->ReadStderr();
  EXPECT_EQ(core_->Terminate(), 0) << core_->ReadStderr();
  EXPECT_FALSE(std::filesystem::exists(frontend_dir_));
}

TEST_F(RolesE2eTest, FrontendReadinessFollowsTheCore) {
  EXPECT_EQ(AwaitStatus(frontend_->http_address(), "/readyz", 200).status, 200);
  core_->Kill();
  // The client trusts the core's health for at most a second.
  EXPECT_EQ(AwaitStatus(frontend_->http_address(), "/readyz", 503).status, 503);
  HttpClient front(frontend_->http_address());
  EXPECT_EQ(front.Get("/healthz").status, 200);
  // Calls that need the core fail as unavailable.
  EXPECT_EQ(front.Get("/v1/items/A1").status, 503);
  EXPECT_EQ(frontend_->Terminate(), 0) << frontend_->ReadStderr();
}

TEST(RolesConfigE2eTest, FrontendWithoutCoreAddressIsABadConfiguration) {
  TempDir dir;
  ServerProcess frontend(std::vector<std::string>{"--profile", ProfilePath(), "--data-dir",
                                                  (dir.path() / "d").string(), "--set",
                                                  "role=frontend"});
  EXPECT_FALSE(frontend.Start(30));
  EXPECT_NE(frontend.ReadStderr().find("core.address"), std::string::npos)
      << frontend.ReadStderr();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "d"));
}

}  // namespace
}  // namespace recplat::testing
