// The article-rec-api route set over a FakeApi: the model-id bijection and time format, the
// set_current token checks (before the lookup), /recs argument errors and the popularity
// fallback, /models filters, CORS and the not-found body on every answer, and hostile input.
#include "frontends/http_rest/article_rec/article_rec_routes.h"

#include <random>

#include "frontends/http_rest/article_rec/article_rec_codec.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fake_api.h"
#include "tests/testing/text_mutation.h"

namespace recplat::http::article_rec {
namespace {

using nlohmann::json;

v1::ModelVersion Version(const std::string& model, int64_t version, v1::ModelStatus status) {
  v1::ModelVersion v;
  v.set_model(model);
  v.set_version(version);
  v.set_status(status);
  v.set_created_at_ms(1622548800000);  // 2021-06-01T12:00:00Z
  return v;
}

class ArticleRecRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ArticleRecOptions options;
    options.admin_token = "tok";
    auto created = ArticleRecFrontend::Create(&api_, options);
    ASSERT_TRUE(created.ok());
    frontend_ = *std::move(created);
    ASSERT_TRUE(frontend_->AddRoutes(&router_).ok());
    api_.list_models().Handle([](const v1::ListModelsRequest& r)
                                  -> absl::StatusOr<v1::ListModelsResponse> {
      v1::ListModelsResponse out;
      *out.add_versions() = Version(r.model(), 2, v1::MODEL_STATUS_CURRENT);
      *out.add_versions() = Version(r.model(), 1, v1::MODEL_STATUS_STALE);
      return out;
    });
  }

  // The item the core attaches to a rec of `id` (include_items).
  static v1::Item Article(const std::string& id) {
    v1::Item item;
    item.set_id(id);
    item.set_index(7);
    item.set_title("T");
    (*item.mutable_categorical_attributes())["path"] = "/article/" + id;
    return item;
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& authorization = "") {
    HttpRequest request;
    request.method = method;
    EXPECT_TRUE(ParseRequestTarget(target, &request).ok()) << target;
    if (!authorization.empty()) request.headers["authorization"] = authorization;
    HttpResponse response = router_.Dispatch(request);
    bool cors = false;
    for (const auto& [name, value] : response.headers) {
      cors = cors || (name == "Access-Control-Allow-Origin" && value == "*");
    }
    EXPECT_TRUE(cors) << method << " " << target;
    return response;
  }

  testing::FakeApi api_;
  Router router_;
  std::unique_ptr<ArticleRecFrontend> frontend_;
};

TEST(ArticleRecCodecTest, ModelIdsAndTimes) {
  EXPECT_EQ(ModelId(ModelType::kArticle, 3), 6);
  EXPECT_EQ(ModelId(ModelType::kPopularity, 3), 7);
  EXPECT_EQ(DecodeModelId(7)->first, ModelType::kPopularity);
  EXPECT_EQ(DecodeModelId(7)->second, 3);
  EXPECT_FALSE(DecodeModelId(1).has_value());
  EXPECT_FALSE(DecodeModelId(-4).has_value());
  EXPECT_EQ(IsoTime(1622548800000), "2021-06-01T12:00:00+00:00");
  EXPECT_EQ(IsoTime(1622548800123), "2021-06-01T12:00:00.123000+00:00");
  EXPECT_EQ(ScoreText(0.9123454), "0.912345");
}

TEST_F(ArticleRecRoutesTest, HealthAndNotFound) {
  EXPECT_EQ(Call("GET", "/").body, "OK");
  EXPECT_EQ(Call("GET", "/health").body, "OK");
  const HttpResponse missing = Call("GET", "/nowhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"message":"NOT_FOUND"})");
  EXPECT_EQ(Call("DELETE", "/recs").status, 404);
}

TEST_F(ArticleRecRoutesTest, SetCurrentChecksTheTokenBeforeTheLookup) {
  HttpResponse r = Call("PATCH", "/models/99/set_current");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"message":"MISSING_ADMIN_TOKEN"})");
  r = Call("PATCH", "/models/99/set_current", "Bearer tok");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"message":"INVALID_ADMIN_TOKEN"})");
  EXPECT_EQ(api_.promote().calls(), 0);
  api_.promote().Fail(absl::NotFoundError("no version 49"));
  r = Call("PATCH", "/models/99/set_current", "tok");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"message":"RESOURCE DOES NOT EXIST"})");
  EXPECT_EQ(api_.promote().last_request().model(), "popularity");
  EXPECT_EQ(api_.promote().last_request().version(), 49);
  EXPECT_EQ(Call("PATCH", "/models/abc/set_current", "tok").status, 404);
  api_.promote().Handle([](const v1::PromoteRequest& req) -> absl::StatusOr<v1::PromoteResponse> {
    v1::PromoteResponse out;
    *out.mutable_version() = Version(req.model(), req.version(), v1::MODEL_STATUS_CURRENT);
    return out;
  });
  r = Call("PATCH", "/models/2/set_current", "tok");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"id":2,"type":"article","status":"current",
              "created_at":"2021-06-01T12:00:00+00:00","updated_at":"2021-06-01T12:00:00+00:00"})"));
  EXPECT_EQ(api_.promote().last_request().model(), "article");
  EXPECT_EQ(api_.promote().last_request().version(), 1);
}

TEST_F(ArticleRecRoutesTest, RecsOfAStaleModelAskThatVersion) {
  api_.similar_items().Handle([](const v1::SimilarItemsRequest& r)
                                  -> absl::StatusOr<v1::SimilarItemsResponse> {
    if (r.model_version() == 5) return absl::NotFoundError("no version 5");
    v1::SimilarItemsResponse out;
    v1::RecommendedItem* item = out.add_items();
    item->set_item_id("12");
    item->set_score(0.5);
    *item->mutable_item() = Article("12");
    return out;
  });
  // model_id 2 is version 1 of `article`, stale.
  json got = json::parse(Call("GET", "/recs?source_entity_id=11&model_id=2").body);
  ASSERT_EQ(got["results"].size(), 1u);
  EXPECT_EQ(got["results"][0]["model"]["id"], 2);
  EXPECT_EQ(got["results"][0]["model"]["status"], "stale");
  EXPECT_EQ(api_.similar_items().last_request().model(), "article");
  EXPECT_EQ(api_.similar_items().last_request().model_version(), 1);
  // The current one: the serving version (model_version 0); without model_id, the same.
  got = json::parse(Call("GET", "/recs?source_entity_id=11&model_id=4").body);
  EXPECT_EQ(got["results"][0]["model"]["id"], 4);
  EXPECT_EQ(api_.similar_items().last_request().model_version(), 2);
  Call("GET", "/recs?source_entity_id=11");
  EXPECT_EQ(api_.similar_items().last_request().model_version(), 0);
  // A version that is not listed is not asked: the popularity fallback.
  const int calls = api_.similar_items().calls();
  Call("GET", "/recs?source_entity_id=11&model_id=10");
  EXPECT_EQ(api_.similar_items().calls(), calls);
  EXPECT_EQ(api_.recommend().calls(), 1);
}

TEST_F(ArticleRecRoutesTest, RecsArgumentsAndFallback) {
  HttpResponse r = Call("GET", "/recs?source_entity_id=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"message":"Invalid input syntax for source_entity_id (int): abc"})");
  EXPECT_EQ(Call("GET", "/recs?source_entity_id=1&exclude=2,x").status, 400);
  EXPECT_EQ(Call("GET", "/recs?size=500").status, 400);
  EXPECT_EQ(Call("GET", "/recs?size=ten").status, 400);
  EXPECT_EQ(Call("GET", "/recs?model_id=x").status, 400);
  EXPECT_EQ(Call("GET", "/recs?order_by=up").status, 400);
  EXPECT_EQ(Call("GET", "/recs?sort_by=password").status, 400);

  v1::SimilarItemsResponse similar;
  similar.add_items()->set_item_id("42");
  similar.mutable_items(0)->set_score(0.5);
  *similar.mutable_items(0)->mutable_item() = Article("42");
  // A rec whose article was deleted since the model was trained is left out.
  similar.add_items()->set_item_id("43");
  api_.similar_items().Respond(similar);
  r = Call("GET", "/recs?source_entity_id=5&exclude=6,7&size=3");
  ASSERT_EQ(r.status, 200);
  const json recs = json::parse(r.body)["results"];
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["source_entity_id"], "5");
  EXPECT_EQ(recs[0]["score"], "0.500000");
  EXPECT_EQ(recs[0]["model"]["id"], 4);
  EXPECT_EQ(recs[0]["recommended_article"]["external_id"], 42);
  EXPECT_EQ(recs[0]["recommended_article"]["id"], 8);
  EXPECT_EQ(recs[0]["recommended_article"]["published_at"], nullptr);
  EXPECT_EQ(api_.similar_items().last_request().item_id(), "5");
  EXPECT_EQ(api_.similar_items().last_request().exclude_item_ids_size(), 2);
  EXPECT_TRUE(api_.similar_items().last_request().include_items());
  EXPECT_EQ(api_.get_item().calls(), 0) << "the items come with the recs";

  // Unknown article: the current popularity recommendations.
  api_.similar_items().Fail(absl::NotFoundError("unknown item"));
  v1::RecommendResponse popular;
  popular.add_items()->set_item_id("9");
  popular.mutable_items(0)->set_score(1.0);
  *popular.mutable_items(0)->mutable_item() = Article("9");
  api_.recommend().Respond(popular);
  r = Call("GET", "/recs?source_entity_id=5");
  const json fallback = json::parse(r.body)["results"];
  ASSERT_EQ(fallback.size(), 1u);
  EXPECT_EQ(fallback[0]["source_entity_id"], "default");
  EXPECT_EQ(fallback[0]["model"]["type"], "popularity");
  EXPECT_EQ(api_.recommend().last_request().retrieval_models(0), "popularity");
  EXPECT_TRUE(api_.recommend().last_request().dry_run());
  EXPECT_TRUE(api_.recommend().last_request().include_items());
}

TEST_F(ArticleRecRoutesTest, ModelsFilters) {
  const json all = json::parse(Call("GET", "/models").body)["results"];
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0]["id"], 5);  // id descending by default
  const json stale = json::parse(Call("GET", "/models?status=stale&type=article").body)["results"];
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0]["id"], 2);
  const json asc = json::parse(Call("GET", "/models?order_by=asc&sort_by=id").body)["results"];
  EXPECT_EQ(asc[0]["id"], 2);
}

// Mutated query strings and paths never crash the routes and always answer JSON with CORS.
TEST_F(ArticleRecRoutesTest, HostileTargetsAreAnswered) {
  const std::vector<std::string> seeds = {
      "/recs?source_entity_id=1&model_type=article&exclude=2,3&sort_by=score&order_by=asc&size=5",
      "/models?status=current&type=popularity&sort_by=created_at", "/models/4/set_current"};
  std::vector<const std::string*> corpus;
  for (const auto& s : seeds) corpus.push_back(&s);
  const std::vector<std::string> tokens = {"%", "%00", "%ff", "&", "=", ",", "-", "99999999999999999999",
                                           "\xc3", "/", "?", "+", "size=499", "model_id=-1"};
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    std::string target = testing::MutateText(seeds[i % seeds.size()], tokens, corpus, rng);
    if (target.empty() || target[0] != '/') target = "/" + target;
    HttpRequest request;
    request.method = i % 3 == 2 ? "PATCH" : "GET";
    if (!ParseRequestTarget(target, &request).ok()) continue;
    request.headers["authorization"] = "tok";
    const HttpResponse r = router_.Dispatch(request);
    ASSERT_GE(r.status, 200) << target;
    ASSERT_LT(r.status, 500) << target << " " << r.body;
  }
}

}  // namespace
}  // namespace recplat::http::article_rec
