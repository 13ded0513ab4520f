// The ecoseller routes and access control: as open as the original's while
// `ecoseller.require_api_key` is off, even when the listener has keys; with it, every route but
// `GET /` needs a user key. Dispatched through a Router (no sockets) over a FakeApi.
#include <memory>
#include <string>

#include "core/api/api_keys.h"
#include "frontends/http_rest/ecoseller/ecoseller_config.h"
#include "frontends/http_rest/ecoseller/ecoseller_routes.h"
#include "frontends/http_rest/router.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_api.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http::ecoseller {
namespace {

constexpr char kUserKey[] = "user-key-0123456789abcdef";
constexpr char kAdminKey[] = "admin-key-0123456789abcdef";

struct Routes {
  testing::FakeApi api;
  Router router;
  std::unique_ptr<EcosellerFrontend> frontend;
};

std::unique_ptr<Routes> MakeRoutes(bool require_api_key) {
  auto routes = std::make_unique<Routes>();
  absl::StatusOr<api::ApiKeys> keys = api::ApiKeys::Create({kUserKey}, {kAdminKey});
  EXPECT_OK(keys.status());
  routes->router.SetApiKeys(*keys, nullptr);
  EcosellerOptions options;
  options.require_api_key = require_api_key;
  absl::StatusOr<std::unique_ptr<EcosellerFrontend>> frontend =
      EcosellerFrontend::Create(&routes->api, options);
  EXPECT_OK(frontend.status());
  routes->frontend = *std::move(frontend);
  EXPECT_OK(routes->frontend->AddRoutes(&routes->router));
  return routes;
}

int Status(Router& router, const std::string& method, const std::string& path,
           const std::string& key = "") {
  HttpRequest request;
  request.method = method;
  request.path = path;
  request.body = method == "POST" ? "[]" : "";
  if (!key.empty()) request.headers["authorization"] = "Bearer " + key;
  return router.Dispatch(request).status;
}

constexpr const char* kKeyedRoutes[][2] = {
    {"POST", "/store_objects"},          {"POST", "/predict"},
    {"POST", "/predict/product_positions"}, {"GET", "/dashboard/configuration"},
    {"GET", "/dashboard/performance"},   {"GET", "/dashboard/training"}};

TEST(EcosellerAuthTest, RoutesAreOpenByDefaultEvenWithKeys) {
  std::unique_ptr<Routes> routes = MakeRoutes(/*require_api_key=*/false);
  EXPECT_EQ(Status(routes->router, "GET", "/"), 200);
  for (const auto& [method, path] : kKeyedRoutes) {
    EXPECT_NE(Status(routes->router, method, path), 401) << method << " " << path;
  }
}

TEST(EcosellerAuthTest, RequireApiKeyClosesEveryRouteButTheHealthCheck) {
  std::unique_ptr<Routes> routes = MakeRoutes(/*require_api_key=*/true);
  EXPECT_EQ(Status(routes->router, "GET", "/"), 200);
  for (const auto& [method, path] : kKeyedRoutes) {
    EXPECT_EQ(Status(routes->router, method, path), 401) << method << " " << path;
    EXPECT_NE(Status(routes->router, method, path, kUserKey), 401) << method << " " << path;
    EXPECT_NE(Status(routes->router, method, path, kUserKey), 403) << method << " " << path;
    EXPECT_NE(Status(routes->router, method, path, kAdminKey), 401) << method << " " << path;
  }
  EXPECT_EQ(Status(routes->router, "POST", "/predict", "wrong-key-0123456789abcdef"), 401);
}

TEST(EcosellerAuthTest, TheSwitchIsASectionKey) {
  EcosellerSection section;
  EXPECT_FALSE(section.require_api_key);
  EXPECT_EQ(EcosellerRegistration().name, "ecoseller");
}

}  // namespace
}  // namespace recplat::http::ecoseller
