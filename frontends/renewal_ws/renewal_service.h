// File: renewal_service.h
//
// RenewalService: the JSON-RPC methods a Renewal recsystem serves (seed-systems.md §1.3), as a
// codec over api::Api (no store, set or counter of its own, so processes over one core agree):
//   ping                 -> "pong"
//   recommend            (user_id, limit, since_id, max_id, min_articles, max_articles; all but
//                        user_id optional, named or positional in that order) -> [article ids]
//   new_article          (article)      notification: upsert item (+ its metrics as counters)
//   article_interaction  (interaction)  notification: core events + metric counter updates,
//                                       one atomic core write
//   assigned_user        (user_id|user) notification: the user joins the assigned set
//   unassigned_user      (user_id|user) notification: the user leaves it
// plus what the start-up sync feeds it (AddArticles, SetAssignments).
//
// recommend: at most max_articles (2021 API) or limit (2020 API; default 30) ids, at least
// min_articles when the corpus allows, best first, from the configured surface. The core's
// surface filters keep out what the user interacted with (events, also those listed by
// /v1/user_assignments, which become events once) and what was recommended to them before
// (served lists), and the core serialises concurrent calls of one user, so two calls never
// share an id. since_id / max_id (exclusive bounds; null or negative = none) restrict the
// candidates to articles in that id range (a catalog query on the `article_id` attribute).
//
// The article cache of the reference ArticleCollection (the most recent articles, the lowest id
// evicted when full, an article below the lowest ignored while full) is the core's catalog
// retention (`catalog.max_items`, `retention_order: id_numeric` in config/renewal.yaml).
//
// Thread safety: all methods may be called concurrently (the dispatcher's executor threads).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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
  // Articles read at the first sync (the reference MAX_ARTICLES); the core's
  // `catalog.max_items` keeps the same number recommendable.
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

  // `api` is not owned and must outlive the service. INVALID_ARGUMENT for bad options.
  static absl::StatusOr<std::unique_ptr<RenewalService>> Create(api::Api* api,
                                                                RenewalServiceOptions options);

  // Registers the six methods. ALREADY_EXISTS if one is registered already.
  absl::Status RegisterMethods(JsonRpcDispatcher& dispatcher);

  // `recommend`: see the file comment. INVALID_ARGUMENT for a missing user_id or a
  // non-integer bound; the core's errors otherwise.
  absl::StatusOr<std::vector<int64_t>> Recommend(const nlohmann::json& params);

  // Adds or replaces articles (new_article, sync): catalog items, and the counters of articles
  // that carry `metrics`. Articles without an integer article_id are skipped (INVALID_ARGUMENT
  // if that leaves none of a non-empty list).
  absl::Status AddArticles(std::vector<nlohmann::json> articles);

  // `article_interaction`: INVALID_ARGUMENT for a malformed interaction (see ParseInteraction).
  absl::Status HandleInteraction(const nlohmann::json& interaction);

  // `assigned_user` / `unassigned_user`: the user as an id or an object (see UserIdOf).
  absl::Status AssignUser(const nlohmann::json& user);
  absl::Status UnassignUser(const nlohmann::json& user);

  // Replaces the assigned set with the body of GET /v1/user_assignments (an array of users)
  // and learns the interactions they list. INVALID_ARGUMENT when it is not an array.
  absl::Status SetAssignments(const nlohmann::json& assignments);

  // Read from the core (0 / nullopt / empty when it does not answer):
  // the highest recommendable article id (the since_id of a catch-up), if any;
  std::optional<int64_t> newest_article_id() const;
  // the number of recommendable articles;
  size_t article_count() const;
  // the assigned users, sorted;
  std::vector<std::string> assigned_users() const;
  // an article's metrics (its item's counters; NOT_FOUND for an unknown article).
  absl::StatusOr<ArticleMetrics> Metrics(int64_t article_id) const;

 private:
  RenewalService(api::Api* api, RenewalServiceOptions options);
  absl::Status Write(v1::WriteRequest request) const;
  absl::Status PutDocuments(std::vector<v1::Document> documents) const;
  // The documents of the assigned users.
  absl::StatusOr<std::vector<std::string>> AssignedUsers() const;
  absl::Status SetAssigned(const std::string& user_id, bool assigned);
  // Turns the interactions a user object lists into the core events the user's history lacks
  // (clicks, bookmarks, exposures: one per article; ratings: the difference to the rating the
  // history sums to), so a recsystem that was away still learns what its users did, and a
  // user listed again at every sync adds nothing. Only the newest kMaxLearnHistory events of
  // the history are compared. Malformed entries are skipped.
  absl::Status LearnListedInteractions(const std::string& user_id, const nlohmann::json& user);
  v1::Document Doc(const char* collection, std::string key) const;

  api::Api* const api_;
  const RenewalServiceOptions options_;
};

}  // namespace recplat::renewal_ws
