// File: apply_batch.h (internal to core/state)
//
// ApplyBatch: the effects of one RocksDbStateStore::Apply() call, accumulated in one RocksDB
// WriteBatch and in-memory pending maps before they are written. Lookups see the batch's own
// earlier writes first (an item upserted and then used by an event in the same batch; an event
// id applied earlier in the batch). Commit() writes the batch atomically with the applied offset
// and then publishes the in-memory mirrors (catalogs, tenant counters, event types, dormant
// sets).
//
// The shop catalogs and retention indexes of the store are changed as records are added (later
// records must see them); when the batch is dropped without Commit(), the store reloads them.
//
// Implemented in state_apply.cc (dispatch, commit, users, documents, events), state_apply_items.cc
// (items, retention, named counters) and state_apply_shop.cc (shop entities).
//
// Thread-safety: used by one Apply() call, under the store's apply_mu_.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/state/rocksdb_state_store.h"
#include "rocksdb/write_batch.h"

namespace recplat::state {

class ApplyBatch {
 public:
  explicit ApplyBatch(RocksDbStateStore* store) : s_(*store) {}

  absl::Status Add(uint64_t offset, const v1::LogRecord& r);
  absl::Status Commit(uint64_t applied_offset);
  // What the batch applied (complete once Commit() succeeded).
  const ApplyReport& report() const { return report_; }

 private:
  struct CatalogUpdate {
    std::string tenant;
    v1::StoredItem stored;
  };

  static bool IsLive(const v1::StoredItem& s) { return !s.deleted() && !s.dormant(); }

  // --- state_apply.cc ---
  void Put(RocksDbStateStore::Cf cf, const std::string& key, const std::string& value);
  void Delete(RocksDbStateStore::Cf cf, const std::string& key);
  absl::Status Read(RocksDbStateStore::Cf cf, const std::string& key, std::string* value,
                    bool* found) const;
  internal::TenantMeta& Tenant(const std::string& tenant);
  uint16_t TypeId(const std::string& name);
  absl::StatusOr<v1::User*> FindOrCreateUser(const std::string& tenant, const std::string& id,
                                             int64_t ts_ms);
  absl::Status AddUserUpsert(const v1::User& in, int64_t appended_at_ms);
  absl::Status AddRecList(const v1::RecList& list);
  absl::Status AddDocument(const v1::Document& doc, int64_t appended_at_ms);
  // Whether (tenant, event_id) was applied before (recording it when not).
  absl::StatusOr<bool> IsDuplicateEvent(const std::string& tenant, const std::string& event_id,
                                        uint64_t offset);
  absl::Status AddEvent(uint64_t offset, const v1::Event& ev);
  absl::Status BumpCounter(const std::string& tenant, uint32_t item, uint16_t type, int64_t ts);

  // --- state_apply_items.cc ---
  // The stored item (from this batch, else RocksDB), or nullptr when it never existed.
  absl::StatusOr<v1::StoredItem*> FindItem(const std::string& key);
  uint32_t NextItemIndex(const std::string& tenant);
  // Replaces the content of (in.tenant, in.id), creating it when new; `dormant` marks it known
  // but not live. Then applies retention.
  absl::Status UpsertItem(const v1::Item& in, int64_t appended_at_ms, bool dormant);
  // The item an event or counter names, created (live, published at `ts_ms`) when unknown.
  absl::StatusOr<v1::StoredItem*> FindOrCreateItem(const std::string& tenant,
                                                   const std::string& id, int64_t ts_ms);
  // Deletes the item (no-op when unknown or deleted).
  absl::Status MarkDeleted(const std::string& tenant, const std::string& id);
  // Makes a live item dormant (no-op when unknown, deleted or dormant).
  absl::Status MarkDormant(const std::string& tenant, const std::string& id);
  // Records the new state of items_[key] (index, catalog update, live count, retention index)
  // and applies retention when it is live.
  absl::Status Stored(const std::string& tenant, const std::string& key, bool is_new,
                      bool was_live);
  absl::Status ApplyRetention(const std::string& tenant, internal::RetentionIndex& index);
  internal::RetentionIndex* Retention(const std::string& tenant);
  absl::Status AddCounter(const v1::CounterUpdate& update, int64_t appended_at_ms);

  // --- state_apply_shop.cc ---
  absl::Status AddShopEntity(uint64_t offset, const v1::ShopEntity& entity,
                             int64_t appended_at_ms);

  RocksDbStateStore& s_;
  rocksdb::WriteBatch wb_;
  absl::Status write_status_;
  absl::flat_hash_map<std::string, internal::TenantMeta> tenants_;
  absl::flat_hash_map<std::string, uint16_t> new_types_;
  absl::node_hash_map<std::string, v1::StoredItem> items_;
  absl::flat_hash_map<std::string, uint32_t> next_item_;
  absl::node_hash_map<std::string, v1::User> users_;
  absl::flat_hash_map<std::string, internal::CounterValue> counters_;
  // Named counters by key (internal::ItemCounterPrefix + name).
  absl::flat_hash_map<std::string, double> item_counters_;
  // Event-id keys (tenant, id) applied in this batch.
  absl::flat_hash_set<std::string> event_ids_;
  // Activity slots (user and session ids of applied events) -> the newest offset in the batch.
  absl::flat_hash_map<size_t, uint64_t> activity_;
  // Versions of the documents this batch wrote (nullopt: deleted), for versioned puts.
  absl::flat_hash_map<std::string, std::optional<int64_t>> doc_versions_;
  std::vector<CatalogUpdate> catalog_updates_;
  ApplyReport report_;
};

}  // namespace recplat::state
