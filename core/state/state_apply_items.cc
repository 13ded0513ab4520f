// ApplyBatch: items (upserts, deletes, dormant items), catalog retention and named counters.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/state/internal/apply_batch.h"

namespace recplat::state {

using internal::PutBE;
using internal::TenantKey;
using internal::TenantPrefix;

absl::StatusOr<v1::StoredItem*> ApplyBatch::FindItem(const std::string& key) {
  if (auto it = items_.find(key); it != items_.end()) return &it->second;
  std::string value;
  bool found = false;
  RECPLAT_RETURN_IF_ERROR(Read(RocksDbStateStore::kItems, key, &value, &found));
  if (!found) return nullptr;
  v1::StoredItem stored;
  if (!stored.ParseFromString(value)) return absl::DataLossError("state store: corrupt item");
  return &(items_[key] = std::move(stored));
}

uint32_t ApplyBatch::NextItemIndex(const std::string& tenant) {
  auto it = next_item_.find(tenant);
  if (it == next_item_.end()) {
    const catalog::Catalog* c = s_.FindCatalog(tenant);
    it = next_item_.emplace(tenant, c == nullptr ? 0u : c->NextIndex()).first;
  }
  return it->second++;
}

internal::RetentionIndex* ApplyBatch::Retention(const std::string& tenant) {
  if (!s_.options_.retention.enabled()) return nullptr;
  s_.apply_mu_.AssertHeld();  // Apply() holds it for the whole batch.
  auto& slot = s_.retention_[tenant];
  if (slot == nullptr) {
    slot = std::make_unique<internal::RetentionIndex>(s_.options_.retention.order);
  }
  return slot.get();
}

absl::Status ApplyBatch::Stored(const std::string& tenant, const std::string& key, bool is_new,
                                bool was_live) {
  const v1::StoredItem& stored = items_[key];
  const v1::Item& item = stored.item();
  const bool live = IsLive(stored);
  internal::TenantMeta& meta = Tenant(tenant);
  if (live && !was_live) ++meta.items;
  if (!live && was_live) --meta.items;
  if (is_new) {
    std::string idx_key = TenantPrefix(tenant);
    PutBE(&idx_key, item.index(), 4);
    Put(RocksDbStateStore::kItemIdx, idx_key, item.id());
  }
  catalog_updates_.push_back({tenant, stored});
  internal::RetentionIndex* retention = Retention(tenant);
  if (retention == nullptr) return absl::OkStatus();
  retention->Erase(item.index());
  if (!live) return absl::OkStatus();
  retention->Insert(item.index(), item.id(), item.published_at_ms());
  return ApplyRetention(tenant, *retention);
}

absl::Status ApplyBatch::ApplyRetention(const std::string& tenant,
                                        internal::RetentionIndex& index) {
  // MarkDeleted() takes every evicted item out of `index`, so the rules hold afterwards.
  for (const std::string& id : index.Evictions(s_.options_.retention)) {
    RECPLAT_RETURN_IF_ERROR(MarkDeleted(tenant, id));
  }
  return absl::OkStatus();
}

absl::Status ApplyBatch::UpsertItem(const v1::Item& in, int64_t appended_at_ms, bool dormant) {
  const std::string key = TenantKey(in.tenant(), in.id());
  RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem * existing, FindItem(key));
  const bool is_new = existing == nullptr;
  const bool was_live = !is_new && IsLive(*existing);
  v1::StoredItem stored;
  v1::Item* item = stored.mutable_item();
  *item = in;
  item->clear_event_counts();
  item->clear_counters();
  item->clear_live();
  item->set_index(is_new ? NextItemIndex(in.tenant()) : existing->item().index());
  item->set_updated_at_ms(appended_at_ms);
  if (item->published_at_ms() == 0) {
    item->set_published_at_ms(is_new ? appended_at_ms : existing->item().published_at_ms());
  }
  stored.set_dormant(dormant);
  items_[key] = std::move(stored);
  return Stored(in.tenant(), key, is_new, was_live);
}

absl::StatusOr<v1::StoredItem*> ApplyBatch::FindOrCreateItem(const std::string& tenant,
                                                             const std::string& id,
                                                             int64_t ts_ms) {
  const std::string key = TenantKey(tenant, id);
  RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem * stored, FindItem(key));
  if (stored != nullptr) return stored;
  v1::StoredItem created;
  v1::Item* item = created.mutable_item();
  item->set_id(id);
  item->set_tenant(tenant);
  item->set_index(NextItemIndex(tenant));
  item->set_published_at_ms(ts_ms);
  item->set_updated_at_ms(ts_ms);
  items_[key] = std::move(created);
  RECPLAT_RETURN_IF_ERROR(Stored(tenant, key, /*is_new=*/true, /*was_live=*/false));
  return &items_[key];
}

absl::Status ApplyBatch::MarkDeleted(const std::string& tenant, const std::string& id) {
  const std::string key = TenantKey(tenant, id);
  RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem * existing, FindItem(key));
  if (existing == nullptr || existing->deleted()) return absl::OkStatus();
  const bool was_live = IsLive(*existing);
  existing->set_deleted(true);
  existing->set_dormant(false);
  return Stored(tenant, key, /*is_new=*/false, was_live);
}

absl::Status ApplyBatch::MarkDormant(const std::string& tenant, const std::string& id) {
  const std::string key = TenantKey(tenant, id);
  RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem * existing, FindItem(key));
  if (existing == nullptr || !IsLive(*existing)) return absl::OkStatus();
  existing->set_dormant(true);
  return Stored(tenant, key, /*is_new=*/false, /*was_live=*/true);
}

absl::Status ApplyBatch::AddCounter(const v1::CounterUpdate& update, int64_t appended_at_ms) {
  RECPLAT_ASSIGN_OR_RETURN(v1::StoredItem * stored,
                           FindOrCreateItem(update.tenant(), update.item_id(), appended_at_ms));
  std::string key = internal::ItemCounterPrefix(update.tenant(), stored->item().index());
  key.append(update.name());
  auto it = item_counters_.find(key);
  if (it == item_counters_.end()) {
    double current = 0;
    std::string value;
    bool found = false;
    RECPLAT_RETURN_IF_ERROR(Read(RocksDbStateStore::kItemCounters, key, &value, &found));
    absl::string_view v(value);
    if (found && !internal::GetFixed(&v, &current)) {
      return absl::DataLossError("state store: corrupt named counter");
    }
    it = item_counters_.emplace(key, current).first;
  }
  if (update.has_set()) it->second = update.set();
  it->second += update.add();
  if (update.has_floor()) it->second = std::max(it->second, update.floor());
  return absl::OkStatus();
}

}  // namespace recplat::state
