// File: kv_training_lease.h
//
// The training lease in a replicated key-value bucket (log.backend jetstream: a JetStream KV
// bucket, nats.lease_bucket). One key per (tenant, model) (LeaseKey), whose value is a small
// JSON object {"holder", "expires_ms", "trained_offset"}:
//   Acquire  no value             -> Create (fails if another process created it first)
//            a value, expired or  -> Update at the value's revision (compare-and-set: of two
//            released (holder "")    contenders, one wins, the other sees FAILED_PRECONDITION)
//            a live value         -> not acquired; the grant names the holder
//   renew    every `renew_every` (default a third of `lease_duration`) on a thread of the hold:
//            Update at the revision it last wrote, pushing expires_ms forward. A lost
//            compare-and-set, or no successful renewal before expires_ms, marks the hold Lost.
//   release  Update at its revision to holder "" and expires_ms 0 (keeping or advancing
//            trained_offset); if that fails the lease simply expires.
// Expiry is compared on the wall clock of the contender against the holder's: replicas' clocks
// must agree to well within lease_duration (NTP).
//
// Thread-safety: thread-safe; see training_lease.h.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "core/common/clock.h"
#include "core/log/key_value_bucket.h"
#include "core/training/training_lease.h"

namespace recplat::training {

struct KvTrainingLeaseOptions {
  // Required.
  std::shared_ptr<log::KeyValueBucket> bucket;
  // This process's id in the lease's value; empty: "<hostname>-<pid>-<random>".
  std::string holder_id;
  // How long a lease lasts without renewal (training.lease_seconds).
  absl::Duration lease_duration = absl::Seconds(30);
  // Zero: lease_duration / 3.
  absl::Duration renew_every = absl::ZeroDuration();
  // Wall clock of the expiry; null: common::Clock::Default(). Not owned.
  const common::Clock* clock = nullptr;
};

std::unique_ptr<TrainingLease> NewKvTrainingLease(KvTrainingLeaseOptions options);

// The bucket key of (tenant, model): "train.<tenant>.<model>" with every character outside
// [A-Za-z0-9_-] written as =XX (hex) and an empty name as "=", so that distinct names give
// distinct keys that follow the JetStream KV key rules.
std::string LeaseKey(const std::string& tenant, const std::string& model);

}  // namespace recplat::training
