// Opening the state store's database: primary or secondary (see rocksdb_open.h).
#include "core/state/internal/rocksdb_open.h"

#include <filesystem>
#include <string>
#include <system_error>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/state/internal/keys.h"

namespace recplat::state::internal {
namespace {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

// Whether opening failed because the database's LOCK file is held, by another process or by
// another open of this one (RocksDB reports both as IO errors naming the lock; the event log's
// Open detects it the same way).
bool IsLockHeld(const rocksdb::Status& s) {
  return s.IsIOError() && absl::StrContains(s.ToString(), "lock");
}

// The applied offset stored in the meta column family (0 when none yet).
absl::StatusOr<uint64_t> ReadAppliedOffset(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), meta, "applied_offset", &value);
  if (s.IsNotFound()) return uint64_t{0};
  RECPLAT_RETURN_IF_ERROR(FromRocks(s, "state store: read applied_offset"));
  absl::string_view v(value);
  uint64_t offset = 0;
  if (!GetBE(&v, 8, &offset)) return absl::DataLossError("state store: corrupt applied_offset");
  return offset;
}

// Catches the secondary `db` up with its primary until the primary has applied
// options.min_applied_offset or options.catch_up_timeout_seconds pass (real time: this waits on
// another process).
absl::Status CatchUpWithPrimary(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
                                const StateStoreOptions& options) {
  const absl::Time deadline = absl::Now() + absl::Seconds(options.catch_up_timeout_seconds);
  while (true) {
    RECPLAT_RETURN_IF_ERROR(
        FromRocks(db->TryCatchUpWithPrimary(), "state store: catch up with the primary"));
    RECPLAT_ASSIGN_OR_RETURN(uint64_t applied, ReadAppliedOffset(db, meta));
    if (applied >= options.min_applied_offset) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      RECPLAT_LOG(Warn, "state store: the primary has not applied the log that far; reading "
                  "what it applied",
                  {{"path", options.path}, {"applied_offset", applied},
                   {"wanted", options.min_applied_offset}});
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace

absl::Status OpenRocksDb(const StateStoreOptions& options, rocksdb::Options db_options,
                         const std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors,
                         size_t meta_cf, std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                         rocksdb::DB** raw) {
  if (!options.secondary) {
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(db_options), options.path,
                                          descriptors, handles, raw);
    if (IsLockHeld(s)) {
      return absl::FailedPreconditionError(
          absl::StrCat("state store at '", options.path,
                       "' is held by another process (a running server?): ", s.ToString()));
    }
    if (!s.ok()) {
      return absl::InternalError(
          absl::StrCat("cannot open state store at '", options.path, "': ", s.ToString()));
    }
    return absl::OkStatus();
  }
  if (options.secondary_path.empty()) {
    return absl::InvalidArgumentError("state store: secondary_path is required in secondary mode");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.secondary_path, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("state store: cannot create secondary_path '",
                                            options.secondary_path, "': ", ec.message()));
  }
  db_options.create_if_missing = false;
  db_options.create_missing_column_families = false;
  // A secondary keeps every table file open, so the primary's compactions cannot delete one
  // under it (RocksDB's requirement for secondaries).
  db_options.max_open_files = -1;
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(rocksdb::DBOptions(db_options), options.path,
                                                   options.secondary_path, descriptors, handles,
                                                   raw);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("cannot open state store at '", options.path,
                                            "' as a secondary: ", s.ToString()));
  }
  absl::Status caught_up = CatchUpWithPrimary(*raw, (*handles)[meta_cf], options);
  if (!caught_up.ok()) {
    for (rocksdb::ColumnFamilyHandle* h : *handles) {
      (*raw)->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    handles->clear();
    delete *raw;
    *raw = nullptr;
  }
  return caught_up;
}

}  // namespace recplat::state::internal
