// RocksDbStateStore: item reads added with the write path (known items, named counters) and
// the data gate.
#include <mutex>

#include "core/common/status_macros.h"
#include "core/state/internal/rocks_util.h"
#include "core/state/rocksdb_state_store.h"

namespace recplat::state {

bool GateHolds(const StateStore& state, absl::string_view tenant, absl::string_view event_type,
               double per_item) {
  if (event_type.empty()) return true;
  return static_cast<double>(state.EventCount(tenant, event_type)) >
         per_item * static_cast<double>(state.LiveItemCount(tenant));
}

bool RocksDbStateStore::ItemKnown(absl::string_view tenant, absl::string_view id) const {
  const catalog::Catalog* cat = FindCatalog(tenant);
  if (cat == nullptr) return false;
  uint32_t idx = 0;
  {
    auto reader = cat->Read();
    std::optional<uint32_t> found = reader.Find(id);
    if (!found.has_value()) return false;
    if (reader.Meta(*found).live) return true;
    idx = *found;
  }
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = dormant_.find(tenant);
  return it != dormant_.end() && it->second.contains(idx);
}

absl::Status RocksDbStateStore::ReadNamedCounters(absl::string_view tenant, v1::Item* item) const {
  const std::string prefix = internal::ItemCounterPrefix(tenant, item->index());
  std::string upper_storage;
  rocksdb::Slice upper;
  auto it = internal::PrefixIterator(db_.get(), cf(kItemCounters), prefix, &upper_storage, &upper);
  for (; it->Valid(); it->Next()) {
    absl::string_view name(it->key().data(), it->key().size());
    name.remove_prefix(prefix.size());
    absl::string_view value(it->value().data(), it->value().size());
    double sum = 0;
    if (!internal::GetFixed(&value, &sum)) {
      return absl::DataLossError("state store: corrupt named counter");
    }
    (*item->mutable_counters())[std::string(name)] = sum;
  }
  return internal::FromRocks(it->status(), "state store: read named counters");
}

}  // namespace recplat::state
