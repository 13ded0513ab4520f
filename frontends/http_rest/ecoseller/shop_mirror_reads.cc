// ShopMirror reads: category walks, variant links and the item projection.
#include <algorithm>
#include <cmath>
#include <deque>

#include "absl/strings/str_cat.h"
#include "core/api/validation.h"
#include "frontends/http_rest/ecoseller/shop_codec.h"
#include "frontends/http_rest/ecoseller/shop_mirror.h"

namespace recplat::http::ecoseller::shop {

using api::Limits;

std::set<int64_t> ShopMirror::Subtree(int64_t category_id) const {
  std::set<int64_t> seen = {category_id};
  std::deque<int64_t> queue = {category_id};
  while (!queue.empty()) {
    const int64_t id = queue.front();
    queue.pop_front();
    auto it = children_.find(id);
    if (it == children_.end()) {
      continue;
    }
    for (int64_t child : it->second) {
      if (seen.insert(child).second) {
        queue.push_back(child);
      }
    }
  }
  return seen;
}

std::vector<std::string> ShopMirror::CategoryLabels(int64_t category_id) const {
  std::vector<std::string> labels;
  std::set<int64_t> seen;
  std::optional<int64_t> current = category_id;
  // The walk follows parent links of stored categories; an unknown parent is still named (its
  // subtree contains this category), and a repeated id (a cycle) ends the walk.
  while (current.has_value() && seen.insert(*current).second &&
         labels.size() < static_cast<size_t>(Limits::kMaxCategories)) {
    labels.push_back(absl::StrCat("category:", *current));
    auto it = categories_.find(*current);
    current = it == categories_.end() ? std::nullopt : it->second.parent_id;
  }
  return labels;
}

std::vector<std::string> ShopMirror::LinkedVariants(int64_t product_id) const {
  std::vector<std::string> skus;
  auto product = products_.find(product_id);
  if (product == products_.end()) {
    return skus;
  }
  std::set<std::string> seen;
  for (const std::string& sku : product->second.product_variants) {
    auto link = variant_product_.find(sku);
    if (variants_.contains(sku) && link != variant_product_.end() && link->second == product_id &&
        seen.insert(sku).second) {
      skus.push_back(sku);
    }
  }
  return skus;
}

void ShopMirror::AddProductVariants(int64_t product_id, MirrorChanges* changes) const {
  for (std::string& sku : LinkedVariants(product_id)) {
    changes->reproject.insert(std::move(sku));
  }
}

void ShopMirror::AddAttributeVariants(int64_t attribute_id, MirrorChanges* changes) const {
  if (auto it = attribute_variants_.find(attribute_id); it != attribute_variants_.end()) {
    for (const std::string& sku : it->second) {
      if (variants_.contains(sku)) {
        changes->reproject.insert(sku);
      }
    }
  }
}

std::optional<double> ShopMirror::PriceOf(const std::string& sku) const {
  auto it = variant_prices_.find(sku);
  if (it == variant_prices_.end()) {
    return std::nullopt;
  }
  const ProductPrice* best = nullptr;
  for (int64_t id : it->second) {  // Ascending ids, so `>=` prefers the larger id on ties.
    const ProductPrice& price = prices_.at(id);
    if (best == nullptr || price.update_at >= best->update_at) {
      best = &price;
    }
  }
  return best == nullptr ? std::nullopt : std::optional<double>(best->price);
}

std::optional<v1::Item> ShopMirror::Project(const std::string& sku,
                                            const std::string& tenant) const {
  auto variant_it = variants_.find(sku);
  if (variant_it == variants_.end()) {
    return std::nullopt;
  }
  const ProductVariant& variant = variant_it->second;
  const Product* product = nullptr;
  if (auto link = variant_product_.find(sku); link != variant_product_.end()) {
    if (auto it = products_.find(link->second); it != products_.end()) {
      product = &it->second;
    }
  }
  v1::Item item;
  item.set_id(sku);
  item.set_tenant(tenant);
  if (product != nullptr) {
    if (auto ids = product_translations_.find(product->id); ids != product_translations_.end()) {
      for (int64_t id : ids->second) {
        if (auto t = translations_.find(id); t != translations_.end()) {
          item.set_title(TruncateUtf8(t->second.title, Limits::kMaxTitleBytes));
          break;
        }
      }
    }
    if (product->category_id.has_value()) {
      for (std::string& label : CategoryLabels(*product->category_id)) {
        item.add_categories(std::move(label));
      }
    }
  }
  auto& numeric = *item.mutable_numeric_attributes();
  auto& categorical = *item.mutable_categorical_attributes();
  if (std::optional<double> price = PriceOf(sku); price.has_value()) {
    numeric["price"] = *price;
  }
  for (int64_t attribute_id : variant.attributes) {
    if (numeric.size() + categorical.size() >= static_cast<size_t>(Limits::kMaxAttributes)) {
      break;
    }
    auto attribute = attributes_.find(attribute_id);
    if (attribute == attributes_.end()) {
      continue;
    }
    const Attribute& a = attribute->second;
    const std::string name = absl::StrCat("attr:", a.type);
    auto type = attribute_types_.find(a.type);
    const bool numerical = type != attribute_types_.end() && type->second.type == "NUMERICAL";
    if (numerical && a.numeric_value.has_value()) {
      categorical.erase(name);
      numeric[name] = *a.numeric_value;
    } else if (!numerical && a.raw_value.has_value()) {
      numeric.erase(name);
      categorical[name] = TruncateUtf8(*a.raw_value, Limits::kMaxAttributeValueBytes);
    }
  }
  const absl::Time published = product != nullptr ? product->create_at : variant.create_at;
  item.set_published_at_ms(std::max<int64_t>(0, absl::ToUnixMillis(published)));
  item.set_available(variant.stock_quantity > 0 && product != nullptr && product->published);
  const double weight = variant.recommendation_weight;
  item.set_recommendation_weight(std::isfinite(weight) && weight > 0 ? weight : 0.0);
  return item;
}

std::optional<VariantView> ShopMirror::Variant(const std::string& sku) const {
  auto it = variants_.find(sku);
  if (it == variants_.end()) {
    return std::nullopt;
  }
  VariantView view;
  view.sku = sku;
  if (auto link = variant_product_.find(sku);
      link != variant_product_.end() && products_.contains(link->second)) {
    view.product_id = link->second;
    view.published = products_.at(link->second).published;
  }
  view.stock_quantity = it->second.stock_quantity;
  view.recommendation_weight = it->second.recommendation_weight;
  return view;
}

ShopCounts ShopMirror::Counts() const {
  ShopCounts counts;
  counts.variants = static_cast<int64_t>(variants_.size());
  counts.orders = static_cast<int64_t>(orders_.size());
  counts.reviews = static_cast<int64_t>(reviews_.size());
  counts.detail_enters = detail_enters_;
  return counts;
}

EcosellerConfig ShopMirror::CurrentConfig() const {
  return config_.has_value() ? *config_ : EcosellerConfig{};
}

std::vector<std::pair<int64_t, std::vector<std::string>>> ShopMirror::ProductsInCategory(
    int64_t category_id) const {
  std::set<int64_t> product_ids;
  for (int64_t id : Subtree(category_id)) {
    if (auto it = category_products_.find(id); it != category_products_.end()) {
      product_ids.insert(it->second.begin(), it->second.end());
    }
  }
  std::vector<std::pair<int64_t, std::vector<std::string>>> out;
  out.reserve(product_ids.size());
  for (int64_t id : product_ids) {
    out.emplace_back(id, LinkedVariants(id));
  }
  return out;
}

}  // namespace recplat::http::ecoseller::shop
