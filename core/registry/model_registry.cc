// ModelRegistry: Create, the serving snapshots and the read-only queries. The training-side
// writes are in model_registry_write.cc, the repair at open in internal/recovery.cc, following
// the model source in internal/source_sync.cc.
#include "core/registry/model_registry.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/models/training_data.h"
#include "core/registry/directory_model_source.h"
#include "core/registry/internal/registry_impl.h"
#include "core/registry/internal/version_store.h"

namespace recplat::registry {

using internal::ModelEntry;
using internal::Slot;
using internal::ValidateName;

// --- Impl helpers shared by the implementation files ---

ModelRegistry::Impl::Impl(const RegistryOptions& options)
    : clock(options.clock),
      store(options.root),
      source(options.source != nullptr ? options.source : NewDirectoryModelSource(options.root)),
      publisher(options.publisher),
      on_published_current(options.on_published_current),
      opened_at_ms(options.clock->NowMs()) {
  if (options.metrics != nullptr) {
    source_metrics = std::make_unique<internal::SourceMetrics>(*options.metrics);
  }
}

ModelEntry* ModelRegistry::Impl::Find(absl::string_view model) const {
  auto it = models.find(model);
  return it == models.end() ? nullptr : it->second.get();
}

Slot* ModelRegistry::Impl::FindSlot(const ModelEntry& entry, absl::string_view tenant) const {
  absl::ReaderMutexLock lock(&entry.mu);
  auto it = entry.slots.find(tenant);
  return it == entry.slots.end() ? nullptr : it->second.get();
}

Slot& ModelRegistry::Impl::GetOrCreateSlot(ModelEntry& entry, absl::string_view tenant) {
  if (Slot* slot = FindSlot(entry, tenant)) {
    return *slot;
  }
  absl::MutexLock lock(&entry.mu);
  std::unique_ptr<Slot>& slot = entry.slots[tenant];
  if (slot == nullptr) {
    slot = std::make_unique<Slot>();
  }
  return *slot;
}

absl::StatusOr<std::shared_ptr<const models::Model>> ModelRegistry::Impl::LoadArtifact(
    const ModelEntry& entry, absl::string_view tenant, int64_t version) const {
  RECPLAT_ASSIGN_OR_RETURN(LocalArtifact artifact, source->Fetch(tenant, entry.name, version));
  absl::StatusOr<std::unique_ptr<models::Model>> model =
      entry.family->Load(artifact.dir(), entry.params);
  if (!model.ok()) {
    return model.status();
  }
  if (*model == nullptr) {
    return absl::DataLossError(absl::StrCat("family '", entry.family_name, "' loaded nothing"));
  }
  return std::shared_ptr<const models::Model>(std::move(*model));
}

ModelHandle ModelRegistry::Impl::MakeSnapshot(const ModelEntry& entry, absl::string_view tenant,
                                              int64_t version,
                                              std::shared_ptr<const models::Model> model) const {
  auto snapshot = std::make_shared<LoadedModel>();
  snapshot->tenant = std::string(tenant);
  snapshot->name = entry.name;
  snapshot->family = entry.family_name;
  snapshot->version = version;
  snapshot->model = std::move(model);
  return snapshot;
}

v1::ModelVersion ModelRegistry::Impl::UntrainedVersion(const ModelEntry& entry,
                                                       absl::string_view tenant) const {
  v1::ModelVersion meta;
  meta.set_tenant(std::string(tenant));
  meta.set_model(entry.name);
  meta.set_family(entry.family_name);
  meta.set_version(0);
  meta.set_status(v1::MODEL_STATUS_CURRENT);
  meta.set_created_at_ms(opened_at_ms);
  meta.set_promoted_at_ms(opened_at_ms);
  for (const auto& [key, value] : entry.config.params) {
    (*meta.mutable_hyperparameters())[key] = value;
  }
  return meta;
}

// --- Create ---

namespace {

absl::Status WithModel(absl::string_view model, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("model '", model, "': ", status.message()));
}

absl::StatusOr<std::unique_ptr<ModelEntry>> MakeEntry(const models::ModelFamilyRegistry& families,
                                                      const std::string& name,
                                                      const config::ModelConfig& config) {
  RECPLAT_RETURN_IF_ERROR(ValidateName("model", name));
  auto entry = std::make_unique<ModelEntry>();
  entry->name = name;
  entry->config = config;
  entry->family_name = config.family.empty() ? name : config.family;
  // FindConfig() reports the family actually used.
  entry->config.family = entry->family_name;
  entry->family = families.Find(entry->family_name);
  if (entry->family == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", name, "': unknown family '", entry->family_name, "'"));
  }
  entry->params = models::ModelParams(config.params);
  if (absl::Status s = entry->family->ValidateParams(entry->params); !s.ok()) {
    return WithModel(name, s);
  }
  if (!entry->family->trainable()) {
    // Untrained families ignore the data: they are built from their parameters alone.
    absl::StatusOr<std::unique_ptr<models::Model>> model =
        entry->family->Fit(models::TrainingData{}, entry->params);
    if (!model.ok()) {
      return WithModel(name, model.status());
    }
    if (*model == nullptr) {
      return absl::InternalError(
          absl::StrCat("model '", name, "': family '", entry->family_name, "' built nothing"));
    }
    auto snapshot = std::make_shared<LoadedModel>();
    snapshot->name = name;
    snapshot->family = entry->family_name;
    snapshot->version = 0;
    snapshot->model = std::shared_ptr<const models::Model>(std::move(*model));
    entry->untrained = std::move(snapshot);
  }
  return entry;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ModelRegistry>> ModelRegistry::Create(RegistryOptions options) {
  if (options.root.empty()) {
    return absl::InvalidArgumentError("model registry: root directory is empty");
  }
  if (options.families == nullptr || options.clock == nullptr) {
    return absl::InvalidArgumentError("model registry: families and clock are required");
  }
  auto impl = std::make_unique<Impl>(options);
  for (const auto& [name, config] : options.models) {
    RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<ModelEntry> entry,
                             MakeEntry(*options.families, name, config));
    impl->names.push_back(name);
    impl->models.emplace(name, std::move(entry));
  }
  std::sort(impl->names.begin(), impl->names.end());

  std::error_code ec;
  std::filesystem::create_directories(options.root, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("model registry: cannot create ", options.root.string(), ": ", ec.message()));
  }

  if (options.repair) {
    for (const std::string& tenant : internal::VersionStore::ListNames(options.root)) {
      for (const std::string& model : internal::VersionStore::ListNames(options.root / tenant)) {
        ModelEntry* entry = impl->Find(model);
        if (entry == nullptr || !entry->trainable()) {
          RECPLAT_LOG(Info,
                      "model registry: ignoring versions of a model that is not trained here",
                      {{"tenant", tenant}, {"model", model}});
          continue;
        }
        impl->Recover(*entry, tenant);
      }
    }
  } else {
    // Shared with a running owner: load what the source names current, write nothing.
    impl->Sync();
  }
  impl->StartPolling(options.poll_interval);

  std::unique_ptr<ModelRegistry> registry(new ModelRegistry());
  registry->impl_ = std::move(impl);
  RECPLAT_LOG(Info, "model registry opened",
              {{"root", options.root.string()}, {"models", registry->impl_->names.size()}});
  return registry;
}

ModelRegistry::~ModelRegistry() = default;

// --- Serving and queries ---

ModelHandle ModelRegistry::Current(absl::string_view tenant, absl::string_view model) const {
  const ModelEntry* entry = impl_->Find(model);
  if (entry == nullptr) {
    return nullptr;
  }
  if (!entry->trainable()) {
    return entry->untrained;
  }
  const Slot* slot = impl_->FindSlot(*entry, tenant);
  return slot == nullptr ? nullptr : slot->current.Load();
}

absl::StatusOr<ModelHandle> ModelRegistry::Stored(absl::string_view tenant,
                                                  absl::string_view model,
                                                  int64_t version) const {
  RECPLAT_RETURN_IF_ERROR(ValidateName("tenant", tenant));
  const ModelEntry* entry = impl_->Find(model);
  if (entry == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown model '", model, "'"));
  }
  auto missing = [&] {
    return absl::NotFoundError(absl::StrCat("model '", model, "' of tenant '", tenant,
                                            "' has no version ", version));
  };
  if (!entry->trainable()) {
    if (version != 0) return missing();
    return entry->untrained;
  }
  if (version <= 0) return missing();
  if (const Slot* slot = impl_->FindSlot(*entry, tenant)) {
    ModelHandle serving = slot->current.Load();
    if (serving != nullptr && serving->version == version) return serving;
  }
  auto same = [&](const ModelHandle& h) {
    return h->tenant == tenant && h->name == model && h->version == version;
  };
  {
    absl::MutexLock lock(&impl_->stored_mu);
    auto it = std::find_if(impl_->stored.begin(), impl_->stored.end(), same);
    if (it != impl_->stored.end()) {
      ModelHandle found = *it;
      impl_->stored.erase(it);
      impl_->stored.push_back(found);
      return found;
    }
  }
  absl::StatusOr<std::shared_ptr<const models::Model>> loaded =
      impl_->LoadPublished(*entry, tenant, version);
  if (absl::IsNotFound(loaded.status())) return missing();
  if (!loaded.ok()) return loaded.status();
  ModelHandle handle = impl_->MakeSnapshot(*entry, tenant, version, *std::move(loaded));
  // Released after the unlock.
  ModelHandle evicted;
  absl::MutexLock lock(&impl_->stored_mu);
  if (std::find_if(impl_->stored.begin(), impl_->stored.end(), same) == impl_->stored.end()) {
    if (impl_->stored.size() >= kStoredCacheSize) {
      evicted = std::move(impl_->stored.front());
      impl_->stored.erase(impl_->stored.begin());
    }
    impl_->stored.push_back(handle);
  }
  return handle;
}

const config::ModelConfig* ModelRegistry::FindConfig(absl::string_view model) const {
  const ModelEntry* entry = impl_->Find(model);
  return entry == nullptr ? nullptr : &entry->config;
}

std::vector<std::string> ModelRegistry::ModelNames() const { return impl_->names; }

const models::ModelFamily* ModelRegistry::FamilyOf(absl::string_view model) const {
  const ModelEntry* entry = impl_->Find(model);
  return entry == nullptr ? nullptr : entry->family;
}

std::vector<v1::ModelVersion> ModelRegistry::List(absl::string_view tenant,
                                                  absl::string_view model) const {
  std::vector<v1::ModelVersion> out;
  if (!ValidateName("tenant", tenant).ok()) {
    return out;
  }
  auto list_one = [&](const ModelEntry& entry) {
    if (!entry.trainable()) {
      out.push_back(impl_->UntrainedVersion(entry, tenant));
      return;
    }
    // Holding the slot's write lock gives a view in which CURRENT, the statuses and the
    // serving snapshot agree.
    Slot* slot = impl_->FindSlot(entry, tenant);
    absl::MutexLockMaybe lock(slot == nullptr ? nullptr : &slot->write_mu);
    const int64_t now = impl_->clock->NowMs();
    if (slot != nullptr && slot->listing && now - slot->listing_at_ms < internal::kListingTtlMs) {
      out.insert(out.end(), slot->listing->begin(), slot->listing->end());
      return;
    }
    absl::StatusOr<std::vector<v1::ModelVersion>> versions =
        impl_->source->Versions(tenant, entry.name);
    if (!versions.ok()) {
      RECPLAT_LOG(Warn, "model registry: cannot list versions",
                  {{"tenant", tenant}, {"model", entry.name},
                   {"error", versions.status().ToString()}});
      return;
    }
    absl::StatusOr<PublishedCurrent> named = impl_->source->Current(tenant, entry.name);
    const size_t first = out.size();
    for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
      impl_->ReportServing(slot, named.ok() ? named->version : 0, *it);
      out.push_back(*std::move(it));
    }
    if (slot != nullptr && named.ok()) {
      slot->listing.emplace(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
      slot->listing_at_ms = now;
    }
  };
  if (model.empty()) {
    for (const std::string& name : impl_->names) {
      list_one(*impl_->Find(name));
    }
  } else if (const ModelEntry* entry = impl_->Find(model)) {
    list_one(*entry);
  }
  return out;
}

uint64_t ModelRegistry::ServingGeneration() const {
  return impl_->serving_generation.load(std::memory_order_acquire);
}

int64_t ModelRegistry::CurrentVersion(absl::string_view tenant, absl::string_view model) const {
  ModelHandle handle = Current(tenant, model);
  return handle == nullptr ? 0 : handle->version;
}

std::vector<std::string> ModelRegistry::Tenants() const {
  std::vector<std::string> tenants;
  absl::StatusOr<std::vector<PublishedModel>> published = impl_->source->ListModels();
  if (!published.ok()) {
    RECPLAT_LOG(Warn, "model registry: cannot list the model source",
                {{"error", published.status().ToString()}});
    return tenants;
  }
  for (const PublishedModel& p : *published) {
    if (tenants.empty() || tenants.back() != p.tenant) {
      tenants.push_back(p.tenant);
    }
  }
  return tenants;
}

}  // namespace recplat::registry
