// File: article_store.h
//
// ArticleStore: the simulated backend's released articles and what users did with them
// (seed-systems.md §1.4, §1.6, §1.9): the Article documents with their `metrics`, and one
// accumulated interaction document per (user, article), as the 2020 backend keeps them in
// `articles` and `articles.interactions`. Interact() applies one interaction the way the
// backend's POST /v1/articles/interactions does:
//   - the interaction's fields are merged into the (user, article) document;
//   - metrics: a rating removes the count of prev_rating (likes for 1, dislikes for -1) and adds
//     the new one's; clicked true/false adds/removes a click, bookmarked likewise a bookmark;
//     `recommended` changes no metric; no metric goes below zero;
//   - it returns the article_interaction notification payload: user_id, article_id, the fields
//     and `timestamp`.
//
// Thread safety: all methods may be called concurrently (one internal mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_sim {

class ArticleStore {
 public:
  // Adds an Article document (an object with an integer article_id; a missing `metrics` gets
  // zeros). INVALID_ARGUMENT otherwise; ALREADY_EXISTS for a known id.
  absl::Status Add(nlohmann::json article);

  size_t size() const;
  bool Contains(int64_t article_id) const;
  std::optional<nlohmann::json> Get(int64_t article_id) const;
  // GET /v1/articles: up to `limit` (at least 1) articles with since_id < id < max_id, newest
  // first.
  nlohmann::json List(int64_t limit, std::optional<int64_t> since_id,
                      std::optional<int64_t> max_id) const;

  // Applies `fields` (an object of §1.3 interaction fields: recommended, clicked, rating with
  // prev_rating, bookmarked) by `user_id` on a known article at `when`; see the file comment.
  // NOT_FOUND for an unknown article, INVALID_ARGUMENT for a non-object or a bad rating.
  absl::StatusOr<nlohmann::json> Interact(const std::string& user_id, int64_t article_id,
                                          const nlohmann::json& fields, absl::Time when);

  // The accumulated documents of an article, by user id.
  std::vector<nlohmann::json> InteractionsOfArticle(int64_t article_id) const;
  std::optional<nlohmann::json> Interaction(const std::string& user_id, int64_t article_id) const;
  // The accumulated documents of a user, by article id.
  std::vector<nlohmann::json> InteractionsOfUser(const std::string& user_id) const;
  bool Clicked(const std::string& user_id, int64_t article_id) const;
  // The user's current rating of the article (0 when none).
  int Rating(const std::string& user_id, int64_t article_id) const;

 private:
  using Key = std::pair<std::string, int64_t>;  // (user, article)

  mutable std::mutex mu_;
  std::map<int64_t, nlohmann::json> articles_;
  std::map<Key, nlohmann::json> interactions_;
};

// "YYYY-MM-DDTHH:MM:SS.mmmZ", the backend's interaction timestamp format.
std::string IsoMillis(absl::Time t);

}  // namespace recplat::renewal_sim
