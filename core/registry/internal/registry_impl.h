// File: registry_impl.h
//
// The private state of ModelRegistry, shared by its implementation files:
//   model_registry.cc        Create, the serving snapshots and the read-only queries
//   model_registry_write.cc  BeginVersion / CommitVersion / FailVersion / Promote / Prune
//   internal/recovery.cc     the repair of one (tenant, model) at open
//   internal/source_sync.cc  following the ModelSource (SyncFromSource, the poller, List's view)
//
// Locking: ModelEntry::mu guards the tenant -> Slot map of one model (readers take it shared
// for a map lookup only; slots are never removed, so a Slot* stays valid for the registry's
// life). Slot::write_mu serialises the metadata writes of one (tenant, model) and the
// follower's reads of CURRENT with its swaps; artifacts are loaded and saved outside it.
// Readers never take write_mu: they copy Slot::current under its own shared lock
// (snapshot_cell.h). Impl::sync_mu serialises follower passes; it is taken before write_mu.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/common/clock.h"
#include "core/config/config.h"
#include "core/models/model.h"
#include "core/models/model_family.h"
#include "core/registry/internal/snapshot_cell.h"
#include "core/registry/internal/version_store.h"
#include "core/registry/model_registry.h"
#include "core/registry/model_source.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "recplat/v1/models.pb.h"

namespace recplat::registry::internal {

// Serving snapshot and write state of one (tenant, model) of a trainable family.
struct Slot {
  // The serving snapshot; null when there is no current version. Replaced only with write_mu
  // held, loaded by anyone.
  SnapshotCell<LoadedModel> current;

  absl::Mutex write_mu;
  // Versions reserved by BeginVersion and neither committed nor failed yet.
  std::set<int64_t> in_flight ABSL_GUARDED_BY(write_mu);
  // The highest version number reserved by this process, so that numbers are never reused even
  // if a directory disappears behind the registry's back.
  int64_t highest_reserved ABSL_GUARDED_BY(write_mu) = 0;
  // The source's current version that the follower last failed to load here (0: none), the
  // fingerprint it had then and why: not retried until the fingerprint changes.
  int64_t source_failed_version ABSL_GUARDED_BY(write_mu) = 0;
  std::string source_failed_fingerprint ABSL_GUARDED_BY(write_mu);
  std::string source_failed_error ABSL_GUARDED_BY(write_mu);
  // ModelRegistry::List's last view of this slot (newest first), so that frontends that list
  // versions on every request (article_rec's /recs) read no metadata files: dropped by every
  // metadata write of this process (SlotWriteLock) and older than kListingTtl (what other
  // processes write to the source shows after at most that).
  std::optional<std::vector<v1::ModelVersion>> listing ABSL_GUARDED_BY(write_mu);
  // When `listing` was read (RegistryOptions::clock).
  int64_t listing_at_ms ABSL_GUARDED_BY(write_mu) = 0;
};

inline constexpr int64_t kListingTtlMs = 1000;

// Slot::write_mu held for a metadata write: drops the slot's cached listing.
class ABSL_SCOPED_LOCKABLE SlotWriteLock {
 public:
  explicit SlotWriteLock(Slot& slot) ABSL_EXCLUSIVE_LOCK_FUNCTION(slot.write_mu)
      : lock_(&slot.write_mu) {
    slot.listing.reset();
  }
  ~SlotWriteLock() ABSL_UNLOCK_FUNCTION() = default;

  SlotWriteLock(const SlotWriteLock&) = delete;
  SlotWriteLock& operator=(const SlotWriteLock&) = delete;

 private:
  absl::MutexLock lock_;
};

// The follower's metrics (operations.md); absent when RegistryOptions::metrics is null.
struct SourceMetrics {
  explicit SourceMetrics(prometheus::Registry& registry);
  // recplat_registry_source_loads_total{model, result="ok"|"failed"}.
  prometheus::Family<prometheus::Counter>& loads;
  // recplat_registry_source_errors_total: the source could not be read.
  prometheus::Counter& errors;
};

// One configured model. Everything but the slot map is immutable after Create().
struct ModelEntry {
  std::string name;
  config::ModelConfig config;
  // Not owned; outlives the registry (RegistryOptions::families).
  const models::ModelFamily* family = nullptr;
  std::string family_name;
  models::ModelParams params;
  // Set for untrained families: the one snapshot served to every tenant at version 0.
  ModelHandle untrained;

  bool trainable() const { return untrained == nullptr; }

  mutable absl::Mutex mu;
  absl::flat_hash_map<std::string, std::unique_ptr<Slot>> slots ABSL_GUARDED_BY(mu);
};

}  // namespace recplat::registry::internal

namespace recplat::registry {

struct ModelRegistry::Impl {
  explicit Impl(const RegistryOptions& options);
  // Stops the poller.
  ~Impl();

  // Not owned (RegistryOptions::clock).
  const common::Clock* clock;
  internal::VersionStore store;
  // What is published (RegistryOptions::source, or the directory source over the root).
  std::shared_ptr<const ModelSource> source;
  // RegistryOptions::publisher; may be null.
  std::shared_ptr<const ModelPublisher> publisher;
  // RegistryOptions::on_published_current; may be empty.
  std::function<void(const std::string&, const std::string&, int64_t)> on_published_current;
  std::unique_ptr<internal::SourceMetrics> source_metrics;
  // When the registry was opened: the creation time reported for untrained versions.
  int64_t opened_at_ms;
  // Bumped after every replacement of a serving snapshot (ModelRegistry::ServingGeneration).
  std::atomic<uint64_t> serving_generation{0};
  absl::flat_hash_map<std::string, std::unique_ptr<internal::ModelEntry>> models;
  // Keys of `models`, sorted.
  std::vector<std::string> names;

  // nullptr when `model` is not configured.
  internal::ModelEntry* Find(absl::string_view model) const;
  // nullptr when (tenant, model) has no slot yet.
  internal::Slot* FindSlot(const internal::ModelEntry& entry, absl::string_view tenant) const;
  // REQUIRES: ValidateName passed for `tenant`; entry.trainable().
  internal::Slot& GetOrCreateSlot(internal::ModelEntry& entry, absl::string_view tenant);
  // The entry of a trainable model. INVALID_ARGUMENT for a bad tenant name, NOT_FOUND for an
  // unknown model, FAILED_PRECONDITION for an untrained one.
  absl::StatusOr<internal::ModelEntry*> TrainableEntry(absl::string_view tenant,
                                                       absl::string_view model) const;
  // The slot of a version reserved by BeginVersion; FAILED_PRECONDITION unless it is still in
  // flight (neither committed nor failed).
  absl::StatusOr<internal::Slot*> InFlightSlot(const PendingVersion& pending) const;

  // The local half of CommitVersion, under the slot's lock: records `stats` and the metrics in
  // version.json (or FAILED when `saved` is an error, returning it).
  absl::Status CommitLocally(PendingVersion& pending, const models::Model& trained,
                             const v1::TrainingStats& stats, internal::Slot& slot,
                             const absl::Status& saved);

  // Loads the artifact of a version with the model's family and params.
  absl::StatusOr<std::shared_ptr<const models::Model>> LoadArtifact(
      const internal::ModelEntry& entry, absl::string_view tenant, int64_t version) const;

  // Builds the published snapshot of `version`.
  ModelHandle MakeSnapshot(const internal::ModelEntry& entry, absl::string_view tenant,
                           int64_t version, std::shared_ptr<const models::Model> model) const;

  // The metadata reported for an untrained model: CURRENT version 0.
  v1::ModelVersion UntrainedVersion(const internal::ModelEntry& entry,
                                    absl::string_view tenant) const;

  // Repairs the versions of (tenant, model) found on disk at open and publishes the current
  // one (see recovery.cc). Errors are logged, never fatal: a model that cannot be repaired
  // serves nothing.
  void Recover(internal::ModelEntry& entry, absl::string_view tenant);

  // --- Following the source (source_sync.cc) ---

  // One follower pass (ModelRegistry::SyncFromSource).
  int Sync() ABSL_LOCKS_EXCLUDED(sync_mu);
  // Brings the snapshot of (tenant, model) to the source's current version; whether it swapped.
  // REQUIRES: ValidateName passed for `tenant`; entry.trainable().
  bool SyncSlot(internal::ModelEntry& entry, absl::string_view tenant)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu);
  // Loads a version the source names current: its metadata must say it was committed and did
  // not fail. FAILED_PRECONDITION otherwise, or the load's error.
  absl::StatusOr<std::shared_ptr<const models::Model>> LoadPublished(
      const internal::ModelEntry& entry, absl::string_view tenant, int64_t version) const;
  // Makes `meta` (from the source) say what serves in this process (the file comment of
  // model_registry.h). `slot` may be null (nothing of this (tenant, model) loaded here);
  // `named` is the source's current version (0 when none or unreadable).
  // REQUIRES: slot->write_mu held when `slot` is set (not expressible to the analysis).
  void ReportServing(const internal::Slot* slot, int64_t named, v1::ModelVersion& meta) const
      ABSL_NO_THREAD_SAFETY_ANALYSIS;

  // Starts the poller when `interval` is positive.
  void StartPolling(absl::Duration interval);

  // ModelRegistry::Stored's loads of versions that did not serve, most recent last.
  absl::Mutex stored_mu;
  std::vector<ModelHandle> stored ABSL_GUARDED_BY(stored_mu);

  absl::Mutex sync_mu;
  absl::Mutex poll_mu;
  absl::CondVar poll_cv;
  bool stop_polling ABSL_GUARDED_BY(poll_mu) = false;
  std::thread poller;
};

}  // namespace recplat::registry
