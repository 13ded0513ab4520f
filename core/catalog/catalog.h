// File: catalog.h
//
// Catalog: the in-memory view of one tenant's items that serving needs on every request: the
// external id <-> dense index mapping, availability, recommendation weight, publication time,
// categories and attributes (for catalog queries, see catalog_query.h). The state store keeps it
// in step with RocksDB (it is rebuilt on open and updated after every applied batch); models and
// the engine read it.
//
// For queries, the live items of every category label and of every categorical attribute value
// are indexed (ascending dense indices), so a query touches only the items of its most selective
// indexed clause.
//
// Dense indices are assigned once per tenant (0, 1, 2, ...) and never reused; a deleted item
// keeps its index (with `live == false`) and gets it back if upserted again.
//
// Thread-safety: any number of readers, one writer (the materializer). Readers hold a
// Catalog::Reader (a shared lock) for the duration of one request; they must not keep it longer
// or call back into anything that writes.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace recplat::catalog {

// What the catalog knows of one item.
struct ItemMeta {
  // False once deleted (or for an index that was never filled).
  bool live = false;
  // Live and available (in stock, published).
  bool recommendable = false;
  float weight = 1.0f;
  int64_t published_at_ms = 0;
  // Interned category ids (see Catalog::CategoryName), in the item's order.
  std::vector<uint32_t> categories;
  // Numeric attributes as (interned attribute id, value), ascending attribute id.
  std::vector<std::pair<uint32_t, double>> numeric;
  // Categorical attributes as (interned attribute id, interned value id), ascending attribute id.
  std::vector<std::pair<uint32_t, uint32_t>> categorical;
};

// The attributes of an item as written (names and values), for Catalog::Set.
struct ItemAttributes {
  std::vector<std::pair<std::string, double>> numeric;
  std::vector<std::pair<std::string, std::string>> categorical;
};

// Interned id of a name the catalog has never seen.
inline constexpr uint32_t kUnknownName = 0xffffffffu;

class Catalog {
 public:
  // Order of items by publication time, newest first; ties by index descending.
  using RecencyIndex = std::set<std::pair<int64_t, uint32_t>, std::greater<>>;

  // A read lock on the catalog with the read operations. Cheap to take; hold it for one request.
  class Reader {
   public:
    explicit Reader(const Catalog& c) : c_(c), lock_(c.mu_) {}

    // Number of dense indices assigned so far (live or not).
    uint32_t size() const { return static_cast<uint32_t>(c_.ids_.size()); }
    // Number of live items.
    uint32_t live_count() const { return c_.live_count_; }
    // Number of live, available items.
    uint32_t recommendable_count() const { return c_.recommendable_count_; }

    // Index of an external id, whether live or not; nullopt when never seen.
    std::optional<uint32_t> Find(absl::string_view id) const {
      auto it = c_.index_.find(id);
      if (it == c_.index_.end()) return std::nullopt;
      return it->second;
    }
    // REQUIRES: idx < size().
    const std::string& Id(uint32_t idx) const { return c_.ids_[idx]; }
    const ItemMeta& Meta(uint32_t idx) const { return c_.meta_[idx]; }
    bool Recommendable(uint32_t idx) const {
      return idx < c_.meta_.size() && c_.meta_[idx].recommendable;
    }
    const std::string& CategoryName(uint32_t category) const { return c_.category_names_[category]; }
    // Live items, newest first.
    const RecencyIndex& NewestFirst() const { return c_.recency_; }

    // Interned ids of a category label, an attribute name (numeric or categorical) and a
    // categorical value; kUnknownName when no item ever had it.
    uint32_t FindCategory(absl::string_view name) const { return Lookup(c_.category_index_, name); }
    uint32_t FindAttribute(absl::string_view name) const {
      return Lookup(c_.attribute_index_, name);
    }
    uint32_t FindValue(absl::string_view value) const { return Lookup(c_.value_index_, value); }
    // Live items labelled with `category`, ascending. REQUIRES: a valid category id.
    const std::vector<uint32_t>& ItemsInCategory(uint32_t category) const {
      return c_.category_items_[category];
    }
    // Live items whose categorical attribute `attribute` is `value`, ascending (empty if none).
    const std::vector<uint32_t>& ItemsWithValue(uint32_t attribute, uint32_t value) const;

   private:
    static uint32_t Lookup(const absl::flat_hash_map<std::string, uint32_t>& index,
                           absl::string_view name) {
      auto it = index.find(name);
      return it == index.end() ? kUnknownName : it->second;
    }

    const Catalog& c_;
    std::shared_lock<std::shared_mutex> lock_;
  };

  Catalog() = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  Reader Read() const { return Reader(*this); }

  // --- Writer side: only the state store calls these. ---

  // Index the next new item would get.
  uint32_t NextIndex() const;
  // Sets (creates or replaces) the entry for `idx`. REQUIRES: idx <= NextIndex(); when equal, a
  // new index is appended.
  void Set(uint32_t idx, absl::string_view id, bool live, bool available, float weight,
           int64_t published_at_ms, const std::vector<std::string>& categories,
           const ItemAttributes& attributes = {});
  // Marks `idx` deleted (not live). No-op for unknown indices.
  void Delete(uint32_t idx);

  // A writer holding the write lock for its lifetime: readers see every Set made through it or
  // none (an EOSC dump replaces the catalogue at once). Same contract as Catalog::Set.
  class Batch {
   public:
    explicit Batch(Catalog& c) : c_(c), lock_(c.mu_) {}
    void Set(uint32_t idx, absl::string_view id, bool live, bool available, float weight,
             int64_t published_at_ms, const std::vector<std::string>& categories,
             const ItemAttributes& attributes = {}) {
      c_.SetLocked(idx, id, live, available, weight, published_at_ms, categories, attributes);
    }

   private:
    Catalog& c_;
    std::unique_lock<std::shared_mutex> lock_;
  };

 private:
  void SetLocked(uint32_t idx, absl::string_view id, bool live, bool available, float weight,
                 int64_t published_at_ms, const std::vector<std::string>& categories,
                 const ItemAttributes& attributes);
  uint32_t InternCategoryLocked(const std::string& name);
  static uint32_t InternLocked(absl::string_view name, std::vector<std::string>* names,
                               absl::flat_hash_map<std::string, uint32_t>* index);
  void RemoveFromIndexesLocked(uint32_t idx);
  void AddToIndexesLocked(uint32_t idx);

  mutable std::shared_mutex mu_;
  std::vector<std::string> ids_;
  std::vector<ItemMeta> meta_;
  absl::flat_hash_map<std::string, uint32_t> index_;
  std::vector<std::string> category_names_;
  absl::flat_hash_map<std::string, uint32_t> category_index_;
  RecencyIndex recency_;
  // Names of numeric and categorical attributes, and categorical values.
  std::vector<std::string> attribute_names_;
  absl::flat_hash_map<std::string, uint32_t> attribute_index_;
  std::vector<std::string> value_names_;
  absl::flat_hash_map<std::string, uint32_t> value_index_;
  // Live items per category id, ascending.
  std::vector<std::vector<uint32_t>> category_items_;
  // Live items per categorical (attribute id << 32 | value id), ascending.
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> value_items_;
  uint32_t live_count_ = 0;
  uint32_t recommendable_count_ = 0;
};

}  // namespace recplat::catalog
