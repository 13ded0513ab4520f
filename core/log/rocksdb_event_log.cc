// RocksDB-backed EventLog: one database; in the default column family keys are 8-byte big-endian
// offsets (so iteration order is offset order) and values are the records' bytes. The "mirror"
// column family holds one key, the source sequence of a mirrored log (mirrored_event_log.h),
// written in the same batch as the records it accompanies. Opened either as the primary
// (read-write, holding the database's lock) or as a read-only secondary instance of a primary
// that another process holds open.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/common/logging.h"
#include "core/common/table_cache.h"
#include "core/log/event_log.h"
#include "core/log/mirrored_event_log.h"
#include "core/log/offset_key.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace recplat::log {
namespace {

// Whether opening failed because the database's LOCK file is held: by another process ("While
// lock file: <path>/LOCK: Resource temporarily unavailable") or by another open of this one
// ("lock hold by current process ..."). RocksDB reports both as IO errors naming the lock.
bool IsLockHeld(const rocksdb::Status& s) {
  return s.IsIOError() && absl::StrContains(s.ToString(), "lock");
}

constexpr char kMirrorFamily[] = "mirror";
constexpr char kSourceSeqKey[] = "source_seq";
// The log's block cache. Bulk reads bypass it, so it only serves point reads.
constexpr size_t kBlockCacheBytes = 8 << 20;
// One memtable, and how many a family may hold (the active one and those waiting for their
// flush; writes wait beyond): the bound of the log's memtables, 64 MiB, as appends to the
// mirror family are a few bytes. The database flushes once all its memtables pass the budget.
constexpr size_t kMemtableBytes = 16 << 20;
constexpr int kMemtablesPerFamily = 4;
constexpr size_t kMemtableBudgetBytes = 48 << 20;
// Table files kept open in primary mode (a secondary keeps all open).
constexpr int kMaxOpenFiles = 20;

// The open database with its column family handles (destroyed before the database closes).
struct OpenedDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  // Null in a secondary of a database that has no mirror family yet.
  rocksdb::ColumnFamilyHandle* mirror = nullptr;
  // The tables' block cache (bounded; the log's bulk reads bypass it).
  std::shared_ptr<rocksdb::Cache> cache;
};

class RocksDbEventLog final : public MirroredEventLog {
 public:
  RocksDbEventLog(OpenedDb db, uint64_t next_offset, uint64_t source_seq, bool sync,
                  bool secondary)
      : db_(std::move(db.db)),
        handles_(std::move(db.handles)),
        mirror_(db.mirror),
        cache_(std::move(db.cache)),
        next_offset_(next_offset),
        source_seq_(source_seq),
        sync_(sync),
        secondary_(secondary) {}

  ~RocksDbEventLog() override {
    Close();
    // Flush the memtable so the next open does not need to replay the whole WAL.
    if (db_ != nullptr) {
      if (!secondary_) db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
      for (rocksdb::ColumnFamilyHandle* h : handles_) {
        db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      }
      db_->Close().PermitUncheckedError();
    }
  }

  absl::StatusOr<uint64_t> Append(const std::vector<std::string>& records) override {
    if (records.empty()) return absl::InvalidArgumentError("empty append");
    absl::MutexLock lock(&mu_);
    if (source_seq_ > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the local event log mirrors a JetStream stream (up to stream sequence ", source_seq_,
          "): local appends would make its offsets differ from the other replicas; run with "
          "log.backend: jetstream, or start from an empty data_dir"));
    }
    return WriteLocked(records, /*source_seq=*/0);
  }

  absl::StatusOr<uint64_t> AppendMirrored(const std::vector<std::string>& records,
                                          uint64_t source_seq) override {
    absl::MutexLock lock(&mu_);
    if (source_seq <= source_seq_) {
      return absl::FailedPreconditionError(
          absl::StrCat("mirrored append of source sequence ", source_seq,
                       " after sequence ", source_seq_, " (copied once, in order)"));
    }
    return WriteLocked(records, source_seq);
  }

  uint64_t SourceSequence() const override {
    absl::MutexLock lock(&mu_);
    return source_seq_;
  }

  common::DatabaseMemory MemoryUsage() const override {
    common::DatabaseMemory m;
    db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &m.memtables);
    db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem,
                                  &m.table_readers);
    m.block_cache = cache_->GetUsage();
    m.block_cache_capacity = cache_->GetCapacity();
    return m;
  }

  // Writes `records` at next_offset_ (and `source_seq` when > 0) in one batch.
  absl::StatusOr<uint64_t> WriteLocked(const std::vector<std::string>& records,
                                       uint64_t source_seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (secondary_) {
      return absl::FailedPreconditionError(
          "event log is open read-only (secondary of the process that holds it)");
    }
    if (closed_) return absl::UnavailableError("event log is closed");
    const uint64_t first = next_offset_;
    rocksdb::WriteBatch batch;
    char key[kOffsetKeySize];
    for (size_t i = 0; i < records.size(); ++i) {
      EncodeOffsetKey(first + i, key);
      rocksdb::Status s = batch.Put(rocksdb::Slice(key, sizeof(key)), records[i]);
      if (!s.ok()) return absl::InternalError(absl::StrCat("event log batch: ", s.ToString()));
    }
    if (source_seq > 0) {
      char seq[kOffsetKeySize];
      EncodeOffsetKey(source_seq, seq);
      rocksdb::Status s = batch.Put(mirror_, kSourceSeqKey, rocksdb::Slice(seq, sizeof(seq)));
      if (!s.ok()) return absl::InternalError(absl::StrCat("event log batch: ", s.ToString()));
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync_;
    rocksdb::Status s = db_->Write(wo, &batch);
    if (!s.ok()) {
      RECPLAT_LOG(Error, "event log append failed", {{"error", s.ToString()}});
      return absl::InternalError(absl::StrCat("event log append failed: ", s.ToString()));
    }
    next_offset_ = first + records.size();
    if (source_seq > 0) source_seq_ = source_seq;
    return first;
  }

  uint64_t NextOffset() const override {
    absl::MutexLock lock(&mu_);
    return next_offset_;
  }

  absl::Status Read(uint64_t from, size_t max_records,
                    const std::function<absl::Status(uint64_t, absl::string_view)>& fn)
      const override {
    uint64_t end;
    {
      absl::MutexLock lock(&mu_);
      end = next_offset_;
    }
    if (from >= end || max_records == 0) return absl::OkStatus();
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, db_->DefaultColumnFamily()));
    char key[kOffsetKeySize];
    EncodeOffsetKey(from, key);
    size_t n = 0;
    for (it->Seek(rocksdb::Slice(key, sizeof(key))); it->Valid() && n < max_records;
         it->Next(), ++n) {
      rocksdb::Slice k = it->key();
      if (k.size() != kOffsetKeySize) {
        return absl::DataLossError("event log holds a key that is not an offset");
      }
      uint64_t offset = DecodeOffsetKey(k.data());
      if (offset >= end) break;
      rocksdb::Slice v = it->value();
      absl::Status st = fn(offset, absl::string_view(v.data(), v.size()));
      if (!st.ok()) return st;
    }
    if (!it->status().ok()) {
      return absl::InternalError(absl::StrCat("event log read: ", it->status().ToString()));
    }
    return absl::OkStatus();
  }

  bool WaitForOffset(uint64_t offset, absl::Duration timeout) const override {
    absl::MutexLock lock(&mu_);
    auto ready = [this, offset]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return next_offset_ > offset || closed_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
    return next_offset_ > offset;
  }

  void Close() override {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* const mirror_;
  // Shared with the table factory, which keeps it alive as long as the database.
  const std::shared_ptr<rocksdb::Cache> cache_;
  mutable absl::Mutex mu_;
  uint64_t next_offset_ ABSL_GUARDED_BY(mu_);
  uint64_t source_seq_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  const bool sync_;
  const bool secondary_;
};

// Opens the database at options.path: the primary (creating it, and its mirror family, if
// needed), or a secondary instance of it. `*out` receives the database on success.
absl::Status OpenDb(const RocksDbEventLogOptions& options, OpenedDb* out) {
  rocksdb::Options ro;
  // Keys are appended in increasing order and never overwritten: flushes write sorted runs
  // that compaction moves without merging, so memtables need not be large. The materializer
  // reads what was just appended, from the active memtable.
  ro.write_buffer_size = kMemtableBytes;
  ro.max_write_buffer_number = kMemtablesPerFamily;
  // All families' memtables together (the records and their mirror): flushed when they pass
  // this, so the log's memory stays bounded however fast appends come.
  ro.db_write_buffer_size = kMemtableBudgetBytes;
  ro.compression = rocksdb::kNoCompression;
  // Reads go to recent records (the materializer) or sweep in order (a rebuild): few table
  // files are needed at once, and the descriptors stay bounded as the log grows.
  ro.max_open_files = kMaxOpenFiles;
  ro.table_cache_numshardbits = common::TableCacheShardBits(kMaxOpenFiles);
  ro.max_background_jobs = 2;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 64 << 10;
  // Point reads (the recovery scan, a lagging reader's first block) only: Read() bypasses it.
  out->cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  table.block_cache = out->cache;
  ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The families the database has; a new database has none yet (ListColumnFamilies fails).
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(ro, options.path, &names).ok()) names.clear();
  if (names.empty()) names.push_back(rocksdb::kDefaultColumnFamilyName);
  const bool has_mirror =
      std::find(names.begin(), names.end(), kMirrorFamily) != names.end();
  if (!options.secondary && !has_mirror) names.push_back(kMirrorFamily);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions(ro));
  }
  rocksdb::DB* raw = nullptr;
  auto take = [&](const rocksdb::Status& s) {
    if (!s.ok()) return;
    out->db.reset(raw);
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == kMirrorFamily) out->mirror = out->handles[i];
    }
  };
  if (!options.secondary) {
    ro.create_if_missing = true;
    ro.create_missing_column_families = true;
    rocksdb::Status s = rocksdb::DB::Open(ro, options.path, families, &out->handles, &raw);
    if (IsLockHeld(s)) {
      return absl::FailedPreconditionError(
          absl::StrCat("event log at '", options.path,
                       "' is held by another process (a running server?): ", s.ToString()));
    }
    if (!s.ok()) {
      return absl::InternalError(
          absl::StrCat("cannot open event log at '", options.path, "': ", s.ToString()));
    }
    take(s);
    return absl::OkStatus();
  }
  if (options.secondary_path.empty()) {
    return absl::InvalidArgumentError("event log: secondary_path is required in secondary mode");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.secondary_path, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("event log: cannot create secondary_path '",
                                            options.secondary_path, "': ", ec.message()));
  }
  // A secondary keeps every table file open, so the primary's compactions cannot delete one
  // under it (RocksDB's requirement for secondaries).
  ro.max_open_files = -1;
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(ro, options.path, options.secondary_path,
                                                   families, &out->handles, &raw);
  if (s.ok()) {
    // Replays what the primary wrote to its WAL since its last flush.
    s = raw->TryCatchUpWithPrimary();
    if (!s.ok()) {
      for (rocksdb::ColumnFamilyHandle* h : out->handles) {
        raw->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      }
      out->handles.clear();
      delete raw;
    }
  }
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("cannot open event log at '", options.path,
                                            "' as a secondary: ", s.ToString()));
  }
  take(s);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RocksDbEventLog>> Open(const RocksDbEventLogOptions& options) {
  OpenedDb db;
  if (absl::Status s = OpenDb(options, &db); !s.ok()) return s;
  uint64_t next = 0;
  uint64_t source_seq = 0;
  absl::Status scanned = [&]() -> absl::Status {
    std::unique_ptr<rocksdb::Iterator> it(
        db.db->NewIterator(rocksdb::ReadOptions(), db.db->DefaultColumnFamily()));
    it->SeekToLast();
    if (it->Valid()) {
      if (it->key().size() != kOffsetKeySize) {
        return absl::DataLossError(
            absl::StrCat("event log at '", options.path, "' holds a key that is not an offset"));
      }
      next = DecodeOffsetKey(it->key().data()) + 1;
    } else if (!it->status().ok()) {
      return absl::InternalError(absl::StrCat("event log scan: ", it->status().ToString()));
    }
    if (db.mirror == nullptr) return absl::OkStatus();
    std::string value;
    rocksdb::Status s = db.db->Get(rocksdb::ReadOptions(), db.mirror, kSourceSeqKey, &value);
    if (s.ok() && value.size() == kOffsetKeySize) {
      source_seq = DecodeOffsetKey(value.data());
    } else if (s.ok() || !s.IsNotFound()) {
      return absl::DataLossError(absl::StrCat("event log at '", options.path,
                                              "': unreadable source sequence: ", s.ToString()));
    }
    return absl::OkStatus();
  }();
  if (!scanned.ok()) {
    for (rocksdb::ColumnFamilyHandle* h : db.handles) {
      db.db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    return scanned;
  }
  RECPLAT_LOG(Info, "event log opened",
              {{"path", options.path},
               {"next_offset", next},
               {"source_sequence", source_seq},
               {"mode", options.secondary ? "secondary" : "primary"}});
  return std::make_unique<RocksDbEventLog>(std::move(db), next, source_seq, options.sync,
                                           options.secondary);
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLog>> OpenRocksDbEventLog(
    const RocksDbEventLogOptions& options) {
  absl::StatusOr<std::unique_ptr<RocksDbEventLog>> log = Open(options);
  if (!log.ok()) return log.status();
  return std::unique_ptr<EventLog>(*std::move(log));
}

absl::StatusOr<std::unique_ptr<MirroredEventLog>> OpenRocksDbMirroredEventLog(
    const RocksDbEventLogOptions& options) {
  if (options.secondary) {
    return absl::InvalidArgumentError("a mirrored event log is opened as the primary only");
  }
  absl::StatusOr<std::unique_ptr<RocksDbEventLog>> log = Open(options);
  if (!log.ok()) return log.status();
  return std::unique_ptr<MirroredEventLog>(*std::move(log));
}

}  // namespace recplat::log
