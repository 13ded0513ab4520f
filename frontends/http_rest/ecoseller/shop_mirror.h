// File: shop_mirror.h
//
// ShopMirror (private to the ecoseller module): ShopStore's in-memory copy of what the item
// projection and the prediction pipeline read: categories and their tree, products and their
// variant links, variants, translations, attributes, attribute types, prices, order tokens,
// review ids, the number of ProductDetailEnter events and the latest config version.
//
// It is rebuilt by applying every stored document (ShopStore::Open) and kept current by applying
// every stored object (ShopStore::Store). Apply() reports which SKUs need their core item
// re-projected; Project() builds that item (see shop_store.h for the projection rules).
//
// Category trees may contain cycles (a client can send them); every walk keeps a visited set, so
// a cycle ends the walk instead of hanging it.
//
// Thread-safety: none; ShopStore guards it with its mutex.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "frontends/http_rest/ecoseller/config_object.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "frontends/http_rest/ecoseller/shop_store.h"
#include "recplat/v1/catalog.pb.h"

namespace recplat::http::ecoseller::shop {

// What an Apply() changed for the core's items.
struct MirrorChanges {
  // SKUs whose item may differ now (existing variants only).
  std::set<std::string> reproject;
  // SKUs of variants deleted by the change (their items become unavailable).
  std::set<std::string> removed;
};

class ShopMirror {
 public:
  // Applies one stored object (deleted ones remove what they name). `changes` may be null (when
  // rebuilding, nothing is re-projected).
  void Apply(const StoreObject& object, MirrorChanges* changes);

  // The core item of `sku` in `tenant`; nullopt when no such variant is stored.
  std::optional<v1::Item> Project(const std::string& sku, const std::string& tenant) const;

  // Counts `n` more ProductDetailEnter events (their documents are not read at Open).
  void AddDetailEnters(int64_t n) { detail_enters_ += n; }

  bool HasVariant(const std::string& sku) const { return variants_.contains(sku); }
  bool HasOrder(const std::string& token) const { return orders_.contains(token); }
  bool HasReview(int64_t id) const { return reviews_.contains(id); }
  std::optional<VariantView> Variant(const std::string& sku) const;
  ShopCounts Counts() const;
  // Number of config versions applied (their ids are 1..n).
  int64_t config_versions() const { return config_versions_; }
  // The latest config by create_at; defaults when none.
  EcosellerConfig CurrentConfig() const;

  bool HasCategory(int64_t id) const { return categories_.contains(id); }

  // Product ids of `category_id` and its descendants, ascending, with each product's stored
  // variant SKUs in the product's order.
  std::vector<std::pair<int64_t, std::vector<std::string>>> ProductsInCategory(
      int64_t category_id) const;

 private:
  void ApplyCategory(const Category& category, MirrorChanges* changes);
  void ApplyProduct(const Product& product, MirrorChanges* changes);
  void ApplyVariant(const ProductVariant& variant, MirrorChanges* changes);
  void ApplyTranslation(const ProductTranslation& translation, MirrorChanges* changes);
  void ApplyAttribute(const Attribute& attribute, MirrorChanges* changes);
  void ApplyAttributeType(const AttributeType& type, MirrorChanges* changes);
  void ApplyPrice(const ProductPrice& price, MirrorChanges* changes);
  void ApplyConfig(const EcosellerConfig& config);

  // `category_id` and every category below it (cycle-safe).
  std::set<int64_t> Subtree(int64_t category_id) const;
  // "category:<id>" labels of `category_id` and its ancestors, most specific first.
  std::vector<std::string> CategoryLabels(int64_t category_id) const;
  // Stored variants linked to `product_id`, in the product's order.
  std::vector<std::string> LinkedVariants(int64_t product_id) const;
  void AddProductVariants(int64_t product_id, MirrorChanges* changes) const;
  void AddAttributeVariants(int64_t attribute_id, MirrorChanges* changes) const;
  // The price numeric attribute of `sku`: the most recently updated price (ties: larger id).
  std::optional<double> PriceOf(const std::string& sku) const;

  std::map<int64_t, Category> categories_;
  std::map<int64_t, std::set<int64_t>> children_;  // parent id -> stored child categories.
  std::map<int64_t, Product> products_;             // Embedded translations dropped.
  std::map<int64_t, std::vector<int64_t>> product_translations_;  // Product -> translation ids.
  std::map<int64_t, std::set<int64_t>> category_products_;
  std::map<std::string, ProductVariant> variants_;
  std::map<std::string, int64_t> variant_product_;  // SKU -> the product that last listed it.
  std::map<int64_t, ProductTranslation> translations_;
  std::map<int64_t, std::set<int64_t>> translation_products_;
  std::map<int64_t, Attribute> attributes_;
  std::map<int64_t, std::set<std::string>> attribute_variants_;
  std::map<int64_t, AttributeType> attribute_types_;
  std::map<int64_t, std::set<int64_t>> type_attributes_;
  std::map<int64_t, ProductPrice> prices_;
  std::map<std::string, std::set<int64_t>> variant_prices_;
  std::set<std::string> orders_;
  std::set<int64_t> reviews_;
  int64_t detail_enters_ = 0;
  int64_t config_versions_ = 0;
  std::optional<EcosellerConfig> config_;
};

}  // namespace recplat::http::ecoseller::shop
