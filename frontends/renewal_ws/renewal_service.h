// File: renewal_service.h
//
// RenewalService: the JSON-RPC methods a Renewal recsystem serves (seed-systems.md §1.3), bound
// to the core through api::Api only:
//   ping                 -> "pong"
//   recommend            (user_id, limit, since_id, max_id, min_articles, max_articles; all but
//                        user_id optional, named or positional in that order) -> [article ids]
//   new_article          (article)      notification: upsert item + stored article document
//   article_interaction  (interaction)  notification: core events + article metrics
//   assigned_user        (user_id|user) notification: the user joins the assigned set
//   unassigned_user      (user_id|user) notification: the user leaves it
// plus what the start-up sync feeds it (AddArticles, SetAssignments).
//
// recommend: at most max_articles (2021 API) or limit (2020 API; default 30) ids, at least
// min_articles when the corpus allows, best first, from the configured surface (whose filters
// should exclude seen and recommended items). Ids already recommended to the user or seen by
// them (any interaction, including those listed by /v1/user_assignments) are never returned:
// the surface filters cover the core's history, and the request's exclude list covers what
// this process learnt. since_id / max_id (exclusive bounds; null or negative = none) restrict
// the candidates to the cached articles in that id range.
//
// Article cache: like the reference ArticleCollection, the most recent `cache_size` articles are
// kept; when full, the lowest id is evicted (its item deleted from the catalog, so it is no
// longer recommended) and an article below the lowest while full is ignored.
//
// State kept in documents (so it survives restarts): kArticlesCollection (article JSON),
// kMetricsCollection ({clicks, likes, dislikes, bookmarks}), kAssignedUsersCollection (one
// document per assigned user). Interactions listed with the users become core events once. The seen/recommended sets learnt from notifications live in
// memory; the core's own history and served lists persist them.
//
// Thread safety: all methods may be called concurrently (the dispatcher's executor threads).
// Two recommend calls for the same user are serialised, so they never share an id.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/api/api.h"
#include "frontends/renewal_ws/jsonrpc_dispatcher.h"
#include "frontends/renewal_ws/renewal_codec.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_ws {

struct RenewalServiceOptions {
  // Tenant of the items, events and documents; empty means the core's default tenant.
  std::string tenant;
  // Surface asked by recommend.
  std::string surface = "feed";
  // Most recent articles kept recommendable (the reference MAX_ARTICLES).
  size_t cache_size = 10000;
  // Answer size when a recommend call gives neither max_articles nor limit (2020 default).
  int32_t default_limit = 30;
  // Largest answer; keep it at most the surface's max_k.
  int32_t max_k = 1000;
  // Items / documents per core write when many articles arrive at once (sync).
  int32_t write_batch = 500;
};

class RenewalService {
 public:
  // History compared when learning listed interactions (the core's GetUser limit).
  static constexpr int32_t kMaxLearnHistory = 1000;

  // Loads the cached article ids and the assigned users from the core's documents.
  // `api` is not owned and must outlive the service. Errors: those of ScanDocuments.
  static absl::StatusOr<std::unique_ptr<RenewalService>> Create(api::Api* api,
                                                                RenewalServiceOptions options);

  // Registers the six methods. ALREADY_EXISTS if one is registered already.
  absl::Status RegisterMethods(JsonRpcDispatcher& dispatcher);

  // `recommend`: see the file comment. INVALID_ARGUMENT for a missing user_id or a
  // non-integer bound; the core's errors otherwise.
  absl::StatusOr<std::vector<int64_t>> Recommend(const nlohmann::json& params);

  // Adds or replaces articles (new_article, sync): catalog items, article documents, and the
  // metrics documents of articles that carry `metrics`. Articles without an integer article_id
  // are skipped (INVALID_ARGUMENT if that leaves none of a non-empty list). Evicts beyond
  // cache_size.
  absl::Status AddArticles(std::vector<nlohmann::json> articles);

  // `article_interaction`: INVALID_ARGUMENT for a malformed interaction (see ParseInteraction).
  absl::Status HandleInteraction(const nlohmann::json& interaction);

  // `assigned_user` / `unassigned_user`: the user as an id or an object (see UserIdOf).
  absl::Status AssignUser(const nlohmann::json& user);
  absl::Status UnassignUser(const nlohmann::json& user);

  // Replaces the assigned set with the body of GET /v1/user_assignments (an array of users)
  // and learns the interactions they list. INVALID_ARGUMENT when it is not an array.
  absl::Status SetAssignments(const nlohmann::json& assignments);

  // Highest cached article id (the since_id of a catch-up), if any.
  std::optional<int64_t> newest_article_id() const;
  size_t article_count() const;
  // Sorted.
  std::vector<std::string> assigned_users() const;
  // The stored metrics of an article (zeros when none are stored).
  absl::StatusOr<ArticleMetrics> Metrics(int64_t article_id) const;

 private:
  RenewalService(api::Api* api, RenewalServiceOptions options);
  absl::Status Load();
  absl::Status PutDocuments(std::vector<v1::Document> documents) const;
  absl::Status Evict(const std::vector<int64_t>& ids);
  absl::Status SetAssigned(const std::string& user_id, bool assigned);
  void LearnSeen(const std::string& user_id, const std::vector<int64_t>& article_ids);
  // Turns the interactions a user object lists into the core events the user's history lacks
  // (clicks, bookmarks, exposures: one per article; ratings: the difference to the rating the
  // history sums to), so a recsystem that was away still learns what its users did, and a
  // user listed again at every sync adds nothing. Only the newest kMaxLearnHistory events of
  // the history are compared. Malformed entries are skipped.
  absl::Status LearnListedInteractions(const std::string& user_id, const nlohmann::json& user);
  v1::Document Doc(const char* collection, std::string key) const;

  api::Api* const api_;
  const RenewalServiceOptions options_;

  mutable absl::Mutex mu_;
  std::set<int64_t> articles_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> assigned_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<int64_t>> seen_ ABSL_GUARDED_BY(mu_);

  // Serialises read-modify-write of metrics documents.
  mutable absl::Mutex metrics_mu_;
  // Serialises recommend calls of one user (by hash).
  std::array<absl::Mutex, 16> user_mu_;
};

}  // namespace recplat::renewal_ws
