// RocksDbStateStore::ListItems with a catalog query: the in-memory catalog finds the matching
// items (catalog_query.h), RocksDB supplies their records.
#include "core/catalog/catalog_query.h"
#include "core/state/rocksdb_state_store.h"

namespace recplat::state {

absl::Status RocksDbStateStore::ListItems(absl::string_view tenant, const v1::CatalogQuery& query,
                                          uint32_t start, int page_size, std::vector<v1::Item>* out,
                                          uint32_t* next) const {
  *next = 0;
  const catalog::Catalog* cat = FindCatalog(tenant);
  if (cat == nullptr || page_size <= 0) return absl::OkStatus();
  std::vector<std::string> ids;
  {
    // One more than a page tells where the next page starts. The lock is released before the
    // RocksDB reads.
    auto reader = cat->Read();
    const std::vector<uint32_t> matches =
        catalog::MatchQuery(reader, query, start, static_cast<size_t>(page_size) + 1);
    for (size_t i = 0; i < matches.size(); ++i) {
      if (i == static_cast<size_t>(page_size)) {
        *next = matches[i];
        break;
      }
      ids.push_back(reader.Id(matches[i]));
    }
  }
  for (const std::string& id : ids) {
    // An item deleted since the match (NOT_FOUND) is left out.
    absl::StatusOr<v1::Item> item = GetItem(tenant, id);
    if (item.ok()) {
      out->push_back(*std::move(item));
    } else if (!absl::IsNotFound(item.status())) {
      return item.status();
    }
  }
  return absl::OkStatus();
}

}  // namespace recplat::state
