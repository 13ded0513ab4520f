// File: training_lease.h
//
// TrainingLease: at most one trainer at a time per (tenant, model), across every process that
// shares the lease. The trainer acquires the lease before it numbers a version and holds it
// until the version is promoted (or failed); a process that finds the lease held elsewhere skips
// that training (not an error: the holder is training the same data).
//
// Implementations:
//   - NewInProcessTrainingLease (below): one process (log.backend rocksdb, where one process
//     owns the data directory); never unavailable.
//   - NewKvTrainingLease (kv_training_lease.h): a JetStream key-value bucket shared by the
//     replicas of a cluster (log.backend jetstream), with expiry and renewal, so that a replica
//     that dies loses only its lease.
//
// Besides the holder, the lease remembers the log offset the last successful training under it
// covered (LeaseHold::Release), so that replicas reacting to the same events do not each train
// a version of the same data: a trainer that acquires the lease and finds its own data no newer
// may skip (Trainer does so for automatic triggers).
//
// Thread-safety: TrainingLease is thread-safe; a LeaseHold is used by one thread (its renewal,
// if any, runs on a thread of its own).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace recplat::training {

// A held lease. Destroying it releases it (as Release(nullopt)) unless released already.
class LeaseHold {
 public:
  virtual ~LeaseHold() = default;
  // Whether the lease may have passed to another holder (a renewal lost a compare-and-set, or
  // could not be made before the lease expired). A trainer whose lease is lost must not
  // promote what it trained.
  virtual bool Lost() const = 0;
  // Re-asserts the lease now: a compare-and-set on the revision this holder last wrote (which
  // also renews it). OK while this process holds the lease; ABORTED, and Lost() from then on,
  // when another holder wrote it meanwhile; UNAVAILABLE when the store cannot be reached. A
  // trainer confirms before each shared side effect (numbering a version, committing it,
  // promoting it): nats-server before 2.9.21 (Debian bookworm ships 2.9.10) may accept two
  // compare-and-sets of the same revision of a replicated bucket when they arrive within
  // milliseconds (nats-server issue #4320), so two replicas reacting to the same event can both
  // acquire; the first confirmation after that tells the loser.
  virtual absl::Status Confirm() = 0;
  // Releases the lease; `trained_offset` (when set) becomes the log offset the lease remembers
  // as trained (and now as when). Best effort: a release that cannot be written lets the lease expire.
  // Idempotent.
  virtual void Release(std::optional<uint64_t> trained_offset) = 0;
};

// What Acquire found.
struct LeaseGrant {
  // The held lease; null when another holder has it.
  std::unique_ptr<LeaseHold> hold;
  // The other holder when `hold` is null (for logs).
  std::string holder;
  // The log offset (exclusive) that the last successful training of (tenant, model) under this
  // lease covered, and when it ended (Unix ms); 0 when unknown.
  uint64_t trained_offset = 0;
  int64_t trained_at_ms = 0;
};

class TrainingLease {
 public:
  virtual ~TrainingLease() = default;
  // Tries to take the lease of (tenant, model) without waiting. UNAVAILABLE when the lease's
  // store cannot be reached (the caller skips the training).
  virtual absl::StatusOr<LeaseGrant> Acquire(const std::string& tenant,
                                             const std::string& model) = 0;
  // This process's holder id (logs, the lease's value).
  virtual std::string holder_id() const = 0;
};

// A lease within this process only (log.backend rocksdb). It does not remember trainings
// (trained_offset and trained_at_ms are always 0).
std::unique_ptr<TrainingLease> NewInProcessTrainingLease();

}  // namespace recplat::training
