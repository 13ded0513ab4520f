// RocksDbStateStore::ScanEvents: the events of the recorded types (StateStoreOptions::
// recorded_event_types), kept by the apply path in the `events` column family in time order.
#include <algorithm>
#include <functional>
#include <memory>
#include <string>

#include "core/state/internal/rocks_util.h"
#include "core/state/rocksdb_state_store.h"

namespace recplat::state {

absl::Status RocksDbStateStore::ScanEvents(
    absl::string_view tenant, absl::string_view type, int64_t from_ms, int64_t to_ms,
    const std::function<void(const v1::Event&)>& fn) const {
  if (to_ms < 0 || to_ms < from_ms) return absl::OkStatus();
  std::string prefix = internal::TenantPrefix(tenant);
  internal::PutString(&prefix, type);
  std::string start = prefix;
  internal::PutBE(&start, static_cast<uint64_t>(std::max<int64_t>(0, from_ms)), 8);
  // Every key of a time <= to_ms sorts below the successor of that time's prefix.
  std::string upper_key = prefix;
  internal::PutBE(&upper_key, static_cast<uint64_t>(to_ms), 8);
  const std::string upper_storage = internal::PrefixUpperBound(upper_key);
  rocksdb::Slice upper(upper_storage);
  rocksdb::ReadOptions ro;
  if (!upper_storage.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kEvents)));
  for (it->Seek(start); it->Valid(); it->Next()) {
    v1::Event event;
    if (!event.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("state store: corrupt recorded event");
    }
    fn(event);
  }
  return internal::FromRocks(it->status(), "state store: scan recorded events");
}

}  // namespace recplat::state
