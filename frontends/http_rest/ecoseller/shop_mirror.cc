// ShopMirror updates: Apply() per stored class, keeping the indexes the reads use.
#include "frontends/http_rest/ecoseller/shop_mirror.h"

#include <type_traits>
#include <variant>

namespace recplat::http::ecoseller::shop {
namespace {

template <typename Key, typename Value>
void EraseFromIndex(std::map<Key, std::set<Value>>& index, const Key& key, const Value& value) {
  auto it = index.find(key);
  if (it == index.end()) {
    return;
  }
  it->second.erase(value);
  if (it->second.empty()) {
    index.erase(it);
  }
}

}  // namespace

void ShopMirror::Apply(const StoreObject& object, MirrorChanges* changes) {
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Category>) {
          ApplyCategory(o, changes);
        } else if constexpr (std::is_same_v<T, Product>) {
          ApplyProduct(o, changes);
        } else if constexpr (std::is_same_v<T, ProductVariant>) {
          ApplyVariant(o, changes);
        } else if constexpr (std::is_same_v<T, ProductTranslation>) {
          ApplyTranslation(o, changes);
        } else if constexpr (std::is_same_v<T, Attribute>) {
          ApplyAttribute(o, changes);
        } else if constexpr (std::is_same_v<T, AttributeType>) {
          ApplyAttributeType(o, changes);
        } else if constexpr (std::is_same_v<T, ProductPrice>) {
          ApplyPrice(o, changes);
        } else if constexpr (std::is_same_v<T, EcosellerConfig>) {
          ApplyConfig(o);
        } else if constexpr (std::is_same_v<T, Order>) {
          if (o.deleted) {
            orders_.erase(o.token);
          } else {
            orders_.insert(o.token);
          }
        } else if constexpr (std::is_same_v<T, Review>) {
          if (o.deleted) {
            reviews_.erase(o.id);
          } else {
            reviews_.insert(o.id);
          }
        } else if constexpr (std::is_same_v<T, ProductDetailEnter>) {
          if (!o.deleted) {
            ++detail_enters_;
          }
        }
        // ProductType, the other events and TrainerQueueItem are not mirrored.
      },
      object);
}

void ShopMirror::ApplyCategory(const Category& category, MirrorChanges* changes) {
  // Moving or deleting a category changes the labels of everything below it (the subtree itself
  // is the same before and after).
  if (changes != nullptr) {
    for (int64_t id : Subtree(category.id)) {
      if (auto it = category_products_.find(id); it != category_products_.end()) {
        for (int64_t product_id : it->second) {
          AddProductVariants(product_id, changes);
        }
      }
    }
  }
  if (auto old = categories_.find(category.id); old != categories_.end()) {
    if (old->second.parent_id.has_value()) {
      EraseFromIndex(children_, *old->second.parent_id, category.id);
    }
    categories_.erase(old);
  }
  if (category.deleted) {
    return;
  }
  categories_[category.id] = category;
  if (category.parent_id.has_value()) {
    children_[*category.parent_id].insert(category.id);
  }
}

void ShopMirror::ApplyProduct(const Product& product, MirrorChanges* changes) {
  if (auto old = products_.find(product.id); old != products_.end()) {
    if (changes != nullptr) {
      AddProductVariants(product.id, changes);
    }
    if (old->second.category_id.has_value()) {
      EraseFromIndex(category_products_, *old->second.category_id, product.id);
    }
    for (const std::string& sku : old->second.product_variants) {
      if (auto link = variant_product_.find(sku);
          link != variant_product_.end() && link->second == product.id) {
        variant_product_.erase(link);
      }
    }
    for (int64_t translation_id : product_translations_[product.id]) {
      EraseFromIndex(translation_products_, translation_id, product.id);
    }
    product_translations_.erase(product.id);
    products_.erase(old);
  }
  if (product.deleted) {
    return;
  }
  // Translation contents arrive as ProductTranslation objects of their own (ShopStore stores
  // the embedded ones separately); the product keeps their ids, in order.
  std::vector<int64_t>& translation_ids = product_translations_[product.id];
  for (const ProductTranslation& translation : product.product_translations) {
    if (!translation.deleted) {
      translation_ids.push_back(translation.id);
      translation_products_[translation.id].insert(product.id);
    }
  }
  if (product.category_id.has_value()) {
    category_products_[*product.category_id].insert(product.id);
  }
  for (const std::string& sku : product.product_variants) {
    variant_product_[sku] = product.id;
  }
  Product stored = product;
  stored.product_translations.clear();
  products_[product.id] = std::move(stored);
  if (changes != nullptr) {
    AddProductVariants(product.id, changes);
  }
}

void ShopMirror::ApplyVariant(const ProductVariant& variant, MirrorChanges* changes) {
  auto old = variants_.find(variant.sku);
  const bool existed = old != variants_.end();
  if (existed) {
    for (int64_t attribute_id : old->second.attributes) {
      EraseFromIndex(attribute_variants_, attribute_id, variant.sku);
    }
  }
  if (variant.deleted) {
    if (existed) {
      variants_.erase(old);
      if (changes != nullptr) {
        changes->removed.insert(variant.sku);
      }
    }
    return;
  }
  variants_[variant.sku] = variant;
  for (int64_t attribute_id : variant.attributes) {
    attribute_variants_[attribute_id].insert(variant.sku);
  }
  if (changes != nullptr) {
    changes->reproject.insert(variant.sku);
  }
}

void ShopMirror::ApplyTranslation(const ProductTranslation& translation, MirrorChanges* changes) {
  if (translation.deleted) {
    translations_.erase(translation.id);
  } else {
    translations_[translation.id] = translation;
  }
  if (changes == nullptr) {
    return;
  }
  if (auto it = translation_products_.find(translation.id); it != translation_products_.end()) {
    for (int64_t product_id : it->second) {
      AddProductVariants(product_id, changes);
    }
  }
}

void ShopMirror::ApplyAttribute(const Attribute& attribute, MirrorChanges* changes) {
  if (auto old = attributes_.find(attribute.id); old != attributes_.end()) {
    EraseFromIndex(type_attributes_, old->second.type, attribute.id);
    attributes_.erase(old);
  }
  if (!attribute.deleted) {
    attributes_[attribute.id] = attribute;
    type_attributes_[attribute.type].insert(attribute.id);
  }
  if (changes != nullptr) {
    AddAttributeVariants(attribute.id, changes);
  }
}

void ShopMirror::ApplyAttributeType(const AttributeType& type, MirrorChanges* changes) {
  if (type.deleted) {
    attribute_types_.erase(type.id);
  } else {
    attribute_types_[type.id] = type;
  }
  if (changes == nullptr) {
    return;
  }
  if (auto it = type_attributes_.find(type.id); it != type_attributes_.end()) {
    for (int64_t attribute_id : it->second) {
      AddAttributeVariants(attribute_id, changes);
    }
  }
}

void ShopMirror::ApplyPrice(const ProductPrice& price, MirrorChanges* changes) {
  auto touch = [&](const std::optional<std::string>& sku) {
    if (changes != nullptr && sku.has_value() && variants_.contains(*sku)) {
      changes->reproject.insert(*sku);
    }
  };
  if (auto old = prices_.find(price.id); old != prices_.end()) {
    if (old->second.product_variant_sku.has_value()) {
      EraseFromIndex(variant_prices_, *old->second.product_variant_sku, price.id);
    }
    touch(old->second.product_variant_sku);
    prices_.erase(old);
  }
  if (price.deleted) {
    return;
  }
  prices_[price.id] = price;
  if (price.product_variant_sku.has_value()) {
    variant_prices_[*price.product_variant_sku].insert(price.id);
  }
  touch(price.product_variant_sku);
}

void ShopMirror::ApplyConfig(const EcosellerConfig& config) {
  ++config_versions_;
  // Latest create_at wins; among equal times the later applied one.
  if (!config_.has_value() || config.create_at >= config_->create_at) {
    config_ = config;
  }
}

}  // namespace recplat::http::ecoseller::shop
