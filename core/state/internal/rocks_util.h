// File: rocks_util.h (internal to core/state)
//
// Small helpers over the RocksDB API shared by the state store's translation units.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/state/internal/keys.h"
#include "rocksdb/db.h"

namespace recplat::state::internal {

inline absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

// Iterates keys under `prefix` in `cf`. `upper_storage` and `upper` hold the iterator's upper
// bound and must outlive it.
inline std::unique_ptr<rocksdb::Iterator> PrefixIterator(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& prefix,
    std::string* upper_storage, rocksdb::Slice* upper,
    const rocksdb::Snapshot* snapshot = nullptr) {
  rocksdb::ReadOptions ro;
  *upper_storage = PrefixUpperBound(prefix);
  if (!upper_storage->empty()) {
    *upper = rocksdb::Slice(*upper_storage);
    ro.iterate_upper_bound = upper;
  }
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  it->Seek(prefix);
  return it;
}

}  // namespace recplat::state::internal
