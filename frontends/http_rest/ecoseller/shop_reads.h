// File: shop_reads.h
//
// ShopReads: what the ecoseller routes read from the core, each read a call of api::Api (no
// mirror, no store: two frontend processes over one core read the same answers):
//   - the current Config version (one document, versioned by create_at; the parsed config is
//     kept for as long as the core answers the same version);
//   - the identifier ("ease_2023-08-01T10:00:00") of a (model, version), the only thing kept in
//     memory besides the parsed config: a cache of immutable facts (a version's creation time
//     never changes);
//   - whether a category is stored (the core's `_shop.category` documents);
//   - the counts behind the dashboard's readiness flags, and a model's versions.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/api/api.h"
#include "frontends/http_rest/ecoseller/config_object.h"

namespace recplat::http::ecoseller {

// Counts behind the readiness rules of the dashboard (seed-systems.md 3.5/3.7).
struct ShopCounts {
  // Stored (not deleted) variants.
  int64_t variants = 0;
  // Applied `review` and `product_detail_enter` events.
  int64_t reviews = 0;
  int64_t detail_enters = 0;
};

class ShopReads {
 public:
  // `api` must outlive this object.
  ShopReads(api::Api* api, std::string tenant);

  const std::string& tenant() const { return tenant_; }

  // The current config (defaults when none was stored). Core errors are returned. The shared
  // snapshot is immutable; a new version read from the core replaces it.
  absl::StatusOr<std::shared_ptr<const EcosellerConfig>> CurrentConfig();

  // "<model>_<creation time>" for trained versions (> 0); the bare name for the untrained
  // families (dummy, selection, popularity) and for version 0.
  std::string Identifier(const std::string& model, int64_t version);

  // Whether a Category with this id is stored.
  absl::StatusOr<bool> HasCategory(int64_t category_id) const;

  absl::StatusOr<ShopCounts> Counts() const;

  // The versions of one model; NOT_FOUND when the core does not configure it.
  absl::StatusOr<std::vector<v1::ModelVersion>> Versions(absl::string_view model) const;

 private:
  api::Api* const api_;
  const std::string tenant_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> identifiers_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const EcosellerConfig> config_ ABSL_GUARDED_BY(mu_);
  int64_t config_version_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace recplat::http::ecoseller
