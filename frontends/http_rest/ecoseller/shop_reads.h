// File: shop_reads.h
//
// ShopReads: what the ecoseller routes read from the core, each read a call of api::Api (no
// mirror, no store: two frontend processes over one core read the same answers):
//   - the current Config version (one document, versioned by create_at; the parsed config is
//     kept for as long as the core answers the same version);
//   - model facts: which ecoseller model names the core configures, and the identifier
//     ("ease_2023-08-01T10:00:00") of a (model, version) — the only things kept in memory, as
//     caches of immutable facts (a version's creation time never changes; the configured models
//     change only with the core's profile, and an unknown-model answer refreshes them);
//   - whether a category is stored (the core's `_shop.category` documents);
//   - the monitoring records: served lists (Api::ScanServed) as PredictionRecords, and the
//     stored ProductDetailEnters;
//   - the counts behind the dashboard's readiness flags.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "frontends/http_rest/ecoseller/config_object.h"
#include "frontends/http_rest/ecoseller/objects.h"

namespace recplat::http::ecoseller {

// One served /predict answer, as the dashboard reads it.
struct PredictionRecord {
  absl::Time create_at;
  std::string session_id;
  std::optional<int64_t> user_id;
  std::string recommendation_type;
  std::string retrieval_model;
  std::string retrieval_identifier;
  std::string scoring_model;
  std::string scoring_identifier;
  double retrieval_seconds = 0;
  double scoring_seconds = 0;
  double ordering_seconds = 0;
  std::vector<std::string> predicted_items;
};

// Counts behind the readiness rules of the dashboard (seed-systems.md 3.5/3.7).
struct ShopCounts {
  // Stored (not deleted) variants.
  int64_t variants = 0;
  // Applied `order` events (order lines), `review` and `product_detail_enter` events.
  int64_t orders = 0;
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

  // Whether the core configures `model` (an ecoseller model name).
  bool Configured(absl::string_view model);
  // Forgets the configured set (call when the core answered "unknown model").
  void RefreshConfigured();

  // "<model>_<creation time>" for trained versions (> 0); the bare name for the untrained
  // families (dummy, selection, popularity) and for version 0.
  std::string Identifier(const std::string& model, int64_t version);

  // Whether a Category with this id is stored.
  absl::StatusOr<bool> HasCategory(int64_t category_id) const;

  // Served answers and ProductDetailEnters with from <= time <= to, in time order.
  absl::Status ScanPredictions(absl::Time from, absl::Time to,
                               const std::function<void(const PredictionRecord&)>& fn);
  absl::Status ScanDetailEnters(absl::Time from, absl::Time to,
                                const std::function<void(const ProductDetailEnter&)>& fn) const;

  absl::StatusOr<ShopCounts> Counts() const;

  // The versions of one model; NOT_FOUND when the core does not configure it.
  absl::StatusOr<std::vector<v1::ModelVersion>> Versions(absl::string_view model) const;

 private:
  void LoadConfiguredLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  api::Api* const api_;
  const std::string tenant_;
  absl::Mutex mu_;
  std::optional<std::set<std::string>> configured_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> identifiers_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const EcosellerConfig> config_ ABSL_GUARDED_BY(mu_);
  int64_t config_version_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace recplat::http::ecoseller
