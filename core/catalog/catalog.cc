#include "core/catalog/catalog.h"

#include <mutex>

namespace recplat::catalog {

uint32_t Catalog::NextIndex() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return static_cast<uint32_t>(ids_.size());
}

uint32_t Catalog::InternCategoryLocked(const std::string& name) {
  auto it = category_index_.find(name);
  if (it != category_index_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(category_names_.size());
  category_names_.push_back(name);
  category_index_.emplace(name, id);
  return id;
}

void Catalog::RemoveFromIndexesLocked(uint32_t idx) {
  ItemMeta& m = meta_[idx];
  if (m.live) {
    --live_count_;
    recency_.erase({m.published_at_ms, idx});
  }
  if (m.recommendable) --recommendable_count_;
  m.live = false;
  m.recommendable = false;
}

void Catalog::Set(uint32_t idx, absl::string_view id, bool live, bool available, float weight,
                  int64_t published_at_ms, const std::vector<std::string>& categories) {
  std::unique_lock<std::shared_mutex> lock(mu_);
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
  if (m.live) {
    ++live_count_;
    recency_.insert({published_at_ms, idx});
  }
  if (m.recommendable) ++recommendable_count_;
}

void Catalog::Delete(uint32_t idx) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (idx >= meta_.size()) return;
  RemoveFromIndexesLocked(idx);
}

}  // namespace recplat::catalog
