#include "frontends/renewal_ws/renewal_codec.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "core/api/validation.h"
#include "core/common/json.h"
#include "frontends/renewal_ws/jsonrpc_codec.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;

constexpr size_t kMaxTitleBytes = api::Limits::kMaxTitleBytes;
constexpr size_t kMaxTextBytes = api::Limits::kMaxTextBytes;
constexpr size_t kMaxLabelBytes = api::Limits::kMaxAttributeValueBytes;
constexpr int kMaxCategories = api::Limits::kMaxCategories;

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<bool> BoolField(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::nullopt;
  }
  if (it->is_boolean()) {
    return it->get<bool>();
  }
  if (it->is_number()) {
    return it->get<double>() != 0;
  }
  return std::nullopt;
}

void AddLabel(const std::string& name, const std::string& value, v1::Item* item) {
  if (!value.empty()) {
    (*item->mutable_categorical_attributes())[name] = TruncateUtf8(value, kMaxLabelBytes);
  }
}

absl::Status Field(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("interaction: ", what));
}

}  // namespace

json ArticleMetrics::ToJson() const {
  return json{
      {"clicks", clicks}, {"likes", likes}, {"dislikes", dislikes}, {"bookmarks", bookmarks}};
}

ArticleMetrics ArticleMetrics::FromJson(const json& metrics) {
  ArticleMetrics m;
  if (!metrics.is_object()) {
    return m;
  }
  auto get = [&](const char* key) { return common::JsonInteger(metrics.value(key, json())).value_or(0); };
  m.clicks = get("clicks");
  m.likes = get("likes");
  m.dislikes = get("dislikes");
  m.bookmarks = get("bookmarks");
  return m;
}

std::optional<int64_t> ArticleIdOf(const json& article) {
  if (!article.is_object()) {
    return std::nullopt;
  }
  auto it = article.find("article_id");
  return it == article.end() ? std::nullopt : common::JsonInteger(*it);
}

std::optional<int64_t> ParseTimeMs(std::string_view text) {
  static constexpr const char* kFormats[] = {"%Y-%m-%dT%H:%M:%E*S%Ez",
                                             "%Y-%m-%dT%H:%M:%E*SZ",
                                             "%Y-%m-%dT%H:%M:%E*S",
                                             "%Y-%m-%d %H:%M:%E*S",
                                             "%Y-%m-%d",
                                             "%a, %d %b %Y %H:%M:%S GMT"};
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(format, absl::string_view(text.data(), text.size()), absl::UTCTimeZone(),
                        &t, &err)) {
      return absl::ToUnixMillis(t);
    }
  }
  return std::nullopt;
}

absl::StatusOr<v1::Item> ArticleToItem(const json& article, const std::string& tenant) {
  std::optional<int64_t> id = ArticleIdOf(article);
  if (!id.has_value()) {
    return absl::InvalidArgumentError("article: missing or non-integer 'article_id'");
  }
  v1::Item item;
  item.set_id(absl::StrCat(*id));
  item.set_tenant(tenant);
  (*item.mutable_numeric_attributes())[kArticleIdAttribute] = static_cast<double>(*id);
  item.set_title(TruncateUtf8(StringField(article, "title"), kMaxTitleBytes));
  const std::string summary = StringField(article, "summary");
  const std::string body = StringField(article, "text");
  std::string text = summary;
  if (!body.empty() && body != summary) {
    absl::StrAppend(&text, text.empty() ? "" : "\n\n", body);
  }
  item.set_text(TruncateUtf8(text, kMaxTextBytes));
  if (auto it = article.find("keywords"); it != article.end() && it->is_array()) {
    for (const json& k : *it) {
      if (k.is_string() && !k.get_ref<const std::string&>().empty() &&
          item.categories_size() < kMaxCategories) {
        item.add_categories(TruncateUtf8(k.get_ref<const std::string&>(), kMaxLabelBytes));
      }
    }
  }
  AddLabel("lang", StringField(article, "lang"), &item);
  if (auto it = article.find("site"); it != article.end() && it->is_object()) {
    AddLabel("site", StringField(*it, "name"), &item);
  }
  for (const char* key : {"publish_date", "date"}) {
    const std::string when = StringField(article, key);
    if (std::optional<int64_t> ms = when.empty() ? std::nullopt : ParseTimeMs(when);
        ms.has_value() && *ms > 0) {
      item.set_published_at_ms(*ms);
      break;
    }
  }
  return item;
}

absl::StatusOr<Interaction> ParseInteraction(const json& interaction) {
  if (!interaction.is_object()) {
    return Field("expected an object");
  }
  Interaction out;
  absl::StatusOr<std::string> user = UserIdOf(interaction.value("user_id", json()));
  if (!user.ok()) {
    return Field("missing or invalid 'user_id'");
  }
  out.user_id = *std::move(user);
  std::optional<int64_t> article = ArticleIdOf(interaction);
  if (!article.has_value()) {
    return Field("missing or non-integer 'article_id'");
  }
  out.article_id = *article;
  out.recommended = BoolField(interaction, "recommended");
  out.clicked = BoolField(interaction, "clicked");
  out.bookmarked = BoolField(interaction, "bookmarked");
  for (auto [key, field] : {std::pair{"rating", &out.rating}, {"prev_rating", &out.prev_rating}}) {
    auto it = interaction.find(key);
    if (it == interaction.end() || it->is_null()) {
      continue;
    }
    std::optional<int64_t> value = common::JsonInteger(*it);
    if (!value.has_value() || *value < -1 || *value > 1) {
      return Field(absl::StrCat("'", key, "' must be -1, 0 or 1"));
    }
    *field = static_cast<int>(*value);
  }
  for (const char* key : {"timestamp", "when"}) {
    const std::string when = StringField(interaction, key);
    if (std::optional<int64_t> ms = when.empty() ? std::nullopt : ParseTimeMs(when);
        ms.has_value() && *ms > 0) {
      out.timestamp_ms = *ms;
      break;
    }
  }
  return out;
}

std::vector<v1::Event> InteractionEvents(const Interaction& interaction,
                                         const std::string& tenant) {
  std::vector<v1::Event> events;
  auto add = [&](const char* type, double value) -> v1::Event& {
    v1::Event& e = events.emplace_back();
    e.set_tenant(tenant);
    e.set_user_id(interaction.user_id);
    e.set_item_id(absl::StrCat(interaction.article_id));
    e.set_type(type);
    e.set_value(value);
    e.set_timestamp_ms(interaction.timestamp_ms);
    return e;
  };
  if (interaction.recommended.value_or(false)) {
    add(kRecommendedEvent, 1);
  }
  if (interaction.clicked.value_or(false)) {
    add(kClickEvent, 1);
  }
  if (interaction.rating.has_value() &&
      *interaction.rating != interaction.prev_rating.value_or(0)) {
    const int prev = interaction.prev_rating.value_or(0);
    v1::Event& e = add(kRatingEvent, *interaction.rating - prev);
    (*e.mutable_context())["rating"] = absl::StrCat(*interaction.rating);
    (*e.mutable_context())["prev_rating"] = absl::StrCat(prev);
  }
  if (interaction.bookmarked.value_or(false)) {
    add(kBookmarkEvent, 1);
  }
  return events;
}

std::vector<v1::CounterUpdate> InteractionCounters(const Interaction& interaction,
                                                   const std::string& tenant) {
  std::vector<v1::CounterUpdate> out;
  auto add = [&](const char* name, int delta) {
    v1::CounterUpdate& c = out.emplace_back();
    c.set_tenant(tenant);
    c.set_item_id(absl::StrCat(interaction.article_id));
    c.set_name(name);
    c.set_add(delta);
    c.set_floor(0);  // The backend's counts never go below 0.
  };
  if (interaction.rating.has_value()) {
    const int prev = interaction.prev_rating.value_or(0);
    if (prev != *interaction.rating) {
      if (prev == 1) add(kLikesCounter, -1);
      if (prev == -1) add(kDislikesCounter, -1);
      if (*interaction.rating == 1) add(kLikesCounter, 1);
      if (*interaction.rating == -1) add(kDislikesCounter, 1);
    }
  }
  if (interaction.clicked.has_value()) add(kClicksCounter, *interaction.clicked ? 1 : -1);
  if (interaction.bookmarked.has_value()) {
    add(kBookmarksCounter, *interaction.bookmarked ? 1 : -1);
  }
  return out;
}

std::vector<v1::CounterUpdate> MetricsCounters(const ArticleMetrics& metrics, int64_t article_id,
                                               const std::string& tenant) {
  std::vector<v1::CounterUpdate> out;
  for (auto [name, value] : {std::pair{kClicksCounter, metrics.clicks},
                             {kLikesCounter, metrics.likes},
                             {kDislikesCounter, metrics.dislikes},
                             {kBookmarksCounter, metrics.bookmarks}}) {
    v1::CounterUpdate& c = out.emplace_back();
    c.set_tenant(tenant);
    c.set_item_id(absl::StrCat(article_id));
    c.set_name(name);
    c.set_set(static_cast<double>(value));
  }
  return out;
}

ArticleMetrics MetricsOfItem(const v1::Item& item) {
  auto get = [&](const char* name) -> int64_t {
    auto it = item.counters().find(name);
    return it == item.counters().end() ? 0 : static_cast<int64_t>(it->second);
  };
  return {get(kClicksCounter), get(kLikesCounter), get(kDislikesCounter), get(kBookmarksCounter)};
}

absl::StatusOr<std::string> UserIdOf(const json& user) {
  if (user.is_string() && !user.get_ref<const std::string&>().empty()) {
    return user.get<std::string>();
  }
  if (user.is_number_integer()) {
    return user.dump();
  }
  if (user.is_object()) {
    for (const char* key : {"user_id", "uid", "id"}) {
      auto it = user.find(key);
      if (it != user.end() && !it->is_object()) {
        return UserIdOf(*it);
      }
    }
  }
  return absl::InvalidArgumentError("expected a user id or an object with 'user_id'");
}

std::vector<int64_t> InteractedArticles(const json& user) {
  std::vector<int64_t> ids;
  if (!user.is_object()) {
    return ids;
  }
  auto it = user.find("interactions");
  if (it == user.end()) {
    return ids;
  }
  if (it->is_array()) {
    for (const json& x : *it) {
      if (std::optional<int64_t> id = ArticleIdOf(x)) {
        ids.push_back(*id);
      }
    }
  } else if (it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (std::optional<int64_t> id = common::JsonInteger(json(key))) {
        ids.push_back(*id);
      }
    }
  }
  return ids;
}

std::string TruncateUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return std::string(text);
  }
  size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return std::string(text.substr(0, end));
}

}  // namespace recplat::renewal_ws
