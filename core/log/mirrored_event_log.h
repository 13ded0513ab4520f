// File: mirrored_event_log.h
//
// MirroredEventLog: a local EventLog that copies a numbered source of record batches (the
// messages of a NATS JetStream stream, core/log/jetstream_event_log.h) in source order. Each
// source message's records are appended together with the message's source sequence number in
// one atomic write, so after a crash the log knows exactly which source message it holds last
// and resumes after it: every source message is copied exactly once, and every copy of the same
// source assigns the same offsets to the same records.
//
// This is the RocksDB log (OpenRocksDbMirroredEventLog) seen through its mirror half; the rest
// of the core sees it as a plain EventLog. Plain Append() is refused (FAILED_PRECONDITION) once
// the log mirrors a source: records that are not in the source would shift the offsets of this
// copy against every other copy.
//
// Thread-safety: as EventLog. AppendMirrored is meant for one writer (the mirroring thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/log/event_log.h"

namespace recplat::log {

class MirroredEventLog : public EventLog {
 public:
  // Appends `records` (possibly none: a source message that carried no records still advances
  // the position) and records `source_seq` as the last source message held, atomically and
  // durably. Returns the offset of the first record (= NextOffset() before the call).
  // FAILED_PRECONDITION unless `source_seq` > SourceSequence() (a message is copied once, in
  // order); UNAVAILABLE when closed; INTERNAL on I/O failure (nothing was written).
  virtual absl::StatusOr<uint64_t> AppendMirrored(const std::vector<std::string>& records,
                                                  uint64_t source_seq) = 0;

  // The source sequence of the last message copied; 0 when none (an unmirrored log).
  virtual uint64_t SourceSequence() const = 0;
};

// Opens the RocksDB log of `options` (primary mode only) as a mirror.
// Same errors as OpenRocksDbEventLog, and INVALID_ARGUMENT for `options.secondary`.
absl::StatusOr<std::unique_ptr<MirroredEventLog>> OpenRocksDbMirroredEventLog(
    const RocksDbEventLogOptions& options);

}  // namespace recplat::log
