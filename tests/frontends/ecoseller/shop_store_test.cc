// ShopStore against a real in-process core (Runtime on a temporary data directory).
#include "frontends/http_rest/ecoseller/shop_store.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "apps/recplat/runtime.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/frontends/ecoseller/objects_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::http::ecoseller {
namespace {

using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using test::Utc;

const absl::Time kT = Utc(2023, 8, 1, 10);

Category Cat(int64_t id, std::optional<int64_t> parent = std::nullopt) {
  Category c;
  c.id = id;
  c.parent_id = parent;
  return c;
}

Product Prod(int64_t id, std::optional<int64_t> category, std::vector<std::string> skus,
             bool published = true) {
  Product p;
  p.id = id;
  p.published = published;
  p.category_id = category;
  p.product_variants = std::move(skus);
  p.create_at = p.update_at = kT;
  return p;
}

ProductTranslation Translation(int64_t id, std::string title) {
  ProductTranslation t;
  t.id = id;
  t.language_code = "en";
  t.title = std::move(title);
  t.slug = "slug";
  return t;
}

ProductVariant Var(std::string sku, int64_t stock = 1, double weight = 1.0,
                   std::vector<int64_t> attributes = {}) {
  ProductVariant v;
  v.sku = std::move(sku);
  v.ean = "ean";
  v.stock_quantity = stock;
  v.recommendation_weight = weight;
  v.attributes = std::move(attributes);
  v.create_at = v.update_at = kT;
  return v;
}

AttributeType AttrType(int64_t id, std::string type) {
  AttributeType t;
  t.id = id;
  t.type = std::move(type);
  return t;
}

Attribute Attr(int64_t id, int64_t type, std::string raw) {
  Attribute a;
  a.id = id;
  a.type = type;
  a.numeric_value = std::strtod(raw.c_str(), nullptr);
  if (raw.empty() || (raw[0] != '-' && !std::isdigit(static_cast<unsigned char>(raw[0])))) {
    a.numeric_value.reset();
  }
  a.raw_value = std::move(raw);
  return a;
}

ProductPrice Price(int64_t id, std::string sku, double value, absl::Time update_at = kT) {
  ProductPrice p;
  p.id = id;
  p.price_list_code = "czk";
  p.product_variant_sku = std::move(sku);
  p.price = value;
  p.update_at = update_at;
  p.create_at = kT;
  return p;
}

ProductDetailEnter Enter(std::string sku, absl::Time at, std::string session = "s1") {
  ProductDetailEnter e;
  e.session_id = std::move(session);
  e.user_id = 5;
  e.product_id = 100;
  e.product_variant_sku = std::move(sku);
  e.recommendation_type = "HOMEPAGE";
  e.model_name = "selection";
  e.model_identifier = "selection";
  e.position = 2;
  e.create_at = at;
  return e;
}

EcosellerConfig Config(absl::Time create_at, int64_t retrieval_size) {
  EcosellerConfig c;
  c.create_at = create_at;
  c.retrieval_size = retrieval_size;
  return c;
}

PredictionRecord Prediction(absl::Time at, std::string session) {
  PredictionRecord r;
  r.create_at = at;
  r.session_id = std::move(session);
  r.recommendation_type = "HOMEPAGE";
  r.retrieval_model = "selection";
  r.scoring_model = "popularity";
  r.predicted_items = {"A", "B"};
  return r;
}

class ShopStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    config::Config config;
    config.profile = "ecoseller";
    config.data_dir = dir_.path().string();
    config.training.enabled = false;  // Train requests then train on the caller's thread.
    config.log.sync = config::SyncPolicy::kNone;
    config.grpc.enabled = config.http.enabled = config.metrics.enabled = false;
    config.event_types.clear();
    for (absl::string_view type : kShopEventTypes) {
      config.event_types[std::string(type)] = config::EventTypeConfig{};
    }
    for (const auto& [name, family] : models_) {
      config::ModelConfig model;
      model.family = family;
      model.train.on_start = false;
      config.models[name] = model;
    }
    auto runtime = app::Runtime::Open({config, ""});
    ASSERT_OK(runtime);
    runtime_ = *std::move(runtime);
    ASSERT_OK(runtime_->Start(/*serve=*/false));
    ShopStoreOptions options;
    options.prediction_flush_interval = absl::Milliseconds(20);
    auto store = ShopStore::Open(&api(), options);
    ASSERT_OK(store);
    store_ = *std::move(store);
  }

  void Reopen() {
    store_.reset();
    runtime_.reset();
    Open();
  }

  api::Api& api() { return runtime_->service(); }
  ShopStore& store() { return *store_; }

  absl::StatusOr<v1::Item> Item(const std::string& sku) {
    v1::GetItemRequest request;
    request.set_id(sku);
    return api().GetItem(request);
  }

  std::vector<std::string> Keys(absl::string_view collection) {
    v1::ScanDocumentsRequest request;
    request.set_collection(std::string(collection));
    request.set_limit(10000);
    request.set_keys_only(true);
    std::vector<std::string> keys;
    absl::StatusOr<v1::ScanDocumentsResponse> response = api().ScanDocuments(request);
    EXPECT_OK(response);
    if (response.ok()) {
      for (const v1::Document& doc : response->documents()) keys.push_back(doc.key());
    }
    return keys;
  }

  // Waits until the core applied every logged write, then returns the tenant's event count.
  uint64_t AppliedEvents() {
    for (int i = 0; i < 500; ++i) {
      absl::StatusOr<v1::GetStatsResponse> stats = api().GetStats({});
      if (stats.ok() && stats->materializer_lag() == 0) {
        for (const v1::TenantStats& t : stats->tenants()) {
          if (t.tenant() == "default") return t.events();
        }
        return 0;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    ADD_FAILURE() << "materializer did not catch up";
    return 0;
  }

  std::vector<std::string> Categories(const std::string& sku) {
    absl::StatusOr<v1::Item> item = Item(sku);
    EXPECT_OK(item);
    if (!item.ok()) return {};
    return {item->categories().begin(), item->categories().end()};
  }

  std::vector<PredictionRecord> Predictions(absl::Time from, absl::Time to) {
    std::vector<PredictionRecord> out;
    EXPECT_OK(store().ScanPredictions(from, to,
                                      [&](const PredictionRecord& r) { out.push_back(r); }));
    return out;
  }

  std::map<std::string, std::string> models_;  // name -> family, configured at Open().
  recplat::testing::TempDir dir_;
  std::unique_ptr<app::Runtime> runtime_;
  std::unique_ptr<ShopStore> store_;
};

TEST_F(ShopStoreTest, EveryModelClassIsStoredAndReflected) {
  Product product = Prod(100, 2, {"A", "B"});
  product.product_translations = {Translation(7, "Chair")};
  ProductType type;
  type.id = 3;
  type.products = {100};
  Order order;
  order.token = "tok";
  order.session_id = "s1";
  order.product_variants = {{"A", 2}};
  order.create_at = order.update_at = kT;
  ProductAddToCart cart{"s1", 5, 100, "A", kT};
  ProductDetailLeave leave{"s1", 5, 100, "A", 12.5, kT};
  RecommendationView view{"s1", 5, 100, "B", "HOMEPAGE", "selection", 0, kT};
  Review review{9, "s1", 5, 100, "A", 4, kT, kT};
  TrainerQueueItem queue_item;
  queue_item.model_name = "ease";
  queue_item.create_at = kT;
  ASSERT_OK(store().Store({AttrType(1, "NUMERICAL"), AttrType(2, "CATEGORICAL"),
                           Attr(10, 1, "42.5"), Attr(11, 2, "red"), Cat(1), Cat(2, 1), type,
                           product, Var("A", 3, 2.5, {10, 11}), Var("B", 0, 1.0),
                           Price(5, "A", 99.5), Translation(8, "Loose"), Config(kT, 77), order,
                           cart, Enter("A", kT), leave, view, review, queue_item}));

  EXPECT_THAT(Keys("eco.attribute_type"), ElementsAre("1", "2"));
  EXPECT_THAT(Keys("eco.attribute"), ElementsAre("10", "11"));
  EXPECT_THAT(Keys("eco.category"), ElementsAre("1", "2"));
  EXPECT_THAT(Keys("eco.product"), ElementsAre("100"));
  EXPECT_THAT(Keys("eco.product_type"), ElementsAre("3"));
  EXPECT_THAT(Keys("eco.product_translation"), ElementsAre("7", "8"));
  EXPECT_THAT(Keys("eco.product_variant"), ElementsAre("A", "B"));
  EXPECT_THAT(Keys("eco.product_price"), ElementsAre("5"));
  EXPECT_THAT(Keys("eco.order"), ElementsAre("tok"));
  EXPECT_THAT(Keys("eco.review"), ElementsAre("9"));
  for (absl::string_view c : {"eco.config", "eco.add_to_cart", "eco.detail_enter",
                              "eco.detail_leave", "eco.recommendation_view", "eco.trainer_queue"}) {
    EXPECT_EQ(Keys(c).size(), 1u) << c;
  }

  absl::StatusOr<v1::Item> a = Item("A");
  ASSERT_OK(a);
  EXPECT_EQ(a->title(), "Chair");
  EXPECT_THAT(a->categories(), ElementsAre("category:2", "category:1"));
  EXPECT_TRUE(a->available());
  EXPECT_DOUBLE_EQ(a->recommendation_weight(), 2.5);
  EXPECT_THAT(a->numeric_attributes(),
              UnorderedElementsAre(Pair("price", 99.5), Pair("attr:1", 42.5)));
  EXPECT_THAT(a->categorical_attributes(), UnorderedElementsAre(Pair("attr:2", "red")));
  absl::StatusOr<v1::Item> b = Item("B");
  ASSERT_OK(b);
  EXPECT_FALSE(b->available());  // Out of stock.

  // One event per feedback object and order line.
  EXPECT_EQ(AppliedEvents(), 6u);
  v1::GetUserRequest user;
  user.set_id("5");
  user.set_history_limit(100);
  absl::StatusOr<v1::GetUserResponse> history = api().GetUser(user);
  ASSERT_OK(history);
  std::set<std::string> types;
  for (const v1::Interaction& i : history->history()) types.insert(i.type());
  EXPECT_THAT(types, UnorderedElementsAre("add_to_cart", "product_detail_enter",
                                          "product_detail_leave", "recommendation_view",
                                          "review"));

  EXPECT_EQ(store().Counts().variants, 2);
  EXPECT_EQ(store().Counts().orders, 1);
  EXPECT_EQ(store().Counts().reviews, 1);
  EXPECT_EQ(store().Counts().detail_enters, 1);
  EXPECT_EQ(store().CurrentConfig().retrieval_size, 77);
  EXPECT_EQ(store().CurrentConfig().id, 1);
  std::optional<VariantView> va = store().Variant("A");
  ASSERT_TRUE(va.has_value());
  EXPECT_EQ(va->product_id, 100);
  EXPECT_EQ(va->stock_quantity, 3);
  EXPECT_DOUBLE_EQ(va->recommendation_weight, 2.5);
  EXPECT_FALSE(store().Variant("Z").has_value());

  // Re-sending the order and the review does not count their events again.
  ASSERT_OK(store().Store({order, review}));
  EXPECT_EQ(AppliedEvents(), 6u);
}

TEST_F(ShopStoreTest, CategoryMoveReprojectsEveryVariantBelow) {
  ASSERT_OK(store().Store({Cat(1), Cat(2, 1), Cat(3), Cat(4, 2), Prod(100, 4, {"A"}),
                           Prod(101, 2, {"B"}), Var("A"), Var("B")}));
  EXPECT_THAT(Categories("A"), ElementsAre("category:4", "category:2", "category:1"));
  EXPECT_THAT(Categories("B"), ElementsAre("category:2", "category:1"));

  ASSERT_OK(store().Store({Cat(2, 3)}));
  EXPECT_THAT(Categories("A"), ElementsAre("category:4", "category:2", "category:3"));
  EXPECT_THAT(Categories("B"), ElementsAre("category:2", "category:3"));
  EXPECT_THAT(store().VariantsInCategory(1), IsEmpty());
  EXPECT_THAT(store().VariantsInCategory(3), ElementsAre("A", "B"));
}

TEST_F(ShopStoreTest, NestedCategoriesAndCycles) {
  ASSERT_OK(store().Store({Cat(1), Cat(2, 1), Cat(3, 1), Cat(4, 2), Prod(10, 4, {"A", "B"}),
                           Prod(11, 3, {"C"}), Prod(12, 1, {}), Prod(13, 5, {"D"}), Var("A"),
                           Var("B"), Var("C"), Var("D")}));
  EXPECT_THAT(store().VariantsInCategory(1), ElementsAre("A", "B", "C"));
  EXPECT_THAT(store().VariantsInCategory(2), ElementsAre("A", "B"));
  EXPECT_THAT(store().VariantsInCategory(4), ElementsAre("A", "B"));
  EXPECT_THAT(store().VariantsInCategory(99), IsEmpty());
  EXPECT_THAT(store().ProductsInCategory(1),
              ElementsAre(Pair(10, ElementsAre("A", "B")), Pair(11, ElementsAre("C")),
                          Pair(12, IsEmpty())));

  // A cycle 6 -> 7 -> 6 neither hangs the projection nor the category reads.
  ASSERT_OK(store().Store({Cat(6, 7), Cat(7, 6), Prod(14, 6, {"E"}), Var("E")}));
  EXPECT_THAT(Categories("E"), ElementsAre("category:6", "category:7"));
  EXPECT_THAT(store().VariantsInCategory(6), ElementsAre("E"));
  EXPECT_THAT(store().VariantsInCategory(7), ElementsAre("E"));
}

TEST_F(ShopStoreTest, LatestConfigByCreateAtWins) {
  EXPECT_EQ(store().CurrentConfig(), EcosellerConfig{});
  ASSERT_OK(store().Store({Config(kT + absl::Hours(2), 10)}));
  ASSERT_OK(store().Store({Config(kT + absl::Hours(1), 20)}));  // Older: stored, not current.
  EXPECT_EQ(store().CurrentConfig().retrieval_size, 10);
  EXPECT_EQ(store().CurrentConfig().id, 1);
  ASSERT_OK(store().Store({Config(kT + absl::Hours(3), 30)}));
  EXPECT_EQ(store().CurrentConfig().retrieval_size, 30);
  EXPECT_EQ(store().CurrentConfig().id, 3);
  EXPECT_EQ(Keys("eco.config").size(), 3u);
}

TEST_F(ShopStoreTest, UnknownSkuRejectsTheWholeBatch) {
  ASSERT_OK(store().Store({Prod(1, std::nullopt, {"A"}), Var("A")}));
  const std::vector<std::string> variants_before = Keys("eco.product_variant");
  const ShopCounts counts_before = store().Counts();
  const uint64_t events_before = AppliedEvents();

  EXPECT_THAT(store().Store({Cat(9), Var("Z"), Enter("A", kT), Enter("nope", kT)}),
              StatusIs(absl::StatusCode::kNotFound,
                       "objects[3].product_variant_sku: unknown variant 'nope'"));
  Order order;
  order.token = "t";
  order.session_id = "s";
  order.product_variants = {{"A", 1}, {"X", 1}};
  EXPECT_THAT(store().Store({Var("Z"), order}),
              StatusIs(absl::StatusCode::kNotFound,
                       "objects[1].product_variants[1]: unknown variant 'X'"));
  Review review{1, "s", 5, 1, "gone", 5, kT, kT};
  EXPECT_THAT(store().Store({review}), StatusIs(absl::StatusCode::kNotFound, HasSubstr("gone")));
  EXPECT_THAT(store().Store({Var("bad\nsku")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("objects[0].sku")));

  EXPECT_THAT(Keys("eco.category"), IsEmpty());
  EXPECT_EQ(Keys("eco.product_variant"), variants_before);
  EXPECT_THAT(Keys("eco.detail_enter"), IsEmpty());
  EXPECT_THAT(Keys("eco.order"), IsEmpty());
  EXPECT_THAT(Item("Z"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(store().Variant("Z").has_value());
  EXPECT_EQ(store().Counts().variants, counts_before.variants);
  EXPECT_EQ(store().Counts().detail_enters, counts_before.detail_enters);
  EXPECT_EQ(AppliedEvents(), events_before);

  // A variant stored earlier in the same batch is known to the events after it.
  EXPECT_OK(store().Store({Var("Z"), Enter("Z", kT)}));
  EXPECT_EQ(store().Counts().detail_enters, 1);
}

TEST_F(ShopStoreTest, ProjectionFollowsEveryInput) {
  // A variant before its product: stored, unavailable until the product links it.
  ASSERT_OK(store().Store({Var("A", 2, 1.0, {10}), Attr(10, 1, "7"), AttrType(1, "CATEGORICAL")}));
  EXPECT_FALSE(Item("A")->available());
  EXPECT_FALSE(store().Variant("A")->product_id.has_value());
  EXPECT_THAT(Item("A")->categorical_attributes(), UnorderedElementsAre(Pair("attr:1", "7")));

  Product product = Prod(1, std::nullopt, {"A"});
  product.product_translations = {Translation(7, "Old")};
  ASSERT_OK(store().Store({product}));
  EXPECT_TRUE(Item("A")->available());
  EXPECT_EQ(Item("A")->title(), "Old");

  ASSERT_OK(store().Store({AttrType(1, "NUMERICAL")}));  // Attribute type change.
  EXPECT_THAT(Item("A")->numeric_attributes(), UnorderedElementsAre(Pair("attr:1", 7.0)));
  EXPECT_THAT(Item("A")->categorical_attributes(), IsEmpty());
  ASSERT_OK(store().Store({Attr(10, 1, "8")}));  // Attribute change.
  EXPECT_THAT(Item("A")->numeric_attributes(), UnorderedElementsAre(Pair("attr:1", 8.0)));

  ASSERT_OK(store().Store({Price(1, "A", 10), Price(2, "A", 12, kT + absl::Hours(1))}));
  EXPECT_DOUBLE_EQ(Item("A")->numeric_attributes().at("price"), 12);  // Latest update wins.
  ASSERT_OK(store().Store({Price(2, "B", 12)}));  // Price moves to another SKU.
  EXPECT_DOUBLE_EQ(Item("A")->numeric_attributes().at("price"), 10);

  ASSERT_OK(store().Store({Translation(7, "New")}));  // Standalone translation update.
  EXPECT_EQ(Item("A")->title(), "New");

  ASSERT_OK(store().Store({Prod(1, std::nullopt, {"A"}, /*published=*/false)}));
  EXPECT_FALSE(Item("A")->available());
  ASSERT_OK(store().Store({Prod(1, std::nullopt, {"A"}), Var("A", 0, -3.0, {10})}));
  EXPECT_FALSE(Item("A")->available());                    // No stock.
  EXPECT_DOUBLE_EQ(Item("A")->recommendation_weight(), 0);  // Negative weights as 0.
}

TEST_F(ShopStoreTest, DeletedObjects) {
  ASSERT_OK(store().Store({Cat(1), Cat(2, 1), Prod(1, 2, {"A", "B"}), Var("A"), Var("B"),
                           Price(1, "A", 5)}));
  Order order;
  order.token = "t";
  order.session_id = "s";
  order.product_variants = {{"A", 1}};
  ASSERT_OK(store().Store({order}));
  EXPECT_EQ(store().Counts().orders, 1);

  ProductVariant gone = Var("B");
  gone.deleted = true;
  ProductPrice price = Price(1, "A", 5);
  price.deleted = true;
  order.deleted = true;
  ProductDetailEnter enter = Enter("nope", kT);  // Deleted events are ignored, not checked.
  enter.deleted = true;
  ASSERT_OK(store().Store({gone, price, order, enter}));
  EXPECT_THAT(Keys("eco.product_variant"), ElementsAre("A"));
  EXPECT_THAT(Keys("eco.product_price"), IsEmpty());
  EXPECT_THAT(Keys("eco.detail_enter"), IsEmpty());
  EXPECT_FALSE(Item("B")->available());
  EXPECT_FALSE(Item("A")->numeric_attributes().contains("price"));
  EXPECT_FALSE(store().Variant("B").has_value());
  EXPECT_EQ(store().Counts().variants, 1);
  EXPECT_EQ(store().Counts().orders, 0);
  EXPECT_THAT(store().VariantsInCategory(1), ElementsAre("A"));

  Category category = Cat(2, 1);
  category.deleted = true;
  ASSERT_OK(store().Store({category}));
  EXPECT_THAT(Keys("eco.category"), ElementsAre("1"));
  EXPECT_THAT(Categories("A"), ElementsAre("category:2"));
  EXPECT_THAT(store().VariantsInCategory(1), IsEmpty());

  Product product = Prod(1, 2, {"A"});
  product.deleted = true;
  ASSERT_OK(store().Store({product}));
  EXPECT_THAT(Keys("eco.product"), IsEmpty());
  EXPECT_FALSE(Item("A")->available());
  EXPECT_FALSE(store().Variant("A")->product_id.has_value());
}

TEST_F(ShopStoreTest, ReopenRestoresEverything) {
  Product product = Prod(1, 2, {"A", "B"});
  product.product_translations = {Translation(7, "Chair")};
  Review review{1, "s", 5, 1, "A", 5, kT, kT};
  ASSERT_OK(store().Store({Cat(1), Cat(2, 1), Cat(3), product, Var("A", 4, 2.0), Var("B"),
                           Config(kT + absl::Hours(2), 11), Config(kT, 22), Enter("A", kT),
                           Enter("B", kT + absl::Seconds(1)), review}));
  store().RecordPrediction(Prediction(kT, "s1"));
  const ShopCounts counts = store().Counts();
  const EcosellerConfig config = store().CurrentConfig();

  Reopen();
  EXPECT_EQ(store().Counts().variants, counts.variants);
  EXPECT_EQ(store().Counts().reviews, 1);
  EXPECT_EQ(store().Counts().detail_enters, 2);
  EXPECT_EQ(store().CurrentConfig(), config);
  EXPECT_EQ(store().CurrentConfig().retrieval_size, 11);
  EXPECT_THAT(store().VariantsInCategory(1), ElementsAre("A", "B"));
  EXPECT_EQ(store().Variant("A")->stock_quantity, 4);
  EXPECT_EQ(store().Variant("A")->product_id, 1);
  ASSERT_EQ(Predictions(kT, kT + absl::Seconds(1)).size(), 1u);  // Flushed by the destructor.

  // The rebuilt indexes drive re-projection: a move keeps the title and changes the closure.
  ASSERT_OK(store().Store({Cat(2, 3)}));
  EXPECT_THAT(Categories("A"), ElementsAre("category:2", "category:3"));
  EXPECT_EQ(Item("A")->title(), "Chair");
  ASSERT_OK(store().Store({Config(kT + absl::Hours(1), 33)}));
  EXPECT_EQ(store().CurrentConfig().retrieval_size, 11);
  EXPECT_EQ(store().CurrentConfig().id, 1);
}

TEST_F(ShopStoreTest, PredictionRangesAreHalfOpen) {
  PredictionRecord full = Prediction(kT + absl::Seconds(1), "s2");
  full.user_id = 42;
  full.retrieval_identifier = "sel";
  full.scoring_identifier = "pop";
  full.retrieval_seconds = 0.25;
  full.scoring_seconds = 0.5;
  full.ordering_seconds = 0.125;
  store().RecordPrediction(Prediction(kT, "s1"));
  store().RecordPrediction(full);
  store().RecordPrediction(Prediction(kT + absl::Seconds(1), "s3"));
  store().RecordPrediction(Prediction(kT + absl::Seconds(2), "s4"));
  ASSERT_OK(store().FlushPredictions());

  auto sessions = [&](absl::Time from, absl::Time to) {
    std::multiset<std::string> out;
    for (const PredictionRecord& r : Predictions(from, to)) out.insert(r.session_id);
    return out;
  };
  EXPECT_THAT(sessions(kT, kT + absl::Seconds(1)), ElementsAre("s1"));
  EXPECT_THAT(sessions(kT + absl::Seconds(1), kT + absl::Seconds(2)), ElementsAre("s2", "s3"));
  EXPECT_THAT(sessions(kT + absl::Seconds(2), kT + absl::Seconds(2) + absl::Microseconds(1)),
              ElementsAre("s4"));
  EXPECT_THAT(sessions(kT - absl::Hours(1), kT), IsEmpty());
  EXPECT_THAT(sessions(kT + absl::Seconds(2), kT), IsEmpty());

  std::vector<PredictionRecord> all = Predictions(absl::UnixEpoch(), kT + absl::Hours(1));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].session_id, "s1");
  EXPECT_EQ(all[3].session_id, "s4");
  for (const PredictionRecord& r : all) {
    if (r.session_id != "s2") continue;
    EXPECT_EQ(r.create_at, full.create_at);
    EXPECT_EQ(r.user_id, 42);
    EXPECT_EQ(r.retrieval_identifier, "sel");
    EXPECT_EQ(r.scoring_model, "popularity");
    EXPECT_EQ(r.scoring_identifier, "pop");
    EXPECT_DOUBLE_EQ(r.retrieval_seconds, 0.25);
    EXPECT_DOUBLE_EQ(r.scoring_seconds, 0.5);
    EXPECT_DOUBLE_EQ(r.ordering_seconds, 0.125);
    EXPECT_THAT(r.predicted_items, ElementsAre("A", "B"));
  }
}

TEST_F(ShopStoreTest, PredictionsAreFlushedInTheBackgroundAndScansPage) {
  for (int i = 0; i < 2500; ++i) {
    store().RecordPrediction(Prediction(kT + absl::Milliseconds(i), "s"));
  }
  for (int i = 0; i < 500 && Keys("eco.prediction").size() < 2500; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Keys("eco.prediction").size(), 2500u);  // Without an explicit flush.
  std::vector<PredictionRecord> all = Predictions(kT, kT + absl::Hours(1));
  ASSERT_EQ(all.size(), 2500u);  // More than one ScanDocuments page.
  for (size_t i = 1; i < all.size(); ++i) {
    ASSERT_LE(all[i - 1].create_at, all[i].create_at);
  }
  EXPECT_EQ(Predictions(kT + absl::Milliseconds(1000), kT + absl::Milliseconds(2000)).size(),
            1000u);
}

TEST_F(ShopStoreTest, ScanDetailEnters) {
  ASSERT_OK(store().Store({Var("A"), Var("B")}));
  ASSERT_OK(store().Store({Enter("B", kT + absl::Seconds(1)), Enter("A", kT),
                           Enter("A", kT + absl::Seconds(2), "s2")}));
  std::vector<ProductDetailEnter> seen;
  ASSERT_OK(store().ScanDetailEnters(kT, kT + absl::Seconds(2), [&](const ProductDetailEnter& e) {
    seen.push_back(e);
  }));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], Enter("A", kT));
  EXPECT_EQ(seen[1], Enter("B", kT + absl::Seconds(1)));
}

TEST_F(ShopStoreTest, ConcurrentStoresAndReads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string sku = absl::StrCat("T", t, "-", i);
        EXPECT_OK(store().Store({Prod(t * 100 + i, 1, {sku}), Var(sku), Enter(sku, kT)}));
        store().RecordPrediction(Prediction(kT, sku));
        store().VariantsInCategory(1);
        store().Counts();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(store().Counts().variants, 80);
  EXPECT_EQ(store().Counts().detail_enters, 80);
  EXPECT_EQ(store().VariantsInCategory(1).size(), 80u);
  EXPECT_EQ(Predictions(kT, kT + absl::Seconds(1)).size(), 80u);
}

TEST(ShopStoreTimeKeyTest, FixedWidthAndOrdered) {
  EXPECT_EQ(TimeKey(absl::UnixEpoch() + absl::Microseconds(1), 0xab), "0000000000000001-000000ab");
  EXPECT_EQ(TimeKey(absl::UnixEpoch() - absl::Hours(1), 0), "0000000000000000-00000000");
  EXPECT_EQ(TimeKey(absl::InfiniteFuture(), 0xffffffff), "9999999999999999-ffffffff");
  EXPECT_LT(TimeKey(kT, 0xffffffff), TimeKey(kT + absl::Microseconds(1), 0));
}

class ShopStoreTrainingTest : public ShopStoreTest {
 protected:
  void SetUp() override {
    models_ = {{"similarity", "popularity"}, {"ease", "popularity"}};
    Open();
  }
  int Versions(const std::string& model) {
    v1::ListModelsRequest request;
    request.set_model(model);
    absl::StatusOr<v1::ListModelsResponse> response = api().ListModels(request);
    EXPECT_OK(response);
    return response.ok() ? response->versions_size() : -1;
  }
};

TEST_F(ShopStoreTrainingTest, TriggersConfiguredAndReadyModelsOnly) {
  EXPECT_EQ(Versions("similarity"), 0);
  // Catalog writes train `similarity`; `gru4rec` is not configured in the core (ignored).
  ASSERT_OK(store().Store({Prod(1, std::nullopt, {"A", "B"}), Var("A"), Var("B")}));
  EXPECT_EQ(Versions("similarity"), 1);
  EXPECT_EQ(Versions("ease"), 0);
  // ease is ready once #reviews > 0.5 * #variants.
  ASSERT_OK(store().Store({Review{1, "s", 5, 1, "A", 5, kT, kT}}));
  EXPECT_EQ(Versions("ease"), 0);
  ASSERT_OK(store().Store({Review{2, "s", 6, 1, "B", 3, kT, kT}, Enter("A", kT)}));
  EXPECT_EQ(Versions("ease"), 1);
  // The first similarity training failed (no interactions yet); later writes retry it.
  ASSERT_OK(store().Store({Var("B", 2)}));
  EXPECT_EQ(Versions("similarity"), 2);
  ASSERT_OK(store().Store({TrainerQueueItem{std::nullopt, "ease", kT, std::nullopt}}));
  EXPECT_EQ(Versions("ease"), 2);
}

}  // namespace
}  // namespace recplat::http::ecoseller
