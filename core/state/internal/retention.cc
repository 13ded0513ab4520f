#include "core/state/internal/retention.h"

#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"

namespace recplat::state::internal {

RetentionIndex::Rank RetentionIndex::RankOf(uint32_t index, absl::string_view id,
                                            int64_t published_at_ms) const {
  if (order_ == RetentionOrder::kPublishedAt) return {1, published_at_ms, index};
  int64_t value = 0;
  if (absl::SimpleAtoi(id, &value)) return {1, value, index};
  return {0, 0, index};
}

void RetentionIndex::Insert(uint32_t index, absl::string_view id, int64_t published_at_ms) {
  Erase(index);
  Entry e{RankOf(index, id, published_at_ms), published_at_ms, std::string(id)};
  by_rank_.insert(e.rank);
  by_published_.insert({published_at_ms, index});
  entries_.emplace(index, e);
}

void RetentionIndex::Erase(uint32_t index) {
  auto it = entries_.find(index);
  if (it == entries_.end()) return;
  by_rank_.erase(it->second.rank);
  by_published_.erase({it->second.published_at_ms, index});
  entries_.erase(it);
}

std::vector<std::string> RetentionIndex::Evictions(const RetentionOptions& options) const {
  std::vector<std::string> out;
  if (entries_.empty()) return out;
  absl::flat_hash_set<uint32_t> aged;
  if (options.max_age_hours > 0) {
    const int64_t newest = by_published_.rbegin()->first;
    const int64_t max_age_ms = std::llround(options.max_age_hours * 3600.0 * 1000.0);
    const int64_t cutoff = newest - max_age_ms;
    for (const auto& [published, index] : by_published_) {
      if (published >= cutoff) break;
      out.push_back(entries_.at(index).id);
      aged.insert(index);
    }
  }
  if (options.max_items > 0) {
    size_t remaining = entries_.size() - aged.size();
    for (auto it = by_rank_.begin();
         it != by_rank_.end() && remaining > static_cast<size_t>(options.max_items); ++it) {
      const uint32_t index = std::get<2>(*it);
      if (aged.contains(index)) continue;
      out.push_back(entries_.at(index).id);
      --remaining;
    }
  }
  return out;
}

}  // namespace recplat::state::internal
