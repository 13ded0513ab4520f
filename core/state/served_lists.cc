// RocksDbStateStore: the served lists recorded for monitoring (RecordServedLists, ScanServed,
// PruneServedLists). Written directly, like RecordServed, not through the event log: see
// state_store.h.
#include <algorithm>
#include <cctype>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/state/rocksdb_state_store.h"
#include "rocksdb/write_batch.h"

namespace recplat::state {

using internal::PutBE;
using internal::TenantPrefix;

namespace {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

uint64_t StoredTime(int64_t ms) { return static_cast<uint64_t>(std::max<int64_t>(0, ms)); }

// The part of a served-list key after the tenant: be64(served_at_ms) recommendation_id.
std::string ListSuffix(int64_t served_at_ms, absl::string_view recommendation_id) {
  std::string suffix;
  PutBE(&suffix, StoredTime(served_at_ms), 8);
  suffix.append(recommendation_id.data(), recommendation_id.size());
  return suffix;
}

bool IsHex(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

absl::Status RocksDbStateStore::RecordServedLists(std::span<const v1::ServedList> lists) {
  if (lists.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  for (const v1::ServedList& list : lists) {
    const std::string key =
        TenantPrefix(list.tenant()) + ListSuffix(list.served_at_ms(), list.recommendation_id());
    batch.Put(cf(kServedLists), key, list.SerializeAsString()).PermitUncheckedError();
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "state store: record served lists");
}

absl::Status RocksDbStateStore::PruneServedLists(int64_t before_ms) {
  if (before_ms <= 0) return absl::OkStatus();
  // Tenant prefixes are found by seeking past each tenant's range in turn.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kServedLists)));
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid();) {
    absl::string_view key(it->key().data(), it->key().size());
    absl::string_view rest = key;
    absl::string_view tenant;
    if (!internal::GetString(&rest, &tenant)) {
      return absl::DataLossError("state store: corrupt served-list key");
    }
    const std::string prefix = TenantPrefix(tenant);
    std::string end = prefix;
    PutBE(&end, StoredTime(before_ms), 8);
    batch.DeleteRange(cf(kServedLists), prefix, end).PermitUncheckedError();
    const std::string next = internal::PrefixUpperBound(prefix);
    if (next.empty()) break;
    it->Seek(next);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "state store: scan served lists");
  if (batch.Count() == 0) return absl::OkStatus();
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "state store: prune served lists");
}

absl::Status RocksDbStateStore::ScanServed(absl::string_view tenant, const ServedListScan& scan,
                                           std::vector<v1::ServedList>* out,
                                           std::string* next_page_token) const {
  next_page_token->clear();
  const std::string prefix = TenantPrefix(tenant);
  std::string start = prefix;
  PutBE(&start, StoredTime(scan.from_ms), 8);
  if (!scan.page_token.empty()) {
    if (scan.page_token.size() < 16 || scan.page_token.size() % 2 != 0 || !IsHex(scan.page_token)) {
      return absl::InvalidArgumentError("page_token: not a token returned by ScanServed");
    }
    std::string resume = prefix + absl::HexStringToBytes(scan.page_token);
    start = std::max(start, resume);
  }
  if (scan.to_ms < 0 || scan.to_ms < scan.from_ms) return absl::OkStatus();
  std::string upper_key = prefix;
  PutBE(&upper_key, StoredTime(scan.to_ms), 8);
  // Every key served at to_ms or before sorts below the successor of that time prefix.
  std::string upper_storage = internal::PrefixUpperBound(upper_key);
  rocksdb::Slice upper(upper_storage);
  rocksdb::ReadOptions ro;
  if (!upper_storage.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kServedLists)));
  for (it->Seek(start); it->Valid(); it->Next()) {
    v1::ServedList list;
    if (!list.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("state store: corrupt served list");
    }
    if (!scan.surface.empty() && list.surface() != scan.surface) continue;
    if (out->size() >= scan.limit) {
      absl::string_view key(it->key().data(), it->key().size());
      key.remove_prefix(prefix.size());
      *next_page_token = absl::BytesToHexString(key);
      break;
    }
    out->push_back(std::move(list));
  }
  return FromRocks(it->status(), "state store: scan served lists");
}

}  // namespace recplat::state
