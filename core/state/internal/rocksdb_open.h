// File: rocksdb_open.h (internal to core/state)
//
// Opening the state store's RocksDB database, as the primary (read-write, holding the
// database's lock) or as a read-only secondary instance of a primary that another process holds
// open (StateStoreOptions::secondary). Kept apart from the store's reads and writes so that the
// two modes live in one place.
//
// Thread-safety: a plain function; call it once per open.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "core/state/state_store.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"

namespace recplat::state::internal {

// Opens the database at options.path with the column families `descriptors`; `meta_cf` is the
// index of the one holding "applied_offset". Primary: creates what is missing. Secondary:
// catches up with the primary as StateStoreOptions describes. On success `*raw` and `*handles`
// receive the database and one handle per descriptor (the caller owns them).
// FAILED_PRECONDITION when the primary's lock is held, INVALID_ARGUMENT for a secondary without
// secondary_path, INTERNAL for other failures (nothing is left open then).
absl::Status OpenRocksDb(const StateStoreOptions& options, rocksdb::Options db_options,
                         const std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors,
                         size_t meta_cf, std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                         rocksdb::DB** raw);

}  // namespace recplat::state::internal
