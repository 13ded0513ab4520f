// File: renewal_codec.h
//
// The Renewal data structures (seed-systems.md §1.6) and their mapping onto the internal API:
//   - an Article becomes a catalog Item (id = article_id as text, numeric attribute
//     `article_id`, title, keywords as categories, summary + text, publish time, lang/site
//     attributes); its `metrics` set the item's counters;
//   - an `article_interaction` payload becomes core events of types click / rating / bookmark /
//     recommended, and counter updates of the article's metrics (clicks, likes, dislikes,
//     bookmarks) following the backend's own rules (v1.py: a rating change moves one
//     like/dislike, clicked and bookmarked count +1 when set and -1 when cleared, never below
//     0), applied by the core in log order (no read-modify-write here);
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
#include "recplat/v1/write.pb.h"

namespace recplat::renewal_ws {

// Core event types an interaction maps to; the profile's `event_types` must define them.
inline constexpr char kClickEvent[] = "click";
inline constexpr char kRatingEvent[] = "rating";
inline constexpr char kBookmarkEvent[] = "bookmark";
inline constexpr char kRecommendedEvent[] = "recommended";

// Document collection of the assigned users (key: user id).
inline constexpr char kAssignedUsersCollection[] = "renewal_assigned_users";

// The numeric item attribute holding the article id (since_id / max_id ranges query it).
inline constexpr char kArticleIdAttribute[] = "article_id";

// Item counters of an article's metrics.
inline constexpr char kClicksCounter[] = "clicks";
inline constexpr char kLikesCounter[] = "likes";
inline constexpr char kDislikesCounter[] = "dislikes";
inline constexpr char kBookmarksCounter[] = "bookmarks";

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

// Parses an `interaction` object. INVALID_ARGUMENT without a string (or integer) user_id and
// an integer article_id, or with a rating outside -1..1.
absl::StatusOr<Interaction> ParseInteraction(const nlohmann::json& interaction);

// The core events of an interaction, in `tenant`: recommended -> "recommended" (value 1),
// clicked true -> "click" (1), bookmarked true -> "bookmark" (1), a rating that differs from
// prev_rating -> "rating" with value rating - prev_rating (so the values of one user's rating
// events on an article sum to the current rating; the context keeps both). Clearing a click or
// a bookmark is not an event (it only changes the metrics).
std::vector<v1::Event> InteractionEvents(const Interaction& interaction, const std::string& tenant);

// The counter updates of an interaction, as the backend changes an article's metrics.
std::vector<v1::CounterUpdate> InteractionCounters(const Interaction& interaction,
                                                   const std::string& tenant);
// Counter updates that set an article's counters to `metrics` (an Article's `metrics`).
std::vector<v1::CounterUpdate> MetricsCounters(const ArticleMetrics& metrics, int64_t article_id,
                                               const std::string& tenant);
// The metrics of an article's item (its counters; missing ones are 0).
ArticleMetrics MetricsOfItem(const v1::Item& item);

// The id of a user given as an id (string or integer) or an object with `user_id` (or `uid`,
// or `id`). INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string> UserIdOf(const nlohmann::json& user);

// The articles a user object lists in `interactions`: an array of objects with `article_id`,
// or an object keyed by article id. Empty for anything else.
std::vector<int64_t> InteractedArticles(const nlohmann::json& user);

// `text` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

}  // namespace recplat::renewal_ws
