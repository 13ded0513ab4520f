// File: event_log.h
//
// EventLog: the append-only, durable log every write of the core goes through first. Records
// are opaque bytes (serialised recplat.v1.LogRecord) at consecutive offsets 0, 1, 2, ...
// An append is acknowledged only once durable under the configured sync policy; the
// materializer (core/ingest) tails the log and applies records to the state store.
//
// This is the single-node implementation's interface; a replicated log (NATS JetStream) can
// implement it too.
//
// Thread-safety: all methods are thread-safe. Appends are serialised internally (offsets are
// assigned in append order).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/common/database_memory.h"

namespace recplat::log {

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends `records` atomically (all or none) and durably; returns the offset of the first one
  // (the others follow consecutively). INVALID_ARGUMENT for an empty batch; UNAVAILABLE when the
  // log is closed; INTERNAL on I/O failure (nothing was appended).
  virtual absl::StatusOr<uint64_t> Append(const std::vector<std::string>& records) = 0;

  // The offset the next appended record will get (= number of records ever appended).
  virtual uint64_t NextOffset() const = 0;

  // Calls `fn(offset, bytes)` for up to `max_records` records starting at `from`, in offset
  // order, stopping early (and returning its status) when `fn` fails. `bytes` is valid only
  // during the call. Reading past the end reads nothing.
  virtual absl::Status Read(
      uint64_t from, size_t max_records,
      const std::function<absl::Status(uint64_t offset, absl::string_view bytes)>& fn) const = 0;

  // Blocks until NextOffset() > `offset`, the timeout passes or the log is closed; returns
  // whether a record at `offset` exists.
  virtual bool WaitForOffset(uint64_t offset, absl::Duration timeout) const = 0;

  // Wakes all waiters and makes further appends fail with UNAVAILABLE. Idempotent.
  virtual void Close() = 0;

  // What the log's local storage holds in memory now (the RocksDB log and the local copy of a
  // replicated log report it; a log kept in memory reports zeros). Cheap; any thread.
  virtual common::DatabaseMemory MemoryUsage() const { return {}; }
};

struct RocksDbEventLogOptions {
  // Directory of the log's RocksDB database; created if missing (primary mode).
  std::string path;
  // fsync the write-ahead log before acknowledging each append (survives power loss). When
  // false, appends are written to the OS before acknowledgement (survive kill -9, not power loss).
  bool sync = true;
  // Secondary mode: open the database that another process (the primary, e.g. a running server)
  // holds open, read-only, as a RocksDB secondary instance (rocksdb::DB::OpenAsSecondary). The
  // log then holds what the primary had written when Open returned and never grows: NextOffset()
  // is fixed, Read() reads up to it, Append() fails with FAILED_PRECONDITION and
  // WaitForOffset() does not wait for the primary. Takes no lock, so it works while the primary
  // runs; the database must exist.
  bool secondary = false;
  // Secondary mode only: a directory of this process's own, where the secondary instance keeps
  // its info log (created if missing; the caller removes it after closing the log).
  std::string secondary_path = {};
};

// Opens the RocksDB-backed log (creating it if needed in primary mode).
// FAILED_PRECONDITION when another process (or another open log of this process) holds the
// database's lock: open it with `secondary` then. INVALID_ARGUMENT when `secondary` is set
// without `secondary_path`; INTERNAL when the database cannot be opened for another reason
// (the message says why).
absl::StatusOr<std::unique_ptr<EventLog>> OpenRocksDbEventLog(const RocksDbEventLogOptions& options);

// A log kept in memory (tests, `recplat eval`). Never fails appends until closed.
std::unique_ptr<EventLog> NewInMemoryEventLog();

}  // namespace recplat::log
