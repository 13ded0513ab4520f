// File: model_registry.h
//
// ModelRegistry: the versions of every model (per tenant) and the snapshots that serve.
//
// On disk (under RegistryOptions::root, normally <data_dir>/models):
//   <tenant>/<model>/<version:020>/version.json   ModelVersion as JSON (status, metrics, ...)
//   <tenant>/<model>/<version:020>/artifact/      what Model::Save wrote
//   <tenant>/<model>/CURRENT                      the current version number (atomic rename)
// CURRENT is the source of truth for which version serves; statuses in version.json are made
// consistent with it on open (a crash between the two writes is repaired).
//
// In memory, the current version of each (tenant, model) is an immutable LoadedModel held by a
// shared_ptr and swapped atomically on promotion: requests that took a handle keep using the old
// snapshot until they drop it, new requests see the new one, and nobody waits.
//
// Models whose family is not trainable (random, recent) are built once from their parameters
// at Create() and served at version 0 for every tenant.
//
// Following the source. What is published is read through a ModelSource (model_source.h; by
// default the directory source over `root`), the way a TF Serving Manager follows its Source:
// every `poll_interval` (and on SyncFromSource()) the registry asks the source which version is
// current for every (tenant, model) it publishes, and when that is not the version serving here
// it loads it (outside every lock) and swaps the snapshot, so versions that another process
// trained and promoted (`recplat train` while a server runs, another replica) serve here too,
// with no pause. A version that does not load, or whose metadata says FAILED or uncommitted, is
// logged, counted (recplat_registry_source_loads_total{result="failed"}) and retried only once
// the source's fingerprint of it changes; the previous snapshot keeps serving. A (tenant, model)
// whose CURRENT disappears keeps serving what it serves. This process's own promotions write
// CURRENT and swap under the same per-model lock the follower reads CURRENT under, so the
// follower never loads what this process already serves. List() reports what serves here: the
// version serving in this process is CURRENT, a version published as current elsewhere that
// does not serve here yet is PENDING (FAILED, with the load error, when it failed to load here).
//
// Several processes may share the directory: one owns it (repair = true: the server, which
// repairs it at open) and the others only read it and add versions (repair = false:
// `recplat train` against a running server). Version numbers come from the directory, so two
// processes training the same (tenant, model) at the same moment may collide: the loser's
// BeginVersion fails with ALREADY_EXISTS.
//
// Thread-safety: all methods are thread-safe. Current() is cheap (two brief shared locks to copy
// the snapshot pointer) and is called on every request. Version writes are serialised internally.
// The poller runs on a thread of its own, started by Create() and stopped by the destructor.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/common/clock.h"
#include "core/config/config.h"
#include "core/models/model.h"
#include "core/models/model_family.h"
#include "core/registry/model_publisher.h"
#include "core/registry/model_source.h"
#include "prometheus/registry.h"
#include "recplat/v1/models.pb.h"

namespace recplat::registry {

// A served snapshot. Immutable once published.
struct LoadedModel {
  // Empty for untrained models, whose one snapshot serves every tenant.
  std::string tenant;
  std::string name;
  std::string family;
  int64_t version = 0;
  std::shared_ptr<const models::Model> model;
};

// What requests hold while they use a model. Must not be kept beyond one request.
using ModelHandle = std::shared_ptr<const LoadedModel>;

struct RegistryOptions {
  // Directory of versions; created if missing.
  std::filesystem::path root;
  // Not owned; must outlive the registry.
  const models::ModelFamilyRegistry* families = nullptr;
  // Not owned; must outlive the registry.
  const common::Clock* clock = nullptr;
  // The configured models (name -> config). Unknown families are INVALID_ARGUMENT.
  std::map<std::string, config::ModelConfig> models;
  // Where published versions are read from; null: the directory source over `root`. Versions are
  // always written to `root` (and repaired there), so another source is only for registries that
  // never train and open with repair = false (see model_source.h).
  std::shared_ptr<const ModelSource> source;
  // Where the write side announces versions, statuses and promotions besides `root` (a shared
  // store that `source` reads, e.g. S3); null: `root` is the store. With a publisher, a registry
  // that trains may follow a source other than its root: versions are numbered above the highest
  // the publisher knows, published (artifact, then version.json) when committed, and a promotion
  // publishes the statuses and then CURRENT (model_publisher.h).
  std::shared_ptr<const ModelPublisher> publisher;
  // Called after a promotion of this process was published (ModelPublisher::PublishCurrent
  // succeeded), with (tenant, model, version), on the promoting thread under the model's write
  // lock: it must be quick and must not call back into the registry. Used to announce
  // promotions to other processes (which then SyncModelFromSource); empty: none.
  std::function<void(const std::string&, const std::string&, int64_t)> on_published_current;
  // How often the source is polled for versions published by other processes; zero or negative:
  // never (SyncFromSource() still works).
  absl::Duration poll_interval = absl::ZeroDuration();
  // Whether Create() repairs `root` (sweeps leftovers of interrupted writes, makes statuses agree
  // with CURRENT, removes a CURRENT that does not load). Only the process that owns the directory
  // may; one that shares it with a running owner opens it with false, then reads what it finds
  // and writes nothing at open.
  bool repair = true;
  // Not owned; must outlive the registry. Where the follower's metrics go; null: none.
  prometheus::Registry* metrics = nullptr;
};

// A version being trained: its number and directory, reserved by BeginVersion.
struct PendingVersion {
  std::string tenant;
  std::string model;
  int64_t version = 0;
  std::filesystem::path dir;
  v1::ModelVersion meta;
};

class ModelRegistry {
 public:
  // Opens (or creates) the registry: scans the root, loads the CURRENT version of every
  // (tenant, model) found, builds the untrained models. A CURRENT version that fails to load is
  // marked FAILED and logged; the model then has no current version (the cascade skips it).
  static absl::StatusOr<std::unique_ptr<ModelRegistry>> Create(RegistryOptions options);

  ~ModelRegistry();

  // The serving snapshot of (tenant, model); nullptr when the model is unknown or has no current
  // version yet.
  ModelHandle Current(absl::string_view tenant, absl::string_view model) const;

  // A stored version of (tenant, model) for a read-only query (e.g. the recommendations of a
  // stale version): the serving snapshot when `version` is the one serving, else the version
  // loaded from the source without promoting it. The last kStoredCacheSize such loads are kept
  // (concurrent misses of the same version may load it twice). Untrained models have version 0
  // only. INVALID_ARGUMENT for a bad tenant name, NOT_FOUND for an unknown model or version,
  // FAILED_PRECONDITION for a failed or uncommitted version, the load's error otherwise.
  static constexpr size_t kStoredCacheSize = 4;
  absl::StatusOr<ModelHandle> Stored(absl::string_view tenant, absl::string_view model,
                                     int64_t version) const;

  // Whether `model` is configured, and its config. nullptr when unknown.
  const config::ModelConfig* FindConfig(absl::string_view model) const;
  // Configured model names, sorted.
  std::vector<std::string> ModelNames() const;
  // The family of a configured model (never null for a configured model).
  const models::ModelFamily* FamilyOf(absl::string_view model) const;

  // --- Training side ---

  // Reserves the next version of (tenant, model) (1 + the highest on disk), creates its
  // directory and writes version.json with status PENDING. NOT_FOUND for unknown models,
  // FAILED_PRECONDITION for untrained families.
  absl::StatusOr<PendingVersion> BeginVersion(absl::string_view tenant, absl::string_view model);

  // Saves `trained` as the artifact of `pending`, records `stats` and the model's metrics; the
  // status stays PENDING. On failure the version is marked FAILED.
  absl::Status CommitVersion(PendingVersion& pending, const models::Model& trained,
                             const v1::TrainingStats& stats);

  // Marks `pending` FAILED with `error` (the previous current version keeps serving).
  // OK without change when it already failed (the first error stays); FAILED_PRECONDITION when
  // it was promoted meanwhile. `publish` false keeps the failure local (not written to the
  // model source): for a trainer that lost its training lease, whose version number may
  // already belong to the new holder's version in the shared store.
  absl::Status FailVersion(PendingVersion& pending, const absl::Status& error,
                           const v1::TrainingStats& stats, bool publish = true);

  // Makes `version` the current one: loads its artifact (unless `loaded` is given, which must be
  // the model that was saved as that version), swaps the serving snapshot atomically, marks the
  // previous current STALE and rewrites CURRENT. NOT_FOUND for unknown versions,
  // FAILED_PRECONDITION for FAILED ones, DATA_LOSS when the artifact does not load.
  absl::StatusOr<v1::ModelVersion> Promote(absl::string_view tenant, absl::string_view model,
                                           int64_t version,
                                           std::shared_ptr<const models::Model> loaded = nullptr);

  // Versions of one model (newest first), or of every configured model when `model` is empty.
  // Untrained models appear as one CURRENT version 0.
  std::vector<v1::ModelVersion> List(absl::string_view tenant, absl::string_view model) const;

  // A counter bumped after every replacement of a serving snapshot (a promotion, a version
  // published at open or picked up from the model source), of any (tenant, model). Whoever caches results computed from serving
  // snapshots (the engine's response cache) compares it to drop them once anything was
  // promoted. One atomic load.
  uint64_t ServingGeneration() const;

  // The highest version number of (tenant, model) with status CURRENT, or 0.
  int64_t CurrentVersion(absl::string_view tenant, absl::string_view model) const;

  // Deletes the oldest versions of (tenant, model) beyond `keep` (never the current one), on disk
  // and, with a publisher, in the shared store (ModelPublisher::Prune).
  absl::Status Prune(absl::string_view tenant, absl::string_view model, int keep);

  // Tenants that have at least one version published.
  std::vector<std::string> Tenants() const;

  // --- Following the source ---

  // One pass of the follower (see the file comment) over every (tenant, model) the source
  // publishes; returns how many serving snapshots it replaced. The poller calls it every
  // poll_interval; passes are serialised.
  int SyncFromSource();

  // The follower pass for one (tenant, model) (e.g. when another process announced that it
  // promoted a version of it); returns whether the serving snapshot was replaced. Unknown or
  // untrained models and invalid tenant names are ignored (false). Serialised with
  // SyncFromSource.
  bool SyncModelFromSource(absl::string_view tenant, absl::string_view model);

 private:
  ModelRegistry() = default;
  // Implementation details live in model_registry.cc.
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::registry
