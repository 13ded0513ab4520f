// ModelRegistry::Impl::Recover: makes the versions of one (tenant, model) consistent at open.
//
// What a crash can leave behind, and what becomes of it:
//   - a version directory without version.json (crash inside BeginVersion): FAILED;
//   - a PENDING version that was never committed, i.e. whose version.json has no `training`
//     (CommitVersion always writes it, after the artifact is durable), or without an artifact
//     directory (crash while training or saving): FAILED ("interrupted");
//   - statuses that disagree with CURRENT (crash inside Promote, which writes CURRENT first):
//     the version CURRENT names becomes CURRENT, any other CURRENT becomes STALE;
//   - a CURRENT naming a missing or failed version, or one whose artifact does not load: the
//     version is FAILED, CURRENT is removed and the model serves nothing until a promotion;
//   - temporaries of atomic writes and half-deleted versions: removed.
// Directories that are not versions are left alone. A version.json that does not parse is
// logged and skipped (its number stays taken).
#include <map>
#include <set>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/registry/internal/registry_impl.h"

namespace recplat::registry {

using internal::ModelEntry;
using internal::Slot;
using internal::SlotWriteLock;
using internal::VersionStore;

namespace {

void MarkFailed(v1::ModelVersion& meta, absl::string_view error) {
  meta.set_status(v1::MODEL_STATUS_FAILED);
  meta.set_error(std::string(error));
}

}  // namespace

void ModelRegistry::Impl::Recover(ModelEntry& entry, absl::string_view tenant) {
  const std::string& model = entry.name;
  Slot& slot = GetOrCreateSlot(entry, tenant);
  SlotWriteLock lock(slot);
  auto log_error = [&](absl::string_view what, const absl::Status& status) {
    RECPLAT_LOG(Error, what, {{"tenant", tenant}, {"model", model}, {"error", status.ToString()}});
  };

  if (absl::Status s = store.SweepLeftovers(tenant, model); !s.ok()) {
    log_error("model registry: cannot remove leftovers", s);
  }

  std::map<int64_t, v1::ModelVersion> metas;
  std::set<int64_t> dirty;
  for (int64_t version : store.ListVersionNumbers(tenant, model)) {
    slot.highest_reserved = version;
    absl::StatusOr<v1::ModelVersion> read = store.ReadVersion(tenant, model, version);
    v1::ModelVersion meta;
    if (absl::IsNotFound(read.status())) {
      meta.set_tenant(std::string(tenant));
      meta.set_model(model);
      meta.set_family(entry.family_name);
      meta.set_version(version);
      MarkFailed(meta, "interrupted before its metadata was written");
      dirty.insert(version);
    } else if (!read.ok()) {
      log_error("model registry: skipping an unreadable version", read.status());
      continue;
    } else {
      meta = *std::move(read);
    }
    std::error_code ec;
    bool has_artifact = std::filesystem::is_directory(
        VersionStore::ArtifactDir(store.VersionDir(tenant, model, version)), ec);
    if (meta.status() == v1::MODEL_STATUS_PENDING && (!meta.has_training() || !has_artifact)) {
      MarkFailed(meta, "interrupted: training or saving did not complete");
      dirty.insert(version);
    } else if (meta.status() == v1::MODEL_STATUS_UNSPECIFIED) {
      MarkFailed(meta, "version.json has no status");
      dirty.insert(version);
    }
    metas[version] = std::move(meta);
  }

  int64_t current = 0;
  absl::StatusOr<int64_t> named = store.ReadCurrent(tenant, model);
  if (!named.ok()) {
    log_error("model registry: CURRENT is unreadable; the model serves nothing", named.status());
  } else if (*named != 0) {
    auto it = metas.find(*named);
    if (it == metas.end()) {
      RECPLAT_LOG(Error,
                  "model registry: CURRENT names a missing version; the model serves nothing",
                  {{"tenant", tenant}, {"model", model}, {"version", *named}});
    } else if (it->second.status() == v1::MODEL_STATUS_FAILED) {
      RECPLAT_LOG(Error, "model registry: CURRENT names a failed version; the model serves nothing",
                  {{"tenant", tenant},
                   {"model", model},
                   {"version", *named},
                   {"error", it->second.error()}});
    } else {
      current = *named;
    }
  }

  for (auto& [version, meta] : metas) {
    if (meta.status() == v1::MODEL_STATUS_CURRENT && version != current) {
      meta.set_status(v1::MODEL_STATUS_STALE);
      dirty.insert(version);
    }
  }

  if (current != 0) {
    v1::ModelVersion& meta = metas[current];
    absl::StatusOr<std::shared_ptr<const models::Model>> loaded =
        LoadArtifact(entry, tenant, current);
    if (!loaded.ok()) {
      RECPLAT_LOG(Error,
                  "model registry: the current version does not load; the model serves "
                  "nothing",
                  {{"tenant", tenant},
                   {"model", model},
                   {"version", current},
                   {"error", loaded.status().ToString()}});
      MarkFailed(meta, absl::StrCat("artifact does not load: ", loaded.status().ToString()));
      dirty.insert(current);
      current = 0;
    } else {
      if (meta.status() != v1::MODEL_STATUS_CURRENT) {
        meta.set_status(v1::MODEL_STATUS_CURRENT);
        if (meta.promoted_at_ms() == 0) {
          meta.set_promoted_at_ms(clock->NowMs());
        }
        dirty.insert(current);
      }
      slot.current.Exchange(MakeSnapshot(entry, tenant, current, *std::move(loaded)));
      serving_generation.fetch_add(1, std::memory_order_release);
    }
  }
  if (current == 0 && (!named.ok() || *named != 0)) {
    if (absl::Status s = store.RemoveCurrent(tenant, model); !s.ok()) {
      log_error("model registry: cannot remove CURRENT", s);
    }
  }

  for (int64_t version : dirty) {
    v1::ModelVersion& meta = metas[version];
    if (absl::Status s = store.WriteVersion(meta); !s.ok()) {
      log_error("model registry: cannot repair a version's metadata", s);
    } else {
      RECPLAT_LOG(Info, "model registry: repaired a version",
                  {{"tenant", tenant},
                   {"model", model},
                   {"version", version},
                   {"status", v1::ModelStatus_Name(meta.status())}});
    }
  }
  RECPLAT_LOG(
      Info, "model registry: model opened",
      {{"tenant", tenant}, {"model", model}, {"versions", metas.size()}, {"current", current}});
}

}  // namespace recplat::registry
