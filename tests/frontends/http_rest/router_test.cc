#include "frontends/http_rest/router.h"

#include <stdexcept>
#include <string>

#include "absl/strings/str_cat.h"
#include "frontends/http_rest/http_message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

HttpRequest Request(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

// A handler answering `name` followed by its bound path parameters, sorted by name.
Handler Named(std::string name) {
  return [name](const HttpRequest& request) {
    std::string body = name;
    std::vector<std::pair<std::string, std::string>> params(request.path_params.begin(),
                                                            request.path_params.end());
    std::sort(params.begin(), params.end());
    for (const auto& [k, v] : params) absl::StrAppend(&body, " ", k, "=", v);
    return JsonResponse(body);
  };
}

std::string HeaderValue(const HttpResponse& response, const std::string& name) {
  for (const auto& [k, v] : response.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

TEST(RouterTest, BindsParametersAndPrefersLiterals) {
  Router router;
  ASSERT_OK(router.Add("GET", "/v1/items/{id}", Named("item")));
  ASSERT_OK(router.Add("GET", "/v1/items/special", Named("special")));
  ASSERT_OK(router.Add("GET", "/v1/users/{user}/items/{id}", Named("user-item")));
  ASSERT_OK(router.Add("GET", "/", Named("root")));

  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/items/42")).body, "item id=42");
  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/items/special")).body, "special");
  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/users/ann/items/7")).body,
            "user-item id=7 user=ann");
  EXPECT_EQ(router.Dispatch(Request("GET", "/")).body, "root");
}

TEST(RouterTest, BacktracksFromLiteralToParameter) {
  Router router;
  ASSERT_OK(router.Add("GET", "/a/b/c", Named("literal")));
  ASSERT_OK(router.Add("GET", "/a/{x}/d", Named("param")));
  EXPECT_EQ(router.Dispatch(Request("GET", "/a/b/c")).body, "literal");
  EXPECT_EQ(router.Dispatch(Request("GET", "/a/b/d")).body, "param x=b");
}

TEST(RouterTest, EncodedSlashStaysInsideASegment) {
  Router router;
  ASSERT_OK(router.Add("GET", "/items/{id}", Named("item")));
  ASSERT_OK(router.Add("GET", "/items/{id}/more", Named("more")));
  ASSERT_OK(router.Add("GET", "/lit/a b", Named("literal")));
  HttpRequest request = Request("GET", "");
  ASSERT_OK(ParseRequestTarget("/items/a%2Fb%20c", &request));
  EXPECT_EQ(request.path, "/items/a/b c");
  EXPECT_EQ(router.Dispatch(request).body, "item id=a/b c");
  ASSERT_OK(ParseRequestTarget("/items/%2F/more/", &request));
  EXPECT_EQ(router.Dispatch(request).body, "more id=/");
  ASSERT_OK(ParseRequestTarget("/lit/a%20b", &request));
  EXPECT_EQ(router.Dispatch(request).body, "literal");
  // Without a raw path (a request built in code) the decoded path is split.
  EXPECT_EQ(router.Dispatch(Request("GET", "/items/a/more")).body, "more id=a");
}

TEST(RouterTest, TrailingSlashIsIgnoredExceptForRoot) {
  Router router;
  ASSERT_OK(router.Add("GET", "/x", Named("x")));
  ASSERT_OK(router.Add("GET", "/y/", Named("y")));
  EXPECT_EQ(router.Dispatch(Request("GET", "/x/")).body, "x");
  EXPECT_EQ(router.Dispatch(Request("GET", "/y")).body, "y");
  EXPECT_EQ(router.Dispatch(Request("GET", "/x//")).status, 404);
  EXPECT_EQ(router.Dispatch(Request("GET", "/")).status, 404);  // no root route
  EXPECT_EQ(router.Dispatch(Request("GET", "//x")).status, 404);
}

TEST(RouterTest, UnknownPathIs404WithJsonBody) {
  Router router;
  ASSERT_OK(router.Add("GET", "/v1/items/{id}", Named("item")));
  std::string label;
  HttpResponse response = router.Dispatch(Request("GET", "/v1/nope"), &label);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_THAT(response.body, HasSubstr(R"({"error":{"code":"NOT_FOUND","status":404,)"));
  EXPECT_EQ(label, "unmatched");
  // A parameter never binds an empty segment.
  EXPECT_EQ(router.Dispatch(Request("GET", "/v1/items//")).status, 404);
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router;
  ASSERT_OK(router.Add("PUT", "/x/{id}", Named("put")));
  ASSERT_OK(router.Add("GET", "/x/{id}", Named("get")));
  ASSERT_OK(router.Add("DELETE", "/x/fixed", Named("delete")));
  HttpResponse response = router.Dispatch(Request("POST", "/x/1"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(HeaderValue(response, "Allow"), "GET, PUT");
  EXPECT_THAT(response.body, HasSubstr(R"("status":405)"));
  EXPECT_THAT(response.body, HasSubstr(R"("code":"UNIMPLEMENTED")"));
  // Allow lists the methods of every pattern matching the path.
  EXPECT_EQ(HeaderValue(router.Dispatch(Request("POST", "/x/fixed")), "Allow"),
            "DELETE, GET, PUT");
  // The parameter route still serves GET on a path that also matches a literal.
  EXPECT_EQ(router.Dispatch(Request("GET", "/x/fixed")).body, "get id=fixed");
}

TEST(RouterTest, DuplicateRoutesAreRejected) {
  Router router;
  ASSERT_OK(router.Add("GET", "/x/{id}", Named("a")));
  EXPECT_THAT(router.Add("GET", "/x/{id}", Named("b")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(router.Add("GET", "/x/{other}/", Named("b")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_OK(router.Add("POST", "/x/{id}", Named("c")));
  EXPECT_EQ(router.Dispatch(Request("GET", "/x/1")).body, "a id=1");
}

TEST(RouterTest, InvalidRoutesAreRejected) {
  Router router;
  for (const char* pattern : {"", "x", "/a/{", "/a/{}", "/a/{id}/{id}", "/a/b{c}", "//",
                              "/a//b", "/{a-b}"}) {
    EXPECT_THAT(router.Add("GET", pattern, Named("x")),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << pattern;
  }
  EXPECT_THAT(router.Add("get", "/a", Named("x")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(router.Add("GET", "/a", nullptr), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RouterTest, HandlerExceptionsBecome500) {
  Router router;
  ASSERT_OK(router.Add("GET", "/std", [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("secret detail");
  }));
  ASSERT_OK(router.Add("GET", "/other", [](const HttpRequest&) -> HttpResponse { throw 42; }));
  for (const char* path : {"/std", "/other"}) {
    HttpResponse response = router.Dispatch(Request("GET", path));
    EXPECT_EQ(response.status, 500) << path;
    EXPECT_THAT(response.body, HasSubstr(R"("code":"INTERNAL")"));
    EXPECT_THAT(response.body, Not(HasSubstr("secret")));
  }
}

TEST(RouterTest, ReportsRouteLabels) {
  Router router;
  ASSERT_OK(router.Add("GET", "/a/{id}", Named("a")));
  ASSERT_OK(router.Add("GET", "/b", Named("b"), "b_route"));
  std::string label;
  router.Dispatch(Request("GET", "/a/1"), &label);
  EXPECT_EQ(label, "/a/{id}");
  router.Dispatch(Request("GET", "/b"), &label);
  EXPECT_EQ(label, "b_route");
}

TEST(RouterTest, DispatchInPlaceBindsIntoTheRequest) {
  Router router;
  ASSERT_OK(router.Add("GET", "/a/{id}", Named("a")));
  HttpRequest request = Request("GET", "/a/7");
  request.path_params["stale"] = "x";
  EXPECT_EQ(router.Dispatch(request).body, "a id=7");
  EXPECT_THAT(request.path_params, UnorderedElementsAre(Pair("stale", "x")));
  EXPECT_EQ(router.DispatchInPlace(&request).body, "a id=7");
  EXPECT_THAT(request.path_params, UnorderedElementsAre(Pair("id", "7")));
}

TEST(RouterMessageTest, ParsesRequestTargets) {
  HttpRequest request;
  ASSERT_OK(ParseRequestTarget("/a%20b/c%2Fd?q=x%2By+z&flag&q2=&=v&k=1&k=2#frag", &request));
  EXPECT_EQ(request.path, "/a b/c/d");
  EXPECT_THAT(request.query, UnorderedElementsAre(Pair("q", "x+y z"), Pair("flag", ""),
                                                  Pair("q2", ""), Pair("", "v"), Pair("k", "2")));
  ASSERT_NE(request.Query("q"), nullptr);
  EXPECT_EQ(request.Query("missing"), nullptr);

  ASSERT_OK(ParseRequestTarget("HTTP://host:80/p+q?x=1", &request));
  EXPECT_EQ(request.path, "/p+q");
  EXPECT_THAT(request.query, UnorderedElementsAre(Pair("x", "1")));
  ASSERT_OK(ParseRequestTarget("http://host?x=1", &request));
  EXPECT_EQ(request.path, "/");

  for (const char* bad : {"", "*", "a/b", "ftp://h/x", "/%zz", "/%4", "/%", "/?a=%g1"}) {
    EXPECT_THAT(ParseRequestTarget(bad, &request), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(RouterMessageTest, HeaderLookupIgnoresCase) {
  HttpRequest request;
  request.headers["content-type"] = "text/plain";
  ASSERT_NE(request.Header("Content-Type"), nullptr);
  EXPECT_EQ(*request.Header("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(*request.Header("content-type"), "text/plain");
  EXPECT_EQ(request.Header("accept"), nullptr);
}

TEST(RouterMessageTest, ErrorBodiesAreEscapedJson) {
  HttpResponse response =
      ErrorResponse(absl::InvalidArgumentError("bad \"x\"\\\n\x01 caf\xc3\xa9 \xff"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body,
            R"({"error":{"code":"INVALID_ARGUMENT","status":400,"message":)"
            R"("bad \"x\"\\\n\u0001 café \ufffd"}})");
  response = ErrorResponse(absl::InternalError("stack trace here"));
  EXPECT_EQ(response.status, 500);
  EXPECT_THAT(response.body, Not(HasSubstr("stack trace")));
  response = ErrorResponse(413, absl::StatusCode::kResourceExhausted, "too big");
  EXPECT_EQ(response.body,
            R"({"error":{"code":"RESOURCE_EXHAUSTED","status":413,"message":"too big"}})");
  EXPECT_EQ(EmptyResponse(204).status, 204);
  EXPECT_TRUE(EmptyResponse().body.empty());
}

}  // namespace
}  // namespace recplat::http
