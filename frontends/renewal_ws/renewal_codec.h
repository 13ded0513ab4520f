// File: renewal_codec.h
//
// The Renewal data structures (seed-systems.md §1.6) and their mapping onto the internal API:
//   - an Article becomes a catalog Item (id = article_id as text, title, keywords as
//     categories, summary + text, publish time, lang/site attributes) and a stored document
//     (the article JSON minus raw `contents`);
//   - an `article_interaction` payload becomes core events of types click / rating / bookmark /
//     recommended, and an update of the article's metrics (clicks, likes, dislikes, bookmarks)
//     following the backend's own rules (v1.py: a rating change moves one like/dislike, clicked
//     and bookmarked count +1 when set and -1 when cleared, never below 0);
//   - a user (an id string or an object with `user_id`) of `assigned_user` and
//     `/v1/user_assignments`, with the articles it already interacted with.
// Unknown keys are ignored everywhere (the backend sends crawler bookkeeping fields too).
//
// Thread safety: all functions are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "recplat/v1/catalog.pb.h"
#include "recplat/v1/events.pb.h"

namespace recplat::renewal_ws {

// Core event types an interaction maps to; the profile's `event_types` must define them.
inline constexpr char kClickEvent[] = "click";
inline constexpr char kRatingEvent[] = "rating";
inline constexpr char kBookmarkEvent[] = "bookmark";
inline constexpr char kRecommendedEvent[] = "recommended";

// Document collections the Renewal frontend keeps (keys: ArticleKey / user id).
inline constexpr char kArticlesCollection[] = "renewal_articles";
inline constexpr char kMetricsCollection[] = "renewal_article_metrics";
inline constexpr char kAssignedUsersCollection[] = "renewal_assigned_users";

// The per-article counters of an Article's `metrics` object (missing keys are 0).
struct ArticleMetrics {
  int64_t clicks = 0;
  int64_t likes = 0;
  int64_t dislikes = 0;
  int64_t bookmarks = 0;

  nlohmann::json ToJson() const;
  // Reads {"clicks", "likes", "dislikes", "bookmarks"}; non-integer values count as 0.
  static ArticleMetrics FromJson(const nlohmann::json& metrics);

  friend bool operator==(const ArticleMetrics&, const ArticleMetrics&) = default;
};

// One `article_interaction` payload. Absent fields are std::nullopt.
struct Interaction {
  std::string user_id;
  int64_t article_id = 0;
  std::optional<bool> recommended;
  std::optional<bool> clicked;
  std::optional<bool> bookmarked;
  std::optional<int> rating;       // -1, 0 (un-rated) or 1
  std::optional<int> prev_rating;  // the rating it replaces; absent means 0
  // From `timestamp` or `when` when present and parseable; 0 otherwise (the core uses now).
  int64_t timestamp_ms = 0;
};

// The article's integer `article_id`, if any.
std::optional<int64_t> ArticleIdOf(const nlohmann::json& article);

// Milliseconds since the Unix epoch of an ISO-8601 time ("2020-09-30T01:14:41", optional
// fraction, optional "Z" or ±hh:mm; naive times are UTC), of a date "2020-09-30", or of an
// HTTP date ("Wed, 30 Sep 2020 01:14:41 GMT"). std::nullopt when none of these parse.
std::optional<int64_t> ParseTimeMs(std::string_view text);

// The catalog item of an article, in `tenant`. Texts are cut at the API's limits on UTF-8
// boundaries. INVALID_ARGUMENT when the article is not an object or has no integer article_id.
absl::StatusOr<v1::Item> ArticleToItem(const nlohmann::json& article, const std::string& tenant);

// The article as stored in kArticlesCollection: without raw `contents`, and without `text`
// when that is needed to fit the document limit (1 MiB). std::nullopt if it still does not fit.
std::optional<std::string> ArticleDocumentBody(const nlohmann::json& article);

// Document key of an article id: 20 zero-padded digits (so keys sort like ids), with a '-'
// prefix for negative ids. ArticleIdFromKey inverts it.
std::string ArticleKey(int64_t article_id);
std::optional<int64_t> ArticleIdFromKey(std::string_view key);

// Parses an `interaction` object. INVALID_ARGUMENT without a string (or integer) user_id and
// an integer article_id, or with a rating outside -1..1.
absl::StatusOr<Interaction> ParseInteraction(const nlohmann::json& interaction);

// The core events of an interaction, in `tenant`: recommended -> "recommended" (value 1),
// clicked true -> "click" (1), bookmarked true -> "bookmark" (1), a rating that differs from
// prev_rating -> "rating" with value rating - prev_rating (so the values of one user's rating
// events on an article sum to the current rating; the context keeps both). Clearing a click or
// a bookmark is not an event (it only changes the metrics).
std::vector<v1::Event> InteractionEvents(const Interaction& interaction, const std::string& tenant);

// Applies an interaction to the article's metrics like the backend does.
void ApplyInteraction(const Interaction& interaction, ArticleMetrics* metrics);

// The id of a user given as an id (string or integer) or an object with `user_id` (or `uid`,
// or `id`). INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string> UserIdOf(const nlohmann::json& user);

// The articles a user object lists in `interactions`: an array of objects with `article_id`,
// or an object keyed by article id. Empty for anything else.
std::vector<int64_t> InteractedArticles(const nlohmann::json& user);

// `text` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

}  // namespace recplat::renewal_ws
