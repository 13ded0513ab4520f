// Sharding of RocksDB's table cache, so that `max_open_files` bounds the table files a
// database keeps open. Pure arithmetic: callers set `DBOptions::table_cache_numshardbits`.
#ifndef RECPLAT_CORE_COMMON_TABLE_CACHE_H_
#define RECPLAT_CORE_COMMON_TABLE_CACHE_H_

namespace recplat::common {

// RocksDB keeps 10 of `max_open_files` for files other than tables.
inline constexpr int kRocksDbNonTableFiles = 10;

// Table readers RocksDB caches for a database opened with `max_open_files` (> 10).
inline constexpr int TableCacheCapacity(int max_open_files) {
  return max_open_files - kRocksDbNonTableFiles;
}

// The table cache's shard bits for `max_open_files`: RocksDB splits the cache's capacity over
// 2^bits shards (64 by default) and every shard keeps at least one entry, so with the default a
// cap of 20 (10 readers) still kept up to 64 files open. This gives each shard at least eight
// entries, and at most RocksDB's default of 64 shards.
inline constexpr int TableCacheShardBits(int max_open_files) {
  const int per_shard = 8;
  int bits = 0;
  while (bits < 6 && (per_shard << (bits + 1)) <= TableCacheCapacity(max_open_files)) ++bits;
  return bits;
}

}  // namespace recplat::common

#endif  // RECPLAT_CORE_COMMON_TABLE_CACHE_H_
