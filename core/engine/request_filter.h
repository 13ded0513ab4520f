// File: request_filter.h
//
// RequestFilter: the CandidateFilter of one recommendation request. An item is excluded when it
// is not recommendable (deleted or unavailable, if the surface filters those), was explicitly
// excluded or is an anchor, was seen by the user or session (if the surface excludes seen
// items), was already recommended to the user (if the surface excludes those), or lies outside
// the request's candidate restriction.
//
// Thread-safety: used by one request thread; holds a pointer to the request's catalog reader.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "core/catalog/catalog.h"
#include "core/models/model.h"

namespace recplat::engine {

class RequestFilter final : public models::CandidateFilter {
 public:
  // `catalog` is not owned and must outlive the filter.
  RequestFilter(const catalog::Catalog::Reader& catalog, bool exclude_unavailable)
      : catalog_(catalog), exclude_unavailable_(exclude_unavailable) {}

  void Exclude(uint32_t item) { excluded_.insert(item); }
  // Restricts results to `allowed` (ascending, no duplicates, each < the catalog's size); an
  // empty list allows nothing. Called at most once.
  void Restrict(std::vector<uint32_t> allowed) {
    restricted_ = true;
    allowed_mask_.assign(catalog_.size(), false);
    for (uint32_t item : allowed) allowed_mask_[item] = true;
    allowed_ = std::move(allowed);
  }
  bool restricted() const { return restricted_; }
  // The allowed items, ascending (empty unless restricted()).
  const std::vector<uint32_t>& allowed() const { return allowed_; }

  bool Excluded(uint32_t item) const override {
    if (item >= catalog_.size()) return true;
    const catalog::ItemMeta& m = catalog_.Meta(item);
    if (!m.live) return true;
    if (exclude_unavailable_ && !m.recommendable) return true;
    if (restricted_ && !allowed_mask_[item]) return true;
    return excluded_.contains(item);
  }

 private:
  const catalog::Catalog::Reader& catalog_;
  const bool exclude_unavailable_;
  bool restricted_ = false;
  absl::flat_hash_set<uint32_t> excluded_;
  std::vector<uint32_t> allowed_;
  // allowed_mask_[i]: item i is allowed (sized to the catalog when restricted).
  std::vector<bool> allowed_mask_;
};

}  // namespace recplat::engine
