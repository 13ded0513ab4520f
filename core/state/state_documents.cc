// RocksDbStateStore: document reads (GetDocuments, ScanDocuments in both directions).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/state/internal/rocks_util.h"
#include "core/state/rocksdb_state_store.h"

namespace recplat::state {

using internal::FromRocks;
using internal::PrefixIterator;
using internal::TenantPrefix;

namespace {

// Decodes a stored document and fills in its address.
absl::Status ToDocument(const rocksdb::Slice& value, absl::string_view tenant,
                        absl::string_view collection, absl::string_view key, bool keys_only,
                        std::vector<v1::Document>* out) {
  v1::Document doc;
  if (!doc.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("state store: corrupt document");
  }
  if (keys_only) doc.clear_body();
  doc.set_tenant(std::string(tenant));
  doc.set_collection(std::string(collection));
  doc.set_key(std::string(key));
  out->push_back(std::move(doc));
  return absl::OkStatus();
}

}  // namespace

absl::Status RocksDbStateStore::GetDocuments(absl::string_view tenant,
                                             absl::string_view collection,
                                             std::span<const std::string> keys,
                                             std::vector<v1::Document>* out) const {
  std::string prefix = TenantPrefix(tenant);
  internal::PutString(&prefix, collection);
  std::vector<std::string> full_keys;
  full_keys.reserve(keys.size());
  for (const std::string& key : keys) full_keys.push_back(absl::StrCat(prefix, key));
  std::vector<rocksdb::Slice> slices(full_keys.begin(), full_keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs(keys.size(), cf(kDocs));
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses =
      db_->MultiGet(rocksdb::ReadOptions(), cfs, slices, &values);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    RECPLAT_RETURN_IF_ERROR(FromRocks(statuses[i], "state store: read document"));
    v1::Document doc;
    if (!doc.ParseFromString(values[i])) {
      return absl::DataLossError("state store: corrupt document");
    }
    doc.set_tenant(std::string(tenant));
    doc.set_collection(std::string(collection));
    doc.set_key(keys[i]);
    out->push_back(std::move(doc));
  }
  return absl::OkStatus();
}

absl::Status RocksDbStateStore::ScanDocuments(absl::string_view tenant,
                                              absl::string_view collection,
                                              absl::string_view prefix,
                                              absl::string_view start_key, size_t limit,
                                              bool keys_only, bool reverse,
                                              std::vector<v1::Document>* out,
                                              std::string* next_key) const {
  const std::string start(start_key);  // `start_key` may alias `*next_key`.
  next_key->clear();
  std::string base = TenantPrefix(tenant);
  internal::PutString(&base, collection);
  const std::string scan_prefix = absl::StrCat(base, prefix);
  if (!reverse) {
    std::string upper_storage;
    rocksdb::Slice upper;
    auto it = PrefixIterator(db_.get(), cf(kDocs), scan_prefix, &upper_storage, &upper);
    if (absl::string_view(start) > prefix) it->Seek(absl::StrCat(base, start));
    for (; it->Valid(); it->Next()) {
      absl::string_view key(it->key().data(), it->key().size());
      key.remove_prefix(base.size());
      if (out->size() >= limit) {
        *next_key = std::string(key);
        break;
      }
      RECPLAT_RETURN_IF_ERROR(ToDocument(it->value(), tenant, collection, key, keys_only, out));
    }
    return FromRocks(it->status(), "state store: scan documents");
  }
  // Descending: from min(start, the end of the prefix) down to the first key of the prefix.
  const std::string upper = internal::PrefixUpperBound(scan_prefix);
  const rocksdb::Slice lower(scan_prefix);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kDocs)));
  const std::string from = absl::StrCat(base, start);
  if (!start.empty() && (upper.empty() || from < upper)) {
    it->SeekForPrev(from);
  } else if (!upper.empty()) {
    it->SeekForPrev(upper);
    if (it->Valid() && it->key() == rocksdb::Slice(upper)) it->Prev();
  } else {
    it->SeekToLast();
  }
  for (; it->Valid(); it->Prev()) {
    absl::string_view key(it->key().data(), it->key().size());
    key.remove_prefix(base.size());
    if (out->size() >= limit) {
      *next_key = std::string(key);
      break;
    }
    RECPLAT_RETURN_IF_ERROR(ToDocument(it->value(), tenant, collection, key, keys_only, out));
  }
  return FromRocks(it->status(), "state store: scan documents");
}

}  // namespace recplat::state
