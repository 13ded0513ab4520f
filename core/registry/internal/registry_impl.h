// File: registry_impl.h
//
// The private state of ModelRegistry, shared by its implementation files:
//   model_registry.cc        Create, the serving snapshots and the read-only queries
//   model_registry_write.cc  BeginVersion / CommitVersion / FailVersion / Promote / Prune
//   internal/recovery.cc     the repair of one (tenant, model) at open
//
// Locking: ModelEntry::mu guards the tenant -> Slot map of one model (readers take it shared
// for a map lookup only; slots are never removed, so a Slot* stays valid for the registry's
// life). Slot::write_mu serialises the metadata writes of one (tenant, model); artifacts are
// loaded and saved outside it. Readers never take write_mu: they copy Slot::current under its
// own shared lock (snapshot_cell.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
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
  explicit Impl(const RegistryOptions& options)
      : clock(options.clock), store(options.root), opened_at_ms(options.clock->NowMs()) {}

  // Not owned (RegistryOptions::clock).
  const common::Clock* clock;
  internal::VersionStore store;
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
};

}  // namespace recplat::registry
