// RocksDbStateStore::Apply and the ApplyBatch parts for records other than items and shop
// entities: dispatch, commit, users, rec lists, documents and events. Effects are written in one
// atomic RocksDB batch together with the applied offset; the in-memory mirrors (catalogs, tenant
// counters, event types, dormant sets) are updated only after the batch is durable in RocksDB.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/state/internal/apply_batch.h"
#include "core/state/internal/catalog_entry.h"

namespace recplat::state {

using internal::PutBE;
using internal::PutFixed;
using internal::TenantKey;
using internal::TenantPrefix;

absl::Status ApplyBatch::Add(uint64_t offset, const v1::LogRecord& r) {
  switch (r.kind_case()) {
    case v1::LogRecord::kEvent: return AddEvent(offset, r.event());
    case v1::LogRecord::kItemUpsert:
      return UpsertItem(r.item_upsert(), r.appended_at_ms(), /*dormant=*/false);
    case v1::LogRecord::kItemDelete:
      return MarkDeleted(r.item_delete().tenant(), r.item_delete().id());
    case v1::LogRecord::kUserUpsert: return AddUserUpsert(r.user_upsert(), r.appended_at_ms());
    case v1::LogRecord::kRecList: return AddRecList(r.rec_list());
    case v1::LogRecord::kDocumentPut: return AddDocument(r.document_put(), r.appended_at_ms());
    case v1::LogRecord::kShopEntity:
      return AddShopEntity(offset, r.shop_entity(), r.appended_at_ms());
    case v1::LogRecord::kCounter: return AddCounter(r.counter(), r.appended_at_ms());
    case v1::LogRecord::KIND_NOT_SET: return absl::OkStatus();  // Nothing to apply.
  }
  return absl::OkStatus();
}

absl::Status ApplyBatch::Commit(uint64_t applied_offset) {
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
  for (const auto& [key, value] : item_counters_) {
    std::string v;
    PutFixed(&v, value);
    Put(RocksDbStateStore::kItemCounters, key, v);
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

  // Publish: catalogs first, so that once AppliedOffset() moves, readers see the items. Items
  // that become dormant join the dormant sets before their catalog entry stops being live, and
  // leave them only after it changed, so ItemKnown() never misses a known item in between.
  // The last update of an item in the batch is its state.
  absl::flat_hash_map<std::pair<std::string, uint32_t>, bool> dormant;
  for (const CatalogUpdate& u : catalog_updates_) {
    dormant[{u.tenant, u.stored.item().index()}] = u.stored.dormant() && !u.stored.deleted();
  }
  {
    std::unique_lock<std::shared_mutex> lock(s_.mu_);
    for (const auto& [item, is_dormant] : dormant) {
      if (is_dormant) s_.dormant_[item.first].insert(item.second);
    }
  }
  // One write lock per run of a tenant's updates: readers see a batch's items all at once.
  std::optional<catalog::Catalog::Batch> batch;
  const std::string* batch_tenant = nullptr;
  for (const CatalogUpdate& u : catalog_updates_) {
    if (batch_tenant == nullptr || *batch_tenant != u.tenant) {
      batch.reset();
      batch.emplace(*s_.GetOrCreateCatalog(u.tenant));
      batch_tenant = &u.tenant;
    }
    const v1::Item& item = u.stored.item();
    std::vector<std::string> categories(item.categories().begin(), item.categories().end());
    batch->Set(item.index(), item.id(), IsLive(u.stored), !item.has_available() || item.available(),
           item.has_recommendation_weight() ? static_cast<float>(item.recommendation_weight())
                                            : 1.0f,
           item.published_at_ms(), categories, internal::CatalogAttributes(item));
  }
  batch.reset();
  std::unique_lock<std::shared_mutex> lock(s_.mu_);
  for (const auto& [item, is_dormant] : dormant) {
    if (is_dormant) continue;
    if (auto it = s_.dormant_.find(item.first); it != s_.dormant_.end()) {
      it->second.erase(item.second);
    }
  }
  for (auto& [tenant, meta] : tenants_) s_.tenants_[tenant] = meta;
  for (const auto& [name, id] : new_types_) {
    if (s_.type_names_.size() <= id) s_.type_names_.resize(id + 1);
    s_.type_names_[id] = name;
    s_.type_ids_[name] = id;
  }
  s_.applied_offset_ = applied_offset;
  for (const auto& [slot, stamp] : activity_) {
    s_.activity_[slot].store(stamp, std::memory_order_release);
  }
  return absl::OkStatus();
}

void ApplyBatch::Put(RocksDbStateStore::Cf cf, const std::string& key, const std::string& value) {
  rocksdb::Status st = wb_.Put(s_.cf(cf), key, value);
  if (!st.ok() && write_status_.ok()) {
    write_status_ = absl::InternalError(absl::StrCat("state store batch: ", st.ToString()));
  }
}

void ApplyBatch::Delete(RocksDbStateStore::Cf cf, const std::string& key) {
  rocksdb::Status st = wb_.Delete(s_.cf(cf), key);
  if (!st.ok() && write_status_.ok()) {
    write_status_ = absl::InternalError(absl::StrCat("state store batch: ", st.ToString()));
  }
}

absl::Status ApplyBatch::Read(RocksDbStateStore::Cf cf, const std::string& key,
                              std::string* value, bool* found) const {
  rocksdb::Status st = s_.db_->Get(rocksdb::ReadOptions(), s_.cf(cf), key, value);
  *found = st.ok();
  if (st.ok() || st.IsNotFound()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("state store read: ", st.ToString()));
}

internal::TenantMeta& ApplyBatch::Tenant(const std::string& tenant) {
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

uint16_t ApplyBatch::TypeId(const std::string& name) {
  if (auto it = new_types_.find(name); it != new_types_.end()) return it->second;
  std::shared_lock<std::shared_mutex> lock(s_.mu_);
  if (auto it = s_.type_ids_.find(name); it != s_.type_ids_.end()) return it->second;
  uint16_t id = static_cast<uint16_t>(s_.type_names_.size() + new_types_.size());
  new_types_.emplace(name, id);
  return id;
}

absl::StatusOr<v1::User*> ApplyBatch::FindOrCreateUser(const std::string& tenant,
                                                       const std::string& id, int64_t ts_ms) {
  const std::string key = TenantKey(tenant, id);
  if (auto it = users_.find(key); it != users_.end()) return &it->second;
  std::string value;
  bool found = false;
  RECPLAT_RETURN_IF_ERROR(Read(RocksDbStateStore::kUsers, key, &value, &found));
  v1::User user;
  if (found) {
    if (!user.ParseFromString(value)) return absl::DataLossError("state store: corrupt user");
  } else {
    internal::TenantMeta& meta = Tenant(tenant);
    user.set_id(id);
    user.set_tenant(tenant);
    user.set_index(meta.next_user_index++);
    user.set_created_at_ms(ts_ms);
    ++meta.users;
  }
  return &(users_[key] = std::move(user));
}

absl::Status ApplyBatch::AddUserUpsert(const v1::User& in, int64_t appended_at_ms) {
  RECPLAT_ASSIGN_OR_RETURN(v1::User * user, FindOrCreateUser(in.tenant(), in.id(), appended_at_ms));
  *user->mutable_attributes() = in.attributes();
  return absl::OkStatus();
}

absl::Status ApplyBatch::AddRecList(const v1::RecList& list) {
  Put(RocksDbStateStore::kRecs, TenantKey(list.tenant(), list.key()), list.SerializeAsString());
  return absl::OkStatus();
}

// Documents are stored without their address (it is the key): body and write time only.
absl::Status ApplyBatch::AddDocument(const v1::Document& doc, int64_t appended_at_ms) {
  std::string key = TenantPrefix(doc.tenant());
  internal::PutString(&key, doc.collection());
  key.append(doc.key());
  if (doc.deleted()) {
    Delete(RocksDbStateStore::kDocs, key);
    doc_versions_[key] = std::nullopt;
    return absl::OkStatus();
  }
  if (doc.version() > 0) {
    // A versioned put loses only to a higher version (last writer by version, then by log
    // order): the stored version comes from this batch's writes, else from RocksDB.
    std::optional<int64_t> current;
    if (auto it = doc_versions_.find(key); it != doc_versions_.end()) {
      current = it->second;
    } else {
      std::string value;
      bool found = false;
      RECPLAT_RETURN_IF_ERROR(Read(RocksDbStateStore::kDocs, key, &value, &found));
      v1::Document existing;
      if (found && existing.ParseFromString(value)) current = existing.version();
    }
    if (current.has_value() && *current > doc.version()) return absl::OkStatus();
  }
  doc_versions_[key] = doc.version();
  v1::Document stored;
  stored.set_body(doc.body());
  stored.set_updated_at_ms(appended_at_ms);
  stored.set_version(doc.version());
  Put(RocksDbStateStore::kDocs, key, stored.SerializeAsString());
  return absl::OkStatus();
}

absl::StatusOr<bool> ApplyBatch::IsDuplicateEvent(const std::string& tenant,
                                                  const std::string& event_id, uint64_t offset) {
  const std::string key = TenantKey(tenant, event_id);
  if (event_ids_.contains(key)) return true;
  std::string value;
  bool found = false;
  RECPLAT_RETURN_IF_ERROR(Read(RocksDbStateStore::kEventIds, key, &value, &found));
  if (found) return true;
  event_ids_.insert(key);
  std::string v;
  PutBE(&v, offset, 8);
  Put(RocksDbStateStore::kEventIds, key, v);
  return false;
}

absl::Status ApplyBatch::AddEvent(uint64_t offset, const v1::Event& ev) {
  const std::string& tenant = ev.tenant();
  const int64_t ts = ev.timestamp_ms();
  if (!ev.event_id().empty()) {
    RECPLAT_ASSIGN_OR_RETURN(bool duplicate, IsDuplicateEvent(tenant, ev.event_id(), offset));
    if (duplicate) {
      ++Tenant(tenant).duplicate_events;
      ++report_.tenants[tenant].duplicate_events;
      return absl::OkStatus();
    }
  }
  for (const std::string* id : {&ev.user_id(), &ev.session_id()}) {
    if (!id->empty()) activity_[RocksDbStateStore::ActivitySlot(tenant, *id)] = offset + 1;
  }
  RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem * stored, FindOrCreateItem(tenant, ev.item_id(), ts));
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
  if (s_.options_.recorded_event_types.contains(ev.type())) {
    std::string key = TenantPrefix(tenant);
    internal::PutString(&key, ev.type());
    PutBE(&key, static_cast<uint64_t>(std::max<int64_t>(0, ts)), 8);
    PutBE(&key, offset, 8);
    Put(RocksDbStateStore::kEvents, key, ev.SerializeAsString());
  }
  RECPLAT_RETURN_IF_ERROR(BumpCounter(tenant, item, type, ts));
  internal::TenantMeta& meta = Tenant(tenant);
  ++meta.events;
  ++meta.events_by_type[type];
  ++report_.tenants[tenant].events_by_type[ev.type()];
  return absl::OkStatus();
}

absl::Status ApplyBatch::BumpCounter(const std::string& tenant, uint32_t item, uint16_t type,
                                     int64_t ts) {
  std::string key = TenantPrefix(tenant);
  PutBE(&key, item, 4);
  PutBE(&key, type, 2);
  auto it = counters_.find(key);
  if (it == counters_.end()) {
    internal::CounterValue c;
    std::string value;
    bool found = false;
    RECPLAT_RETURN_IF_ERROR(Read(RocksDbStateStore::kCounters, key, &value, &found));
    if (found && !internal::DecodeCounter(value, &c)) {
      return absl::DataLossError("state store: corrupt counter");
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

absl::Status RocksDbStateStore::Apply(std::span<const OffsetRecord> records,
                                      ApplyReport* report) {
  absl::MutexLock apply_lock(&apply_mu_);
  if (apply_state_stale_) {
    RECPLAT_RETURN_IF_ERROR(LoadApplyState());
    apply_state_stale_ = false;
  }
  const uint64_t applied = AppliedOffset();
  ApplyBatch batch(this);
  uint64_t last = 0;
  bool any = false;
  absl::Status status;
  for (const OffsetRecord& r : records) {
    if (r.offset < applied) continue;
    if (any && r.offset <= last) {
      status = absl::InvalidArgumentError("state store apply: offsets must increase");
      break;
    }
    status = batch.Add(r.offset, *r.record);
    if (!status.ok()) break;
    last = r.offset;
    any = true;
  }
  if (status.ok() && any) status = batch.Commit(last + 1);
  if (!status.ok()) {
    // The batch may have changed the shop catalogs and retention indexes: reload them from the
    // unchanged RocksDB state before the next batch.
    apply_state_stale_ = true;
    return status;
  }
  if (report != nullptr) *report = batch.report();
  return absl::OkStatus();
}

}  // namespace recplat::state
