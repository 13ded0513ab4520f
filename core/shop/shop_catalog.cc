// ShopCatalog updates: Apply() per entity kind, keeping the indexes the projection reads.
#include "core/shop/shop_catalog.h"

namespace recplat::shop {
namespace {

template <typename Key, typename Value>
void EraseFromIndex(std::map<Key, std::set<Value>>& index, const Key& key, const Value& value) {
  auto it = index.find(key);
  if (it == index.end()) return;
  it->second.erase(value);
  if (it->second.empty()) index.erase(it);
}

}  // namespace

void ShopCatalog::Apply(const v1::ShopEntity& entity, uint64_t seq, ShopChanges* changes) {
  switch (entity.kind_case()) {
    case v1::ShopEntity::kCategory: return ApplyCategory(entity, changes);
    case v1::ShopEntity::kProduct: return ApplyProduct(entity, seq, changes);
    case v1::ShopEntity::kTranslation: return ApplyTranslation(entity, changes);
    case v1::ShopEntity::kVariant: return ApplyVariant(entity, changes);
    case v1::ShopEntity::kAttribute: return ApplyAttribute(entity, changes);
    case v1::ShopEntity::kAttributeType: return ApplyAttributeType(entity, changes);
    case v1::ShopEntity::kPrice: return ApplyPrice(entity, changes);
    case v1::ShopEntity::KIND_NOT_SET: return;
  }
}

void ShopCatalog::ApplyCategory(const v1::ShopEntity& e, ShopChanges* changes) {
  const v1::ShopCategory& category = e.category();
  // Moving, adding or deleting a category changes the labels of every variant below it; the
  // subtree itself (children are indexed by parent id) is the same before and after.
  if (changes != nullptr) {
    for (int64_t id : Subtree(category.id())) {
      if (auto it = category_products_.find(id); it != category_products_.end()) {
        for (int64_t product_id : it->second) {
          for (std::string& sku : OwnedVariants(product_id)) changes->reproject.insert(sku);
        }
      }
    }
  }
  if (auto old = categories_.find(category.id()); old != categories_.end()) {
    if (old->second.has_parent_id()) {
      EraseFromIndex(children_, old->second.parent_id(), category.id());
    }
    categories_.erase(old);
  }
  if (e.deleted()) return;
  categories_[category.id()] = category;
  if (category.has_parent_id()) children_[category.parent_id()].insert(category.id());
}

void ShopCatalog::ApplyProduct(const v1::ShopEntity& e, uint64_t seq, ShopChanges* changes) {
  const int64_t id = e.product().id();
  if (auto old = products_.find(id); old != products_.end()) {
    // Every SKU the old version listed may change owner, title, categories or liveness.
    if (changes != nullptr) AddListedVariants(id, changes);
    const v1::ShopProduct& p = old->second.entity;
    if (p.has_category_id()) EraseFromIndex(category_products_, p.category_id(), id);
    for (const std::string& sku : p.variant_skus()) EraseFromIndex(sku_products_, sku, id);
    for (int64_t t : p.translation_ids()) EraseFromIndex(translation_products_, t, id);
    products_.erase(old);
  }
  if (e.deleted()) return;
  Product& stored = products_[id];
  stored.entity = e.product();
  stored.seq = seq;
  const v1::ShopProduct& p = stored.entity;
  if (p.has_category_id()) category_products_[p.category_id()].insert(id);
  for (const std::string& sku : p.variant_skus()) sku_products_[sku].insert(id);
  for (int64_t t : p.translation_ids()) translation_products_[t].insert(id);
  if (changes != nullptr) AddListedVariants(id, changes);
}

void ShopCatalog::ApplyVariant(const v1::ShopEntity& e, ShopChanges* changes) {
  const std::string& sku = e.variant().sku();
  auto old = variants_.find(sku);
  const bool existed = old != variants_.end();
  if (existed) {
    for (int64_t attribute_id : old->second.attribute_ids()) {
      EraseFromIndex(attribute_variants_, attribute_id, sku);
    }
  }
  if (e.deleted()) {
    if (existed) {
      variants_.erase(old);
      if (changes != nullptr) changes->removed.insert(sku);
    }
    return;
  }
  variants_[sku] = e.variant();
  for (int64_t attribute_id : e.variant().attribute_ids()) {
    attribute_variants_[attribute_id].insert(sku);
  }
  if (changes != nullptr) changes->reproject.insert(sku);
}

void ShopCatalog::ApplyTranslation(const v1::ShopEntity& e, ShopChanges* changes) {
  const int64_t id = e.translation().id();
  if (e.deleted()) {
    translations_.erase(id);
  } else {
    translations_[id] = e.translation();
  }
  if (changes == nullptr) return;
  if (auto it = translation_products_.find(id); it != translation_products_.end()) {
    for (int64_t product_id : it->second) {
      for (std::string& sku : OwnedVariants(product_id)) changes->reproject.insert(sku);
    }
  }
}

void ShopCatalog::ApplyAttribute(const v1::ShopEntity& e, ShopChanges* changes) {
  const int64_t id = e.attribute().id();
  if (auto old = attributes_.find(id); old != attributes_.end()) {
    EraseFromIndex(type_attributes_, old->second.type_id(), id);
    attributes_.erase(old);
  }
  if (!e.deleted()) {
    attributes_[id] = e.attribute();
    type_attributes_[e.attribute().type_id()].insert(id);
  }
  if (changes != nullptr) AddAttributeVariants(id, changes);
}

void ShopCatalog::ApplyAttributeType(const v1::ShopEntity& e, ShopChanges* changes) {
  const int64_t id = e.attribute_type().id();
  if (e.deleted()) {
    attribute_types_.erase(id);
  } else {
    attribute_types_[id] = e.attribute_type();
  }
  if (changes == nullptr) return;
  if (auto it = type_attributes_.find(id); it != type_attributes_.end()) {
    for (int64_t attribute_id : it->second) AddAttributeVariants(attribute_id, changes);
  }
}

void ShopCatalog::ApplyPrice(const v1::ShopEntity& e, ShopChanges* changes) {
  const int64_t id = e.price().id();
  auto touch = [&](const std::string& sku) {
    if (changes != nullptr && variants_.contains(sku)) changes->reproject.insert(sku);
  };
  if (auto old = prices_.find(id); old != prices_.end()) {
    const std::string old_sku = old->second.variant_sku();
    EraseFromIndex(variant_prices_, old_sku, id);
    prices_.erase(old);
    touch(old_sku);
  }
  if (e.deleted()) return;
  prices_[id] = e.price();
  variant_prices_[e.price().variant_sku()].insert(id);
  touch(e.price().variant_sku());
}

}  // namespace recplat::shop
