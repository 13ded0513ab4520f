// File: retention.h (internal to core/state)
//
// RetentionIndex: the live items of one tenant ordered the two ways catalog retention needs
// (rank by RetentionOrder, and publication time), so that after each upsert the items to delete
// are found without scanning the catalog. Pure in-memory; the state store keeps one per tenant
// when retention is enabled and rebuilds it from the items column family when it opens.
//
// Thread-safety: none; only the state store's apply path uses it.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "core/state/state_store.h"

namespace recplat::state::internal {

class RetentionIndex {
 public:
  explicit RetentionIndex(RetentionOrder order) : order_(order) {}

  // Adds or replaces the live item at `index`.
  void Insert(uint32_t index, absl::string_view id, int64_t published_at_ms);
  // Removes `index` (no-op when absent).
  void Erase(uint32_t index);
  size_t size() const { return entries_.size(); }

  // The ids of the live items that retention deletes now, in the order to delete them: first
  // every item published more than max_age_hours before the newest one (oldest first), then the
  // lowest ranked ones until at most max_items remain. Deterministic: a function of the indexed
  // items.
  std::vector<std::string> Evictions(const RetentionOptions& options) const;

 private:
  // (class, value, index): non-numeric ids are class 0 and rank below every numeric one.
  using Rank = std::tuple<int, int64_t, uint32_t>;
  struct Entry {
    Rank rank;
    int64_t published_at_ms = 0;
    std::string id;
  };

  Rank RankOf(uint32_t index, absl::string_view id, int64_t published_at_ms) const;

  const RetentionOrder order_;
  absl::flat_hash_map<uint32_t, Entry> entries_;
  std::set<Rank> by_rank_;
  std::set<std::pair<int64_t, uint32_t>> by_published_;
};

}  // namespace recplat::state::internal
