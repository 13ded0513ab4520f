// RocksDbStateStore: opening, rebuilding the in-memory mirrors, and reads.
#include "core/state/rocksdb_state_store.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/common/table_cache.h"
#include "core/state/internal/catalog_entry.h"
#include "core/state/internal/rocks_util.h"
#include "core/state/internal/rocksdb_open.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"

namespace recplat::state {

using internal::CounterValue;
using internal::FromRocks;
using internal::PrefixIterator;
using internal::GetBE;
using internal::GetFixed;
using internal::GetString;
using internal::PutBE;
using internal::TenantKey;
using internal::TenantPrefix;

namespace {

const char* const kCfNames[] = {"default",
                                    "items", "item_idx", "users", "history", "sessions",
                                    "counters", "served", "recs", "docs", "event_ids",
                                    "item_counters", "served_lists", "events"};

// Decodes a history value into `e` (everything but the timestamp, which is in the key).
bool DecodeHistoryValue(absl::string_view v, HistoryEntry* e) {
  absl::string_view session;
  return GetFixed(&v, &e->item) && GetFixed(&v, &e->type) && GetFixed(&v, &e->value) &&
         GetFixed(&v, &e->user) && GetString(&v, &session) &&
         (e->session_id.assign(session.data(), session.size()), true);
}

}  // namespace

int64_t StateMemtableBudget(int64_t block_cache_bytes) {
  return std::max<int64_t>(int64_t{16} << 20, block_cache_bytes / 2);
}

absl::StatusOr<std::unique_ptr<StateStore>> OpenRocksDbStateStore(
    const StateStoreOptions& options) {
  return RocksDbStateStore::Open(options);
}

absl::StatusOr<std::unique_ptr<StateStore>> RocksDbStateStore::Open(
    const StateStoreOptions& options) {
  if (options.clock == nullptr) return absl::InvalidArgumentError("state store needs a clock");
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.max_open_files = std::max(options.max_open_files, 20);
  db_options.table_cache_numshardbits = common::TableCacheShardBits(db_options.max_open_files);
  // One cache bounds the database's memory: data blocks, index and filter blocks (high
  // priority, level 0 pinned, so reads do not pay for them again) and a reservation for the
  // memtables of all column families, which flush when the budget is used. Without this the
  // table readers' index/filter blocks grow with the data, and 14 families x 2 x 32 MiB of
  // memtables could fill before any flush.
  std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(static_cast<size_t>(std::max<int64_t>(options.block_cache_bytes, 0)));
  const int64_t memtable_budget = StateMemtableBudget(options.block_cache_bytes);
  // A cache smaller than twice the budget would be filled by the reservation alone.
  db_options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(memtable_budget),
      options.block_cache_bytes >= 2 * memtable_budget ? cache : nullptr);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size =
      static_cast<size_t>(std::min<int64_t>(32 << 20, memtable_budget / 2));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kCfNames) descriptors.emplace_back(name, cf_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  RECPLAT_RETURN_IF_ERROR(
      internal::OpenRocksDb(options, db_options, descriptors, kMeta, &handles, &raw));
  std::unique_ptr<RocksDbStateStore> store(new RocksDbStateStore(
      options, std::unique_ptr<rocksdb::DB>(raw), std::move(handles), std::move(cache)));
  absl::Status loaded = store->LoadMemoryState();
  if (!loaded.ok()) return loaded;
  return std::unique_ptr<StateStore>(std::move(store));
}

RocksDbStateStore::RocksDbStateStore(const StateStoreOptions& options,
                                     std::unique_ptr<rocksdb::DB> db,
                                     std::vector<rocksdb::ColumnFamilyHandle*> handles,
                                     std::shared_ptr<rocksdb::Cache> cache)
    : options_(options),
      half_life_ms_(options.counter_half_life_hours * 3600.0 * 1000.0),
      cache_(std::move(cache)),
      db_(std::move(db)),
      handles_(std::move(handles)) {}

RocksDbStateStore::~RocksDbStateStore() {
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

absl::Status RocksDbStateStore::Flush() {
  // A secondary has nothing of its own to flush (and RocksDB refuses it).
  if (options_.secondary) return absl::OkStatus();
  rocksdb::FlushOptions fo;
  return FromRocks(db_->Flush(fo, handles_), "state store flush");
}

common::DatabaseMemory RocksDbStateStore::MemoryUsage() const {
  common::DatabaseMemory m;
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &m.memtables);
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem,
                                &m.table_readers);
  m.block_cache = cache_->GetUsage();
  m.block_cache_capacity = cache_->GetCapacity();
  return m;
}

absl::Status RocksDbStateStore::LoadMemoryState() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kMeta), "applied_offset", &value);
  if (s.ok()) {
    absl::string_view v(value);
    if (!GetBE(&v, 8, &applied_offset_)) {
      return absl::DataLossError("state store: corrupt applied_offset");
    }
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "state store: read applied_offset");
  }

  // Event types and tenant metas.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kMeta)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    absl::string_view val(it->value().data(), it->value().size());
    if (absl::ConsumePrefix(&key, "type:")) {
      uint16_t id;
      if (!GetFixed(&val, &id)) return absl::DataLossError("state store: corrupt event type");
      if (type_names_.size() <= id) type_names_.resize(id + 1);
      type_names_[id] = std::string(key);
      type_ids_[std::string(key)] = id;
    } else if (absl::ConsumePrefix(&key, "tenant:")) {
      absl::string_view tenant;
      internal::TenantMeta meta;
      if (!GetString(&key, &tenant) || !internal::DecodeTenantMeta(val, &meta)) {
        return absl::DataLossError("state store: corrupt tenant metadata");
      }
      tenants_[std::string(tenant)] = meta;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "state store: scan meta");

  // Catalogs, in index order per tenant.
  std::unique_ptr<rocksdb::Iterator> items(db_->NewIterator(rocksdb::ReadOptions(), cf(kItems)));
  struct Loaded {
    uint32_t idx;
    v1::StoredItem stored;
  };
  absl::flat_hash_map<std::string, std::vector<Loaded>> by_tenant;
  size_t count = 0;
  for (items->SeekToFirst(); items->Valid(); items->Next()) {
    absl::string_view key(items->key().data(), items->key().size());
    absl::string_view tenant;
    if (!GetString(&key, &tenant)) return absl::DataLossError("state store: corrupt item key");
    Loaded l;
    if (!l.stored.ParseFromArray(items->value().data(), static_cast<int>(items->value().size()))) {
      return absl::DataLossError("state store: corrupt item record");
    }
    l.idx = l.stored.item().index();
    by_tenant[std::string(tenant)].push_back(std::move(l));
    ++count;
  }
  if (!items->status().ok()) return FromRocks(items->status(), "state store: scan items");
  for (auto& [tenant, list] : by_tenant) {
    std::sort(list.begin(), list.end(),
              [](const Loaded& a, const Loaded& b) { return a.idx < b.idx; });
    catalog::Catalog* c = GetOrCreateCatalog(tenant);
    for (const Loaded& l : list) {
      const v1::Item& item = l.stored.item();
      std::vector<std::string> categories(item.categories().begin(), item.categories().end());
      const bool dormant = l.stored.dormant() && !l.stored.deleted();
      if (dormant) dormant_[tenant].insert(l.idx);
      c->Set(l.idx, item.id(), !l.stored.deleted() && !dormant,
             !item.has_available() || item.available(),
             item.has_recommendation_weight() ? static_cast<float>(item.recommendation_weight())
                                              : 1.0f,
             item.published_at_ms(), categories, internal::CatalogAttributes(item));
    }
  }
  {
    absl::MutexLock apply_lock(&apply_mu_);
    RECPLAT_RETURN_IF_ERROR(LoadApplyState());
  }
  RECPLAT_LOG(Info, "state store opened",
              {{"path", options_.path}, {"applied_offset", applied_offset_},
               {"tenants", tenants_.size()}, {"items", count}});
  return absl::OkStatus();
}

catalog::Catalog* RocksDbStateStore::GetOrCreateCatalog(absl::string_view tenant) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto& slot = catalogs_[std::string(tenant)];
  if (slot == nullptr) slot = std::make_unique<catalog::Catalog>();
  return slot.get();
}

uint64_t RocksDbStateStore::AppliedOffset() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return applied_offset_;
}

const catalog::Catalog* RocksDbStateStore::FindCatalog(absl::string_view tenant) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = catalogs_.find(tenant);
  return it == catalogs_.end() ? nullptr : it->second.get();
}

double RocksDbStateStore::Decayed(const CounterValue& c, int64_t now_ms) const {
  if (half_life_ms_ <= 0 || now_ms <= c.ref_ms) return c.value;
  return c.value * std::exp2(-static_cast<double>(now_ms - c.ref_ms) / half_life_ms_);
}

absl::StatusOr<v1::Item> RocksDbStateStore::GetItem(absl::string_view tenant,
                                                    absl::string_view id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kItems), TenantKey(tenant, id), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("item '", id, "' not found in tenant '", tenant, "'"));
  }
  RECPLAT_RETURN_IF_ERROR(FromRocks(s, "state store: read item"));
  v1::StoredItem stored;
  if (!stored.ParseFromString(value)) return absl::DataLossError("state store: corrupt item");
  if (stored.deleted()) {
    return absl::NotFoundError(absl::StrCat("item '", id, "' was deleted from tenant '", tenant,
                                            "'"));
  }
  v1::Item item = std::move(*stored.mutable_item());
  item.set_live(!stored.dormant());
  RECPLAT_RETURN_IF_ERROR(ReadNamedCounters(tenant, &item));
  std::string prefix = TenantPrefix(tenant);
  PutBE(&prefix, item.index(), 4);
  std::string upper_storage;
  rocksdb::Slice upper;
  auto it = PrefixIterator(db_.get(), cf(kCounters), prefix, &upper_storage, &upper);
  const int64_t now = options_.clock->NowMs();
  for (; it->Valid(); it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    key.remove_prefix(prefix.size());
    uint64_t type;
    CounterValue c;
    if (!GetBE(&key, 2, &type) ||
        !internal::DecodeCounter(absl::string_view(it->value().data(), it->value().size()), &c)) {
      return absl::DataLossError("state store: corrupt counter");
    }
    (*item.mutable_event_counts())[EventTypeName(static_cast<uint16_t>(type))] = Decayed(c, now);
  }
  return item;
}

absl::Status RocksDbStateStore::GetItemsWithoutCounts(
    absl::string_view tenant, const std::vector<std::string>& ids,
    std::vector<std::optional<v1::Item>>* out) const {
  out->assign(ids.size(), std::nullopt);
  if (ids.empty()) return absl::OkStatus();
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const std::string& id : ids) keys.push_back(TenantKey(tenant, id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  db_->MultiGet(rocksdb::ReadOptions(), cf(kItems), slices.size(), slices.data(), values.data(),
                statuses.data());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    RECPLAT_RETURN_IF_ERROR(FromRocks(statuses[i], "state store: read items"));
    v1::StoredItem stored;
    if (!stored.ParseFromArray(values[i].data(), static_cast<int>(values[i].size()))) {
      return absl::DataLossError("state store: corrupt item");
    }
    if (stored.deleted()) continue;
    v1::Item& item = (*out)[i].emplace(std::move(*stored.mutable_item()));
    item.set_live(!stored.dormant());
  }
  return absl::OkStatus();
}

absl::Status RocksDbStateStore::ListItems(absl::string_view tenant, uint32_t start, int page_size,
                                          std::vector<v1::Item>* out, uint32_t* next) const {
  *next = 0;
  std::string prefix = TenantPrefix(tenant);
  std::string seek = prefix;
  PutBE(&seek, start, 4);
  std::string upper_storage = internal::PrefixUpperBound(prefix);
  rocksdb::Slice upper(upper_storage);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kItemIdx)));
  for (it->Seek(seek); it->Valid(); it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    key.remove_prefix(prefix.size());
    uint64_t idx;
    if (!GetBE(&key, 4, &idx)) return absl::DataLossError("state store: corrupt item index");
    if (static_cast<int>(out->size()) >= page_size) {
      *next = static_cast<uint32_t>(idx);
      break;
    }
    auto item = GetItem(tenant, absl::string_view(it->value().data(), it->value().size()));
    if (item.ok()) {
      if (item->live()) out->push_back(std::move(item).value());
    } else if (!absl::IsNotFound(item.status())) {
      return item.status();
    }
  }
  return FromRocks(it->status(), "state store: list items");
}

absl::StatusOr<v1::User> RocksDbStateStore::GetUser(absl::string_view tenant,
                                                    absl::string_view id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kUsers), TenantKey(tenant, id), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("user '", id, "' not found in tenant '", tenant, "'"));
  }
  RECPLAT_RETURN_IF_ERROR(FromRocks(s, "state store: read user"));
  v1::User user;
  if (!user.ParseFromString(value)) return absl::DataLossError("state store: corrupt user");
  return user;
}

absl::Status RocksDbStateStore::ReadHistory(Cf which, const std::string& prefix, size_t limit,
                                            std::vector<HistoryEntry>* out) const {
  std::string upper_storage;
  rocksdb::Slice upper;
  auto it = PrefixIterator(db_.get(), cf(which), prefix, &upper_storage, &upper);
  for (size_t n = 0; it->Valid() && n < limit; it->Next(), ++n) {
    absl::string_view key(it->key().data(), it->key().size());
    key.remove_prefix(prefix.size());
    uint64_t inv_ts;
    HistoryEntry e;
    if (!GetBE(&key, 8, &inv_ts) ||
        !DecodeHistoryValue(absl::string_view(it->value().data(), it->value().size()), &e)) {
      return absl::DataLossError("state store: corrupt history entry");
    }
    e.timestamp_ms = internal::FromInvertedTime(inv_ts);
    out->push_back(std::move(e));
  }
  return FromRocks(it->status(), "state store: read history");
}

absl::Status RocksDbStateStore::UserHistory(absl::string_view tenant, absl::string_view user_id,
                                            size_t limit, std::vector<HistoryEntry>* out) const {
  if (user_id.empty()) return absl::OkStatus();
  return ReadHistory(kHistory, TenantKey(tenant, user_id), limit, out);
}

absl::Status RocksDbStateStore::SessionHistory(absl::string_view tenant,
                                               absl::string_view session_id, size_t limit,
                                               std::vector<HistoryEntry>* out) const {
  if (session_id.empty()) return absl::OkStatus();
  return ReadHistory(kSessions, TenantKey(tenant, session_id), limit, out);
}

absl::Status RocksDbStateStore::RecordServed(absl::string_view tenant, absl::string_view user_id,
                                             std::span<const ServedItem> items,
                                             int64_t timestamp_ms) {
  if (user_id.empty() || items.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  const std::string prefix = TenantKey(tenant, user_id);
  for (const ServedItem& s : items) {
    std::string key = prefix;
    PutBE(&key, s.item, 4);
    std::string value;
    internal::PutFixed(&value, s.position);
    internal::PutFixed(&value, s.model_version);
    internal::PutFixed(&value, timestamp_ms);
    internal::PutString(&value, s.model);
    batch.Put(cf(kServed), key, value).PermitUncheckedError();
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "state store: record served");
}

absl::Status RocksDbStateStore::ServedItems(absl::string_view tenant, absl::string_view user_id,
                                            std::vector<uint32_t>* out) const {
  if (user_id.empty()) return absl::OkStatus();
  const std::string prefix = TenantKey(tenant, user_id);
  std::string upper_storage;
  rocksdb::Slice upper;
  auto it = PrefixIterator(db_.get(), cf(kServed), prefix, &upper_storage, &upper);
  for (; it->Valid(); it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    key.remove_prefix(prefix.size());
    uint64_t idx;
    if (!GetBE(&key, 4, &idx)) return absl::DataLossError("state store: corrupt served key");
    out->push_back(static_cast<uint32_t>(idx));
  }
  return FromRocks(it->status(), "state store: read served");
}

absl::StatusOr<v1::RecList> RocksDbStateStore::GetRecList(absl::string_view tenant,
                                                          absl::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kRecs), TenantKey(tenant, key), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no list '", key, "' in tenant '", tenant, "'"));
  }
  RECPLAT_RETURN_IF_ERROR(FromRocks(s, "state store: read list"));
  v1::RecList list;
  if (!list.ParseFromString(value)) return absl::DataLossError("state store: corrupt list");
  return list;
}

double RocksDbStateStore::Counter(absl::string_view tenant, uint32_t item, uint16_t type) const {
  std::string key = TenantPrefix(tenant);
  PutBE(&key, item, 4);
  PutBE(&key, type, 2);
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), cf(kCounters), key, &value).ok()) return 0;
  CounterValue c;
  if (!internal::DecodeCounter(value, &c)) return 0;
  return Decayed(c, options_.clock->NowMs());
}

std::string RocksDbStateStore::EventTypeName(uint16_t type) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return type < type_names_.size() ? type_names_[type] : std::string();
}

int RocksDbStateStore::EventTypeId(absl::string_view name) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = type_ids_.find(name);
  return it == type_ids_.end() ? -1 : it->second;
}

absl::StatusOr<uint64_t> RocksDbStateStore::ScanInteractions(
    absl::string_view tenant, uint32_t* num_users,
    const std::function<void(const HistoryEntry&)>& fn) const {
  // A secondary never changes after Open() (and RocksDB has no snapshots there): it reads as is.
  const rocksdb::Snapshot* snapshot = options_.secondary ? nullptr : db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() {
      if (s != nullptr) db->ReleaseSnapshot(s);
    }
  } release{db_.get(), snapshot};
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  uint64_t applied = 0;
  if (db_->Get(ro, cf(kMeta), "applied_offset", &value).ok()) {
    absl::string_view v(value);
    GetBE(&v, 8, &applied);
  }
  *num_users = 0;
  std::string meta_key = "tenant:";
  internal::PutString(&meta_key, tenant);
  if (db_->Get(ro, cf(kMeta), meta_key, &value).ok()) {
    internal::TenantMeta meta;
    if (internal::DecodeTenantMeta(value, &meta)) *num_users = meta.next_user_index;
  }
  const std::string prefix = TenantPrefix(tenant);
  std::string upper_storage;
  rocksdb::Slice upper;
  auto it = PrefixIterator(db_.get(), cf(kHistory), prefix, &upper_storage, &upper, snapshot);
  for (; it->Valid(); it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    key.remove_prefix(prefix.size());
    absl::string_view user;
    uint64_t inv_ts;
    HistoryEntry e;
    if (!GetString(&key, &user) || !GetBE(&key, 8, &inv_ts) ||
        !DecodeHistoryValue(absl::string_view(it->value().data(), it->value().size()), &e)) {
      return absl::DataLossError("state store: corrupt history entry");
    }
    e.timestamp_ms = internal::FromInvertedTime(inv_ts);
    fn(e);
  }
  RECPLAT_RETURN_IF_ERROR(FromRocks(it->status(), "state store: scan interactions"));
  // Anonymous sessions: one pseudo-user each, numbered after the real users.
  auto sessions = PrefixIterator(db_.get(), cf(kSessions), prefix, &upper_storage, &upper, snapshot);
  std::string last_session;
  bool any = false;
  for (; sessions->Valid(); sessions->Next()) {
    absl::string_view key(sessions->key().data(), sessions->key().size());
    key.remove_prefix(prefix.size());
    absl::string_view session;
    uint64_t inv_ts;
    HistoryEntry e;
    if (!GetString(&key, &session) || !GetBE(&key, 8, &inv_ts) ||
        !DecodeHistoryValue(
            absl::string_view(sessions->value().data(), sessions->value().size()), &e)) {
      return absl::DataLossError("state store: corrupt session entry");
    }
    if (e.user != kNoUser) continue;  // Already scanned with its user.
    if (!any || session != last_session) {
      if (*num_users == kNoUser - 1) break;  // Index space exhausted: keep the rest out.
      ++*num_users;
      last_session.assign(session.data(), session.size());
      any = true;
    }
    e.user = *num_users - 1;
    e.timestamp_ms = internal::FromInvertedTime(inv_ts);
    fn(e);
  }
  RECPLAT_RETURN_IF_ERROR(FromRocks(sessions->status(), "state store: scan sessions"));
  return applied;
}

std::vector<TenantStats> RocksDbStateStore::Stats() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<TenantStats> out;
  for (const auto& [name, meta] : tenants_) {
    TenantStats stats{name, meta.items, meta.users, meta.events, meta.duplicate_events, {}};
    for (const auto& [type, count] : meta.events_by_type) {
      if (type < type_names_.size()) stats.events_by_type[type_names_[type]] = count;
    }
    out.push_back(std::move(stats));
  }
  std::sort(out.begin(), out.end(),
            [](const TenantStats& a, const TenantStats& b) { return a.tenant < b.tenant; });
  return out;
}

uint64_t RocksDbStateStore::EventCount(absl::string_view tenant, absl::string_view type) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto t = tenants_.find(tenant);
  auto id = type_ids_.find(type);
  if (t == tenants_.end() || id == type_ids_.end()) return 0;
  auto count = t->second.events_by_type.find(id->second);
  return count == t->second.events_by_type.end() ? 0 : count->second;
}

size_t RocksDbStateStore::ActivitySlot(absl::string_view tenant, absl::string_view id) {
  return absl::HashOf(tenant, id) & (kActivitySlots - 1);
}

uint64_t RocksDbStateStore::ActivityStamp(absl::string_view tenant, absl::string_view id) const {
  if (id.empty()) return 0;
  return activity_[ActivitySlot(tenant, id)].load(std::memory_order_acquire);
}

uint64_t RocksDbStateStore::LiveItemCount(absl::string_view tenant) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto t = tenants_.find(tenant);
  return t == tenants_.end() ? 0 : t->second.items;
}

}  // namespace recplat::state
