// End-to-end: the recplat binary with config/ecoseller.yaml, spoken to over real HTTP the way
// the ecoseller backend does (seed-systems.md section 3): every `_model_class`, predictions of
// every type, the dashboard pages, bad input, and a restart that keeps everything.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

using nlohmann::json;

std::string ProfilePath() {
  return (SourceDir() / "config" / "ecoseller.yaml").string();
}

// The shop: categories 1 > 2 > 3 and 4; products 10 (cat 2: A1, A2), 11 (cat 3: B1), 12
// (cat 4: C1, C2), 13 (cat 3, unpublished: D1). B1 is out of stock.
json Catalog() {
  return json::array({
      {{"_model_class", "AttributeType"}, {"id", 1}, {"type", "NUMERICAL"}, {"type_name", "weight"},
       {"unit", "kg"}},
      {{"_model_class", "AttributeType"}, {"id", 2}, {"type", "CATEGORICAL"},
       {"type_name", "colour"}},
      {{"_model_class", "Attribute"}, {"id", 100}, {"type", 1}, {"raw_value", "2.5"},
       {"ext_attributes", json::array()}},
      {{"_model_class", "Attribute"}, {"id", 101}, {"type", 2}, {"raw_value", "red"},
       {"ext_attributes", json::array()}},
      {{"_model_class", "Category"}, {"id", 1}, {"parent_id", nullptr}},
      {{"_model_class", "Category"}, {"id", 2}, {"parent_id", 1}},
      {{"_model_class", "Category"}, {"id", 3}, {"parent_id", 2}},
      {{"_model_class", "Category"}, {"id", 4}, {"parent_id", nullptr}},
      {{"_model_class", "ProductType"}, {"id", 7}, {"name", "shoes"},
       {"update_at", "2023-08-01T10:00:00Z"}, {"create_at", "2023-08-01T10:00:00Z"},
       {"products", {10, 11}}, {"attribute_types", {1, 2}}},
      {{"_model_class", "ProductTranslation"}, {"id", 1000}, {"language_code", "en"},
       {"title", "Shoe"}, {"meta_title", "Shoe"}, {"meta_description", "A shoe"},
       {"short_description", nullptr}, {"description", "A fine shoe"}, {"slug", "shoe"}},
      {{"_model_class", "Product"}, {"id", 10}, {"published", true}, {"category_id", 2},
       {"type_id", 7}, {"product_translations", json::array()}, {"product_variants", {"A1", "A2"}},
       {"update_at", "2023-08-01T10:00:00Z"}, {"create_at", "2023-08-01T10:00:00Z"}},
      {{"_model_class", "Product"}, {"id", 11}, {"published", true}, {"category_id", 3},
       {"type_id", 7}, {"product_translations", json::array()}, {"product_variants", {"B1"}},
       {"update_at", "2023-08-01T10:00:00Z"}, {"create_at", "2023-08-01T10:00:00Z"}},
      {{"_model_class", "Product"}, {"id", 12}, {"published", true}, {"category_id", 4},
       {"type_id", nullptr}, {"product_translations", json::array()},
       {"product_variants", {"C1", "C2"}}, {"update_at", "2023-08-01T10:00:00Z"},
       {"create_at", "2023-08-01T10:00:00Z"}},
      {{"_model_class", "Product"}, {"id", 13}, {"published", false}, {"category_id", 3},
       {"type_id", nullptr}, {"product_translations", json::array()},
       {"product_variants", {"D1"}}, {"update_at", "2023-08-01T10:00:00Z"},
       {"create_at", "2023-08-01T10:00:00Z"}},
  });
}

json Variant(const std::string& sku, int stock, double weight) {
  return {{"_model_class", "ProductVariant"}, {"sku", sku}, {"ean", "ean-" + sku},
          {"weight", 1.5}, {"stock_quantity", stock}, {"recommendation_weight", weight},
          {"update_at", "2023-08-01T10:00:00Z"}, {"create_at", "2023-08-01T10:00:00Z"},
          {"attributes", {100, 101}}};
}

json Price(int id, const std::string& sku, double price) {
  return {{"_model_class", "ProductPrice"}, {"id", id}, {"price_list_code", "CZK"},
          {"product_variant_sku", sku}, {"price", price}, {"update_at", "2023-08-01T10:00:00Z"},
          {"create_at", "2023-08-01T10:00:00Z"}};
}

json Order(const std::string& token, const std::string& sku, int quantity) {
  return {{"_model_class", "Order"}, {"token", token}, {"session_id", "s-" + token},
          {"product_variants", json::array({json::array({sku, quantity})})},
          {"update_at", "2023-08-02T10:00:00Z"}, {"create_at", "2023-08-02T10:00:00Z"}};
}

class EcosellerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  void StartServer() {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--profile", ProfilePath(), "--data-dir", (dir_.path() / "data").string(), "--set",
        "http.max_body_bytes=200000"});
    ASSERT_TRUE(server_->Start()) << server_->ReadStderr();
    ASSERT_FALSE(server_->http_address().empty());
    http_ = std::make_unique<HttpClient>(server_->http_address());
  }

  void Restart() {
    ASSERT_EQ(server_->Terminate(), 0) << server_->ReadStderr();
    StartServer();
  }

  HttpResult PostJson(const std::string& path, const json& body) {
    return http_->Post(path, body.dump());
  }

  json Predict(const json& request) {
    HttpResult r = PostJson("/predict", request);
    EXPECT_EQ(r.status, 200) << r.body;
    json out = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(out.is_array()) << r.body;
    return out;
  }

  void StoreShop() {
    json objects = Catalog();
    objects.push_back(Variant("A1", 5, 1.0));
    objects.push_back(Variant("A2", 3, 2.0));
    objects.push_back(Variant("B1", 0, 1.0));
    objects.push_back(Variant("C1", 9, 0.5));
    objects.push_back(Variant("C2", 1, 0.5));
    objects.push_back(Variant("D1", 4, 1.0));
    for (const char* sku : {"A1", "A2", "B1", "C1", "C2", "D1"}) {
      objects.push_back(Price(static_cast<int>(objects.size()), sku, 100.0 + objects.size()));
    }
    HttpResult r = PostJson("/store_objects", objects);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "");
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> http_;
};

void ExpectPrediction(const json& items, const std::string& type, size_t max_size) {
  ASSERT_TRUE(items.is_array());
  EXPECT_LE(items.size(), max_size);
  for (size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    ASSERT_TRUE(item.contains("product_variant_sku")) << item.dump();
    ASSERT_TRUE(item["product_variant_sku"].is_string());
    const json& info = item["rs_info"];
    ASSERT_TRUE(info.is_object()) << item.dump();
    EXPECT_EQ(info["recommendation_type"], type);
    EXPECT_EQ(info["position"], i);
    EXPECT_TRUE(info["model_name"].is_string());
    EXPECT_TRUE(info["model_identifier"].is_string());
  }
}

TEST_F(EcosellerE2eTest, BackendTrafficStoresPredictsAndReports) {
  EXPECT_EQ(http_->Get("/").status, 200);
  StoreShop();
  // Configuration versions (camelCase aliases) and a manual training request.
  HttpResult cfg = PostJson("/store_object", {{"_model_class", "Config"},
                                              {"retrievalSize", 500},
                                              {"orderingSize", 20},
                                              {"models_disabled", {{"gru4rec", true}}},
                                              {"homepageRetrievalCascade", {"popularity", "selection"}},
                                              {"create_at", "2023-08-03T00:00:00Z"}});
  ASSERT_EQ(cfg.status, 200) << cfg.body;
  ASSERT_EQ(PostJson("/store_object", {{"_model_class", "TrainerQueueItem"},
                                       {"model_name", "popularity"}})
                .status,
            200);

  // Feedback the backend forwards, including orders (more orders than variants makes the
  // popularity model eligible).
  json events = json::array();
  events.push_back({{"_model_class", "ProductDetailEnter"}, {"session_id", "s1"},
                    {"user_id", nullptr}, {"product_id", 10}, {"product_variant_sku", "A1"},
                    {"recommendation_type", "HOMEPAGE"}, {"model_identifier", "popularity"},
                    {"model_name", "popularity"}, {"position", 1}});
  events.push_back({{"_model_class", "ProductDetailLeave"}, {"session_id", "s1"},
                    {"user_id", nullptr}, {"product_id", 10}, {"product_variant_sku", "A1"},
                    {"time_spent", 12.5}});
  events.push_back({{"_model_class", "ProductAddToCart"}, {"session_id", "s1"}, {"user_id", 7},
                    {"product_id", 10}, {"product_variant_sku", "A1"}});
  events.push_back({{"_model_class", "RecommendationView"}, {"session_id", "s1"},
                    {"user_id", 7}, {"product_id", 12}, {"product_variant_sku", "C1"},
                    {"recommendation_type", "PRODUCT_DETAIL"}, {"model_identifier", "selection"},
                    {"position", 0}});
  events.push_back({{"_model_class", "Review"}, {"id", 1}, {"session_id", "s1"}, {"user_id", 7},
                    {"product_id", 10}, {"product_variant_sku", "A1"}, {"rating", 5},
                    {"update_at", "2023-08-02T10:00:00Z"}, {"create_at", "2023-08-02T10:00:00Z"}});
  // C1 is ordered most, then A2, then A1.
  for (int i = 0; i < 4; ++i) events.push_back(Order(absl::StrCat("c", i), "C1", 3));
  for (int i = 0; i < 3; ++i) events.push_back(Order(absl::StrCat("a", i), "A2", 2));
  events.push_back(Order("x", "A1", 1));
  ASSERT_EQ(PostJson("/store_objects", events).status, 200);

  // Train popularity now (the native API of the same process) so the cascade can use it.
  HttpResult train = PostJson("/v1/models/train", {{"model", "popularity"}, {"wait", true}});
  ASSERT_EQ(train.status, 200) << train.body;

  // HOMEPAGE: the popularity model, ranked by ordered quantity (the original sorted by SKU);
  // the head is then re-ranked for diversity by the similarity model (trained at start-up),
  // which keeps the best item first.
  json home = Predict({{"recommendation_type", "HOMEPAGE"}, {"session_id", "s2"},
                       {"user_id", nullptr}, {"limit", 3}});
  ExpectPrediction(home, "HOMEPAGE", 3);
  ASSERT_EQ(home.size(), 3u) << home.dump();
  EXPECT_EQ(home[0]["product_variant_sku"], "C1");
  std::set<std::string> top3;
  for (const json& item : home) top3.insert(item["product_variant_sku"]);
  EXPECT_EQ(top3, (std::set<std::string>{"C1", "A2", "A1"})) << home.dump();
  EXPECT_EQ(home[0]["rs_info"]["model_name"], "popularity");
  EXPECT_EQ(home[0]["rs_info"]["model_identifier"], "popularity");

  // PRODUCT_DETAIL: never the viewed product's variants.
  json detail = Predict({{"recommendation_type", "PRODUCT_DETAIL"}, {"session_id", "s2"},
                         {"user_id", 7}, {"limit", 10}, {"variants", {"A1", "A2"}}});
  ExpectPrediction(detail, "PRODUCT_DETAIL", 10);
  EXPECT_FALSE(detail.empty());
  for (const json& item : detail) {
    EXPECT_NE(item["product_variant_sku"], "A1");
    EXPECT_NE(item["product_variant_sku"], "A2");
  }

  // Once the content-similarity model is trained, it serves PRODUCT_DETAIL, with a
  // versioned identifier, and never recommends the viewed variant.
  HttpResult sim = PostJson("/v1/models/train", {{"model", "similarity"}, {"wait", true}});
  ASSERT_EQ(sim.status, 200) << sim.body;
  json similar = Predict({{"recommendation_type", "PRODUCT_DETAIL"}, {"session_id", "s5"},
                          {"user_id", nullptr}, {"limit", 3}, {"variants", {"C1"}}});
  ExpectPrediction(similar, "PRODUCT_DETAIL", 3);
  ASSERT_FALSE(similar.empty());
  EXPECT_EQ(similar[0]["rs_info"]["model_name"], "similarity") << similar.dump();
  EXPECT_EQ(similar[0]["rs_info"]["model_identifier"].get<std::string>().rfind("similarity_", 0),
            0u)
      << similar.dump();
  for (const json& item : similar) EXPECT_NE(item["product_variant_sku"], "C1");

  // CART.
  json cart = Predict({{"recommendation_type", "CART"}, {"session_id", "s2"}, {"user_id", 7},
                       {"limit", 2}, {"variants_in_cart", {"C1"}}});
  ExpectPrediction(cart, "CART", 2);

  // CATEGORY_LIST 2: the variants of categories 2 and 3 (published), in stock first.
  json list = Predict({{"recommendation_type", "CATEGORY_LIST"}, {"session_id", "s3"},
                       {"user_id", nullptr}, {"category_id", 2}});
  ExpectPrediction(list, "CATEGORY_LIST", 10);
  std::set<std::string> skus;
  for (const json& item : list) skus.insert(item["product_variant_sku"]);
  EXPECT_TRUE(skus.contains("A1") && skus.contains("A2") && skus.contains("B1")) << list.dump();
  EXPECT_FALSE(skus.contains("C1"));
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list.back()["product_variant_sku"], "B1");  // Out of stock: last.
  // The same session and category again: served from the cache, rs_info empty.
  json cached = Predict({{"recommendation_type", "CATEGORY_LIST"}, {"session_id", "s3"},
                         {"user_id", nullptr}, {"category_id", 2}});
  ASSERT_EQ(cached.size(), list.size());
  EXPECT_TRUE(cached[0]["rs_info"].empty()) << cached.dump();

  // Product positions: every product of category 2 (10, 11, 13).
  HttpResult positions = PostJson("/predict/product_positions",
                                  {{"recommendation_type", "CATEGORY_LIST"}, {"session_id", "s4"},
                                   {"user_id", nullptr}, {"category_id", 2}});
  ASSERT_EQ(positions.status, 200) << positions.body;
  json pos = json::parse(positions.body);
  ASSERT_TRUE(pos.is_object());
  EXPECT_TRUE(pos.contains("10") && pos.contains("11")) << pos.dump();
  EXPECT_FALSE(pos.contains("12"));

  // Dashboard pages.
  HttpResult conf = http_->Get("/dashboard/configuration");
  ASSERT_EQ(conf.status, 200) << conf.body;
  json c = json::parse(conf.body);
  EXPECT_TRUE(c["models"].is_array());
  EXPECT_EQ(c["config"]["retrievalSize"], 500);
  EXPECT_EQ(c["config"]["orderingSize"], 20);
  EXPECT_TRUE(c["info"].is_object());
  HttpResult perf = http_->Get(
      "/dashboard/performance?date_from=2000-01-01T00:00:00.000Z&date_to=2100-01-01T00:00:00.000Z");
  ASSERT_EQ(perf.status, 200) << perf.body;
  json p = json::parse(perf.body);
  EXPECT_EQ(p["performance"]["general"]["k"], 10);
  EXPECT_GE(p["performance"]["general"]["data"]["predictions"].get<int>(), 5);
  HttpResult training = http_->Get("/dashboard/training?date_from=2000-01-01T00:00:00.000Z");
  ASSERT_EQ(training.status, 200) << training.body;
  json t = json::parse(training.body);
  EXPECT_GE(t["training"]["general"]["data"]["trainings"]["completed"].get<int>(), 1) << t.dump();

  // A restart keeps objects, config versions, predictions and statistics.
  const int predictions = p["performance"]["general"]["data"]["predictions"];
  Restart();
  json again = Predict({{"recommendation_type", "CATEGORY_LIST"}, {"session_id", "s9"},
                        {"user_id", nullptr}, {"category_id", 3}});
  std::set<std::string> after;
  for (const json& item : again) after.insert(item["product_variant_sku"]);
  EXPECT_EQ(after, (std::set<std::string>{"B1"}));
  json c2 = json::parse(http_->Get("/dashboard/configuration").body);
  EXPECT_EQ(c2["config"]["retrievalSize"], 500);
  json p2 = json::parse(http_->Get("/dashboard/performance?date_from=2000-01-01T00:00:00.000Z"
                                   "&date_to=2100-01-01T00:00:00.000Z")
                            .body);
  EXPECT_GE(p2["performance"]["general"]["data"]["predictions"].get<int>(), predictions);
}

TEST_F(EcosellerE2eTest, BadInputGets4xxWithAReasonAndWritesNothing) {
  StoreShop();
  auto expect_error = [&](const HttpResult& r, int status, const std::string& needle) {
    EXPECT_EQ(r.status, status) << r.body;
    json body = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(needle), std::string::npos)
        << r.body;
  };
  expect_error(http_->Post("/store_objects", "[{\"_model_class\": "), 400, "JSON");
  expect_error(PostJson("/store_object", {{"_model_class", "Nope"}, {"id", 1}}), 400, "Nope");
  expect_error(PostJson("/store_object", {{"_model_class", "Category"}}), 400, "id");
  expect_error(PostJson("/store_object", {{"_model_class", "Category"}, {"id", "x"}}), 400, "id");
  expect_error(PostJson("/predict", {{"session_id", "s"}, {"user_id", nullptr}}), 400,
               "recommendation_type");
  expect_error(PostJson("/predict", {{"recommendation_type", "HOMEPAGE"}, {"session_id", "s"},
                                     {"user_id", nullptr}, {"limit", "ten"}}),
               400, "limit");
  expect_error(PostJson("/predict", {{"recommendation_type", "PRODUCT_DETAIL"},
                                     {"session_id", "s"}, {"user_id", nullptr},
                                     {"variants", {"NOPE"}}}),
               404, "NOPE");
  EXPECT_EQ(http_->Post("/store_objects", std::string(300000, ' ')).status, 413);
  expect_error(http_->Get("/dashboard/performance?date_from=yesterday"), 400, "date_from");

  // A batch with one bad event writes none of it: the new variant Z1 before it must not exist.
  json batch = json::array({Variant("Z1", 1, 1.0),
                            {{"_model_class", "ProductAddToCart"}, {"session_id", "s"},
                             {"user_id", nullptr}, {"product_id", 10},
                             {"product_variant_sku", "UNKNOWN"}}});
  expect_error(PostJson("/store_objects", batch), 404, "UNKNOWN");
  EXPECT_EQ(http_->Get("/v1/items/Z1").status, 404);
}

}  // namespace
}  // namespace recplat::testing
