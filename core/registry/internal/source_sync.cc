// ModelRegistry following its ModelSource: the follower pass (SyncFromSource), its poller
// thread, and the view List() gives of versions published elsewhere. The rules are in the file
// comment of model_registry.h.
//
// How a pass avoids double loads and lost updates, per (tenant, model):
//   1. Under Slot::write_mu: read the source's current version and compare it with the snapshot
//      serving. This process's Promote writes CURRENT and swaps under the same lock, so its own
//      promotions always read as "already serving".
//   2. Without any lock: check the version's metadata and load its artifact.
//   3. Under write_mu again: swap only if the source still names that version and nothing else
//      (an in-process Promote) made it serve meanwhile; otherwise drop the load (the next pass
//      sees the newer state).
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/registry/internal/registry_impl.h"
#include "core/registry/internal/version_store.h"

namespace recplat::registry {

using internal::ModelEntry;
using internal::Slot;
using internal::SlotWriteLock;
using internal::ValidateName;

namespace internal {

SourceMetrics::SourceMetrics(prometheus::Registry& registry)
    : loads(prometheus::BuildCounter()
                .Name("recplat_registry_source_loads_total")
                .Help("Versions published by another process (or found current by the "
                      "registry's follower) that this process loaded, by model and result")
                .Register(registry)),
      errors(prometheus::BuildCounter()
                 .Name("recplat_registry_source_errors_total")
                 .Help("Follower reads of the model source that failed")
                 .Register(registry)
                 .Add({})) {}

}  // namespace internal

int ModelRegistry::SyncFromSource() { return impl_->Sync(); }

bool ModelRegistry::SyncModelFromSource(absl::string_view tenant, absl::string_view model) {
  absl::MutexLock lock(&impl_->sync_mu);
  ModelEntry* entry = impl_->Find(model);
  if (entry == nullptr || !entry->trainable() || !ValidateName("tenant", tenant).ok()) {
    return false;
  }
  return impl_->SyncSlot(*entry, tenant);
}

int ModelRegistry::Impl::Sync() {
  absl::MutexLock lock(&sync_mu);
  absl::StatusOr<std::vector<PublishedModel>> published = source->ListModels();
  if (!published.ok()) {
    if (source_metrics != nullptr) source_metrics->errors.Increment();
    RECPLAT_LOG(Warn, "model registry: cannot list the model source",
                {{"error", published.status().ToString()}});
    return 0;
  }
  int swapped = 0;
  for (const PublishedModel& p : *published) {
    ModelEntry* entry = Find(p.model);
    if (entry == nullptr || !entry->trainable() || !ValidateName("tenant", p.tenant).ok()) {
      continue;
    }
    if (SyncSlot(*entry, p.tenant)) ++swapped;
  }
  return swapped;
}

bool ModelRegistry::Impl::SyncSlot(ModelEntry& entry, absl::string_view tenant) {
  const std::string& model = entry.name;
  Slot& slot = GetOrCreateSlot(entry, tenant);
  auto read_error = [&](const absl::Status& status) {
    if (source_metrics != nullptr) source_metrics->errors.Increment();
    RECPLAT_LOG(Warn, "model registry: cannot read the current version from the model source",
                {{"tenant", tenant}, {"model", model}, {"error", status.ToString()}});
    return false;
  };

  PublishedCurrent published;
  {
    SlotWriteLock lock(slot);
    absl::StatusOr<PublishedCurrent> read = source->Current(tenant, model);
    if (!read.ok()) return read_error(read.status());
    published = *std::move(read);
    // Nothing named (e.g. CURRENT removed by a repair elsewhere): keep serving what serves.
    if (published.version == 0) return false;
    ModelHandle serving = slot.current.Load();
    if (serving != nullptr && serving->version == published.version) {
      slot.source_failed_version = 0;
      return false;
    }
    if (slot.source_failed_version == published.version &&
        slot.source_failed_fingerprint == published.fingerprint) {
      return false;  // Failed before and not republished since.
    }
  }

  absl::StatusOr<std::shared_ptr<const models::Model>> loaded =
      LoadPublished(entry, tenant, published.version);

  // Declared before the lock so that the replaced snapshot is released after the unlock.
  ModelHandle previous;
  SlotWriteLock lock(slot);
  if (!loaded.ok()) {
    slot.source_failed_version = published.version;
    slot.source_failed_fingerprint = published.fingerprint;
    slot.source_failed_error = loaded.status().ToString();
    if (source_metrics != nullptr) {
      source_metrics->loads.Add({{"model", model}, {"result", "failed"}}).Increment();
    }
    RECPLAT_LOG(Error,
                "model registry: the published current version does not load; the previous "
                "one keeps serving",
                {{"tenant", tenant},
                 {"model", model},
                 {"version", published.version},
                 {"error", slot.source_failed_error}});
    return false;
  }
  absl::StatusOr<PublishedCurrent> again = source->Current(tenant, model);
  if (!again.ok()) return read_error(again.status());
  if (again->version != published.version) return false;  // Changed meanwhile: next pass.
  ModelHandle serving = slot.current.Load();
  if (serving != nullptr && serving->version == published.version) return false;
  previous = slot.current.Exchange(MakeSnapshot(entry, tenant, published.version, *loaded));
  serving_generation.fetch_add(1, std::memory_order_release);
  slot.source_failed_version = 0;
  if (source_metrics != nullptr) {
    source_metrics->loads.Add({{"model", model}, {"result", "ok"}}).Increment();
  }
  RECPLAT_LOG(Info, "model registry: serving a version published by the model source",
              {{"tenant", tenant},
               {"model", model},
               {"version", published.version},
               {"previous", previous == nullptr ? 0 : previous->version}});
  return true;
}

absl::StatusOr<std::shared_ptr<const models::Model>> ModelRegistry::Impl::LoadPublished(
    const ModelEntry& entry, absl::string_view tenant, int64_t version) const {
  absl::StatusOr<v1::ModelVersion> meta = source->Version(tenant, entry.name, version);
  if (!meta.ok()) {
    return absl::Status(meta.status().code(),
                        absl::StrCat("metadata of version ", version, ": ",
                                     meta.status().message()));
  }
  if (meta->status() == v1::MODEL_STATUS_FAILED) {
    return absl::FailedPreconditionError(
        absl::StrCat("version ", version, " is marked FAILED: ", meta->error()));
  }
  if (meta->status() == v1::MODEL_STATUS_PENDING && !meta->has_training()) {
    return absl::FailedPreconditionError(
        absl::StrCat("version ", version, " was never committed"));
  }
  return LoadArtifact(entry, tenant, version);
}

void ModelRegistry::Impl::ReportServing(const Slot* slot, int64_t named,
                                        v1::ModelVersion& meta) const {
  ModelHandle serving = slot == nullptr ? nullptr : slot->current.Load();
  const int64_t version = meta.version();
  if (serving != nullptr && serving->version == version) {
    if (meta.status() != v1::MODEL_STATUS_CURRENT) {
      // Swapped here before its writer rewrote the statuses (or they could not be written).
      meta.set_status(v1::MODEL_STATUS_CURRENT);
      meta.clear_error();
    }
    return;
  }
  if (meta.status() != v1::MODEL_STATUS_CURRENT) return;
  if (version != named) {
    // A CURRENT status that the pointer no longer backs (its writer's view was older).
    meta.set_status(v1::MODEL_STATUS_STALE);
    return;
  }
  if (slot != nullptr && slot->source_failed_version == version) {
    meta.set_status(v1::MODEL_STATUS_FAILED);
    meta.set_error(absl::StrCat("published as current, but does not load in this process: ",
                                slot->source_failed_error));
    return;
  }
  // Published as current elsewhere, not picked up here yet.
  meta.set_status(v1::MODEL_STATUS_PENDING);
}

void ModelRegistry::Impl::StartPolling(absl::Duration interval) {
  if (interval <= absl::ZeroDuration()) return;
  poller = std::thread([this, interval] {
    while (true) {
      {
        absl::MutexLock lock(&poll_mu);
        const absl::Time deadline = absl::Now() + interval;
        while (!stop_polling && !poll_cv.WaitWithDeadline(&poll_mu, deadline)) {
        }
        if (stop_polling) return;
      }
      Sync();
    }
  });
}

ModelRegistry::Impl::~Impl() {
  {
    absl::MutexLock lock(&poll_mu);
    stop_polling = true;
    poll_cv.SignalAll();
  }
  if (poller.joinable()) poller.join();
}

}  // namespace recplat::registry
