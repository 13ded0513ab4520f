// File: key_value_bucket.h
//
// KeyValueBucket: a replicated key-value bucket with compare-and-set on revisions, what the
// cluster's coordination (the training lease, core/training/kv_training_lease.h) is built on.
// Implemented over JetStream KV by NatsCoordination::Bucket (nats_coordination.h); tests may
// implement it in memory.
//
// Contract, for every implementation:
//   - every successful write gives the key a new revision, larger than any before it;
//   - Create succeeds only when the key has no value (never written, or deleted);
//   - Update succeeds only when the key's current revision is `expected_revision`;
//   - a write that loses (the key exists; its revision moved) fails with FAILED_PRECONDITION;
//     a write whose outcome could not be learnt (the store is unreachable) fails with
//     UNAVAILABLE and may or may not have happened.
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace recplat::log {

struct KeyValueEntry {
  std::string value;
  uint64_t revision = 0;
};

class KeyValueBucket {
 public:
  virtual ~KeyValueBucket() = default;

  // The key's value and revision; nullopt when it has none. UNAVAILABLE when unreachable.
  virtual absl::StatusOr<std::optional<KeyValueEntry>> Get(const std::string& key) = 0;
  // Writes `value` when the key has none; answers the new revision.
  virtual absl::StatusOr<uint64_t> Create(const std::string& key, const std::string& value) = 0;
  // Writes `value` when the key's revision is `expected_revision`; answers the new revision.
  virtual absl::StatusOr<uint64_t> Update(const std::string& key, const std::string& value,
                                          uint64_t expected_revision) = 0;
};

}  // namespace recplat::log
