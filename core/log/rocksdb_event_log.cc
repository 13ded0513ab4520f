// RocksDB-backed EventLog: one database, one column family, keys are 8-byte big-endian offsets
// (so iteration order is offset order), values are the records' bytes. Opened either as the
// primary (read-write, holding the database's lock) or as a read-only secondary instance of a
// primary that another process holds open.
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
#include "core/log/event_log.h"
#include "core/log/offset_key.h"
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

class RocksDbEventLog final : public EventLog {
 public:
  RocksDbEventLog(std::unique_ptr<rocksdb::DB> db, uint64_t next_offset, bool sync,
                  bool secondary)
      : db_(std::move(db)), next_offset_(next_offset), sync_(sync), secondary_(secondary) {}

  ~RocksDbEventLog() override {
    Close();
    // Flush the memtable so the next open does not need to replay the whole WAL.
    if (db_ != nullptr) {
      if (!secondary_) db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
      db_->Close().PermitUncheckedError();
    }
  }

  absl::StatusOr<uint64_t> Append(const std::vector<std::string>& records) override {
    if (records.empty()) return absl::InvalidArgumentError("empty append");
    if (secondary_) {
      return absl::FailedPreconditionError(
          "event log is open read-only (secondary of the process that holds it)");
    }
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::UnavailableError("event log is closed");
    const uint64_t first = next_offset_;
    rocksdb::WriteBatch batch;
    char key[kOffsetKeySize];
    for (size_t i = 0; i < records.size(); ++i) {
      EncodeOffsetKey(first + i, key);
      rocksdb::Status s = batch.Put(rocksdb::Slice(key, sizeof(key)), records[i]);
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
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
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
  mutable absl::Mutex mu_;
  uint64_t next_offset_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  const bool sync_;
  const bool secondary_;
};

// Opens the database at options.path: the primary (creating it if needed), or a secondary
// instance of it. `*raw` receives the database on success.
absl::Status OpenDb(const RocksDbEventLogOptions& options, rocksdb::DB** raw) {
  rocksdb::Options ro;
  // Keys are appended in increasing order and never overwritten: keep memtables large and
  // compaction cheap.
  ro.write_buffer_size = 64 << 20;
  ro.max_write_buffer_number = 3;
  ro.compression = rocksdb::kNoCompression;
  ro.max_background_jobs = 2;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 64 << 10;
  ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (!options.secondary) {
    ro.create_if_missing = true;
    rocksdb::Status s = rocksdb::DB::Open(ro, options.path, raw);
    if (IsLockHeld(s)) {
      return absl::FailedPreconditionError(
          absl::StrCat("event log at '", options.path,
                       "' is held by another process (a running server?): ", s.ToString()));
    }
    if (!s.ok()) {
      return absl::InternalError(
          absl::StrCat("cannot open event log at '", options.path, "': ", s.ToString()));
    }
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
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(ro, options.path, options.secondary_path, raw);
  if (s.ok()) {
    // Replays what the primary wrote to its WAL since its last flush.
    s = (*raw)->TryCatchUpWithPrimary();
    if (!s.ok()) {
      delete *raw;
      *raw = nullptr;
    }
  }
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("cannot open event log at '", options.path,
                                            "' as a secondary: ", s.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLog>> OpenRocksDbEventLog(
    const RocksDbEventLogOptions& options) {
  rocksdb::DB* raw = nullptr;
  if (absl::Status s = OpenDb(options, &raw); !s.ok()) return s;
  std::unique_ptr<rocksdb::DB> db(raw);
  uint64_t next = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
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
  }
  RECPLAT_LOG(Info, "event log opened",
              {{"path", options.path},
               {"next_offset", next},
               {"mode", options.secondary ? "secondary" : "primary"}});
  return std::unique_ptr<EventLog>(std::make_unique<RocksDbEventLog>(
      std::move(db), next, options.sync, options.secondary));
}

}  // namespace recplat::log
