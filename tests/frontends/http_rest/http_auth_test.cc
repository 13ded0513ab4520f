// Access control of the HTTP frontend (router.h, "Access control"): the native routes with
// user and admin keys, the open probes, the 401/403 answers and their metrics, through a Router
// (no sockets) over a FakeApi.
#include <map>
#include <string>
#include <vector>

#include "core/api/api_keys.h"
#include "frontends/http_rest/native_routes.h"
#include "frontends/http_rest/router.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/testing/fake_api.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kUserKey[] = "user-key-0123456789abcdef";
constexpr char kUserKey2[] = "user-key-rotated-0123456789";
constexpr char kAdminKey[] = "admin-key-0123456789abcdef";

HttpRequest Request(const std::string& method, const std::string& path,
                    const std::string& key = "", const std::string& body = "") {
  HttpRequest request;
  request.method = method;
  request.path = path;
  request.body = body;
  if (!key.empty()) request.headers["authorization"] = "Bearer " + key;
  return request;
}

std::string Header(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

class HttpAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(api::ApiKeys keys,
                         api::ApiKeys::Create({kUserKey, kUserKey2}, {kAdminKey}));
    router_.SetApiKeys(keys, &registry_);
    ASSERT_OK(AddHealthRoutes(&fake_, &router_));
    ASSERT_OK(AddNativeRoutes(&fake_, &router_));
  }

  HttpResponse Send(const std::string& method, const std::string& path,
                    const std::string& key = "", const std::string& body = "{}") {
    return router_.Dispatch(Request(method, path, key, body));
  }

  // reason -> count of recplat_auth_failures_total{transport="http"}.
  std::map<std::string, double> Failures() {
    std::map<std::string, double> out;
    for (const auto& family : registry_.Collect()) {
      if (family.name != "recplat_auth_failures_total") continue;
      for (const auto& metric : family.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& label : metric.label) labels[label.name] = label.value;
        EXPECT_EQ(labels["transport"], "http");
        out[labels["reason"]] = metric.counter.value;
      }
    }
    return out;
  }

  testing::FakeApi fake_;
  prometheus::Registry registry_;
  Router router_;
};

TEST_F(HttpAuthTest, NoKeyIs401WithABearerChallengeAndTheUsualErrorBody) {
  const HttpResponse r = Send("POST", "/v1/recommend");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Header(r, "WWW-Authenticate"), R"(Bearer realm="recplat")");
  EXPECT_THAT(r.body, HasSubstr(R"("code":"UNAUTHENTICATED","status":401)"));
  EXPECT_THAT(r.body, HasSubstr("Authorization: Bearer"));
  EXPECT_TRUE(fake_.CallOrder().empty()) << "the handler must not run";
}

TEST_F(HttpAuthTest, AWrongKeyIs401InvalidToken) {
  for (const std::string& authorization :
       {std::string("Bearer wrong-key-0123456789abcdef"), std::string("Bearer ") + kUserKey + "x",
        std::string("Bearer ") + std::string(kUserKey).substr(1), std::string("Bearer  "),
        std::string("Bearer ") + std::string(300, 'a')}) {
    HttpRequest request = Request("POST", "/v1/recommend", "", "{}");
    request.headers["authorization"] = authorization;
    const HttpResponse r = router_.Dispatch(request);
    EXPECT_EQ(r.status, 401) << authorization;
    EXPECT_EQ(Header(r, "WWW-Authenticate"), R"(Bearer realm="recplat", error="invalid_token")");
    EXPECT_THAT(r.body, HasSubstr("UNAUTHENTICATED"));
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("0123456789")));
  }
  // Another scheme is no Bearer credential at all.
  HttpRequest basic = Request("POST", "/v1/recommend");
  basic.headers["authorization"] = "Basic dXNlcjpwYXNz";
  EXPECT_EQ(Header(router_.Dispatch(basic), "WWW-Authenticate"), R"(Bearer realm="recplat")");
  EXPECT_TRUE(fake_.CallOrder().empty());
}

TEST_F(HttpAuthTest, UserKeysReachUserRoutesAndAre403OnAdminRoutes) {
  for (const char* key : {kUserKey, kUserKey2}) {  // rotation: both keys are valid
    EXPECT_EQ(Send("POST", "/v1/recommend", key).status, 200);
    EXPECT_EQ(Send("POST", "/v1/events", key).status, 200);
    EXPECT_EQ(Send("POST", "/v1/items", key).status, 200);
    EXPECT_EQ(Send("GET", "/v1/items/a", key).status, 200);
    EXPECT_EQ(Send("GET", "/v1/models", key).status, 200);
  }
  const std::vector<std::pair<std::string, std::string>> admin_routes = {
      {"POST", "/v1/models/train"}, {"POST", "/v1/models/promote"}, {"DELETE", "/v1/items/a"},
      {"POST", "/v1/items/delete"}, {"GET", "/v1/config"},          {"GET", "/v1/stats"},
      {"GET", "/v1/served"}};
  fake_.ClearCalls();
  for (const auto& [method, path] : admin_routes) {
    const HttpResponse r = Send(method, path, kUserKey);
    EXPECT_EQ(r.status, 403) << method << " " << path;
    EXPECT_THAT(r.body, HasSubstr(R"("code":"PERMISSION_DENIED","status":403)"));
    EXPECT_EQ(Header(r, "WWW-Authenticate"),
              R"(Bearer realm="recplat", error="insufficient_scope")");
  }
  EXPECT_TRUE(fake_.CallOrder().empty());
  for (const auto& [method, path] : admin_routes) {
    EXPECT_EQ(Send(method, path, kAdminKey).status, 200) << method << " " << path;
  }
  // An admin key is also a user key.
  EXPECT_EQ(Send("POST", "/v1/recommend", kAdminKey).status, 200);
}

TEST_F(HttpAuthTest, TheSchemeIsCaseInsensitiveAndSpacesAreTolerated) {
  HttpRequest request = Request("POST", "/v1/recommend", "", "{}");
  request.headers["authorization"] = std::string("bEaReR   ") + kUserKey + "  ";
  EXPECT_EQ(router_.Dispatch(request).status, 200);
}

TEST_F(HttpAuthTest, ProbesStayOpen) {
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
  EXPECT_EQ(Send("GET", "/readyz").status, 200);
  EXPECT_EQ(Send("GET", "/healthz", "not-a-valid-key-at-all").status, 200);
}

TEST_F(HttpAuthTest, UnknownPathsAre404BeforeAnyCheck) {
  EXPECT_EQ(Send("GET", "/v1/nope").status, 404);
  EXPECT_EQ(Send("PUT", "/v1/recommend").status, 405);
}

TEST_F(HttpAuthTest, RefusalsAreCountedByReason) {
  Send("POST", "/v1/recommend");
  Send("POST", "/v1/recommend", "wrong-key-0123456789abcdef");
  Send("POST", "/v1/recommend", "wrong-key-0123456789abcdef");
  Send("GET", "/v1/config", kUserKey);
  Send("POST", "/v1/recommend", kUserKey);
  EXPECT_THAT(Failures(), ::testing::UnorderedElementsAre(
                              Pair("missing", 1), Pair("invalid", 2), Pair("forbidden", 1)));
}

TEST_F(HttpAuthTest, DispatchInPlaceChecksToo) {
  HttpRequest request = Request("GET", "/v1/config", kUserKey);
  EXPECT_EQ(router_.DispatchInPlace(&request).status, 403);
  request = Request("GET", "/v1/config", kAdminKey);
  EXPECT_EQ(router_.DispatchInPlace(&request).status, 200);
}

TEST(HttpAuthLevelsTest, WithoutKeysEverythingIsOpen) {
  testing::FakeApi fake;
  Router router;
  ASSERT_OK(AddNativeRoutes(&fake, &router));
  EXPECT_EQ(router.Dispatch(Request("POST", "/v1/models/train", "", "{}")).status, 200);
  router.SetApiKeys(api::ApiKeys(), nullptr);
  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/config")).status, 200);
}

TEST(HttpAuthLevelsTest, OnlyAdminKeysLeaveUserRoutesOpen) {
  testing::FakeApi fake;
  Router router;
  ASSERT_OK_AND_ASSIGN(api::ApiKeys keys, api::ApiKeys::Create({}, {kAdminKey}));
  router.SetApiKeys(keys, nullptr);
  ASSERT_OK(AddNativeRoutes(&fake, &router));
  EXPECT_EQ(router.Dispatch(Request("POST", "/v1/recommend", "", "{}")).status, 200);
  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/config")).status, 401);
  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/config", kAdminKey)).status, 200);
}

TEST(HttpAuthLevelsTest, OnlyUserKeysGuardAdminRoutesWithTheUserKeys) {
  testing::FakeApi fake;
  Router router;
  ASSERT_OK_AND_ASSIGN(api::ApiKeys keys, api::ApiKeys::Create({kUserKey}, {}));
  router.SetApiKeys(keys, nullptr);
  ASSERT_OK(AddNativeRoutes(&fake, &router));
  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/config")).status, 401);
  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/config", kUserKey)).status, 200);
}

TEST(HttpAuthLevelsTest, RoutesAddedWithoutAnAccessNeedAUserKey) {
  Router router;
  ASSERT_OK_AND_ASSIGN(api::ApiKeys keys, api::ApiKeys::Create({kUserKey}, {kAdminKey}));
  router.SetApiKeys(keys, nullptr);
  ASSERT_OK(router.Add("GET", "/x", [](const HttpRequest&) { return JsonResponse("{}"); }));
  ASSERT_OK(router.Add("GET", "/open", [](const HttpRequest&) { return JsonResponse("{}"); },
                       api::Access::kOpen));
  ASSERT_OK(router.Add("GET", "/admin", [](const HttpRequest&) { return JsonResponse("{}"); },
                       "admin label", api::Access::kAdmin));
  EXPECT_EQ(router.Dispatch(Request("GET", "/x")).status, 401);
  EXPECT_EQ(router.Dispatch(Request("GET", "/x", kUserKey)).status, 200);
  EXPECT_EQ(router.Dispatch(Request("GET", "/open")).status, 200);
  EXPECT_EQ(router.Dispatch(Request("GET", "/admin", kUserKey)).status, 403);
  EXPECT_EQ(router.Dispatch(Request("GET", "/admin", kAdminKey)).status, 200);
}

}  // namespace
}  // namespace recplat::http
