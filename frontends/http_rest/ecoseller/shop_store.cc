// ShopStore: Open (mirror rebuild), Store (plan, then documents -> mirror -> items -> events ->
// training triggers) and the mirror reads. Monitoring is in shop_store_monitoring.cc.
#include "frontends/http_rest/ecoseller/shop_store.h"

#include <algorithm>
#include <random>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/api/validation.h"
#include "frontends/http_rest/ecoseller/shop_codec.h"
#include "frontends/http_rest/ecoseller/shop_plan.h"
#include "frontends/http_rest/ecoseller/shop_store_impl.h"

namespace recplat::http::ecoseller {
namespace {

// Collections the mirror is rebuilt from, in an order where every reference can be resolved
// (translations after products: the translation documents hold the current contents).
constexpr absl::string_view kMirrorCollections[] = {
    shop::kAttributeTypes, shop::kAttributes, shop::kCategories, shop::kProducts,
    shop::kTranslations,   shop::kVariants,   shop::kPrices,     shop::kOrders,
    shop::kReviews,        shop::kConfigs};

// Calls `write` with consecutive slices of `all` of at most `chunk` elements.
template <typename T, typename Write>
absl::Status WriteChunked(const std::vector<T>& all, size_t chunk, Write write) {
  for (size_t begin = 0; begin < all.size(); begin += chunk) {
    const size_t end = std::min(all.size(), begin + chunk);
    RECPLAT_RETURN_IF_ERROR(write(begin, end));
  }
  return absl::OkStatus();
}

}  // namespace

std::string TimeKey(absl::Time t, uint32_t discriminator) {
  constexpr int64_t kMaxMicros = 9999999999999999;
  const int64_t micros = std::clamp<int64_t>(absl::ToUnixMicros(t), 0, kMaxMicros);
  return absl::StrFormat("%016d-%08x", micros, discriminator);
}

ShopStore::ShopStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ShopStore::~ShopStore() { impl_->StopFlusher(); }

absl::StatusOr<std::unique_ptr<ShopStore>> ShopStore::Open(api::Api* api,
                                                           ShopStoreOptions options) {
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant("default", &options.tenant, "tenant"));
  if (options.write_batch < 1) {
    return absl::InvalidArgumentError("write_batch: must be >= 1");
  }
  auto impl = std::make_unique<Impl>();
  impl->api = api;
  impl->options = std::move(options);
  const std::string& tenant = impl->options.tenant;
  impl->next_discriminator = std::random_device{}();

  v1::ListModelsRequest list;
  list.set_tenant(tenant);
  RECPLAT_ASSIGN_OR_RETURN(v1::ListModelsResponse models, api->ListModels(list));
  {
    absl::MutexLock lock(&impl->models_mu);
    for (const v1::ModelVersion& version : models.versions()) {
      // Version 0 is how the registry lists models whose family needs no training.
      if (version.version() == 0) {
        impl->refused_models.insert(version.model());
      } else {
        impl->configured_models.insert(version.model());
      }
    }
  }

  shop::ShopMirror mirror;
  for (absl::string_view collection : kMirrorCollections) {
    RECPLAT_RETURN_IF_ERROR(impl->Scan(
        collection, "", "", /*keys_only=*/false, [&](const v1::Document& doc) {
          absl::StatusOr<StoreObject> object = shop::FromDocumentBody(doc.body());
          if (!object.ok() || shop::CollectionOf(*object) != collection) {
            RECPLAT_LOG(Warn, "ecoseller: skipping an undecodable document",
                        {{"collection", collection},
                         {"key", doc.key()},
                         {"error", object.ok() ? "wrong class" : object.status().ToString()}});
            return;
          }
          mirror.Apply(*object, /*changes=*/nullptr);
        }));
  }
  int64_t detail_enters = 0;
  RECPLAT_RETURN_IF_ERROR(impl->Scan(shop::kDetailEnters, "", "", /*keys_only=*/true,
                                     [&](const v1::Document&) { ++detail_enters; }));
  mirror.AddDetailEnters(detail_enters);
  {
    absl::MutexLock lock(&impl->mu);
    impl->mirror = std::move(mirror);
  }
  impl->flusher = std::thread([raw = impl.get()] { raw->FlushLoop(); });
  return std::unique_ptr<ShopStore>(new ShopStore(std::move(impl)));
}

absl::Status ShopStore::Store(const std::vector<StoreObject>& objects) {
  Impl& s = *impl_;
  const std::string& tenant = s.options.tenant;
  const size_t chunk = static_cast<size_t>(s.options.write_batch);
  absl::MutexLock store_lock(&s.store_mu);

  // 1. Validate everything and plan the writes. Only Store() changes the mirror, and Store()
  // calls are serialised, so the plan stays valid until it is applied below.
  const std::function<uint32_t()> discriminator = [&s] { return s.NextDiscriminator(); };
  absl::StatusOr<shop::StorePlan> planned;
  {
    absl::ReaderMutexLock lock(&s.mu);
    planned = shop::PlanStore(objects, s.mirror, tenant, discriminator, absl::Now());
  }
  if (!planned.ok()) {
    return planned.status();
  }
  shop::StorePlan& plan = *planned;

  // 2. Documents (the source of truth).
  RECPLAT_RETURN_IF_ERROR(WriteChunked(plan.documents, chunk, [&](size_t begin, size_t end) {
    v1::PutDocumentsRequest request;
    for (size_t i = begin; i < end; ++i) {
      *request.add_documents() = plan.documents[i];
    }
    return s.api->PutDocuments(request).status();
  }));

  // 3. The mirror, and the items it projects.
  std::vector<v1::Item> items;
  ShopCounts counts;
  EcosellerConfig config;
  {
    absl::MutexLock lock(&s.mu);
    shop::MirrorChanges changes;
    for (const StoreObject& object : plan.applied) {
      s.mirror.Apply(object, &changes);
    }
    for (const std::string& sku : changes.reproject) {
      if (std::optional<v1::Item> item = s.mirror.Project(sku, tenant); item.has_value()) {
        items.push_back(*std::move(item));
      }
    }
    for (const std::string& sku : changes.removed) {
      if (!s.mirror.HasVariant(sku)) {
        v1::Item& item = items.emplace_back();
        item.set_id(sku);
        item.set_tenant(tenant);
        item.set_available(false);
      }
    }
    counts = s.mirror.Counts();
    config = s.mirror.CurrentConfig();
  }
  RECPLAT_RETURN_IF_ERROR(WriteChunked(items, chunk, [&](size_t begin, size_t end) {
    v1::UpsertItemsRequest request;
    for (size_t i = begin; i < end; ++i) {
      *request.add_items() = items[i];
    }
    return s.api->UpsertItems(request).status();
  }));

  // 4. Events (their items exist by now). Applied before answering, so a prediction or a
  // training that follows the store sees them, as it did with the original's database.
  RECPLAT_RETURN_IF_ERROR(WriteChunked(plan.events, chunk, [&](size_t begin, size_t end) {
    v1::AppendEventsRequest request;
    request.set_wait_applied(true);
    for (size_t i = begin; i < end; ++i) {
      *request.add_events() = plan.events[i];
    }
    return s.api->AppendEvents(request).status();
  }));

  // 5. Training triggers, for models ready by the original's rules.
  std::set<std::string> train;
  for (const std::string& model : plan.train) {
    if (model == "gru4rec" && !(static_cast<double>(counts.detail_enters) >
                                config.gru4rec_config.events_multiplier *
                                    static_cast<double>(counts.variants))) {
      continue;
    }
    if (model == "ease" && !(static_cast<double>(counts.reviews) >
                             config.ease_config.reviews_multiplier *
                                 static_cast<double>(counts.variants))) {
      continue;
    }
    train.insert(model);
  }
  s.Train(train);
  return absl::OkStatus();
}

void ShopStore::Impl::Train(const std::set<std::string>& models) {
  for (const std::string& model : models) {
    {
      absl::MutexLock lock(&models_mu);
      if (refused_models.contains(model)) {
        continue;
      }
    }
    v1::TrainRequest request;
    request.set_tenant(options.tenant);
    request.set_model(model);
    absl::StatusOr<v1::TrainResponse> response = api->Train(request);
    absl::MutexLock lock(&models_mu);
    if (response.ok()) {
      configured_models.insert(model);
    } else if (absl::IsNotFound(response.status())) {
      if (!configured_models.contains(model)) {
        refused_models.insert(model);  // Not configured in the core: never ask again.
      }
    } else if (absl::IsFailedPrecondition(response.status())) {
      // Needs no training, or (when the core trains on the caller's thread) the training found
      // nothing to train on yet; the next trigger tries again.
      RECPLAT_LOG(Debug, "ecoseller: training trigger refused",
                  {{"model", model}, {"error", response.status().ToString()}});
    } else {
      RECPLAT_LOG(Warn, "ecoseller: training trigger failed",
                  {{"model", model}, {"error", response.status().ToString()}});
    }
  }
}

absl::Status ShopStore::Impl::Scan(absl::string_view collection, const std::string& start_key,
                                   const std::string& end_key, bool keys_only,
                                   const std::function<void(const v1::Document&)>& fn) const {
  v1::ScanDocumentsRequest request;
  request.set_tenant(options.tenant);
  request.set_collection(std::string(collection));
  request.set_start_key(start_key);
  request.set_limit(1000);
  request.set_keys_only(keys_only);
  while (true) {
    RECPLAT_ASSIGN_OR_RETURN(v1::ScanDocumentsResponse response, api->ScanDocuments(request));
    for (const v1::Document& doc : response.documents()) {
      if (!end_key.empty() && doc.key() >= end_key) {
        return absl::OkStatus();
      }
      fn(doc);
    }
    if (response.next_key().empty()) {
      return absl::OkStatus();
    }
    request.set_start_key(response.next_key());
  }
}

EcosellerConfig ShopStore::CurrentConfig() const {
  absl::ReaderMutexLock lock(&impl_->mu);
  return impl_->mirror.CurrentConfig();
}

std::vector<std::string> ShopStore::VariantsInCategory(int64_t category_id) const {
  std::vector<std::string> skus;
  for (auto& [product_id, variants] : ProductsInCategory(category_id)) {
    for (std::string& sku : variants) {
      skus.push_back(std::move(sku));
    }
  }
  return skus;
}

std::vector<std::pair<int64_t, std::vector<std::string>>> ShopStore::ProductsInCategory(
    int64_t category_id) const {
  absl::ReaderMutexLock lock(&impl_->mu);
  return impl_->mirror.ProductsInCategory(category_id);
}

bool ShopStore::HasCategory(int64_t category_id) const {
  absl::ReaderMutexLock lock(&impl_->mu);
  return impl_->mirror.HasCategory(category_id);
}

std::optional<VariantView> ShopStore::Variant(const std::string& sku) const {
  absl::ReaderMutexLock lock(&impl_->mu);
  return impl_->mirror.Variant(sku);
}

ShopCounts ShopStore::Counts() const {
  absl::ReaderMutexLock lock(&impl_->mu);
  return impl_->mirror.Counts();
}

}  // namespace recplat::http::ecoseller
