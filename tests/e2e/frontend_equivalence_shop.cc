#include "tests/e2e/frontend_equivalence_shop.h"

#include "absl/strings/str_cat.h"

namespace recplat::testing::shop {
namespace {

using nlohmann::json;

constexpr const char* kCatalogTime = "2023-08-01T10:00:00Z";

json Product(int id, bool published, int category, const std::vector<std::string>& skus) {
  json translations = json::array();
  if (id == 10) {
    translations.push_back({{"id", 1000},
                            {"language_code", "en"},
                            {"title", "Shoe"},
                            {"meta_title", "Shoe"},
                            {"meta_description", "A shoe"},
                            {"short_description", nullptr},
                            {"description", "A fine shoe"},
                            {"slug", "shoe"}});
  }
  return {{"_model_class", "Product"}, {"id", id},
          {"published", published},    {"category_id", category},
          {"type_id", nullptr},        {"product_translations", translations},
          {"product_variants", skus},  {"update_at", kCatalogTime},
          {"create_at", kCatalogTime}};
}

json Event(const std::string& model_class, const std::string& session, const json& user,
           int product, const std::string& sku, const std::string& at) {
  return {{"_model_class", model_class}, {"session_id", session},      {"user_id", user},
          {"product_id", product},       {"product_variant_sku", sku}, {"create_at", at}};
}

json Enter(const std::string& session, const json& user, int product, const std::string& sku,
           const std::string& type, const std::string& model, int position, const std::string& at) {
  json e = Event("ProductDetailEnter", session, user, product, sku, at);
  e["recommendation_type"] = type;
  e["model_name"] = model;
  e["model_identifier"] = model;
  e["position"] = position;
  return e;
}

json Order(const std::string& token, const std::string& sku, int quantity) {
  return {{"_model_class", "Order"},
          {"token", token},
          {"session_id", "order-" + token},
          {"product_variants", json::array({json::array({sku, quantity})})},
          {"update_at", "2023-08-02T12:00:00Z"},
          {"create_at", "2023-08-02T12:00:00Z"}};
}

json Review(int id, int user, int product, const std::string& sku, int rating) {
  return {{"_model_class", "Review"},
          {"id", id},
          {"session_id", absl::StrCat("review-", user)},
          {"user_id", user},
          {"product_id", product},
          {"product_variant_sku", sku},
          {"rating", rating},
          {"update_at", "2023-08-02T13:00:00Z"},
          {"create_at", absl::StrCat("2023-08-02T13:", 10 + id, ":00Z")}};
}

json Predict(const std::string& type, const std::string& session, const json& user) {
  return {{"recommendation_type", type}, {"session_id", session}, {"user_id", user}};
}

}  // namespace

json Category(int id, std::optional<int> parent) {
  return {{"_model_class", "Category"},
          {"id", id},
          {"parent_id", parent.has_value() ? json(*parent) : json(nullptr)}};
}

json Variant(const std::string& sku, int stock, double weight, const std::vector<int>& attributes) {
  return {{"_model_class", "ProductVariant"},
          {"sku", sku},
          {"ean", "ean-" + sku},
          {"weight", 1.5},
          {"stock_quantity", stock},
          {"recommendation_weight", weight},
          {"update_at", kCatalogTime},
          {"create_at", kCatalogTime},
          {"attributes", attributes}};
}

json AttributesAndCategories() {
  auto attribute = [](int id, int type, const std::string& raw) {
    return json{{"_model_class", "Attribute"},
                {"id", id},
                {"type", type},
                {"raw_value", raw},
                {"ext_attributes", json::array()}};
  };
  return json::array({
      {{"_model_class", "AttributeType"},
       {"id", 1},
       {"type", "NUMERICAL"},
       {"type_name", "weight"},
       {"unit", "kg"}},
      {{"_model_class", "AttributeType"},
       {"id", 2},
       {"type", "CATEGORICAL"},
       {"type_name", "colour"}},
      attribute(100, 1, "2.5"),
      attribute(101, 2, "red"),
      attribute(102, 2, "blue"),
      attribute(103, 1, "4.0"),
      Category(1, std::nullopt),
      Category(2, 1),
      Category(3, 2),
      Category(4, std::nullopt),
      Category(5, 4),
  });
}

json Products() {
  return json::array({
      {{"_model_class", "ProductType"},
       {"id", 7},
       {"name", "shoes"},
       {"update_at", kCatalogTime},
       {"create_at", kCatalogTime},
       {"products", {10, 11}},
       {"attribute_types", {1, 2}}},
      Product(10, true, 2, {"A1", "A2"}),
      Product(11, true, 3, {"B1", "B2"}),
      Product(12, true, 4, {"C1", "C2"}),
      Product(13, false, 3, {"D1"}),
      Product(14, true, 5, {"E1", "E2"}),
      Product(15, true, 2, {"F1"}),
  });
}

json Variants() {
  return json::array({
      Variant("A1", 5, 1.0, {100, 101}),
      Variant("A2", 3, 2.0, {103, 101}),
      Variant("B1", 0, 1.0, {100, 102}),
      Variant("B2", 2, 1.0, {103, 102}),
      Variant("C1", 9, 0.5, {100, 102}),
      Variant("C2", 1, 0.5, {103, 101}),
      Variant("D1", 4, 1.0, {100, 101}),
      Variant("E1", 6, 1.5, {103, 102}),
      Variant("E2", 7, 1.0, {100, 101}),
      Variant("F1", 0, 1.0, {103, 101}),
  });
}

json Prices() {
  json out = json::array();
  const std::vector<std::string> skus = {"A1", "A2", "B1", "B2", "C1",
                                         "C2", "D1", "E1", "E2", "F1"};
  for (size_t i = 0; i < skus.size(); ++i) {
    out.push_back({{"_model_class", "ProductPrice"},
                   {"id", 500 + i},
                   {"price_list_code", "CZK"},
                   {"product_variant_sku", skus[i]},
                   {"price", 100.0 + 37.0 * ((i * 7) % 10)},
                   {"update_at", kCatalogTime},
                   {"create_at", kCatalogTime}});
  }
  // A later price of A1 replaces the first one.
  out.push_back({{"_model_class", "ProductPrice"},
                 {"id", 600},
                 {"price_list_code", "CZK"},
                 {"product_variant_sku", "A1"},
                 {"price", 333.0},
                 {"update_at", "2023-08-01T11:00:00Z"},
                 {"create_at", kCatalogTime}});
  return out;
}

json ConfigVersion(int ordering_size, const std::string& create_at) {
  const json detail = {"similarity", "popularity", "dummy"};
  const json scoring = {"ease", "similarity", "popularity", "dummy"};
  return {{"_model_class", "Config"},
          {"retrievalSize", 100},
          {"orderingSize", ordering_size},
          {"models_disabled", {{"gru4rec", true}, {"selection", true}}},
          {"homepageRetrievalCascade", {"popularity", "selection", "dummy"}},
          {"homepageScoringCascade", {"ease", "gru4rec", "popularity", "dummy"}},
          {"categoryListScoringCascade", {"ease", "popularity", "dummy"}},
          {"productDetailRetrievalCascade", detail},
          {"productDetailScoringCascade", scoring},
          {"cartRetrievalCascade", detail},
          {"cartScoringCascade", scoring},
          {"create_at", create_at}};
}

json Browsing() {
  json out = json::array({
      Enter("s1", nullptr, 10, "A1", "HOMEPAGE", "dummy", 0, "2023-08-02T10:00:00Z"),
      Enter("s1", nullptr, 12, "C1", "HOMEPAGE", "dummy", 2, "2023-08-02T10:01:00Z"),
      Enter("s2", 7, 14, "E1", "PRODUCT_DETAIL", "dummy", 1, "2023-08-02T10:02:00Z"),
      Enter("s2", 7, 13, "D1", "CATEGORY_LIST", "dummy", 12, "2023-08-02T10:03:00Z"),
      Enter("s3", 8, 12, "C2", "CART", "dummy", 0, "2023-08-02T10:04:00Z"),
  });
  json leave = Event("ProductDetailLeave", "s1", nullptr, 10, "A1", "2023-08-02T10:00:30Z");
  leave["time_spent"] = 30.5;
  out.push_back(leave);
  out.push_back(Event("ProductAddToCart", "s2", 7, 14, "E1", "2023-08-02T10:05:00Z"));
  out.push_back(Event("ProductAddToCart", "s3", 8, 12, "C2", "2023-08-02T10:06:00Z"));
  return out;
}

json Orders() {
  json out = json::array();
  for (int i = 0; i < 4; ++i) out.push_back(Order(absl::StrCat("c", i), "C1", 3));
  for (int i = 0; i < 3; ++i) out.push_back(Order(absl::StrCat("a", i), "A2", 2));
  for (int i = 0; i < 2; ++i) out.push_back(Order(absl::StrCat("e", i), "E1", 2));
  // B1 is out of stock, yet ordered more than A2: only available_first lists it last.
  for (int i = 0; i < 2; ++i) out.push_back(Order(absl::StrCat("b", i), "B1", 4));
  for (const char* sku : {"A1", "B2", "E2"}) out.push_back(Order(sku, sku, 1));
  return out;
}

json Reviews() {
  return json::array({
      Review(1, 7, 10, "A1", 5),
      Review(2, 7, 12, "C1", 4),
      Review(3, 7, 14, "E1", 5),
      Review(4, 8, 12, "C1", 5),
      Review(5, 8, 12, "C2", 3),
      Review(6, 8, 14, "E2", 4),
      Review(7, 9, 10, "A2", 4),
      Review(8, 9, 11, "B2", 5),
      Review(9, 9, 10, "A1", 3),
      Review(10, 10, 14, "E1", 4),
      Review(11, 10, 14, "E2", 5),
      Review(12, 10, 12, "C1", 3),
  });
}

json BatchWithUnknownSku() {
  json cart = Event("ProductAddToCart", "bad", nullptr, 10, "UNKNOWN", "2023-08-04T10:00:00Z");
  return json::array({Variant("Z1", 1, 1.0, {}), cart});
}

json ClicksOn(const json& predicted, const std::string& session, const std::string& type) {
  json out = json::array();
  for (size_t i = 0; i < predicted.size() && i < 2; ++i) {
    const json& info = predicted[i]["rs_info"];
    json e = {{"_model_class", "ProductDetailEnter"},
              {"session_id", session},
              {"user_id", nullptr},
              {"product_id", 0},
              {"product_variant_sku", predicted[i]["product_variant_sku"]},
              {"recommendation_type", type},
              {"model_name", info["model_name"]},
              {"model_identifier", info["model_identifier"]},
              {"position", info["position"]}};
    out.push_back(std::move(e));
  }
  return out;
}

json PredictHomepage(const std::string& session, const json& user, int limit) {
  json r = Predict("HOMEPAGE", session, user);
  r["limit"] = limit;
  return r;
}

json PredictDetail(const std::string& session, const json& user, const std::string& variant,
                   int limit) {
  json r = Predict("PRODUCT_DETAIL", session, user);
  r["variants"] = {variant};
  r["limit"] = limit;
  return r;
}

json PredictCart(const std::string& session, const json& user, const std::string& in_cart,
                 int limit) {
  json r = Predict("CART", session, user);
  r["variants_in_cart"] = {in_cart};
  r["limit"] = limit;
  return r;
}

json PredictCategory(const std::string& session, int category, std::optional<int> limit) {
  json r = Predict("CATEGORY_LIST", session, nullptr);
  r["category_id"] = category;
  if (limit.has_value()) r["limit"] = *limit;
  return r;
}

}  // namespace recplat::testing::shop
