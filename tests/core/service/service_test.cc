// LocalService over the real core (RocksDB log and state in a temporary directory, materializer,
// registry, trainer, engine), wired as apps/recplat/runtime.cc wires them: the write path
// (Write and the typed writes), event de-duplication, counters, shop entities, reserved
// collections, reverse scans and the monitoring figures through the API.
#include "core/service/local_service.h"

#include <atomic>
#include <memory>
#include <thread>

#include "core/api/validation.h"
#include "core/common/process_stats.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::service {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

v1::WriteOp UpsertItem(const std::string& id) {
  v1::WriteOp op;
  op.mutable_upsert_item()->set_id(id);
  return op;
}

v1::WriteOp DeleteItem(const std::string& id) {
  v1::WriteOp op;
  op.mutable_delete_item()->set_id(id);
  return op;
}

v1::WriteOp EventOp(const std::string& item, const std::string& type = "view",
                    const std::string& event_id = "") {
  v1::WriteOp op;
  op.mutable_event()->set_user_id("u");
  op.mutable_event()->set_item_id(item);
  op.mutable_event()->set_type(type);
  op.mutable_event()->set_event_id(event_id);
  return op;
}

v1::WriteOp CounterOp(const std::string& item, double add, std::optional<double> set = {}) {
  v1::WriteOp op;
  op.mutable_counter()->set_item_id(item);
  op.mutable_counter()->set_name("likes");
  op.mutable_counter()->set_add(add);
  if (set.has_value()) op.mutable_counter()->set_set(*set);
  return op;
}

v1::WriteOp DocOp(const std::string& collection, const std::string& key) {
  v1::WriteOp op;
  op.mutable_put_document()->set_collection(collection);
  op.mutable_put_document()->set_key(key);
  op.mutable_put_document()->set_body("{}");
  return op;
}

v1::WriteOp VariantOp(const std::string& sku) {
  v1::WriteOp op;
  op.mutable_shop()->mutable_variant()->set_sku(sku);
  op.mutable_shop()->mutable_variant()->set_stock_quantity(1);
  return op;
}

v1::WriteOp ProductOp(int64_t id, const std::string& sku, bool published) {
  v1::WriteOp op;
  op.mutable_shop()->mutable_product()->set_id(id);
  op.mutable_shop()->mutable_product()->add_variant_skus(sku);
  op.mutable_shop()->mutable_product()->set_published(published);
  return op;
}

v1::WriteRequest Request(std::vector<v1::WriteOp> ops, bool wait_applied = false) {
  v1::WriteRequest request;
  for (v1::WriteOp& op : ops) *request.add_ops() = std::move(op);
  request.set_wait_applied(wait_applied);
  return request;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { Close(); }

  void Open() {
    config_.data_dir = dir_.path().string();
    config_.training.enabled = false;
    ASSERT_OK_AND_ASSIGN(log_, log::OpenRocksDbEventLog({.path = (dir_.path() / "log").string(),
                                                          .sync = false}));
    state::StateStoreOptions so;
    so.path = (dir_.path() / "state").string();
    so.clock = &clock_;
    for (const auto& [type, event_type] : config_.event_types) {
      if (event_type.record) so.recorded_event_types.insert(type);
    }
    ASSERT_OK_AND_ASSIGN(state_, state::OpenRocksDbStateStore(so));
    materializer_ = std::make_unique<ingest::Materializer>(*log_, *state_,
                                                           ingest::MaterializerOptions{});
    ASSERT_OK(materializer_->CatchUp());
    metrics_ = std::make_unique<prometheus::Registry>();
    families_ = std::make_unique<models::ModelFamilyRegistry>();
    ASSERT_OK(models::RegisterBuiltinFamilies(families_.get()));
    registry::RegistryOptions ro;
    ro.root = dir_.path() / "models";
    ro.families = families_.get();
    ro.clock = &clock_;
    ro.models = config_.models;
    ASSERT_OK_AND_ASSIGN(registry_, registry::ModelRegistry::Create(ro));
    trainer_ = std::make_unique<training::Trainer>(
        training::TrainerOptions{config_.event_types, config_.training}, *state_, *registry_,
        clock_, *metrics_);
    engine_ = std::make_unique<engine::Engine>(engine::EngineOptionsFromConfig(config_), *state_,
                                               *registry_, clock_, *metrics_);
    Components c{log_.get(),     state_.get(),  materializer_.get(), registry_.get(),
                 trainer_.get(), engine_.get(), &clock_,             metrics_.get()};
    c.log_ready = log_ready_;
    ServiceOptions options;
    options.config = config_;
    options.min_offset_timeout = absl::Seconds(1);
    service_ = std::make_unique<LocalService>(std::move(options), c);
    materializer_->Start();
  }

  // Ready() also requires this when set (Components::log_ready); takes effect at Open().
  std::function<bool()> log_ready_;

  // Restarts with a popularity model "pop" configured; `retrieval`, when given, becomes the
  // default surface's cascade.
  void ReopenWithPopularity(std::vector<std::string> retrieval = {}) {
    Close();
    config_.models["pop"].family = "popularity";
    if (!retrieval.empty()) config_.surfaces["default"].retrieval = std::move(retrieval);
    Open();
  }

  // Stops and destroys everything, as a process exit would (the data directory stays).
  void Close() {
    if (materializer_ != nullptr) materializer_->Stop();
    service_.reset();
    engine_.reset();
    trainer_.reset();
    registry_.reset();
    materializer_.reset();
    state_.reset();
    log_.reset();
    families_.reset();
    metrics_.reset();
  }

  api::Api& api() { return *service_; }

  absl::StatusOr<v1::Item> Item(const std::string& id) {
    v1::GetItemRequest request;
    request.set_id(id);
    return api().GetItem(request);
  }

  size_t History() {
    v1::GetUserRequest request;
    request.set_id("u");
    request.set_history_limit(1000);
    absl::StatusOr<v1::GetUserResponse> user = api().GetUser(request);
    return user.ok() ? static_cast<size_t>(user->history_size()) : 0;
  }

  std::vector<std::string> DocKeys(const std::string& collection, bool reverse = false) {
    v1::ScanDocumentsRequest request;
    request.set_collection(collection);
    request.set_reverse(reverse);
    std::vector<std::string> keys;
    absl::StatusOr<v1::ScanDocumentsResponse> response = api().ScanDocuments(request);
    EXPECT_OK(response);
    if (response.ok()) {
      for (const v1::Document& d : response->documents()) keys.push_back(d.key());
    }
    return keys;
  }

  uint64_t LogNextOffset() { return api().GetStats({})->log_next_offset(); }

  recplat::testing::TempDir dir_;
  recplat::testing::FakeClock clock_;
  config::Config config_;
  std::unique_ptr<prometheus::Registry> metrics_;
  std::unique_ptr<models::ModelFamilyRegistry> families_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<ingest::Materializer> materializer_;
  std::unique_ptr<registry::ModelRegistry> registry_;
  std::unique_ptr<training::Trainer> trainer_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<LocalService> service_;
};

TEST_F(ServiceTest, AnInvalidOpWritesNothing) {
  EXPECT_THAT(api().Write(Request({UpsertItem("a"), EventOp("a"), DocOp("notes", "k"),
                                   EventOp("a", "purchase")})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ops[3].event.type: unknown event type 'purchase'")));
  EXPECT_EQ(LogNextOffset(), 0u);
  EXPECT_THAT(Item("a"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(DocKeys("notes"), IsEmpty());
  EXPECT_THAT(api().Write(Request({})),
              StatusIs(absl::StatusCode::kInvalidArgument, "ops: empty batch"));
  EXPECT_THAT(api().Write(Request({v1::WriteOp()})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ops[0]: one of")));
  v1::WriteOp bad_variant = VariantOp("");
  EXPECT_THAT(api().Write(Request({bad_variant})),
              StatusIs(absl::StatusCode::kInvalidArgument, "ops[0].shop.variant.sku: required"));
  v1::WriteOp bad_counter = CounterOp("a", 1);
  bad_counter.mutable_counter()->set_name("");
  EXPECT_THAT(api().Write(Request({UpsertItem("a"), bad_counter})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ops[1].counter.name")));
  EXPECT_EQ(LogNextOffset(), 0u);
}

TEST_F(ServiceTest, OpsMayNameItemsWrittenEarlierInTheRequest) {
  ASSERT_OK_AND_ASSIGN(v1::WriteResponse written,
                       api().Write(Request({UpsertItem("x"), EventOp("x"), CounterOp("x", 2),
                                            VariantOp("S"), EventOp("S"), CounterOp("S", 1)},
                                           /*wait_applied=*/true)));
  EXPECT_THAT(written.offsets(), ElementsAre(0, 1, 2, 3, 4, 5));
  ASSERT_OK_AND_ASSIGN(v1::Item x, Item("x"));
  EXPECT_TRUE(x.live());
  EXPECT_THAT(x.counters(), ElementsAre(Pair("likes", 2.0)));
  ASSERT_OK_AND_ASSIGN(v1::Item s, Item("S"));
  EXPECT_FALSE(s.live());  // A variant of no product: known, not live.
  EXPECT_EQ(History(), 2u);

  // A delete earlier in the request makes the item unknown to the ops after it.
  EXPECT_THAT(api().Write(Request({DeleteItem("x"), EventOp("x")})),
              StatusIs(absl::StatusCode::kNotFound,
                       "ops[1].event.item_id: item 'x' is not in the catalog of tenant "
                       "'default'"));
  EXPECT_THAT(api().Write(Request({DeleteItem("nope")})),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("ops[0].delete_item.id")));
  EXPECT_THAT(api().Write(Request({CounterOp("nope", 1)})),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("ops[0].counter.item_id")));
  EXPECT_OK(Item("x"));  // Nothing of the failed requests was written.
  // Events and counters may name known-but-not-live items (S), and deletes take effect.
  ASSERT_OK(api().Write(Request({EventOp("S"), DeleteItem("x")})).status());
  EXPECT_THAT(Item("x"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ServiceTest, ReservedCollectionsAreReadOnlyForClients) {
  EXPECT_THAT(api().Write(Request({DocOp("_shop.variant", "S")})),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("ops[0].put_document.collection: '_shop.variant' is reserved")));
  v1::PutDocumentsRequest put;
  put.add_documents()->set_collection("_mine");
  put.mutable_documents(0)->set_key("k");
  EXPECT_THAT(api().PutDocuments(put), StatusIs(absl::StatusCode::kPermissionDenied,
                                                HasSubstr("documents[0].collection")));
  ASSERT_OK(api().Write(Request({VariantOp("S"), ProductOp(1, "S", true)})).status());
  EXPECT_THAT(DocKeys("_shop.variant"), ElementsAre("S"));
  v1::GetDocumentsRequest get;
  get.set_collection("_shop.product");
  get.add_keys("1");
  ASSERT_OK_AND_ASSIGN(v1::GetDocumentsResponse got, api().GetDocuments(get));
  ASSERT_EQ(got.documents_size(), 1);
  EXPECT_THAT(got.documents(0).body(), HasSubstr("\"published\":true"));
}

TEST_F(ServiceTest, TypedWritesKeepTheirFieldNames) {
  v1::AppendEventsRequest events;
  for (int i = 0; i < 4; ++i) *events.add_events() = EventOp("a").event();
  EXPECT_THAT(api().AppendEvents(events),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("events[0].item_id: item 'a'")));
  EXPECT_THAT(api().AppendEvents({}),
              StatusIs(absl::StatusCode::kInvalidArgument, "events: empty batch"));
  v1::UpsertItemsRequest items;
  items.add_items()->set_id("a");
  items.add_items();
  EXPECT_THAT(api().UpsertItems(items),
              StatusIs(absl::StatusCode::kInvalidArgument, "items[1].id: required"));
  v1::DeleteItemsRequest deletes;
  deletes.add_ids("z");
  EXPECT_THAT(api().DeleteItems(deletes),
              StatusIs(absl::StatusCode::kNotFound,
                       "ids[0]: item 'z' not found in tenant 'default'"));
  v1::UpsertUsersRequest users;
  users.add_users();
  EXPECT_THAT(api().UpsertUsers(users),
              StatusIs(absl::StatusCode::kInvalidArgument, "users[0].id: required"));
  EXPECT_EQ(LogNextOffset(), 0u);

  items.mutable_items(1)->set_id("b");
  ASSERT_OK_AND_ASSIGN(v1::UpsertItemsResponse upserted, api().UpsertItems(items));
  EXPECT_THAT(upserted.offsets(), ElementsAre(0, 1));
  events.mutable_events(3)->set_type("purchase");
  EXPECT_THAT(api().AppendEvents(events),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events[3].type")));
  events.mutable_events(3)->set_type("view");
  ASSERT_OK(api().AppendEvents(events).status());
  deletes.set_ids(0, "b");
  ASSERT_OK(api().DeleteItems(deletes).status());
  EXPECT_THAT(Item("b"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ServiceTest, EventIdsAreAppliedOnceAcrossBatchesAndRestarts) {
  ASSERT_OK(api().Write(Request({UpsertItem("a")})).status());
  ASSERT_OK_AND_ASSIGN(v1::WriteResponse first,
                       api().Write(Request({EventOp("a", "view", "e1"), EventOp("a", "view", "e1"),
                                            EventOp("a", "click", "e2")},
                                           /*wait_applied=*/true)));
  EXPECT_EQ(first.offsets_size(), 3);  // Every op is acknowledged...
  EXPECT_EQ(History(), 2u);            // ...the duplicate is not applied.
  ASSERT_OK(api().Write(Request({EventOp("a", "view", "e1")}, true)).status());
  EXPECT_EQ(History(), 2u);
  Close();
  Open();
  ASSERT_OK(api().Write(Request({EventOp("a", "click", "e2"), EventOp("a", "view", "e3")}, true))
                .status());
  EXPECT_EQ(History(), 3u);
  ASSERT_OK_AND_ASSIGN(v1::GetStatsResponse stats, api().GetStats({}));
  ASSERT_EQ(stats.tenants_size(), 1);
  EXPECT_EQ(stats.tenants(0).events(), 3u);
}

TEST_F(ServiceTest, CountersFromConcurrentWritersSumExactly) {
  ASSERT_OK(api().Write(Request({UpsertItem("a"), CounterOp("a", 1, 10.0), CounterOp("a", 2)},
                                true))
                .status());
  EXPECT_EQ(Item("a")->counters().at("likes"), 13.0);  // set 10, add 1, then add 2.
  constexpr int kThreads = 4;
  constexpr int kWrites = 50;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([this] {
      for (int i = 0; i < kWrites; ++i) {
        EXPECT_OK(api().Write(Request({CounterOp("a", 0.5), CounterOp("a", 0.5)})).status());
      }
    });
  }
  for (std::thread& w : writers) w.join();
  ASSERT_OK(api().Write(Request({CounterOp("a", 0)}, /*wait_applied=*/true)).status());
  EXPECT_EQ(Item("a")->counters().at("likes"), 13.0 + kThreads * kWrites);
}

TEST_F(ServiceTest, ShopWritesDeriveItemsAndListItemsShowsLiveOnes) {
  ASSERT_OK(api().Write(Request({VariantOp("A"), VariantOp("B"), ProductOp(1, "A", true)}))
                .status());
  EXPECT_TRUE(Item("A")->live());  // Shop writes always wait: the items are there on return.
  EXPECT_FALSE(Item("B")->live());
  ASSERT_OK_AND_ASSIGN(v1::ListItemsResponse list, api().ListItems({}));
  ASSERT_EQ(list.items_size(), 1);
  EXPECT_EQ(list.items(0).id(), "A");
  EXPECT_EQ(list.total(), 1u);
  ASSERT_OK(api().Write(Request({ProductOp(1, "A", false)})).status());
  EXPECT_FALSE(Item("A")->live());
  ASSERT_OK_AND_ASSIGN(list, api().ListItems({}));
  EXPECT_EQ(list.items_size(), 0);
}

TEST_F(ServiceTest, ScanDocumentsInReverse) {
  ASSERT_OK(api().Write(Request({DocOp("c", "k1"), DocOp("c", "k2"), DocOp("c", "k3")})).status());
  EXPECT_THAT(DocKeys("c", /*reverse=*/true), ElementsAre("k3", "k2", "k1"));
  v1::ScanDocumentsRequest request;
  request.set_collection("c");
  request.set_reverse(true);
  request.set_start_key("k2");
  request.set_limit(1);
  ASSERT_OK_AND_ASSIGN(v1::ScanDocumentsResponse page, api().ScanDocuments(request));
  ASSERT_EQ(page.documents_size(), 1);
  EXPECT_EQ(page.documents(0).key(), "k2");
  EXPECT_EQ(page.next_key(), "k1");
}

v1::WriteOp Click(const std::string& item, const std::string& session, int64_t at_ms,
                  const std::string& model, const std::string& position) {
  v1::WriteOp op = EventOp(item, "click");
  v1::Event* e = op.mutable_event();
  e->set_session_id(session);
  e->set_timestamp_ms(at_ms);
  (*e->mutable_context())["model"] = model;
  (*e->mutable_context())["surface"] = "home";
  (*e->mutable_context())["position"] = position;
  return op;
}

TEST_F(ServiceTest, RecommendCanSkipModelsTheProfileDoesNotConfigure) {
  Close();
  config_.models["rnd"].family = "random";
  config_.models["pop"].family = "popularity";
  config_.surfaces["default"].retrieval = {"pop", "rnd"};
  Open();
  ASSERT_OK(api().Write(Request({UpsertItem("a"), UpsertItem("b")})));
  v1::RecommendRequest request;
  request.set_k(2);
  request.add_retrieval_models("nope");
  request.add_retrieval_models("rnd");
  request.add_scoring_models("nope");
  request.set_diversity_model("nope");
  EXPECT_THAT(api().Recommend(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("retrieval_models[0]: model 'nope' is not configured")));
  request.set_skip_unconfigured_models(true);
  ASSERT_OK_AND_ASSIGN(v1::RecommendResponse got, api().Recommend(request));
  EXPECT_EQ(got.retrieval_model(), "rnd");
  EXPECT_EQ(got.items_size(), 2);
  // Nothing left of an override: the surface's own cascade answers (pop is untrained).
  request.clear_retrieval_models();
  request.add_retrieval_models("nope");
  ASSERT_OK_AND_ASSIGN(got, api().Recommend(request));
  EXPECT_EQ(got.retrieval_model(), "rnd");
  EXPECT_EQ(got.items_size(), 2);
}

TEST_F(ServiceTest, EvaluateServedReadsTheRecordedClicksAndTheServedLists) {
  Close();
  config_.event_types["click"].record = true;
  Open();
  constexpr int64_t kT = 1'700'000'000'000;
  ASSERT_OK(api().Write(Request({UpsertItem("a"), UpsertItem("b"), UpsertItem("c"),
                                 UpsertItem("d"), Click("a", "s1", kT + 5, "pop", "0"),
                                 Click("b", "s2", kT + 7, "knn", "12"), EventOp("c")},
                                /*wait_applied=*/true)));
  auto list = [](const std::string& id, const std::string& session, int64_t at,
                 const std::string& model, std::vector<std::string> items) {
    v1::ServedList l;
    l.set_recommendation_id(id);
    l.set_tenant("default");
    l.set_surface("home");
    l.set_session_id(session);
    l.set_served_at_ms(at);
    l.set_retrieval_model(model);
    l.set_retrieval_seconds(0.5);
    for (std::string& item : items) l.add_item_ids(std::move(item));
    return l;
  };
  ASSERT_OK(state_->RecordServedLists(std::vector<v1::ServedList>{
      list("r1", "s1", kT, "pop", {"a", "b"}), list("r2", "s2", kT + 1, "pop", {"b"}),
      list("r3", "s3", kT + 100, "pop", {"c"})}));

  v1::EvaluateServedRequest request;
  request.set_from_ms(kT);
  request.set_to_ms(kT + 10);
  request.set_k(10);
  request.mutable_clicks()->set_event_type("click");
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got, api().EvaluateServed(request));
  // r1 and r2 are in range; the click on a (position 0) is a hit and r1's future hit; the click
  // on b is at position 12 and attributed to knn, which served nothing.
  EXPECT_EQ(got.general().predictions(), 2);
  EXPECT_EQ(got.general().hits(), 1);
  EXPECT_EQ(got.general().future_hits(), 1);
  EXPECT_EQ(got.general().covered_items(), 2);
  EXPECT_EQ(got.live_items(), 4);
  EXPECT_DOUBLE_EQ(got.general().coverage(), 0.5);
  EXPECT_EQ(got.general().retrieval_seconds().count(), 2);
  EXPECT_EQ(got.models().at("pop").predictions(), 2);
  EXPECT_EQ(got.models().at("knn").predictions(), 0);

  // Errors: a bad range or k, an unknown type, a type that is not recorded.
  v1::EvaluateServedRequest bad = request;
  bad.set_to_ms(kT - 1);
  EXPECT_THAT(api().EvaluateServed(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to_ms")));
  bad = request;
  bad.set_k(0);
  EXPECT_THAT(api().EvaluateServed(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  bad = request;
  bad.mutable_clicks()->set_event_type("purchase");
  EXPECT_THAT(api().EvaluateServed(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("clicks.event_type")));
  bad.mutable_clicks()->set_event_type("view");
  EXPECT_THAT(api().EvaluateServed(bad),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("event_types.view.record")));
}

TEST_F(ServiceTest, ModelTrainingStatsSummarisesTheRegistrysVersions) {
  ReopenWithPopularity();
  ASSERT_OK(api().Write(Request({UpsertItem("a"), EventOp("a")}, /*wait_applied=*/true)));
  v1::TrainRequest train;
  train.set_model("pop");
  ASSERT_OK_AND_ASSIGN(v1::TrainResponse trained, api().Train(train));
  const v1::ModelVersion& version = trained.version();
  ASSERT_EQ(version.version(), 1);
  const bool failed = version.status() == v1::MODEL_STATUS_FAILED;

  v1::ModelTrainingStatsRequest request;
  request.set_from_ms(version.created_at_ms());
  request.set_to_ms(version.created_at_ms());
  request.add_models("pop");
  ASSERT_OK_AND_ASSIGN(v1::ModelTrainingStatsResponse got, api().ModelTrainingStats(request));
  EXPECT_EQ(got.machine_memory_bytes(), common::TotalMemoryBytes());
  ASSERT_EQ(got.models_size(), 1);
  EXPECT_EQ(got.models().at("pop").started(), 1);
  EXPECT_EQ(got.models().at("pop").failed(), failed ? 1 : 0);
  EXPECT_EQ(got.general().completed(), failed ? 0 : 1);
  if (!failed) {
    EXPECT_DOUBLE_EQ(got.general().duration_seconds().max(),
                     version.training().duration_seconds());
  }
  // Without models: every configured one; a range without the version: zeros.
  request.clear_models();
  request.set_from_ms(version.created_at_ms() + 1);
  request.set_to_ms(version.created_at_ms() + 2);
  ASSERT_OK_AND_ASSIGN(got, api().ModelTrainingStats(request));
  EXPECT_TRUE(got.models().contains("pop"));
  EXPECT_EQ(got.general().started(), 0);
  // Errors: a model that is not configured, a bad range.
  request.add_models("nope");
  EXPECT_THAT(api().ModelTrainingStats(request), StatusIs(absl::StatusCode::kNotFound));
  request.clear_models();
  request.set_from_ms(-1);
  EXPECT_THAT(api().ModelTrainingStats(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from_ms")));
}

TEST_F(ServiceTest, RecommendAnswersWithAPinnedStoredVersion) {
  ReopenWithPopularity({"pop"});
  ASSERT_OK(api().Write(Request({UpsertItem("a"), UpsertItem("b"), EventOp("a")},
                                /*wait_applied=*/true)));
  v1::TrainRequest train;
  train.set_model("pop");
  ASSERT_OK_AND_ASSIGN(v1::TrainResponse first, api().Train(train));
  ASSERT_OK(api().Write(Request({EventOp("b"), EventOp("b")}, /*wait_applied=*/true)));
  ASSERT_OK_AND_ASSIGN(v1::TrainResponse second, api().Train(train));
  v1::PromoteRequest promote;
  promote.set_model("pop");
  promote.set_version(second.version().version());
  ASSERT_OK(api().Promote(promote).status());

  v1::RecommendRequest request;
  request.set_user_id("someone");
  request.set_k(1);
  request.set_dry_run(true);
  request.add_retrieval_models("pop");
  ASSERT_OK_AND_ASSIGN(v1::RecommendResponse current, api().Recommend(request));
  ASSERT_EQ(current.items_size(), 1);
  EXPECT_EQ(current.items(0).item_id(), "b");
  EXPECT_EQ(current.retrieval_model_version(), second.version().version());
  // The first version, no longer current, answers as it was trained; nothing is promoted.
  (*request.mutable_model_versions())["pop"] = first.version().version();
  ASSERT_OK_AND_ASSIGN(v1::RecommendResponse pinned, api().Recommend(request));
  ASSERT_EQ(pinned.items_size(), 1);
  EXPECT_EQ(pinned.items(0).item_id(), "a");
  EXPECT_EQ(pinned.retrieval_model_version(), first.version().version());
  v1::ListModelsRequest list;
  list.set_model("pop");
  ASSERT_OK_AND_ASSIGN(v1::ListModelsResponse listed, api().ListModels(list));
  EXPECT_EQ(listed.versions(0).status(), v1::MODEL_STATUS_CURRENT);

  (*request.mutable_model_versions())["pop"] = 99;
  EXPECT_THAT(api().Recommend(request), StatusIs(absl::StatusCode::kNotFound));
  (*request.mutable_model_versions())["pop"] = 0;
  EXPECT_THAT(api().Recommend(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model_versions")));
  request.mutable_model_versions()->clear();
  (*request.mutable_model_versions())["nope"] = 1;
  EXPECT_THAT(api().Recommend(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not configured")));
}

TEST_F(ServiceTest, RecommendIncludesTheItemsWhenAsked) {
  ReopenWithPopularity({"pop"});
  v1::WriteOp titled = UpsertItem("b");
  titled.mutable_upsert_item()->set_title("The B");
  (*titled.mutable_upsert_item()->mutable_categorical_attributes())["path"] = "/b";
  ASSERT_OK(api().Write(Request({UpsertItem("a"), titled, EventOp("b"), EventOp("b"),
                                 EventOp("a")},
                                /*wait_applied=*/true)));
  v1::TrainRequest train;
  train.set_model("pop");
  ASSERT_OK(api().Train(train).status());
  v1::RecommendRequest request;
  request.set_user_id("someone");
  request.set_k(2);
  request.set_dry_run(true);
  ASSERT_OK_AND_ASSIGN(v1::RecommendResponse bare, api().Recommend(request));
  ASSERT_EQ(bare.items_size(), 2);
  EXPECT_FALSE(bare.items(0).has_item());
  request.set_include_items(true);
  ASSERT_OK_AND_ASSIGN(v1::RecommendResponse full, api().Recommend(request));
  ASSERT_EQ(full.items_size(), 2);
  ASSERT_TRUE(full.items(0).has_item());
  EXPECT_EQ(full.items(0).item_id(), "b");
  EXPECT_EQ(full.items(0).item().id(), "b");
  EXPECT_EQ(full.items(0).item().title(), "The B");
  EXPECT_EQ(full.items(0).item().categorical_attributes().at("path"), "/b");
  EXPECT_TRUE(full.items(0).item().live());
  ASSERT_TRUE(full.items(1).has_item());
  EXPECT_EQ(full.items(1).item().id(), "a");
}

TEST_F(ServiceTest, TrainRecordsAFailureWithoutFitting) {
  ReopenWithPopularity();
  ASSERT_OK(api().Write(Request({UpsertItem("a"), EventOp("a")}, /*wait_applied=*/true)));
  v1::TrainRequest train;
  train.set_model("pop");
  ASSERT_OK_AND_ASSIGN(v1::TrainResponse trained, api().Train(train));
  ASSERT_EQ(trained.version().version(), 1);
  const v1::ModelStatus first_status = trained.version().status();

  v1::TrainRequest fail = train;
  fail.set_record_failure("articles file: not found");
  ASSERT_OK_AND_ASSIGN(v1::TrainResponse failed, api().Train(fail));
  EXPECT_EQ(failed.version().version(), 2);
  EXPECT_EQ(failed.version().status(), v1::MODEL_STATUS_FAILED);
  EXPECT_THAT(failed.version().error(), HasSubstr("articles file: not found"));
  // Listed as failed; the version that served keeps serving.
  v1::ListModelsRequest list;
  list.set_model("pop");
  ASSERT_OK_AND_ASSIGN(v1::ListModelsResponse listed, api().ListModels(list));
  ASSERT_EQ(listed.versions_size(), 2);
  EXPECT_EQ(listed.versions(0).version(), 2);
  EXPECT_EQ(listed.versions(0).status(), v1::MODEL_STATUS_FAILED);
  EXPECT_EQ(listed.versions(1).status(), first_status);
  // A later training numbers above it.
  ASSERT_OK_AND_ASSIGN(trained, api().Train(train));
  EXPECT_EQ(trained.version().version(), 3);

  // Errors: an unknown model, an oversized reason.
  fail.set_model("nope");
  EXPECT_THAT(api().Train(fail), StatusIs(absl::StatusCode::kNotFound));
  fail.set_model("pop");
  fail.set_record_failure(std::string(api::Limits::kMaxFailureBytes + 1, 'x'));
  EXPECT_THAT(api().Train(fail),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("record_failure")));
}

}  // namespace
}  // namespace recplat::service

namespace recplat::service {
namespace {

// The value of the counter of `family` whose one label is `label` = `value`; -1 if absent.
double CounterValue(prometheus::Registry& registry, const std::string& family,
                    const std::string& label, const std::string& value) {
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      if (m.label.size() == 1 && m.label[0].name == label && m.label[0].value == value) {
        return m.counter.value;
      }
    }
  }
  return -1;
}

TEST_F(ServiceTest, CountsEventsAppendedByTypeAndRejectedByReason) {
  ASSERT_OK(api().Write(Request({UpsertItem("a"), EventOp("a"), EventOp("a", "click")})));
  v1::AppendEventsRequest typed;
  *typed.add_events() = EventOp("a").event();
  ASSERT_OK(api().AppendEvents(typed));
  // Refused: an unknown type (invalid, the other event of its batch: batch), an unknown item,
  // and a batch refused for an op that is not an event.
  EXPECT_FALSE(api().Write(Request({EventOp("a"), EventOp("a", "purchase")})).ok());
  EXPECT_FALSE(api().Write(Request({EventOp("nope")})).ok());
  EXPECT_FALSE(api().Write(Request({EventOp("a"), DocOp("_reserved", "k")})).ok());
  prometheus::Registry& m = *metrics_;
  EXPECT_EQ(CounterValue(m, "recplat_events_appended_total", "type", "view"), 2);
  EXPECT_EQ(CounterValue(m, "recplat_events_appended_total", "type", "click"), 1);
  EXPECT_EQ(CounterValue(m, "recplat_events_appended_total", "type", "purchase"), -1);
  EXPECT_EQ(CounterValue(m, "recplat_events_rejected_total", "reason", "invalid"), 1);
  EXPECT_EQ(CounterValue(m, "recplat_events_rejected_total", "reason", "unknown_item"), 1);
  EXPECT_EQ(CounterValue(m, "recplat_events_rejected_total", "reason", "batch"), 2);
  EXPECT_EQ(CounterValue(m, "recplat_events_rejected_total", "reason", "log_error"), 0);
  EXPECT_EQ(CounterValue(m, "recplat_log_records_appended_total", "kind", "event"), 3);
}

// Read-your-writes across replicas: reads with min_offset wait until that offset is applied.
TEST_F(ServiceTest, ReadsWithMinOffsetWaitForItOrSayWhyNot) {
  ReopenWithPopularity({"pop"});
  ASSERT_OK(service_->UpsertItems([] {
    v1::UpsertItemsRequest r;
    r.add_items()->set_id("i1");
    return r;
  }()).status());
  ASSERT_OK_AND_ASSIGN(v1::WriteResponse written, service_->Write(Request({EventOp("i1")})));
  v1::GetUserRequest get;
  get.set_id("u");
  get.set_history_limit(10);
  get.set_min_offset(written.offsets(0));
  ASSERT_OK_AND_ASSIGN(v1::GetUserResponse user, service_->GetUser(get));
  EXPECT_EQ(user.history_size(), 1);
  // An offset this process's log does not hold (a write through another replica not yet
  // received): UNAVAILABLE after the bounded wait, naming it.
  get.set_min_offset(written.offsets(0) + 100);
  EXPECT_THAT(service_->GetUser(get),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr(absl::StrCat("min_offset ", written.offsets(0) + 100))));
  v1::RecommendRequest rec;
  rec.set_user_id("u");
  rec.set_k(1);
  rec.set_min_offset(written.offsets(0) + 100);
  EXPECT_THAT(service_->Recommend(rec), StatusIs(absl::StatusCode::kUnavailable));
  rec.set_min_offset(written.offsets(0));
  EXPECT_OK(service_->Recommend(rec).status());
}

TEST_F(ServiceTest, ReadinessFollowsTheLogGate) {
  EXPECT_TRUE(service_->Ready());
  Close();
  auto behind = std::make_shared<std::atomic<bool>>(true);
  log_ready_ = [behind] { return !behind->load(); };
  Open();
  EXPECT_FALSE(service_->Ready());
  behind->store(false);
  EXPECT_TRUE(service_->Ready());
  service_->SetReady(false);
  EXPECT_FALSE(service_->Ready());
}

}  // namespace
}  // namespace recplat::service
