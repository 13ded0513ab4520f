// File: state_store.h
//
// StateStore: everything the core knows, materialised from the event log: items (with the
// in-memory Catalog per tenant), users, per-user interaction histories, sessions, per-item
// counters per event type with time decay, named per-item counters (CounterUpdate), the shop
// catalog (core/shop) and the items derived from it, the ids of applied events (for
// de-duplication), the events of the recorded types in time order, precomputed recommendation
// lists, and the lists served to each user. Keys are namespaced by tenant; external string ids
// map to dense indices.
//
// Items are live, known-but-not-live ("dormant": derived from a shop variant whose product is
// missing or unpublished, or from a deleted variant; events and counters may still name them)
// or deleted. Only live items are in the catalog's live set. Catalog retention (options below)
// deletes items in log order, so every process applying the same log keeps the same items.
//
// Writes come from one place only: the materializer (core/ingest) calls Apply() with records
// read from the event log, and Apply() stores their effects together with the applied offset in
// one atomic batch, so after a crash the materializer resumes exactly after the last applied
// record. RecordServed() and RecordServedLists() are the exceptions: bookkeeping of what this
// process served, written directly and without fsync (losing the last few on power loss is
// harmless). They do not go through the log because they are observations of one process's
// answers, not state every process must derive alike: appending them would put a durable log
// write on every recommendation, and every replica applying the log would store every other
// replica's answers as its own.
//
// Thread-safety: reads are safe from any thread, concurrently with Apply(). Apply() must be
// called from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/catalog/catalog.h"
#include "core/common/clock.h"
#include "core/common/database_memory.h"
#include "recplat/v1/catalog.pb.h"
#include "recplat/v1/documents.pb.h"
#include "recplat/v1/events.pb.h"
#include "recplat/v1/log_record.pb.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::state {

// HistoryEntry::user of an event that named a session but no user.
inline constexpr uint32_t kNoUser = 0xffffffffu;

// One applied event as kept in a user's or session's history.
struct HistoryEntry {
  uint32_t item = 0;
  // Event type id (see StateStore::EventTypeName).
  uint16_t type = 0;
  float value = 1.0f;
  int64_t timestamp_ms = 0;
  // Dense index of the user; kNoUser for an anonymous event (a session without a user).
  uint32_t user = 0;
  std::string session_id;
};

// One item of a served recommendation list.
struct ServedItem {
  uint32_t item = 0;
  int32_t position = 0;
  std::string model;
  int64_t model_version = 0;
};

// A log record with its offset, as handed to Apply().
struct OffsetRecord {
  uint64_t offset = 0;
  const v1::LogRecord* record = nullptr;
};

struct TenantStats {
  std::string tenant;
  // Live items.
  uint64_t items = 0;
  uint64_t users = 0;
  uint64_t events = 0;
  // Events skipped because their (tenant, event_id) was applied before.
  uint64_t duplicate_events = 0;
  // Applied events by type name.
  std::map<std::string, uint64_t> events_by_type;
};

// What one Apply() applied, per tenant (filled only when the call succeeds).
struct TenantApplied {
  // Applied events by type name (duplicates excluded).
  std::map<std::string, uint64_t> events_by_type;
  // Events skipped as duplicates of an applied (tenant, event_id).
  uint64_t duplicate_events = 0;
};
struct ApplyReport {
  std::map<std::string, TenantApplied> tenants;
};

// How catalog retention ranks items (config `catalog.retention_order`).
enum class RetentionOrder {
  // The item id read as a signed 64-bit integer; non-numeric ids rank lowest. Ties (and
  // non-numeric ids among themselves) by dense index: the older item ranks lower.
  kIdNumeric,
  // The publication time; ties by dense index.
  kPublishedAt,
};

// Catalog retention per tenant (config `catalog`), applied after every item upsert (also items
// derived from shop variants and items created by events or counters).
struct RetentionOptions {
  // Live items kept per tenant; beyond it the lowest ranked live items are deleted (the upserted
  // item itself when it ranks lowest). 0 keeps everything.
  int64_t max_items = 0;
  RetentionOrder order = RetentionOrder::kIdNumeric;
  // Live items published more than this many hours before the tenant's newest live item are
  // deleted; 0 = never.
  double max_age_hours = 0;

  bool enabled() const { return max_items > 0 || max_age_hours > 0; }
};

// Which served lists ScanServed returns.
struct ServedListScan {
  // Served in [from_ms, to_ms], both inclusive.
  int64_t from_ms = 0;
  int64_t to_ms = std::numeric_limits<int64_t>::max();
  // Only this surface; empty: every surface.
  std::string surface;
  // At most this many lists. REQUIRES: >= 1.
  size_t limit = 1000;
  // Where to resume: a next_page_token of an earlier scan with the same range; empty: from_ms.
  std::string page_token;
};

// The total memtable budget of a state store with a block cache of `block_cache_bytes`: half of
// the cache, at least 16 MiB. Writes flush the largest memtables when it is exceeded.
int64_t StateMemtableBudget(int64_t block_cache_bytes);

struct StateStoreOptions {
  // Directory of the RocksDB database; created if missing.
  std::string path;
  // Half-life of per-item event counters, hours; 0 disables decay.
  double counter_half_life_hours = 168.0;
  // Block cache size, bytes. It bounds the database's memory: data blocks, index and filter
  // blocks (kept in the cache, the level-0 ones pinned) and the memtables, whose budget
  // (StateMemtableBudget) is reserved in the cache. 0 keeps no blocks cached.
  int64_t block_cache_bytes = 128 << 20;
  // Table files kept open (primary mode; RocksDB's max_open_files, at least 20): bounds the
  // store's file descriptors, which otherwise grow with the number of table files. A secondary
  // keeps every file open (RocksDB's requirement).
  int max_open_files = 512;
  // Not owned; must outlive the store. Used for decaying counters to "now" on reads.
  const common::Clock* clock = nullptr;
  RetentionOptions retention;
  // Event types whose events are kept whole (context included) in time order, for ScanEvents
  // (config `event_types.<t>.record`).
  std::set<std::string> recorded_event_types;

  // Secondary mode: open the store that another process (the primary, e.g. a running server)
  // holds open, read-only, as a RocksDB secondary instance (rocksdb::DB::OpenAsSecondary).
  // Open() catches up with the primary until the primary's AppliedOffset() reaches
  // `min_applied_offset`, or `catch_up_timeout_seconds` pass (it then opens with what the
  // primary had applied, and logs a warning). After Open() the store shows that one state for
  // its whole life, a consistent snapshot that the primary's later writes do not change.
  // Apply(), RecordServed(), RecordServedLists() and PruneServedLists() fail (RocksDB refuses
  // writes to a secondary); Flush() does nothing. Takes no lock, so it works while the primary
  // runs; the database must exist.
  bool secondary = false;
  // Secondary mode only: a directory of this process's own, where the secondary instance keeps
  // its info log (created if missing; the caller removes it after closing the store).
  std::string secondary_path;
  uint64_t min_applied_offset = 0;
  double catch_up_timeout_seconds = 10;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // --- Writes ---

  // Applies `records` (strictly increasing offsets, each greater than AppliedOffset()-1) and
  // sets AppliedOffset() to the last offset + 1, atomically. Records already applied (offset <
  // AppliedOffset()) are skipped, so re-applying after a crash is harmless. Events and counter
  // updates for unknown items create them (available, published at the event/write time);
  // events for unknown users create them. An event whose (tenant, event_id) was applied before
  // (in an earlier batch or earlier in this one) is skipped and counted as a duplicate. Shop
  // entities update the tenant's shop catalog, are stored as documents of "_shop.<kind>" and
  // upsert the items of the affected variants, all in the same batch. On error nothing is
  // applied (memory and disk unchanged). `report` (may be null) receives what was applied.
  virtual absl::Status Apply(std::span<const OffsetRecord> records, ApplyReport* report) = 0;
  absl::Status Apply(std::span<const OffsetRecord> records) { return Apply(records, nullptr); }

  // The offset up to which the log has been applied (exclusive).
  virtual uint64_t AppliedOffset() const = 0;

  // Remembers that `items` were served to (tenant, user_id) at `timestamp_ms`. No-op for an empty
  // user id.
  virtual absl::Status RecordServed(absl::string_view tenant, absl::string_view user_id,
                                    std::span<const ServedItem> items, int64_t timestamp_ms) = 0;

  // Stores answers for monitoring (ScanServed), keyed by (tenant, served_at_ms,
  // recommendation_id); a list with the key of a stored one replaces it. Negative times are
  // stored as 0.
  virtual absl::Status RecordServedLists(std::span<const v1::ServedList> lists) = 0;

  // Deletes the served lists of every tenant served before `before_ms`.
  virtual absl::Status PruneServedLists(int64_t before_ms) = 0;

  // --- Reads ---

  // The catalog of `tenant`, or nullptr when the tenant has no items yet. The pointer stays
  // valid for the store's lifetime.
  virtual const catalog::Catalog* FindCatalog(absl::string_view tenant) const = 0;

  // NOT_FOUND when the item does not exist or was deleted. A dormant item is returned with
  // `live: false`, every other one with `live: true`. event_counts are decayed to now; counters
  // are the named counters' sums.
  virtual absl::StatusOr<v1::Item> GetItem(absl::string_view tenant, absl::string_view id) const = 0;

  // The items `ids` as last upserted, in one batched read, for rendering answered lists:
  // (*out)[i] is the item of ids[i], or nullopt when it is unknown or deleted. `live` as for
  // GetItem; event_counts and counters are left empty (they cost a scan per item).
  virtual absl::Status GetItemsWithoutCounts(absl::string_view tenant,
                                             const std::vector<std::string>& ids,
                                             std::vector<std::optional<v1::Item>>* out) const = 0;

  // Whether events and counters may name the item: it is live or dormant (not unknown, not
  // deleted).
  virtual bool ItemKnown(absl::string_view tenant, absl::string_view id) const = 0;

  // Live items (dormant and deleted ones are skipped) in index order starting at index `start`;
  // sets `*next` to the index to continue from, or 0 when done.
  virtual absl::Status ListItems(absl::string_view tenant, uint32_t start, int page_size,
                                 std::vector<v1::Item>* out, uint32_t* next) const = 0;

  // Like ListItems, restricted to the live items matching `query` (catalog_query.h), in index
  // order from `start`; `*next` is 0 when done.
  virtual absl::Status ListItems(absl::string_view tenant, const v1::CatalogQuery& query,
                                 uint32_t start, int page_size, std::vector<v1::Item>* out,
                                 uint32_t* next) const = 0;

  // NOT_FOUND when the user has never been seen.
  virtual absl::StatusOr<v1::User> GetUser(absl::string_view tenant,
                                           absl::string_view id) const = 0;

  // Up to `limit` most recent interactions of the user (most recent first); empty for unknown
  // users.
  virtual absl::Status UserHistory(absl::string_view tenant, absl::string_view user_id,
                                   size_t limit, std::vector<HistoryEntry>* out) const = 0;

  // Up to `limit` most recent interactions of the session (most recent first).
  virtual absl::Status SessionHistory(absl::string_view tenant, absl::string_view session_id,
                                      size_t limit, std::vector<HistoryEntry>* out) const = 0;

  // Items ever served to the user (RecordServed), in index order.
  virtual absl::Status ServedItems(absl::string_view tenant, absl::string_view user_id,
                                   std::vector<uint32_t>* out) const = 0;

  // The served lists of `tenant` selected by `scan`, in serving-time order (ties by
  // recommendation id). `*next_page_token` receives the token of the next matching list, or ""
  // when there is none. INVALID_ARGUMENT for a page token that this store did not produce.
  virtual absl::Status ScanServed(absl::string_view tenant, const ServedListScan& scan,
                                  std::vector<v1::ServedList>* out,
                                  std::string* next_page_token) const = 0;

  // Calls `fn` for every applied event of `type` in `tenant` with from_ms <= timestamp_ms <=
  // to_ms, in time order (ties in log order), when `type` is one of
  // StateStoreOptions::recorded_event_types (kept since it was; nothing for other types).
  // Duplicates (a repeated event_id) are not recorded. Events are kept for the store's life.
  virtual absl::Status ScanEvents(absl::string_view tenant, absl::string_view type,
                                  int64_t from_ms, int64_t to_ms,
                                  const std::function<void(const v1::Event&)>& fn) const = 0;

  // A precomputed list written by a batch job; NOT_FOUND when absent.
  virtual absl::StatusOr<v1::RecList> GetRecList(absl::string_view tenant,
                                                 absl::string_view key) const = 0;

  // The live documents of `collection` with the given keys, in the order of `keys`; missing
  // and deleted keys are left out.
  virtual absl::Status GetDocuments(absl::string_view tenant, absl::string_view collection,
                                    std::span<const std::string> keys,
                                    std::vector<v1::Document>* out) const = 0;

  // Up to `limit` documents of `collection` whose key starts with `prefix`, from `start_key`
  // (inclusive; empty = the first) in key order, or with `reverse` in descending key order from
  // `start_key` (inclusive; empty = the last key of the prefix) down. `*next_key` receives the
  // key to continue from (in the same direction), or "" at the end. Bodies are left empty when
  // `keys_only`.
  virtual absl::Status ScanDocuments(absl::string_view tenant, absl::string_view collection,
                                     absl::string_view prefix, absl::string_view start_key,
                                     size_t limit, bool keys_only, bool reverse,
                                     std::vector<v1::Document>* out,
                                     std::string* next_key) const = 0;

  // Decayed count of `type` events on `item`, now; 0 when none.
  virtual double Counter(absl::string_view tenant, uint32_t item, uint16_t type) const = 0;

  // Event type names by id; ids are assigned on first use and stable.
  virtual std::string EventTypeName(uint16_t type) const = 0;
  // The id of an event type name, or -1 when never used.
  virtual int EventTypeId(absl::string_view name) const = 0;

  // Calls `fn` for every interaction of every user of `tenant` (grouped by user, most recent
  // first within a user) from one consistent snapshot, and returns the applied offset of that
  // snapshot. Anonymous sessions count as users of their own: their events come after the
  // users', each session with a pseudo-user index from the number of real users up.
  // `*num_users` receives the number of user indices used (real users and sessions).
  virtual absl::StatusOr<uint64_t> ScanInteractions(
      absl::string_view tenant, uint32_t* num_users,
      const std::function<void(const HistoryEntry&)>& fn) const = 0;

  virtual std::vector<TenantStats> Stats() const = 0;

  // Applied events of `type` in `tenant` (not decayed); 0 for an unknown tenant or type.
  virtual uint64_t EventCount(absl::string_view tenant, absl::string_view type) const = 0;
  // Live (neither deleted nor dormant) items of `tenant`.
  virtual uint64_t LiveItemCount(absl::string_view tenant) const = 0;

  // A stamp that changes whenever an event of the user or session `id` of `tenant` is applied:
  // the log offset of the newest applied event of any id sharing its slot in a fixed-size
  // in-memory table. So it may change for other ids too, but never stays the same across an
  // event of this one (since the store opened). 0 before any. For caches of answers that
  // depend on a requester's own activity; costs no storage read.
  virtual uint64_t ActivityStamp(absl::string_view tenant, absl::string_view id) const = 0;

  // Flushes memtables to disk (called on clean shutdown so the next open is fast).
  virtual absl::Status Flush() = 0;

  // Memory held by the store's database now (all zero for a store without one).
  virtual common::DatabaseMemory MemoryUsage() const { return {}; }
};

// Whether a data gate (config GateConfig) holds for `tenant`: more than `per_item` x
// LiveItemCount(tenant) events of `event_type` were applied. An empty event_type always holds.
bool GateHolds(const StateStore& state, absl::string_view tenant, absl::string_view event_type,
               double per_item);

// Opens the RocksDB-backed store (creating it if needed, unless `secondary`) and rebuilds the
// in-memory catalogs, shop catalogs and retention indexes. FAILED_PRECONDITION when another
// process (or another open store of this process) holds the database's lock: open it with
// `secondary` then. INVALID_ARGUMENT for missing options (clock; secondary_path in secondary
// mode); INTERNAL when the database cannot be opened for another reason.
absl::StatusOr<std::unique_ptr<StateStore>> OpenRocksDbStateStore(
    const StateStoreOptions& options);

}  // namespace recplat::state
