// File: jetstream_event_log.h
//
// JetStreamEventLog: the replicated event log (`log.backend: jetstream`). The NATS JetStream
// stream is the log of record; each process keeps a local copy of it, a MirroredEventLog (the
// RocksDB log), that the rest of the core reads as its EventLog:
//
//   Append(records)  -> one JetStream message (record_batch.h) published with a unique
//                       Nats-Msg-Id, acknowledged by the stream (replicated), then waited for in
//                       the local copy; returns the first offset of its records there.
//   mirror thread    -> reads the stream in order from (local SourceSequence() + 1) and appends
//                       each message's records to the local copy with its stream sequence, in
//                       one atomic write: restarts resume exactly once, and every replica assigns
//                       the same offsets to the same records.
//   Read/NextOffset/WaitForOffset -> the local copy.
//
// NATS unreachable (at start or later) is not fatal: the client reconnects in the background,
// reads keep serving from the local copy, appends fail with UNAVAILABLE naming the servers.
// The stream is created when missing (file storage, `replicas`) and left as it is when present.
//
// Thread-safety: all methods are thread-safe. One mirror thread per log, started by Create and
// stopped by Close or the destructor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/log/event_log.h"
#include "core/log/mirrored_event_log.h"

namespace prometheus {
class Registry;
}

namespace recplat::log {

struct JetStreamOptions {
  // nats://host:port URLs of the cluster; at least one.
  std::vector<std::string> servers;
  // Stream name and the subject its messages are published to (empty: "<stream>.log").
  std::string stream = "recplat";
  std::string subject;
  // Replicas of a stream this log creates (an existing stream keeps its own).
  int replicas = 3;
  // NATS credentials file; TLS CA file (turns TLS on), client certificate and key. Empty: none.
  std::string credentials_file;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // Timeout of one connection attempt to one server.
  absl::Duration connect_timeout = absl::Seconds(2);
  // How long an append waits for the stream's ack and then for the local copy (each).
  absl::Duration ack_timeout = absl::Seconds(5);
  // Connection name shown by the NATS server.
  std::string client_name = "recplat";
  // Where the log's metrics go (recplat_log_stream_*, recplat_log_publish_*); null: nowhere.
  // Must outlive the log.
  prometheus::Registry* metrics = nullptr;
};

// What the mirror knows of the stream (Stats()).
struct JetStreamStats {
  // Stream sequence of the last message in the local copy.
  uint64_t mirrored_seq = 0;
  // The stream's last sequence as last learnt (0 before the first contact).
  uint64_t stream_last_seq = 0;
  // stream_last_seq - mirrored_seq, floored at 0.
  uint64_t lag = 0;
  bool connected = false;
  // The last error met while connecting, creating the stream or mirroring ("" when none since).
  std::string last_error;
};

class JetStreamEventLog final : public EventLog {
 public:
  // Wraps `local` (owned) and starts the mirror thread. INVALID_ARGUMENT for unusable options
  // (no servers, unreadable credentials/TLS files); FAILED_PRECONDITION when `local` holds
  // records that did not come from a stream (a log written with log.backend rocksdb: its
  // offsets would not match the stream's). Unreachable servers are not an error.
  static absl::StatusOr<std::unique_ptr<JetStreamEventLog>> Create(
      JetStreamOptions options, std::unique_ptr<MirroredEventLog> local);
  ~JetStreamEventLog() override;

  // Publishes `records` as one message with a fresh message id; see AppendWithMsgId.
  absl::StatusOr<uint64_t> Append(const std::vector<std::string>& records) override;

  // Publishes `records` as one message with id `msg_id` and returns the offset of its first
  // record in the local copy once the copy holds it. Publishing the same id again within the
  // stream's duplicate window (2 min by default) appends nothing and returns the same offset.
  // INVALID_ARGUMENT for an empty batch or id; UNAVAILABLE when NATS is unreachable or the
  // stream does not acknowledge within ack_timeout (nothing is reported written; the message may
  // still land, and a retry with the same id is then harmless); DEADLINE_EXCEEDED when the
  // stream acknowledged but the local copy did not catch up within ack_timeout (the records are
  // durable in the stream); UNAVAILABLE when closed.
  absl::StatusOr<uint64_t> AppendWithMsgId(const std::vector<std::string>& records,
                                           const std::string& msg_id);

  uint64_t NextOffset() const override;
  absl::Status Read(
      uint64_t from, size_t max_records,
      const std::function<absl::Status(uint64_t, absl::string_view)>& fn) const override;
  bool WaitForOffset(uint64_t offset, absl::Duration timeout) const override;
  // Stops the mirror thread and closes the local copy. Idempotent.
  void Close() override;
  // The local copy's memory.
  common::DatabaseMemory MemoryUsage() const override;

  JetStreamStats Stats() const;

 private:
  struct Impl;
  explicit JetStreamEventLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::log
