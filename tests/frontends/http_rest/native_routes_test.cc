// The native JSON API and the health routes, dispatched through a Router (no sockets) to a real
// LocalService over a RocksDB state store in a temporary directory.
#include "frontends/http_rest/native_routes.h"

#include <memory>
#include <string>

#include "core/common/clock.h"
#include "core/config/config_loader.h"
#include "core/engine/engine.h"
#include "core/ingest/materializer.h"
#include "core/log/event_log.h"
#include "core/models/model_family.h"
#include "core/registry/model_registry.h"
#include "core/service/local_service.h"
#include "core/state/state_store.h"
#include "core/training/trainer.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::http {
namespace {

using ::testing::HasSubstr;

constexpr char kProfile[] = R"(
training: {enabled: false}
event_types:
  view: {}
  click: {weight: 2, record: true}
  cart: {}
  order: {}
  rating: {}
models:
  popularity: {family: popularity, train: {on_start: false}}
  item_knn: {family: item_knn, train: {on_start: false}}
surfaces:
  default: {retrieval: [popularity], similar: [item_knn]}
)";

struct ErrorBody {
  std::string code;
  int status = 0;
  std::string message;
};

template <typename T>
T Decode(const HttpResponse& response) {
  T message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &message, options).ok())
      << response.body;
  return message;
}

ErrorBody DecodeError(const HttpResponse& response) {
  google::protobuf::Struct body = Decode<google::protobuf::Struct>(response);
  const auto& error = body.fields().at("error").struct_value().fields();
  return {error.at("code").string_value(), static_cast<int>(error.at("status").number_value()),
          error.at("message").string_value()};
}

class NativeRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(models::RegisterBuiltinFamilies(&families_));
    ASSERT_OK_AND_ASSIGN(config::Config cfg, config::ParseConfig(kProfile, "test", {}, {}));
    cfg.data_dir = dir_.path().string();
    const common::Clock& clock = common::Clock::Default();
    log_ = log::NewInMemoryEventLog();
    state::StateStoreOptions so;
    so.path = (dir_.path() / "state").string();
    so.clock = &clock;
    so.recorded_event_types = {"click"};
    ASSERT_OK_AND_ASSIGN(state_, state::OpenRocksDbStateStore(so));
    materializer_ =
        std::make_unique<ingest::Materializer>(*log_, *state_, ingest::MaterializerOptions{});
    registry::RegistryOptions ro;
    ro.root = dir_.path() / "models";
    ro.families = &families_;
    ro.clock = &clock;
    ro.models = cfg.models;
    ASSERT_OK_AND_ASSIGN(registry_, registry::ModelRegistry::Create(ro));
    trainer_ =
        std::make_unique<training::Trainer>(training::TrainerOptions{cfg.event_types, cfg.training},
                                            *state_, *registry_, clock, metrics_);
    engine_ = std::make_unique<engine::Engine>(engine::EngineOptionsFromConfig(cfg), *state_,
                                               *registry_, clock, metrics_);
    service::Components c;
    c.log = log_.get();
    c.state = state_.get();
    c.materializer = materializer_.get();
    c.registry = registry_.get();
    c.trainer = trainer_.get();
    c.engine = engine_.get();
    c.clock = &clock;
    c.metrics = &metrics_;
    service::ServiceOptions options;
    options.config = cfg;
    options.profile_path = "test.yaml";
    service_ = std::make_unique<service::LocalService>(std::move(options), c);
    materializer_->Start();
    ASSERT_OK(AddHealthRoutes(service_.get(), &router_));
    ASSERT_OK(AddNativeRoutes(service_.get(), &router_));
  }

  void TearDown() override {
    if (materializer_ != nullptr) materializer_->Stop();
  }

  // Dispatches `method` on `target` (a request target as sent: "/path?a=1", percent-encoded).
  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    HttpRequest request;
    request.method = method;
    EXPECT_OK(ParseRequestTarget(target, &request)) << target;
    request.body = body;
    if (!body.empty()) request.headers["content-type"] = "application/json";
    return router_.Dispatch(request);
  }

  void UpsertItems(const std::string& ids_json_items) {
    HttpResponse r = Call("POST", "/v1/items", ids_json_items);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  testing::TempDir dir_;
  models::ModelFamilyRegistry families_;
  prometheus::Registry metrics_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<ingest::Materializer> materializer_;
  std::unique_ptr<registry::ModelRegistry> registry_;
  std::unique_ptr<training::Trainer> trainer_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<service::LocalService> service_;
  Router router_;
};

TEST_F(NativeRoutesTest, ItemsUpsertGetListDelete) {
  HttpResponse r = Call("POST", "/v1/items", R"({"items": [
      {"id": "a", "title": "Apple", "categories": ["fruit"], "numeric_attributes": {"price": 2}},
      {"id": "b", "title": "Banana"}, {"id": "c", "available": false}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Decode<v1::UpsertItemsResponse>(r).offsets_size(), 3);

  r = Call("GET", "/v1/items/a");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::Item a = Decode<v1::Item>(r);
  EXPECT_EQ(a.id(), "a");
  EXPECT_EQ(a.tenant(), "default");
  EXPECT_EQ(a.title(), "Apple");
  EXPECT_EQ(a.numeric_attributes().at("price"), 2.0);
  EXPECT_GT(a.updated_at_ms(), 0);

  r = Call("GET", "/v1/items?page_size=2");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::ListItemsResponse page = Decode<v1::ListItemsResponse>(r);
  ASSERT_EQ(page.items_size(), 2);
  EXPECT_EQ(page.total(), 3u);
  ASSERT_FALSE(page.next_page_token().empty());
  r = Call("GET", "/v1/items?tenant=default&page_size=2&page_token=" + page.next_page_token());
  ASSERT_EQ(r.status, 200) << r.body;
  page = Decode<v1::ListItemsResponse>(r);
  ASSERT_EQ(page.items_size(), 1);
  EXPECT_EQ(page.items(0).id(), "c");
  EXPECT_TRUE(page.next_page_token().empty());

  r = Call("DELETE", "/v1/items/a");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Decode<v1::DeleteItemsResponse>(r).offsets_size(), 1);
  EXPECT_EQ(Call("GET", "/v1/items/a").status, 404);
  r = Call("POST", "/v1/items/delete", R"({"tenant": "default", "ids": ["b"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Call("GET", "/v1/items/b").status, 404);
  EXPECT_EQ(Decode<v1::ListItemsResponse>(Call("GET", "/v1/items")).total(), 1u);
}

TEST_F(NativeRoutesTest, PathIdsArePercentDecodedSegments) {
  UpsertItems(R"({"items": [{"id": "x/y z"}, {"id": "delete"}]})");
  HttpResponse r = Call("GET", "/v1/items/x%2Fy%20z");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Decode<v1::Item>(r).id(), "x/y z");
  // The literal /v1/items/delete only takes POST; other methods reach /v1/items/{id}.
  r = Call("GET", "/v1/items/delete");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Decode<v1::Item>(r).id(), "delete");
  EXPECT_EQ(Call("DELETE", "/v1/items/delete").status, 200);
  EXPECT_EQ(Call("DELETE", "/v1/items/x%2Fy%20z?tenant=default").status, 200);
  EXPECT_EQ(Decode<v1::ListItemsResponse>(Call("GET", "/v1/items")).total(), 0u);
}

TEST_F(NativeRoutesTest, UnknownItemIsA404JsonError) {
  HttpResponse r = Call("GET", "/v1/items/nope?tenant=shop");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  ErrorBody e = DecodeError(r);
  EXPECT_EQ(e.code, "NOT_FOUND");
  EXPECT_EQ(e.status, 404);
  EXPECT_THAT(e.message, HasSubstr("nope"));

  r = Call("DELETE", "/v1/items/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(DecodeError(r).code, "NOT_FOUND");
  EXPECT_EQ(Call("POST", "/v1/similar", R"({"item_id": "nope", "k": 3})").status, 404);
}

TEST_F(NativeRoutesTest, EventsThenRecommendThenTrain) {
  UpsertItems(R"({"items": [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}]})");
  HttpResponse r = Call("POST", "/v1/events", R"({"wait_applied": true, "events": [
      {"user_id": "u1", "item_id": "a", "type": "view"},
      {"user_id": "u1", "item_id": "b", "type": "click"},
      {"user_id": "u2", "item_id": "a", "type": "view"},
      {"user_id": "u3", "item_id": "a", "type": "order", "context": {"surface": "home"}},
      {"session_id": "s1", "item_id": "c", "type": "view", "value": 2}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Decode<v1::AppendEventsResponse>(r).offsets_size(), 5);

  // Before any training the cascade falls back to `random`.
  r = Call("POST", "/v1/recommend", R"({"user_id": "u9", "k": 3})");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::RecommendResponse rec = Decode<v1::RecommendResponse>(r);
  ASSERT_EQ(rec.items_size(), 3);
  EXPECT_EQ(rec.items(0).model(), "random");
  EXPECT_FALSE(rec.recommendation_id().empty());

  r = Call("POST", "/v1/models/train", R"({"model": "popularity", "wait": true})");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::TrainResponse trained = Decode<v1::TrainResponse>(r);
  EXPECT_EQ(trained.version().version(), 1);
  EXPECT_EQ(trained.version().status(), v1::MODEL_STATUS_CURRENT);

  r = Call("POST", "/v1/recommend", R"({"user_id": "u9", "k": 2, "exclude_item_ids": ["d"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  rec = Decode<v1::RecommendResponse>(r);
  ASSERT_EQ(rec.items_size(), 2);
  EXPECT_EQ(rec.items(0).item_id(), "a");
  for (int i = 0; i < rec.items_size(); ++i) {
    EXPECT_EQ(rec.items(i).model(), "popularity");
    EXPECT_EQ(rec.items(i).model_version(), 1);
    EXPECT_EQ(rec.items(i).position(), i);
  }
  // Zero values are omitted from the JSON: position 0 is absent, position 1 present.
  EXPECT_THAT(r.body, HasSubstr(R"("position":1)"));
  EXPECT_THAT(r.body, HasSubstr(R"("model_version":"1")"));

  r = Call("GET", "/v1/models?model=popularity");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::ListModelsResponse models = Decode<v1::ListModelsResponse>(r);
  ASSERT_EQ(models.versions_size(), 1);
  EXPECT_EQ(models.versions(0).version(), 1);
  EXPECT_THAT(r.body, HasSubstr(R"("status":"MODEL_STATUS_CURRENT")"));

  r = Call("POST", "/v1/models/promote", R"({"model": "popularity", "version": 1})");
  EXPECT_EQ(r.status, 200) << r.body;
  r = Call("POST", "/v1/models/promote", R"({"model": "popularity", "version": 99})");
  EXPECT_EQ(r.status, 404) << r.body;
  r = Call("POST", "/v1/models/train", R"({"model": "nope"})");
  EXPECT_EQ(r.status, 404) << r.body;

  r = Call("POST", "/v1/similar", R"({"item_id": "a", "k": 2})");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(NativeRoutesTest, UsersUpsertAndGetWithHistory) {
  UpsertItems(R"({"items": [{"id": "a"}]})");
  HttpResponse r =
      Call("POST", "/v1/users", R"({"users": [{"id": "u1", "attributes": {"lang": "en"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = Call("POST", "/v1/events", R"({"wait_applied": true,
      "events": [{"user_id": "u1", "item_id": "a", "type": "view"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = Call("GET", "/v1/users/u1?history_limit=5");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::GetUserResponse user = Decode<v1::GetUserResponse>(r);
  EXPECT_EQ(user.user().attributes().at("lang"), "en");
  ASSERT_EQ(user.history_size(), 1);
  EXPECT_EQ(user.history(0).item_id(), "a");
  EXPECT_EQ(Call("GET", "/v1/users/ghost").status, 404);
}

TEST_F(NativeRoutesTest, BadBodiesAre400WithAReason) {
  HttpResponse r = Call("POST", "/v1/items", R"({"items": [)");
  EXPECT_EQ(r.status, 400);
  ErrorBody e = DecodeError(r);
  EXPECT_EQ(e.code, "INVALID_ARGUMENT");
  EXPECT_EQ(e.status, 400);
  EXPECT_THAT(e.message, HasSubstr("request body: "));

  r = Call("POST", "/v1/recommend", R"({"k": "ten"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("k"));

  r = Call("POST", "/v1/items", R"({"items": [{"id": "a", "colour": "red"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("colour"));

  r = Call("POST", "/v1/items", R"({"items": []})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("empty batch"));
  r = Call("POST", "/v1/events", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("request body: empty"));

  // Service-side validation names the offending element.
  r = Call("POST", "/v1/events", R"({"events": [{"user_id": "u", "item_id": "a", "type": "x"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("events[0]"));
}

TEST_F(NativeRoutesTest, BadQueryParamsAre400NamingTheParameter) {
  HttpResponse r = Call("GET", "/v1/items?page_size=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("query parameter 'page_size'"));
  r = Call("GET", "/v1/items?colour=red");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("query parameter 'colour': unknown"));
  r = Call("GET", "/v1/items/a?id=b");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("query parameter 'id'"));
  r = Call("GET", "/v1/users/u1?history_limit=-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("history_limit"));
  r = Call("GET", "/v1/stats?verbose=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("accepted: none"));
}

TEST_F(NativeRoutesTest, StatsAndConfig) {
  UpsertItems(R"({"items": [{"id": "a"}, {"id": "b"}]})");
  HttpResponse r = Call("GET", "/v1/stats");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::GetStatsResponse stats = Decode<v1::GetStatsResponse>(r);
  EXPECT_EQ(stats.log_next_offset(), 2u);
  ASSERT_EQ(stats.tenants_size(), 1);
  EXPECT_EQ(stats.tenants(0).items(), 2u);
  r = Call("GET", "/v1/config");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::GetConfigResponse config = Decode<v1::GetConfigResponse>(r);
  EXPECT_EQ(config.profile_path(), "test.yaml");
  EXPECT_THAT(config.yaml(), HasSubstr("item_knn"));
}

TEST_F(NativeRoutesTest, CatalogQueriesAnchorsAndServedListsOverJson) {
  UpsertItems(R"({"items": [
      {"id": "a", "categories": ["fruit"], "numeric_attributes": {"price": 2}},
      {"id": "b", "categories": ["fruit"], "numeric_attributes": {"price": 5}},
      {"id": "c", "categories": ["veg"]}]})");
  HttpResponse r = Call("POST", "/v1/items/query", R"({"query": {"categories": ["fruit"],
      "numeric": [{"attribute": "price", "lt": 3}]}})");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::ListItemsResponse page = Decode<v1::ListItemsResponse>(r);
  ASSERT_EQ(page.items_size(), 1);
  EXPECT_EQ(page.items(0).id(), "a");

  r = Call("POST", "/v1/recommend", R"({"k": 5, "query": {"categories": ["fruit"]},
      "anchor_item_ids": ["c"], "anchor_choice": "ANCHORS_RANDOM_ONE"})");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::RecommendResponse rec = Decode<v1::RecommendResponse>(r);
  ASSERT_EQ(rec.items_size(), 2);
  for (const auto& item : rec.items()) EXPECT_NE(item.item_id(), "c");
  EXPECT_FALSE(rec.cached());
  r = Call("POST", "/v1/recommend",
           R"({"k": 1, "anchor_item_ids": ["zz"], "require_known_anchor": true})");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("no known anchor among [zz]"));
  r = Call("POST", "/v1/recommend", R"({"k": 1, "anchor_choice": "ANCHORS_SOMETIMES"})");
  EXPECT_EQ(r.status, 400);

  r = Call("GET", "/v1/served?surface=default&limit=10");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::ScanServedResponse served = Decode<v1::ScanServedResponse>(r);
  ASSERT_EQ(served.lists_size(), 1);  // The errors served nothing.
  EXPECT_EQ(served.lists(0).recommendation_id(), rec.recommendation_id());
  EXPECT_EQ(served.lists(0).item_ids_size(), 2);
  r = Call("GET", "/v1/served?from_ms=5&to_ms=4");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(DecodeError(r).message, HasSubstr("to_ms"));
}

TEST_F(NativeRoutesTest, MonitoringFiguresOverJson) {
  UpsertItems(R"({"items": [{"id": "a"}, {"id": "b"}]})");
  HttpResponse r = Call("POST", "/v1/recommend", R"({"k": 1, "session_id": "s"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const v1::RecommendResponse rec = Decode<v1::RecommendResponse>(r);
  ASSERT_EQ(rec.items_size(), 1);
  // A click on the recommended item at position 0, attributed to the model that ranked it.
  r = Call("POST", "/v1/events",
           R"({"wait_applied": true, "events": [{"session_id": "s", "item_id": ")" +
               rec.items(0).item_id() + R"(", "type": "click", "context": {"model": ")" +
               rec.items(0).model() + R"(", "surface": "default", "position": "0"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = Call("POST", "/v1/served/evaluate",
           R"({"to_ms": "99999999999999", "k": 10, "clicks": {"event_type": "click"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const v1::EvaluateServedResponse figures = Decode<v1::EvaluateServedResponse>(r);
  EXPECT_EQ(figures.general().predictions(), 1);
  EXPECT_EQ(figures.general().hits(), 1);
  EXPECT_EQ(figures.general().future_hits(), 1);
  EXPECT_EQ(figures.live_items(), 2);
  EXPECT_DOUBLE_EQ(figures.general().coverage(), 0.5);
  // Views are not recorded.
  r = Call("POST", "/v1/served/evaluate",
           R"({"to_ms": "99999999999999", "k": 10, "clicks": {"event_type": "view"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(DecodeError(r).code, "FAILED_PRECONDITION");

  r = Call("POST", "/v1/models/training_stats", R"({"models": ["popularity"], "to_ms": "1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const v1::ModelTrainingStatsResponse trainings = Decode<v1::ModelTrainingStatsResponse>(r);
  EXPECT_TRUE(trainings.models().contains("popularity"));
  EXPECT_EQ(trainings.general().started(), 0);
  r = Call("POST", "/v1/models/training_stats", R"({"models": ["nope"], "to_ms": "1"})");
  EXPECT_EQ(r.status, 404);
}

TEST_F(NativeRoutesTest, RoutesAreRegisteredOnce) {
  EXPECT_FALSE(AddNativeRoutes(service_.get(), &router_).ok());
  EXPECT_FALSE(AddHealthRoutes(service_.get(), &router_).ok());
}

using HealthRoutesTest = NativeRoutesTest;

TEST_F(HealthRoutesTest, HealthzAndReadyz) {
  HttpResponse r = Call("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"status":"ok"})");
  r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ready"})");
  service_->SetReady(false);
  r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"status":"starting"})");
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace recplat::http
