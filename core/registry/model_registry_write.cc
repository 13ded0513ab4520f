// ModelRegistry: the training side (BeginVersion, CommitVersion, FailVersion), promotion and
// pruning. Every metadata write of one (tenant, model) happens under its Slot::write_mu;
// artifacts are saved and loaded outside it, so a slow load never holds up List or other writers
// for long, and never blocks readers of the serving snapshot at all.
#include <algorithm>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/registry/internal/file_util.h"
#include "core/registry/internal/registry_impl.h"
#include "core/registry/internal/version_store.h"
#include "core/registry/model_registry.h"

namespace recplat::registry {

using internal::ModelEntry;
using internal::Slot;
using internal::SlotWriteLock;
using internal::ValidateName;
using internal::VersionStore;

namespace {

std::string Describe(absl::string_view tenant, absl::string_view model, int64_t version) {
  return absl::StrCat("version ", version, " of ", tenant, "/", model);
}

// Deletes what a failed version's artifact directory holds: it is never served. Best effort.
void DropArtifact(const std::filesystem::path& version_dir) {
  std::error_code ec;
  std::filesystem::remove_all(VersionStore::ArtifactDir(version_dir), ec);
}

// Whether `version` may be promoted; its metadata when it may. NOT_FOUND for unknown versions,
// FAILED_PRECONDITION for failed, in-flight and uncommitted ones.
absl::StatusOr<v1::ModelVersion> CheckPromotable(const VersionStore& store, const Slot& slot,
                                                 absl::string_view tenant, absl::string_view model,
                                                 int64_t version)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(slot.write_mu) {
  std::string what = Describe(tenant, model, version);
  if (slot.in_flight.contains(version)) {
    return absl::FailedPreconditionError(absl::StrCat(what, " is still being trained"));
  }
  absl::StatusOr<v1::ModelVersion> meta = store.ReadVersion(tenant, model, version);
  if (absl::IsNotFound(meta.status())) {
    return absl::NotFoundError(absl::StrCat(what, " does not exist"));
  }
  RECPLAT_RETURN_IF_ERROR(meta.status());
  if (meta->status() == v1::MODEL_STATUS_FAILED) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " failed and cannot be promoted: ", meta->error()));
  }
  if (meta->status() == v1::MODEL_STATUS_PENDING && !meta->has_training()) {
    return absl::FailedPreconditionError(absl::StrCat(what, " was never committed"));
  }
  return meta;
}

}  // namespace

absl::StatusOr<ModelEntry*> ModelRegistry::Impl::TrainableEntry(absl::string_view tenant,
                                                                absl::string_view model) const {
  RECPLAT_RETURN_IF_ERROR(ValidateName("tenant", tenant));
  ModelEntry* entry = Find(model);
  if (entry == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown model '", model, "'"));
  }
  if (!entry->trainable()) {
    return absl::FailedPreconditionError(
        absl::StrCat("model '", model, "' (family '", entry->family_name, "') is not trained"));
  }
  return entry;
}

absl::StatusOr<Slot*> ModelRegistry::Impl::InFlightSlot(const PendingVersion& pending) const {
  RECPLAT_ASSIGN_OR_RETURN(ModelEntry * entry, TrainableEntry(pending.tenant, pending.model));
  Slot* slot = FindSlot(*entry, pending.tenant);
  bool in_flight = false;
  if (slot != nullptr) {
    SlotWriteLock lock(*slot);
    in_flight = slot->in_flight.contains(pending.version);
  }
  if (!in_flight) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(pending.tenant, pending.model, pending.version),
                     " is not being trained (already committed or failed)"));
  }
  return slot;
}

absl::StatusOr<PendingVersion> ModelRegistry::BeginVersion(absl::string_view tenant,
                                                           absl::string_view model) {
  RECPLAT_ASSIGN_OR_RETURN(ModelEntry * entry, impl_->TrainableEntry(tenant, model));
  Slot& slot = impl_->GetOrCreateSlot(*entry, tenant);
  SlotWriteLock lock(slot);

  std::vector<int64_t> on_disk = impl_->store.ListVersionNumbers(tenant, model);
  int64_t highest = std::max(slot.highest_reserved, on_disk.empty() ? 0 : on_disk.back());
  if (impl_->publisher != nullptr) {
    RECPLAT_ASSIGN_OR_RETURN(int64_t published, impl_->publisher->HighestVersion(tenant, model));
    highest = std::max(highest, published);
  }
  const int64_t version = highest + 1;
  RECPLAT_RETURN_IF_ERROR(impl_->store.CreateVersionDir(tenant, model, version));

  PendingVersion pending;
  pending.tenant = std::string(tenant);
  pending.model = std::string(model);
  pending.version = version;
  pending.dir = impl_->store.VersionDir(tenant, model, version);
  v1::ModelVersion& meta = pending.meta;
  meta.set_tenant(pending.tenant);
  meta.set_model(pending.model);
  meta.set_family(entry->family_name);
  meta.set_version(version);
  meta.set_status(v1::MODEL_STATUS_PENDING);
  meta.set_created_at_ms(impl_->clock->NowMs());
  for (const auto& [key, value] : entry->config.params) {
    (*meta.mutable_hyperparameters())[key] = value;
  }
  absl::Status written = impl_->store.WriteVersion(meta);
  // Reserves the number in the shared store too, so that other processes number above it.
  if (written.ok() && impl_->publisher != nullptr) written = impl_->publisher->PublishMetadata(meta);
  if (!written.ok()) {
    // Leave no version without metadata behind (it would be repaired as FAILED on open).
    impl_->store.RemoveVersion(tenant, model, version).IgnoreError();
    return written;
  }
  slot.highest_reserved = version;
  slot.in_flight.insert(version);
  return pending;
}

absl::Status ModelRegistry::CommitVersion(PendingVersion& pending, const models::Model& trained,
                                          const v1::TrainingStats& stats) {
  RECPLAT_ASSIGN_OR_RETURN(Slot * slot, impl_->InFlightSlot(pending));
  const std::filesystem::path version_dir =
      impl_->store.VersionDir(pending.tenant, pending.model, pending.version);
  const std::filesystem::path artifact = VersionStore::ArtifactDir(version_dir);

  // The version directory belongs to this caller until the commit, so no lock is needed here.
  absl::Status saved;
  std::error_code ec;
  std::filesystem::remove_all(artifact, ec);
  if (!std::filesystem::create_directory(artifact, ec) || ec) {
    saved = absl::InternalError(
        absl::StrCat("cannot create ", artifact.string(), ": ", ec ? ec.message() : "it exists"));
  } else {
    saved = trained.Save(artifact);
    if (saved.ok()) {
      // The metadata written below is the commit point: the artifact must be durable first.
      saved = internal::SyncTree(artifact);
    }
  }

  RECPLAT_RETURN_IF_ERROR(impl_->CommitLocally(pending, trained, stats, *slot, saved));
  if (impl_->publisher == nullptr) return absl::OkStatus();
  // Outside the lock: uploading may take a while, and nothing names the version yet.
  absl::Status published = impl_->publisher->PublishVersion(pending.meta, artifact);
  if (published.ok()) return absl::OkStatus();
  SlotWriteLock lock(*slot);
  absl::StatusOr<v1::ModelVersion> meta =
      impl_->store.ReadVersion(pending.tenant, pending.model, pending.version);
  if (meta.ok() && meta->status() == v1::MODEL_STATUS_PENDING) {
    meta->set_status(v1::MODEL_STATUS_FAILED);
    meta->set_error(absl::StrCat("publishing the version failed: ", published.ToString()));
    impl_->store.WriteVersion(*meta).IgnoreError();
    pending.meta = *std::move(meta);
  }
  RECPLAT_LOG(Warn, "model version failed to publish",
              {{"tenant", pending.tenant},
               {"model", pending.model},
               {"version", pending.version},
               {"error", published.ToString()}});
  return published;
}

absl::Status ModelRegistry::Impl::CommitLocally(PendingVersion& pending,
                                                const models::Model& trained,
                                                const v1::TrainingStats& stats, Slot& slot_ref,
                                                const absl::Status& saved) {
  Slot* slot = &slot_ref;
  const std::filesystem::path version_dir =
      store.VersionDir(pending.tenant, pending.model, pending.version);
  SlotWriteLock lock(*slot);
  slot->in_flight.erase(pending.version);
  RECPLAT_ASSIGN_OR_RETURN(
      v1::ModelVersion meta,
      store.ReadVersion(pending.tenant, pending.model, pending.version));
  // Its presence marks the version as committed (see internal/recovery.cc), even when empty.
  *meta.mutable_training() = stats;
  if (!saved.ok()) {
    meta.set_status(v1::MODEL_STATUS_FAILED);
    meta.set_error(absl::StrCat("saving the artifact failed: ", saved.ToString()));
    DropArtifact(version_dir);
    pending.meta = meta;
    RECPLAT_RETURN_IF_ERROR(store.WriteVersion(meta));
    RECPLAT_LOG(Warn, "model version failed to save",
                {{"tenant", pending.tenant},
                 {"model", pending.model},
                 {"version", pending.version},
                 {"error", saved.ToString()}});
    return saved;
  }
  for (const auto& [name, value] : trained.Metrics()) {
    (*meta.mutable_metrics())[name] = value;
  }
  RECPLAT_RETURN_IF_ERROR(store.WriteVersion(meta));
  pending.meta = std::move(meta);
  RECPLAT_LOG(Info, "model version committed",
              {{"tenant", pending.tenant}, {"model", pending.model}, {"version", pending.version}});
  return absl::OkStatus();
}

absl::Status ModelRegistry::FailVersion(PendingVersion& pending, const absl::Status& error,
                                        const v1::TrainingStats& stats, bool publish) {
  RECPLAT_ASSIGN_OR_RETURN(ModelEntry * entry,
                           impl_->TrainableEntry(pending.tenant, pending.model));
  Slot& slot = impl_->GetOrCreateSlot(*entry, pending.tenant);
  SlotWriteLock lock(slot);
  RECPLAT_ASSIGN_OR_RETURN(
      v1::ModelVersion meta,
      impl_->store.ReadVersion(pending.tenant, pending.model, pending.version));
  if (meta.status() == v1::MODEL_STATUS_FAILED) {
    // Already failed (e.g. by a CommitVersion that could not save): the first error stays.
    slot.in_flight.erase(pending.version);
    pending.meta = std::move(meta);
    return absl::OkStatus();
  }
  if (meta.status() != v1::MODEL_STATUS_PENDING) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(pending.tenant, pending.model, pending.version), " is ",
                     v1::ModelStatus_Name(meta.status()), ", not pending"));
  }
  slot.in_flight.erase(pending.version);
  meta.set_status(v1::MODEL_STATUS_FAILED);
  meta.set_error(error.ok() ? "failed without an error status" : error.ToString());
  *meta.mutable_training() = stats;
  DropArtifact(impl_->store.VersionDir(pending.tenant, pending.model, pending.version));
  pending.meta = meta;
  RECPLAT_RETURN_IF_ERROR(impl_->store.WriteVersion(meta));
  if (impl_->publisher != nullptr && publish) {
    // Best effort: the version's PENDING metadata is published already, and no pointer names it.
    impl_->publisher->PublishMetadata(meta).IgnoreError();
  }
  RECPLAT_LOG(Warn, "model version failed",
              {{"tenant", pending.tenant},
               {"model", pending.model},
               {"version", pending.version},
               {"error", meta.error()}});
  return absl::OkStatus();
}

absl::StatusOr<v1::ModelVersion> ModelRegistry::Promote(
    absl::string_view tenant, absl::string_view model, int64_t version,
    std::shared_ptr<const models::Model> loaded) {
  RECPLAT_RETURN_IF_ERROR(ValidateName("tenant", tenant));
  ModelEntry* entry = impl_->Find(model);
  if (entry == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown model '", model, "'"));
  }
  if (!entry->trainable() && version == 0) {
    return impl_->UntrainedVersion(*entry, tenant);
  }
  if (!entry->trainable() || version <= 0) {
    return absl::NotFoundError(absl::StrCat(Describe(tenant, model, version), " does not exist"));
  }
  Slot& slot = impl_->GetOrCreateSlot(*entry, tenant);
  auto is_current = [&slot](int64_t v) {
    ModelHandle current = slot.current.Load();
    return current != nullptr && current->version == v;
  };

  // Checked before the load so that bad requests fail fast, and again after it because the
  // version may have changed meanwhile.
  {
    SlotWriteLock lock(slot);
    RECPLAT_ASSIGN_OR_RETURN(v1::ModelVersion meta,
                             CheckPromotable(impl_->store, slot, tenant, model, version));
    if (is_current(version)) {
      return meta;
    }
  }
  if (loaded == nullptr) {
    absl::StatusOr<std::shared_ptr<const models::Model>> model_or =
        impl_->LoadArtifact(*entry, tenant, version);
    if (!model_or.ok()) {
      std::string error = absl::StrCat("artifact does not load: ", model_or.status().ToString());
      SlotWriteLock lock(slot);
      absl::StatusOr<v1::ModelVersion> meta = impl_->store.ReadVersion(tenant, model, version);
      if (meta.ok() && !is_current(version)) {
        meta->set_status(v1::MODEL_STATUS_FAILED);
        meta->set_error(error);
        impl_->store.WriteVersion(*meta).IgnoreError();
      }
      RECPLAT_LOG(Error, "model version failed to load",
                  {{"tenant", tenant}, {"model", model}, {"version", version}, {"error", error}});
      return absl::DataLossError(absl::StrCat(Describe(tenant, model, version), ": ", error));
    }
    loaded = *std::move(model_or);
  }

  // Declared before the lock so that the replaced snapshot is released after the unlock.
  ModelHandle previous;
  SlotWriteLock lock(slot);
  RECPLAT_ASSIGN_OR_RETURN(v1::ModelVersion meta,
                           CheckPromotable(impl_->store, slot, tenant, model, version));
  // CURRENT is the commit point; statuses follow it and are repaired from it on open.
  RECPLAT_RETURN_IF_ERROR(impl_->store.WriteCurrent(tenant, model, version));
  previous = slot.current.Exchange(impl_->MakeSnapshot(*entry, tenant, version, std::move(loaded)));
  impl_->serving_generation.fetch_add(1, std::memory_order_release);
  meta.set_status(v1::MODEL_STATUS_CURRENT);
  meta.set_promoted_at_ms(impl_->clock->NowMs());
  meta.clear_error();
  absl::Status written = impl_->store.WriteVersion(meta);
  if (previous != nullptr && previous->version != version) {
    absl::StatusOr<v1::ModelVersion> old =
        impl_->store.ReadVersion(tenant, model, previous->version);
    if (old.ok()) {
      old->set_status(v1::MODEL_STATUS_STALE);
      written.Update(impl_->store.WriteVersion(*old));
    }
  }
  if (impl_->publisher != nullptr) {
    // Under the lock the follower reads the source's CURRENT under: it cannot see the shared
    // store's old pointer once this process serves the new version. A promotion that does not
    // reach the store is reverted here by the follower (the store is what every process serves).
    absl::Status published = impl_->publisher->PublishMetadata(meta);
    if (published.ok() && previous != nullptr && previous->version != version) {
      // A version this process only followed has no local metadata: take the store's.
      absl::StatusOr<v1::ModelVersion> old =
          impl_->store.ReadVersion(tenant, model, previous->version);
      if (!old.ok()) old = impl_->source->Version(tenant, model, previous->version);
      if (old.ok()) {
        old->set_status(v1::MODEL_STATUS_STALE);
        published = impl_->publisher->PublishMetadata(*old);
      }
    }
    if (published.ok()) published = impl_->publisher->PublishCurrent(tenant, model, version);
    if (!published.ok()) {
      return absl::Status(published.code(),
                          absl::StrCat(Describe(tenant, model, version),
                                       " serves here, but publishing the promotion failed: ",
                                       published.message()));
    }
    if (impl_->on_published_current) {
      impl_->on_published_current(std::string(tenant), std::string(model), version);
    }
  }
  RECPLAT_LOG(Info, "model version promoted",
              {{"tenant", tenant},
               {"model", model},
               {"version", version},
               {"previous", previous == nullptr ? 0 : previous->version}});
  if (!written.ok()) {
    return absl::Status(written.code(),
                        absl::StrCat(Describe(tenant, model, version),
                                     " serves, but its status could not be recorded (repaired "
                                     "on the next open): ",
                                     written.message()));
  }
  return meta;
}

absl::Status ModelRegistry::Prune(absl::string_view tenant, absl::string_view model, int keep) {
  if (keep < 1) {
    return absl::InvalidArgumentError(absl::StrCat("keep must be >= 1, got ", keep));
  }
  RECPLAT_RETURN_IF_ERROR(ValidateName("tenant", tenant));
  ModelEntry* entry = impl_->Find(model);
  if (entry == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown model '", model, "'"));
  }
  if (!entry->trainable()) {
    return absl::OkStatus();
  }
  Slot& slot = impl_->GetOrCreateSlot(*entry, tenant);
  SlotWriteLock lock(slot);
  ModelHandle current = slot.current.Load();
  // Also spare what CURRENT names, in case it is on disk but was not loaded.
  absl::StatusOr<int64_t> current_on_disk = impl_->store.ReadCurrent(tenant, model);
  std::vector<int64_t> versions = impl_->store.ListVersionNumbers(tenant, model);
  std::reverse(versions.begin(), versions.end());
  absl::Status result;
  for (size_t i = static_cast<size_t>(keep); i < versions.size(); ++i) {
    int64_t v = versions[i];
    if ((current != nullptr && current->version == v) ||
        (current_on_disk.ok() && *current_on_disk == v) || slot.in_flight.contains(v)) {
      continue;
    }
    absl::Status s = impl_->store.RemoveVersion(tenant, model, v);
    if (s.ok()) {
      RECPLAT_LOG(Info, "model version pruned",
                  {{"tenant", tenant}, {"model", model}, {"version", v}});
    }
    result.Update(s);
  }
  if (impl_->publisher != nullptr) {
    // The shared store keeps the same number of versions (other processes' included).
    std::vector<int64_t> spare(slot.in_flight.begin(), slot.in_flight.end());
    if (current != nullptr) spare.push_back(current->version);
    absl::StatusOr<int> deleted =
        impl_->publisher->Prune(tenant, model, keep, spare, impl_->clock->NowMs());
    if (deleted.ok() && *deleted > 0) {
      RECPLAT_LOG(Info, "model versions pruned from the store",
                  {{"tenant", tenant}, {"model", model}, {"versions", *deleted}});
    }
    result.Update(deleted.status());
  }
  return result;
}

}  // namespace recplat::registry
