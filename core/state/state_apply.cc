// RocksDbStateStore::Apply: turns log records into state mutations, written in one atomic
// RocksDB batch together with the applied offset; the in-memory mirrors (catalogs, tenant
// counters, event types) are updated only after the batch is durable in RocksDB.
#include <cmath>
#include <mutex>
#include <optional>

#include "absl/container/node_hash_map.h"

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/state/internal/catalog_entry.h"
#include "core/state/rocksdb_state_store.h"
#include "rocksdb/write_batch.h"

namespace recplat::state {

using internal::PutBE;
using internal::PutFixed;
using internal::TenantKey;
using internal::TenantPrefix;

// The effects of one Apply() call, accumulated before they are written. Lookups see the batch's
// own earlier writes first (an item upserted and then used by an event in the same batch).
class ApplyBatch {
 public:
  explicit ApplyBatch(RocksDbStateStore* store) : s_(*store) {}

  absl::Status Add(uint64_t offset, const v1::LogRecord& r) {
    switch (r.kind_case()) {
      case v1::LogRecord::kEvent: return AddEvent(offset, r.event());
      case v1::LogRecord::kItemUpsert: return AddItemUpsert(r.item_upsert(), r.appended_at_ms());
      case v1::LogRecord::kItemDelete: return AddItemDelete(r.item_delete());
      case v1::LogRecord::kUserUpsert: return AddUserUpsert(r.user_upsert(), r.appended_at_ms());
      case v1::LogRecord::kRecList: return AddRecList(r.rec_list());
      case v1::LogRecord::kDocumentPut: return AddDocument(r.document_put(), r.appended_at_ms());
      case v1::LogRecord::KIND_NOT_SET: return absl::OkStatus();  // Nothing to apply.
    }
    return absl::OkStatus();
  }

  absl::Status Commit(uint64_t applied_offset) {
    std::string off;
    PutBE(&off, applied_offset, 8);
    Put(RocksDbStateStore::kMeta, "applied_offset", off);
    for (const auto& [tenant, meta] : tenants_) {
      std::string key = "tenant:";
      internal::PutString(&key, tenant);
      Put(RocksDbStateStore::kMeta, key, internal::EncodeTenantMeta(meta));
    }
    for (const auto& [name, id] : new_types_) {
      std::string v;
      PutFixed(&v, id);
      Put(RocksDbStateStore::kMeta, "type:" + name, v);
    }
    for (const auto& [key, c] : counters_) {
      Put(RocksDbStateStore::kCounters, key, internal::EncodeCounter(c));
    }
    for (const auto& [key, user] : users_) Put(RocksDbStateStore::kUsers, key, user.SerializeAsString());
    for (const auto& [key, item] : items_) {
      Put(RocksDbStateStore::kItems, key, item.SerializeAsString());
    }
    if (!write_status_.ok()) return write_status_;
    // The state is re-derivable from the log, so no fsync: after a crash the applied offset and
    // the effects are lost together and replayed.
    rocksdb::Status st = s_.db_->Write(rocksdb::WriteOptions(), &wb_);
    if (!st.ok()) return absl::InternalError(absl::StrCat("state store apply: ", st.ToString()));

    // Publish: catalogs first, so that once AppliedOffset() moves, readers see the items.
    for (const CatalogUpdate& u : catalog_updates_) {
      catalog::Catalog* c = s_.GetOrCreateCatalog(u.tenant);
      const v1::Item& item = u.stored.item();
      std::vector<std::string> categories(item.categories().begin(), item.categories().end());
      c->Set(item.index(), item.id(), !u.stored.deleted(),
             !item.has_available() || item.available(),
             item.has_recommendation_weight() ? static_cast<float>(item.recommendation_weight())
                                              : 1.0f,
             item.published_at_ms(), categories, internal::CatalogAttributes(item));
    }
    std::unique_lock<std::shared_mutex> lock(s_.mu_);
    for (auto& [tenant, meta] : tenants_) s_.tenants_[tenant] = meta;
    for (const auto& [name, id] : new_types_) {
      if (s_.type_names_.size() <= id) s_.type_names_.resize(id + 1);
      s_.type_names_[id] = name;
      s_.type_ids_[name] = id;
    }
    s_.applied_offset_ = applied_offset;
    return absl::OkStatus();
  }

 private:
  struct CatalogUpdate {
    std::string tenant;
    v1::StoredItem stored;
  };

  void Put(RocksDbStateStore::Cf cf, const std::string& key, const std::string& value) {
    rocksdb::Status st = wb_.Put(s_.cf(cf), key, value);
    if (!st.ok() && write_status_.ok()) {
      write_status_ = absl::InternalError(absl::StrCat("state store batch: ", st.ToString()));
    }
  }

  internal::TenantMeta& Tenant(const std::string& tenant) {
    auto it = tenants_.find(tenant);
    if (it != tenants_.end()) return it->second;
    internal::TenantMeta meta;
    {
      std::shared_lock<std::shared_mutex> lock(s_.mu_);
      auto found = s_.tenants_.find(tenant);
      if (found != s_.tenants_.end()) meta = found->second;
    }
    return tenants_.emplace(tenant, meta).first->second;
  }

  uint16_t TypeId(const std::string& name) {
    if (auto it = new_types_.find(name); it != new_types_.end()) return it->second;
    std::shared_lock<std::shared_mutex> lock(s_.mu_);
    if (auto it = s_.type_ids_.find(name); it != s_.type_ids_.end()) return it->second;
    uint16_t id = static_cast<uint16_t>(s_.type_names_.size() + new_types_.size());
    new_types_.emplace(name, id);
    return id;
  }

  // The stored item (from this batch, else RocksDB), or nullptr when it never existed.
  absl::StatusOr<v1::StoredItem*> FindItem(const std::string& key) {
    if (auto it = items_.find(key); it != items_.end()) return &it->second;
    std::string value;
    rocksdb::Status st =
        s_.db_->Get(rocksdb::ReadOptions(), s_.cf(RocksDbStateStore::kItems), key, &value);
    if (st.IsNotFound()) return nullptr;
    if (!st.ok()) return absl::InternalError(absl::StrCat("state store read: ", st.ToString()));
    v1::StoredItem stored;
    if (!stored.ParseFromString(value)) return absl::DataLossError("state store: corrupt item");
    return &(items_[key] = std::move(stored));
  }

  uint32_t NextItemIndex(const std::string& tenant) {
    auto it = next_item_.find(tenant);
    if (it == next_item_.end()) {
      const catalog::Catalog* c = s_.FindCatalog(tenant);
      it = next_item_.emplace(tenant, c == nullptr ? 0u : c->NextIndex()).first;
    }
    return it->second++;
  }

  // Writes `stored` (already in items_) to the index and the catalog updates.
  void StoreItem(const std::string& tenant, const std::string& key, bool is_new) {
    const v1::StoredItem& stored = items_[key];
    if (is_new) {
      std::string idx_key = TenantPrefix(tenant);
      PutBE(&idx_key, stored.item().index(), 4);
      Put(RocksDbStateStore::kItemIdx, idx_key, stored.item().id());
    }
    catalog_updates_.push_back({tenant, stored});
  }

  absl::Status AddItemUpsert(const v1::Item& in, int64_t appended_at_ms) {
    const std::string key = TenantKey(in.tenant(), in.id());
    RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem* existing, FindItem(key));
    internal::TenantMeta& tenant = Tenant(in.tenant());
    v1::StoredItem stored;
    *stored.mutable_item() = in;
    stored.mutable_item()->clear_event_counts();
    const bool is_new = existing == nullptr;
    if (is_new) {
      stored.mutable_item()->set_index(NextItemIndex(in.tenant()));
      ++tenant.items;
    } else {
      stored.mutable_item()->set_index(existing->item().index());
      if (existing->deleted()) ++tenant.items;
    }
    stored.mutable_item()->set_updated_at_ms(appended_at_ms);
    if (stored.item().published_at_ms() == 0) {
      stored.mutable_item()->set_published_at_ms(
          is_new ? appended_at_ms : existing->item().published_at_ms());
    }
    items_[key] = std::move(stored);
    StoreItem(in.tenant(), key, is_new);
    return absl::OkStatus();
  }

  absl::Status AddItemDelete(const v1::ItemDelete& d) {
    const std::string key = TenantKey(d.tenant(), d.id());
    RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem* existing, FindItem(key));
    if (existing == nullptr || existing->deleted()) return absl::OkStatus();
    existing->set_deleted(true);
    --Tenant(d.tenant()).items;
    StoreItem(d.tenant(), key, /*is_new=*/false);
    return absl::OkStatus();
  }

  absl::StatusOr<v1::User*> FindOrCreateUser(const std::string& tenant, const std::string& id,
                                             int64_t ts_ms) {
    const std::string key = TenantKey(tenant, id);
    if (auto it = users_.find(key); it != users_.end()) return &it->second;
    std::string value;
    rocksdb::Status st =
        s_.db_->Get(rocksdb::ReadOptions(), s_.cf(RocksDbStateStore::kUsers), key, &value);
    v1::User user;
    if (st.ok()) {
      if (!user.ParseFromString(value)) return absl::DataLossError("state store: corrupt user");
    } else if (st.IsNotFound()) {
      internal::TenantMeta& meta = Tenant(tenant);
      user.set_id(id);
      user.set_tenant(tenant);
      user.set_index(meta.next_user_index++);
      user.set_created_at_ms(ts_ms);
      ++meta.users;
    } else {
      return absl::InternalError(absl::StrCat("state store read: ", st.ToString()));
    }
    return &(users_[key] = std::move(user));
  }

  absl::Status AddUserUpsert(const v1::User& in, int64_t appended_at_ms) {
    RECPLAT_ASSIGN_OR_RETURN(v1::User * user, FindOrCreateUser(in.tenant(), in.id(), appended_at_ms));
    *user->mutable_attributes() = in.attributes();
    return absl::OkStatus();
  }

  absl::Status AddRecList(const v1::RecList& list) {
    Put(RocksDbStateStore::kRecs, TenantKey(list.tenant(), list.key()), list.SerializeAsString());
    return absl::OkStatus();
  }

  // Documents are stored without their address (it is the key): body and write time only.
  absl::Status AddDocument(const v1::Document& doc, int64_t appended_at_ms) {
    std::string key = TenantPrefix(doc.tenant());
    internal::PutString(&key, doc.collection());
    key.append(doc.key());
    if (doc.deleted()) {
      rocksdb::Status st = wb_.Delete(s_.cf(RocksDbStateStore::kDocs), key);
      if (!st.ok() && write_status_.ok()) {
        write_status_ = absl::InternalError(absl::StrCat("state store batch: ", st.ToString()));
      }
      return absl::OkStatus();
    }
    v1::Document stored;
    stored.set_body(doc.body());
    stored.set_updated_at_ms(appended_at_ms);
    Put(RocksDbStateStore::kDocs, key, stored.SerializeAsString());
    return absl::OkStatus();
  }

  absl::Status AddEvent(uint64_t offset, const v1::Event& ev) {
    const std::string& tenant = ev.tenant();
    const int64_t ts = ev.timestamp_ms();
    // Resolve (or create) the item.
    const std::string item_key = TenantKey(tenant, ev.item_id());
    RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem* stored, FindItem(item_key));
    if (stored == nullptr) {
      v1::StoredItem created;
      created.mutable_item()->set_id(ev.item_id());
      created.mutable_item()->set_tenant(tenant);
      created.mutable_item()->set_index(NextItemIndex(tenant));
      created.mutable_item()->set_published_at_ms(ts);
      created.mutable_item()->set_updated_at_ms(ts);
      items_[item_key] = std::move(created);
      ++Tenant(tenant).items;
      StoreItem(tenant, item_key, /*is_new=*/true);
      stored = &items_[item_key];
    }
    const uint32_t item = stored->item().index();
    const uint16_t type = TypeId(ev.type());
    const float value = static_cast<float>(ev.value() == 0 ? 1.0 : ev.value());

    uint32_t user_index = kNoUser;
    if (!ev.user_id().empty()) {
      RECPLAT_ASSIGN_OR_RETURN(v1::User * user, FindOrCreateUser(tenant, ev.user_id(), ts));
      user->set_event_count(user->event_count() + 1);
      user_index = user->index();
    }
    std::string hv;
    PutFixed(&hv, item);
    PutFixed(&hv, type);
    PutFixed(&hv, value);
    PutFixed(&hv, user_index);
    internal::PutString(&hv, ev.session_id());
    if (!ev.user_id().empty()) {
      std::string key = TenantKey(tenant, ev.user_id());
      PutBE(&key, internal::InvertedTime(ts), 8);
      PutBE(&key, offset, 8);
      Put(RocksDbStateStore::kHistory, key, hv);
    }
    if (!ev.session_id().empty()) {
      std::string key = TenantKey(tenant, ev.session_id());
      PutBE(&key, internal::InvertedTime(ts), 8);
      PutBE(&key, offset, 8);
      Put(RocksDbStateStore::kSessions, key, hv);
    }
    RECPLAT_RETURN_IF_ERROR(BumpCounter(tenant, item, type, ts));
    internal::TenantMeta& meta = Tenant(tenant);
    ++meta.events;
    ++meta.events_by_type[type];
    return absl::OkStatus();
  }

  absl::Status BumpCounter(const std::string& tenant, uint32_t item, uint16_t type, int64_t ts) {
    std::string key = TenantPrefix(tenant);
    PutBE(&key, item, 4);
    PutBE(&key, type, 2);
    auto it = counters_.find(key);
    if (it == counters_.end()) {
      internal::CounterValue c;
      std::string value;
      rocksdb::Status st =
          s_.db_->Get(rocksdb::ReadOptions(), s_.cf(RocksDbStateStore::kCounters), key, &value);
      if (st.ok()) {
        if (!internal::DecodeCounter(value, &c)) {
          return absl::DataLossError("state store: corrupt counter");
        }
      } else if (!st.IsNotFound()) {
        return absl::InternalError(absl::StrCat("state store read: ", st.ToString()));
      }
      it = counters_.emplace(key, c).first;
    }
    internal::CounterValue& c = it->second;
    const double hl = s_.half_life_ms_;
    if (c.count == 0) {
      c.value = 1.0;
      c.ref_ms = ts;
    } else if (ts >= c.ref_ms) {
      c.value = (hl > 0 ? c.value * std::exp2(-static_cast<double>(ts - c.ref_ms) / hl) : c.value) + 1.0;
      c.ref_ms = ts;
    } else {
      c.value += hl > 0 ? std::exp2(-static_cast<double>(c.ref_ms - ts) / hl) : 1.0;
    }
    ++c.count;
    return absl::OkStatus();
  }

  RocksDbStateStore& s_;
  rocksdb::WriteBatch wb_;
  absl::Status write_status_;
  absl::flat_hash_map<std::string, internal::TenantMeta> tenants_;
  absl::flat_hash_map<std::string, uint16_t> new_types_;
  absl::node_hash_map<std::string, v1::StoredItem> items_;
  absl::flat_hash_map<std::string, uint32_t> next_item_;
  absl::node_hash_map<std::string, v1::User> users_;
  absl::flat_hash_map<std::string, internal::CounterValue> counters_;
  std::vector<CatalogUpdate> catalog_updates_;
};

absl::Status RocksDbStateStore::Apply(std::span<const OffsetRecord> records) {
  absl::MutexLock apply_lock(&apply_mu_);
  const uint64_t applied = AppliedOffset();
  ApplyBatch batch(this);
  uint64_t last = 0;
  bool any = false;
  for (const OffsetRecord& r : records) {
    if (r.offset < applied) continue;
    if (any && r.offset <= last) {
      return absl::InvalidArgumentError("state store apply: offsets must increase");
    }
    RECPLAT_RETURN_IF_ERROR(batch.Add(r.offset, *r.record));
    last = r.offset;
    any = true;
  }
  if (!any) return absl::OkStatus();
  return batch.Commit(last + 1);
}

}  // namespace recplat::state
