// ShopCatalog reads: category walks, variant ownership and the item projection.
#include <algorithm>
#include <cmath>
#include <deque>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/shop/shop_catalog.h"

namespace recplat::shop {
namespace {

// The limits of an item (core/api/validation.h Limits), which projected items must respect.
constexpr size_t kMaxTitleBytes = 4 << 10;
constexpr size_t kMaxCategories = 256;
constexpr size_t kMaxAttributes = 256;
constexpr size_t kMaxAttributeValueBytes = 256;

// The longest prefix of `text` of at most `max` bytes that does not split a UTF-8 sequence.
std::string TruncateUtf8(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

std::optional<double> ParseFinite(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  double value = 0;
  if (text.empty() || !absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::set<int64_t> ShopCatalog::Subtree(int64_t category_id) const {
  std::set<int64_t> seen = {category_id};
  std::deque<int64_t> queue = {category_id};
  while (!queue.empty()) {
    const int64_t id = queue.front();
    queue.pop_front();
    auto it = children_.find(id);
    if (it == children_.end()) continue;
    for (int64_t child : it->second) {
      if (seen.insert(child).second) queue.push_back(child);
    }
  }
  return seen;
}

std::vector<std::string> ShopCatalog::CategoryLabels(int64_t category_id) const {
  std::vector<std::string> labels;
  std::set<int64_t> seen;
  std::optional<int64_t> current = category_id;
  // Follows parent links of stored categories; an unknown parent is still named (its subtree
  // contains this category), and a repeated id (a cycle) ends the walk.
  while (current.has_value() && seen.insert(*current).second && labels.size() < kMaxCategories) {
    labels.push_back(absl::StrCat("category:", *current));
    auto it = categories_.find(*current);
    current = it != categories_.end() && it->second.has_parent_id()
                  ? std::optional<int64_t>(it->second.parent_id())
                  : std::nullopt;
  }
  return labels;
}

std::optional<int64_t> ShopCatalog::OwnerOf(const std::string& sku) const {
  auto it = sku_products_.find(sku);
  if (it == sku_products_.end()) return std::nullopt;
  std::optional<int64_t> owner;
  uint64_t owner_seq = 0;
  for (int64_t id : it->second) {  // Ascending ids: on equal sequence numbers the larger id wins.
    const uint64_t seq = products_.at(id).seq;
    if (!owner.has_value() || seq >= owner_seq) {
      owner = id;
      owner_seq = seq;
    }
  }
  return owner;
}

std::vector<std::string> ShopCatalog::OwnedVariants(int64_t product_id) const {
  std::vector<std::string> skus;
  auto product = products_.find(product_id);
  if (product == products_.end()) return skus;
  std::set<std::string> seen;
  for (const std::string& sku : product->second.entity.variant_skus()) {
    if (variants_.contains(sku) && OwnerOf(sku) == product_id && seen.insert(sku).second) {
      skus.push_back(sku);
    }
  }
  return skus;
}

void ShopCatalog::AddListedVariants(int64_t product_id, ShopChanges* changes) const {
  auto product = products_.find(product_id);
  if (product == products_.end()) return;
  for (const std::string& sku : product->second.entity.variant_skus()) {
    if (variants_.contains(sku)) changes->reproject.insert(sku);
  }
}

void ShopCatalog::AddAttributeVariants(int64_t attribute_id, ShopChanges* changes) const {
  auto it = attribute_variants_.find(attribute_id);
  if (it == attribute_variants_.end()) return;
  for (const std::string& sku : it->second) changes->reproject.insert(sku);
}

std::optional<double> ShopCatalog::PriceOf(const std::string& sku) const {
  auto it = variant_prices_.find(sku);
  if (it == variant_prices_.end()) return std::nullopt;
  const v1::ShopPrice* best = nullptr;
  for (int64_t id : it->second) {  // Ascending ids, so `>=` prefers the larger id on ties.
    const v1::ShopPrice& price = prices_.at(id);
    if (best == nullptr || price.updated_at_ms() >= best->updated_at_ms()) best = &price;
  }
  return best == nullptr ? std::nullopt : std::optional<double>(best->price());
}

std::optional<v1::Item> ShopCatalog::Project(const std::string& sku,
                                             const std::string& tenant) const {
  auto variant_it = variants_.find(sku);
  if (variant_it == variants_.end()) return std::nullopt;
  const v1::ShopVariant& variant = variant_it->second;
  const v1::ShopProduct* product = nullptr;
  if (std::optional<int64_t> owner = OwnerOf(sku)) product = &products_.at(*owner).entity;

  v1::Item item;
  item.set_id(sku);
  item.set_tenant(tenant);
  auto& numeric = *item.mutable_numeric_attributes();
  auto& categorical = *item.mutable_categorical_attributes();
  if (product != nullptr) {
    for (int64_t id : product->translation_ids()) {
      if (auto t = translations_.find(id); t != translations_.end()) {
        item.set_title(TruncateUtf8(t->second.title(), kMaxTitleBytes));
        break;
      }
    }
    if (product->has_category_id()) {
      for (std::string& label : CategoryLabels(product->category_id())) {
        item.add_categories(std::move(label));
      }
    }
    categorical["product_id"] = absl::StrCat(product->id());
    item.set_published_at_ms(std::max<int64_t>(0, product->created_at_ms()));
  }
  numeric["stock_quantity"] = static_cast<double>(variant.stock_quantity());
  if (std::optional<double> price = PriceOf(sku)) numeric["price"] = *price;
  for (int64_t attribute_id : variant.attribute_ids()) {
    if (numeric.size() + categorical.size() >= kMaxAttributes) break;
    auto attribute = attributes_.find(attribute_id);
    if (attribute == attributes_.end() || !attribute->second.has_raw_value()) continue;
    const v1::ShopAttribute& a = attribute->second;
    const std::string name = absl::StrCat("attr:", a.type_id());
    auto type = attribute_types_.find(a.type_id());
    const bool numerical = type != attribute_types_.end() && type->second.numerical();
    if (numerical) {
      // A NUMERICAL attribute whose raw value is not a finite number gives no attribute.
      if (std::optional<double> value = ParseFinite(a.raw_value())) {
        categorical.erase(name);
        numeric[name] = *value;
      }
    } else {
      numeric.erase(name);
      categorical[name] = TruncateUtf8(a.raw_value(), kMaxAttributeValueBytes);
    }
  }
  item.set_available(variant.stock_quantity() > 0);
  const double weight = variant.recommendation_weight();
  item.set_recommendation_weight(std::isfinite(weight) && weight > 0 ? weight : 0.0);
  item.set_live(product != nullptr && product->published());
  return item;
}

std::vector<std::pair<int64_t, std::vector<std::string>>> ShopCatalog::ProductsInCategory(
    int64_t category_id) const {
  std::set<int64_t> product_ids;
  for (int64_t id : Subtree(category_id)) {
    if (auto it = category_products_.find(id); it != category_products_.end()) {
      product_ids.insert(it->second.begin(), it->second.end());
    }
  }
  std::vector<std::pair<int64_t, std::vector<std::string>>> out;
  out.reserve(product_ids.size());
  for (int64_t id : product_ids) out.emplace_back(id, OwnedVariants(id));
  return out;
}

}  // namespace recplat::shop
