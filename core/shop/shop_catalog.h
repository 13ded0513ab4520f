// File: shop_catalog.h
//
// ShopCatalog: one tenant's product catalog (proto/recplat/v1/shop.proto) as the core keeps it in
// memory, and the projection that derives one recommendable item per variant from it. The state
// store applies every LogRecord.shop_entity to it in log order and upserts the items it reports
// as changed in the same atomic batch, so every process applying the same log derives the same
// items. docs/shop_catalog.md states the projection rules; Project() implements them.
//
// The catalog is a pure function of the stored entities (each kind replaces by id, `deleted`
// removes) plus, for products, the sequence number (log offset) of their last write: a SKU
// listed by several stored products belongs to the one written last. Applying the stored
// entities in any order with their sequence numbers (as the state store does when it opens)
// therefore rebuilds the same catalog.
//
// Category trees may contain cycles; every walk keeps a visited set, so a cycle ends the walk.
//
// This module does not store anything (no RocksDB): the state store persists the entities as
// documents of the reserved collections "_shop.<kind>" (shop_entity.h) and the product sequence
// numbers.
//
// Thread-safety: none; the owner serialises all calls (the state store's apply thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "recplat/v1/catalog.pb.h"
#include "recplat/v1/shop.pb.h"

namespace recplat::shop {

// What one Apply() changed for the derived items.
struct ShopChanges {
  // SKUs of stored variants whose item may differ now (Project() them again).
  std::set<std::string> reproject;
  // SKUs of variants the change deleted (their items stay known but stop being live).
  std::set<std::string> removed;
};

class ShopCatalog {
 public:
  // Applies one entity. `seq` orders writes of products (the log offset); `changes` may be null
  // (rebuilding: nothing is re-projected). REQUIRES: entity.kind_case() != KIND_NOT_SET (the
  // API's validation guarantees it; unset kinds are ignored).
  void Apply(const v1::ShopEntity& entity, uint64_t seq, ShopChanges* changes);

  // The item derived from variant `sku` (id = sku, tenant = `tenant`), with Item.live set; nullopt
  // when no such variant is stored.
  std::optional<v1::Item> Project(const std::string& sku, const std::string& tenant) const;

  bool HasVariant(const std::string& sku) const { return variants_.contains(sku); }
  bool HasCategory(int64_t id) const { return categories_.contains(id); }
  size_t variant_count() const { return variants_.size(); }
  // The product that owns `sku` (the stored product listing it that was written last); nullopt
  // when none lists it.
  std::optional<int64_t> OwnerOf(const std::string& sku) const;
  // Product ids of `category_id` and every category below it (cycle-safe), ascending, each with
  // the stored variants it owns in the product's order.
  std::vector<std::pair<int64_t, std::vector<std::string>>> ProductsInCategory(
      int64_t category_id) const;

 private:
  struct Product {
    v1::ShopProduct entity;
    uint64_t seq = 0;
  };

  void ApplyCategory(const v1::ShopEntity& e, ShopChanges* changes);
  void ApplyProduct(const v1::ShopEntity& e, uint64_t seq, ShopChanges* changes);
  void ApplyVariant(const v1::ShopEntity& e, ShopChanges* changes);
  void ApplyTranslation(const v1::ShopEntity& e, ShopChanges* changes);
  void ApplyAttribute(const v1::ShopEntity& e, ShopChanges* changes);
  void ApplyAttributeType(const v1::ShopEntity& e, ShopChanges* changes);
  void ApplyPrice(const v1::ShopEntity& e, ShopChanges* changes);

  // `category_id` and every category below it (cycle-safe).
  std::set<int64_t> Subtree(int64_t category_id) const;
  // "category:<id>" labels of `category_id` and its ancestors, most specific first.
  std::vector<std::string> CategoryLabels(int64_t category_id) const;
  // Stored variants owned by `product_id`, in the product's order, without repeats.
  std::vector<std::string> OwnedVariants(int64_t product_id) const;
  // Adds every stored variant `product_id` lists (owned or not: its owner may change).
  void AddListedVariants(int64_t product_id, ShopChanges* changes) const;
  void AddAttributeVariants(int64_t attribute_id, ShopChanges* changes) const;
  // The variant's "price": the most recently updated price (ties: the larger id).
  std::optional<double> PriceOf(const std::string& sku) const;

  std::map<int64_t, v1::ShopCategory> categories_;
  std::map<int64_t, std::set<int64_t>> children_;  // Parent id -> stored child categories.
  std::map<int64_t, Product> products_;
  std::map<int64_t, std::set<int64_t>> category_products_;
  std::map<std::string, std::set<int64_t>> sku_products_;  // SKU -> stored products listing it.
  std::map<int64_t, std::set<int64_t>> translation_products_;
  std::map<std::string, v1::ShopVariant> variants_;
  std::map<int64_t, v1::ShopTranslation> translations_;
  std::map<int64_t, v1::ShopAttribute> attributes_;
  std::map<int64_t, std::set<std::string>> attribute_variants_;  // By the variants' ids.
  std::map<int64_t, v1::ShopAttributeType> attribute_types_;
  std::map<int64_t, std::set<int64_t>> type_attributes_;
  std::map<int64_t, v1::ShopPrice> prices_;
  std::map<std::string, std::set<int64_t>> variant_prices_;
};

}  // namespace recplat::shop
