// File: rocksdb_state_store.h (internal to core/state)
//
// The RocksDB implementation of StateStore. Declared in a header only so that its translation
// units (opening and reads in rocksdb_state_store.cc, state_load.cc and state_documents.cc,
// Apply in state_apply*.cc) share it; other modules use StateStore and OpenRocksDbStateStore().
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "core/shop/shop_catalog.h"
#include "core/state/internal/keys.h"
#include "core/state/internal/retention.h"
#include "core/state/state_store.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"

namespace recplat::state {

class RocksDbStateStore final : public StateStore {
 public:
  // Column family handles, in this order.
  enum Cf { kMeta = 0, kItems, kItemIdx, kUsers, kHistory, kSessions, kCounters, kServed, kRecs,
            kDocs, kEventIds, kItemCounters, kServedLists, kEvents, kNumCfs };

  static absl::StatusOr<std::unique_ptr<StateStore>> Open(const StateStoreOptions& options);
  ~RocksDbStateStore() override;

  using StateStore::Apply;
  absl::Status Apply(std::span<const OffsetRecord> records, ApplyReport* report) override;
  uint64_t AppliedOffset() const override;
  absl::Status RecordServed(absl::string_view tenant, absl::string_view user_id,
                            std::span<const ServedItem> items, int64_t timestamp_ms) override;
  absl::Status RecordServedLists(std::span<const v1::ServedList> lists) override;
  absl::Status PruneServedLists(int64_t before_ms) override;
  const catalog::Catalog* FindCatalog(absl::string_view tenant) const override;
  absl::StatusOr<v1::Item> GetItem(absl::string_view tenant, absl::string_view id) const override;
  absl::Status GetItemsWithoutCounts(absl::string_view tenant, const std::vector<std::string>& ids,
                                     std::vector<std::optional<v1::Item>>* out) const override;
  bool ItemKnown(absl::string_view tenant, absl::string_view id) const override;
  absl::Status ListItems(absl::string_view tenant, uint32_t start, int page_size,
                         std::vector<v1::Item>* out, uint32_t* next) const override;
  absl::Status ListItems(absl::string_view tenant, const v1::CatalogQuery& query, uint32_t start,
                         int page_size, std::vector<v1::Item>* out, uint32_t* next) const override;
  absl::StatusOr<v1::User> GetUser(absl::string_view tenant, absl::string_view id) const override;
  absl::Status UserHistory(absl::string_view tenant, absl::string_view user_id, size_t limit,
                           std::vector<HistoryEntry>* out) const override;
  absl::Status SessionHistory(absl::string_view tenant, absl::string_view session_id, size_t limit,
                              std::vector<HistoryEntry>* out) const override;
  absl::Status ServedItems(absl::string_view tenant, absl::string_view user_id,
                           std::vector<uint32_t>* out) const override;
  absl::Status ScanServed(absl::string_view tenant, const ServedListScan& scan,
                          std::vector<v1::ServedList>* out,
                          std::string* next_page_token) const override;
  absl::Status ScanEvents(absl::string_view tenant, absl::string_view type, int64_t from_ms,
                          int64_t to_ms,
                          const std::function<void(const v1::Event&)>& fn) const override;
  absl::StatusOr<v1::RecList> GetRecList(absl::string_view tenant,
                                         absl::string_view key) const override;
  absl::Status GetDocuments(absl::string_view tenant, absl::string_view collection,
                            std::span<const std::string> keys,
                            std::vector<v1::Document>* out) const override;
  absl::Status ScanDocuments(absl::string_view tenant, absl::string_view collection,
                             absl::string_view prefix, absl::string_view start_key, size_t limit,
                             bool keys_only, bool reverse, std::vector<v1::Document>* out,
                             std::string* next_key) const override;
  double Counter(absl::string_view tenant, uint32_t item, uint16_t type) const override;
  std::string EventTypeName(uint16_t type) const override;
  int EventTypeId(absl::string_view name) const override;
  absl::StatusOr<uint64_t> ScanInteractions(
      absl::string_view tenant, uint32_t* num_users,
      const std::function<void(const HistoryEntry&)>& fn) const override;
  std::vector<TenantStats> Stats() const override;
  uint64_t EventCount(absl::string_view tenant, absl::string_view type) const override;
  uint64_t LiveItemCount(absl::string_view tenant) const override;
  uint64_t ActivityStamp(absl::string_view tenant, absl::string_view id) const override;
  absl::Status Flush() override;
  common::DatabaseMemory MemoryUsage() const override;

 private:
  RocksDbStateStore(const StateStoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                    std::vector<rocksdb::ColumnFamilyHandle*> handles,
                    std::shared_ptr<rocksdb::Cache> cache);

  // Loads applied offset, event types, tenant metas and catalogs. Called once by Open().
  absl::Status LoadMemoryState();
  // Rebuilds the state only the apply path reads (shop catalogs from the "_shop.*" documents and
  // product sequence numbers, retention indexes from the items) from RocksDB. Called at open,
  // and before the next Apply() after one failed (a failed batch may have changed them).
  absl::Status LoadApplyState() ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  absl::Status LoadShopCatalogs() ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  absl::Status LoadRetentionIndexes() ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Reads a history-like column family (history or sessions) under `prefix`.
  absl::Status ReadHistory(Cf cf, const std::string& prefix, size_t limit,
                           std::vector<HistoryEntry>* out) const;
  catalog::Catalog* GetOrCreateCatalog(absl::string_view tenant);
  // Fills item->counters from the item_counters column family.
  absl::Status ReadNamedCounters(absl::string_view tenant, v1::Item* item) const;
  double Decayed(const internal::CounterValue& c, int64_t now_ms) const;

  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return handles_[c]; }

  const StateStoreOptions options_;
  const double half_life_ms_;
  // The block cache of every column family (declared before db_: it outlives the database).
  const std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  // Guards the in-memory mirrors below (readers take it shared). Apply() holds apply_mu_ for the
  // whole batch and mu_ only to publish.
  mutable std::shared_mutex mu_;
  uint64_t applied_offset_ = 0;
  // ActivityStamp's table (kActivitySlots slots, written by the apply path after a commit).
  static constexpr size_t kActivitySlots = size_t{1} << 18;
  static size_t ActivitySlot(absl::string_view tenant, absl::string_view id);
  std::unique_ptr<std::atomic<uint64_t>[]> activity_{new std::atomic<uint64_t>[kActivitySlots]()};
  std::vector<std::string> type_names_;
  absl::flat_hash_map<std::string, uint16_t> type_ids_;
  absl::flat_hash_map<std::string, internal::TenantMeta> tenants_;
  absl::flat_hash_map<std::string, std::unique_ptr<catalog::Catalog>> catalogs_;
  // Dense indices of the dormant items per tenant (known, not live).
  absl::flat_hash_map<std::string, absl::flat_hash_set<uint32_t>> dormant_;

  // Serialises Apply() calls.
  absl::Mutex apply_mu_;
  // State of the apply path only. ApplyBatch changes it as it goes (later records of a batch
  // see earlier ones); when a batch fails, `apply_state_stale_` makes the next Apply() reload it.
  absl::flat_hash_map<std::string, std::unique_ptr<shop::ShopCatalog>> shops_
      ABSL_GUARDED_BY(apply_mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<internal::RetentionIndex>> retention_
      ABSL_GUARDED_BY(apply_mu_);
  bool apply_state_stale_ ABSL_GUARDED_BY(apply_mu_) = false;

  friend class ApplyBatch;
};

}  // namespace recplat::state
