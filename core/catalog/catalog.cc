#include "core/catalog/catalog.h"

#include <algorithm>
#include <mutex>

namespace recplat::catalog {
namespace {

uint64_t ValueKey(uint32_t attribute, uint32_t value) {
  return (uint64_t{attribute} << 32) | value;
}

// Inserts `idx` into the ascending `list` (no duplicates).
void InsertSorted(std::vector<uint32_t>* list, uint32_t idx) {
  auto it = std::lower_bound(list->begin(), list->end(), idx);
  if (it == list->end() || *it != idx) list->insert(it, idx);
}

void EraseSorted(std::vector<uint32_t>* list, uint32_t idx) {
  auto it = std::lower_bound(list->begin(), list->end(), idx);
  if (it != list->end() && *it == idx) list->erase(it);
}

const std::vector<uint32_t>& EmptyList() {
  static const std::vector<uint32_t> empty;
  return empty;
}

}  // namespace

const std::vector<uint32_t>& Catalog::Reader::ItemsWithValue(uint32_t attribute,
                                                             uint32_t value) const {
  auto it = c_.value_items_.find(ValueKey(attribute, value));
  return it == c_.value_items_.end() ? EmptyList() : it->second;
}

uint32_t Catalog::NextIndex() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return static_cast<uint32_t>(ids_.size());
}

uint32_t Catalog::InternLocked(absl::string_view name, std::vector<std::string>* names,
                               absl::flat_hash_map<std::string, uint32_t>* index) {
  auto it = index->find(name);
  if (it != index->end()) return it->second;
  uint32_t id = static_cast<uint32_t>(names->size());
  names->emplace_back(name);
  index->emplace(std::string(name), id);
  return id;
}

uint32_t Catalog::InternCategoryLocked(const std::string& name) {
  uint32_t id = InternLocked(name, &category_names_, &category_index_);
  if (category_items_.size() <= id) category_items_.resize(id + 1);
  return id;
}

void Catalog::RemoveFromIndexesLocked(uint32_t idx) {
  ItemMeta& m = meta_[idx];
  if (m.live) {
    --live_count_;
    recency_.erase({m.published_at_ms, idx});
    for (uint32_t c : m.categories) EraseSorted(&category_items_[c], idx);
    for (const auto& [attribute, value] : m.categorical) {
      auto it = value_items_.find(ValueKey(attribute, value));
      if (it == value_items_.end()) continue;
      EraseSorted(&it->second, idx);
      if (it->second.empty()) value_items_.erase(it);
    }
  }
  if (m.recommendable) --recommendable_count_;
  m.live = false;
  m.recommendable = false;
}

void Catalog::AddToIndexesLocked(uint32_t idx) {
  const ItemMeta& m = meta_[idx];
  if (!m.live) return;
  ++live_count_;
  recency_.insert({m.published_at_ms, idx});
  for (uint32_t c : m.categories) InsertSorted(&category_items_[c], idx);
  for (const auto& [attribute, value] : m.categorical) {
    InsertSorted(&value_items_[ValueKey(attribute, value)], idx);
  }
}

void Catalog::Set(uint32_t idx, absl::string_view id, bool live, bool available, float weight,
                  int64_t published_at_ms, const std::vector<std::string>& categories,
                  const ItemAttributes& attributes) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  SetLocked(idx, id, live, available, weight, published_at_ms, categories, attributes);
}

void Catalog::SetLocked(uint32_t idx, absl::string_view id, bool live, bool available,
                        float weight, int64_t published_at_ms,
                        const std::vector<std::string>& categories,
                        const ItemAttributes& attributes) {
  if (idx == ids_.size()) {
    ids_.emplace_back(id);
    meta_.emplace_back();
    index_.emplace(std::string(id), idx);
  } else if (idx > ids_.size()) {
    // Gaps never happen: the store assigns indices densely. Fill defensively so the invariant
    // size() == max index + 1 holds.
    while (ids_.size() < idx) {
      ids_.emplace_back();
      meta_.emplace_back();
    }
    ids_.emplace_back(id);
    meta_.emplace_back();
    index_.emplace(std::string(id), idx);
  }
  RemoveFromIndexesLocked(idx);
  ItemMeta& m = meta_[idx];
  m.live = live;
  m.recommendable = live && available;
  m.weight = weight;
  m.published_at_ms = published_at_ms;
  m.categories.clear();
  for (const std::string& c : categories) m.categories.push_back(InternCategoryLocked(c));
  m.numeric.clear();
  for (const auto& [name, value] : attributes.numeric) {
    m.numeric.emplace_back(InternLocked(name, &attribute_names_, &attribute_index_), value);
  }
  std::sort(m.numeric.begin(), m.numeric.end());
  m.categorical.clear();
  for (const auto& [name, value] : attributes.categorical) {
    m.categorical.emplace_back(InternLocked(name, &attribute_names_, &attribute_index_),
                               InternLocked(value, &value_names_, &value_index_));
  }
  std::sort(m.categorical.begin(), m.categorical.end());
  AddToIndexesLocked(idx);
  if (m.recommendable) ++recommendable_count_;
}

void Catalog::Delete(uint32_t idx) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (idx >= meta_.size()) return;
  RemoveFromIndexesLocked(idx);
}

}  // namespace recplat::catalog
