// RocksDbStateStore: loading the state of the apply path (shop catalogs, retention indexes)
// from RocksDB, at open and after a failed batch.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/shop/shop_entity.h"
#include "core/state/internal/rocks_util.h"
#include "core/state/rocksdb_state_store.h"

namespace recplat::state {

using internal::FromRocks;
using internal::PrefixIterator;

absl::Status RocksDbStateStore::LoadApplyState() {
  RECPLAT_RETURN_IF_ERROR(LoadShopCatalogs());
  return LoadRetentionIndexes();
}

absl::Status RocksDbStateStore::LoadShopCatalogs() {
  shops_.clear();
  // Product sequence numbers: "shop_seq:" str(tenant) be64(id) -> be64(offset).
  absl::flat_hash_map<std::string, absl::flat_hash_map<int64_t, uint64_t>> seqs;
  {
    std::string upper_storage;
    rocksdb::Slice upper;
    auto it = PrefixIterator(db_.get(), cf(kMeta), std::string(internal::kShopSeqPrefix),
                             &upper_storage, &upper);
    for (; it->Valid(); it->Next()) {
      absl::string_view key(it->key().data(), it->key().size());
      absl::string_view value(it->value().data(), it->value().size());
      key.remove_prefix(internal::kShopSeqPrefix.size());
      absl::string_view tenant;
      uint64_t id = 0;
      uint64_t seq = 0;
      if (!internal::GetString(&key, &tenant) || !internal::GetBE(&key, 8, &id) ||
          !internal::GetBE(&value, 8, &seq)) {
        return absl::DataLossError("state store: corrupt shop sequence number");
      }
      seqs[std::string(tenant)][static_cast<int64_t>(id)] = seq;
    }
    RECPLAT_RETURN_IF_ERROR(FromRocks(it->status(), "state store: scan shop sequence numbers"));
  }
  std::vector<std::string> tenants;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (const auto& [tenant, meta] : tenants_) tenants.push_back(tenant);
  }
  size_t entities = 0;
  for (const std::string& tenant : tenants) {
    std::unique_ptr<shop::ShopCatalog> catalog;
    for (absl::string_view collection : shop::kCollections) {
      std::string prefix = internal::TenantPrefix(tenant);
      internal::PutString(&prefix, collection);
      std::string upper_storage;
      rocksdb::Slice upper;
      auto it = PrefixIterator(db_.get(), cf(kDocs), prefix, &upper_storage, &upper);
      for (; it->Valid(); it->Next()) {
        v1::Document doc;
        if (!doc.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
          return absl::DataLossError("state store: corrupt document");
        }
        absl::StatusOr<v1::ShopEntity> entity =
            shop::EntityFromDocument(tenant, collection, doc.body());
        if (!entity.ok()) {
          return absl::DataLossError(
              absl::StrCat("state store: tenant '", tenant, "': ", entity.status().message()));
        }
        uint64_t seq = 0;
        if (entity->has_product()) {
          auto t = seqs.find(tenant);
          if (t != seqs.end()) {
            auto s = t->second.find(entity->product().id());
            if (s != t->second.end()) seq = s->second;
          }
        }
        if (catalog == nullptr) catalog = std::make_unique<shop::ShopCatalog>();
        catalog->Apply(*entity, seq, /*changes=*/nullptr);
        ++entities;
      }
      RECPLAT_RETURN_IF_ERROR(FromRocks(it->status(), "state store: scan shop entities"));
    }
    if (catalog != nullptr) shops_[tenant] = std::move(catalog);
  }
  if (entities > 0) {
    RECPLAT_LOG(Info, "shop catalogs loaded", {{"tenants", shops_.size()}, {"entities", entities}});
  }
  return absl::OkStatus();
}

absl::Status RocksDbStateStore::LoadRetentionIndexes() {
  retention_.clear();
  if (!options_.retention.enabled()) return absl::OkStatus();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kItems)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    absl::string_view tenant;
    if (!internal::GetString(&key, &tenant)) {
      return absl::DataLossError("state store: corrupt item key");
    }
    v1::StoredItem stored;
    if (!stored.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("state store: corrupt item record");
    }
    if (stored.deleted() || stored.dormant()) continue;
    auto& index = retention_[std::string(tenant)];
    if (index == nullptr) {
      index = std::make_unique<internal::RetentionIndex>(options_.retention.order);
    }
    index->Insert(stored.item().index(), stored.item().id(), stored.item().published_at_ms());
  }
  return FromRocks(it->status(), "state store: scan items");
}

}  // namespace recplat::state
