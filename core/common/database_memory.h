// The memory one RocksDB database holds, by kind: what the state store's and the event log's
// MemoryUsage() report and what recplat_state_memory_bytes / recplat_log_memory_bytes export.
// A plain value; no RocksDB header (the modules that open databases fill it).
#ifndef RECPLAT_CORE_COMMON_DATABASE_MEMORY_H_
#define RECPLAT_CORE_COMMON_DATABASE_MEMORY_H_

#include <cstdint>

namespace recplat::common {

struct DatabaseMemory {
  // Memtables of every column family (active, immutable and being flushed).
  uint64_t memtables = 0;
  // Table readers' own memory (index and filter blocks held outside the block cache).
  uint64_t table_readers = 0;
  // Block cache usage (data blocks, the index and filter blocks kept in it and any memtable
  // reservation charged to it) and its capacity.
  uint64_t block_cache = 0;
  uint64_t block_cache_capacity = 0;
};

}  // namespace recplat::common

#endif  // RECPLAT_CORE_COMMON_DATABASE_MEMORY_H_
