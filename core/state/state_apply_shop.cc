// ApplyBatch: shop entities. Each entity is stored as a document of "_shop.<kind>", applied to
// the tenant's ShopCatalog, and the items of the variants it affects are upserted (live or
// dormant) in the same batch, so a crash never separates an entity from its derived items.
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/shop/shop_entity.h"
#include "core/state/internal/apply_batch.h"

namespace recplat::state {

absl::Status ApplyBatch::AddShopEntity(uint64_t offset, const v1::ShopEntity& entity,
                                       int64_t appended_at_ms) {
  if (entity.kind_case() == v1::ShopEntity::KIND_NOT_SET) return absl::OkStatus();
  const std::string& tenant = entity.tenant();
  Tenant(tenant);  // The tenant's metadata is written, so the catalog is reloaded at open.

  v1::Document doc;
  doc.set_tenant(tenant);
  doc.set_collection(shop::CollectionOf(entity));
  doc.set_key(shop::KeyOf(entity));
  doc.set_deleted(entity.deleted());
  if (!entity.deleted()) {
    RECPLAT_ASSIGN_OR_RETURN(*doc.mutable_body(), shop::BodyOf(entity));
  }
  RECPLAT_RETURN_IF_ERROR(AddDocument(doc, appended_at_ms));
  if (entity.has_product()) {
    const std::string key = internal::ShopSeqKey(tenant, entity.product().id());
    if (entity.deleted()) {
      Delete(RocksDbStateStore::kMeta, key);
    } else {
      std::string seq;
      internal::PutBE(&seq, offset, 8);
      Put(RocksDbStateStore::kMeta, key, seq);
    }
  }

  s_.apply_mu_.AssertHeld();  // Apply() holds it for the whole batch.
  auto& slot = s_.shops_[tenant];
  if (slot == nullptr) slot = std::make_unique<shop::ShopCatalog>();
  shop::ShopChanges changes;
  slot->Apply(entity, offset, &changes);
  for (const std::string& sku : changes.removed) {
    RECPLAT_RETURN_IF_ERROR(MarkDormant(tenant, sku));
  }
  for (const std::string& sku : changes.reproject) {
    std::optional<v1::Item> item = slot->Project(sku, tenant);
    if (!item.has_value()) continue;  // Not a stored variant (cannot happen: see ShopChanges).
    RECPLAT_RETURN_IF_ERROR(UpsertItem(*item, appended_at_ms, /*dormant=*/!item->live()));
  }
  return absl::OkStatus();
}

}  // namespace recplat::state
