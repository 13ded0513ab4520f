#include "tools/renewal_sim/article_store.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;

void Bump(json& metrics, const char* key, int delta) {
  const json& v = metrics.value(key, json(0));
  const int64_t now = v.is_number_integer() ? v.get<int64_t>() : 0;
  metrics[key] = std::max<int64_t>(0, now + delta);
}

bool ValidRating(const json& v) {
  return v.is_number_integer() && v.get<int64_t>() >= -1 && v.get<int64_t>() <= 1;
}

}  // namespace

std::string IsoMillis(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

absl::Status ArticleStore::Add(json article) {
  if (!article.is_object() || !article.contains("article_id") ||
      !article["article_id"].is_number_integer()) {
    return absl::InvalidArgumentError("article: an object with an integer article_id expected");
  }
  const int64_t id = article["article_id"].get<int64_t>();
  json& metrics = article["metrics"];
  if (!metrics.is_object()) metrics = json::object();
  for (const char* key : {"likes", "dislikes", "bookmarks", "clicks"}) {
    if (!metrics.contains(key)) metrics[key] = 0;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!articles_.emplace(id, std::move(article)).second) {
    return absl::AlreadyExistsError(absl::StrCat("article ", id, " exists"));
  }
  return absl::OkStatus();
}

size_t ArticleStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return articles_.size();
}

bool ArticleStore::Contains(int64_t article_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return articles_.contains(article_id);
}

std::optional<json> ArticleStore::Get(int64_t article_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = articles_.find(article_id);
  if (it == articles_.end()) return std::nullopt;
  return it->second;
}

json ArticleStore::List(int64_t limit, std::optional<int64_t> since_id,
                        std::optional<int64_t> max_id) const {
  limit = std::max<int64_t>(1, limit);
  json out = json::array();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = max_id.has_value() ? articles_.lower_bound(*max_id) : articles_.end();
  while (it != articles_.begin() && static_cast<int64_t>(out.size()) < limit) {
    --it;
    if (since_id.has_value() && it->first <= *since_id) break;
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<json> ArticleStore::Interact(const std::string& user_id, int64_t article_id,
                                            const json& fields, absl::Time when) {
  if (!fields.is_object()) return absl::InvalidArgumentError("interaction: an object expected");
  if (fields.contains("rating") &&
      (!ValidRating(fields["rating"]) ||
       (fields.contains("prev_rating") && !ValidRating(fields["prev_rating"])))) {
    return absl::InvalidArgumentError("interaction: rating and prev_rating must be -1, 0 or 1");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto article = articles_.find(article_id);
  if (article == articles_.end()) {
    return absl::NotFoundError(absl::StrCat("article ", article_id, " not found"));
  }
  json payload = fields;
  payload["user_id"] = user_id;
  payload["article_id"] = article_id;
  payload["timestamp"] = IsoMillis(when);
  json& doc = interactions_[{user_id, article_id}];
  if (!doc.is_object()) doc = json::object();
  doc.update(payload);

  json& metrics = article->second["metrics"];
  if (fields.contains("rating")) {
    const int64_t prev = fields.value("prev_rating", int64_t{0});
    if (prev == 1) Bump(metrics, "likes", -1);
    if (prev == -1) Bump(metrics, "dislikes", -1);
    const int64_t rating = fields["rating"].get<int64_t>();
    if (rating == 1) Bump(metrics, "likes", 1);
    if (rating == -1) Bump(metrics, "dislikes", 1);
  }
  for (auto [action, metric] : {std::pair{"clicked", "clicks"}, {"bookmarked", "bookmarks"}}) {
    if (fields.contains(action) && fields[action].is_boolean()) {
      Bump(metrics, metric, fields[action].get<bool>() ? 1 : -1);
    }
  }
  return payload;
}

std::vector<json> ArticleStore::InteractionsOfArticle(int64_t article_id) const {
  std::vector<json> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, doc] : interactions_) {
    if (key.second == article_id) out.push_back(doc);
  }
  return out;
}

std::optional<json> ArticleStore::Interaction(const std::string& user_id,
                                              int64_t article_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = interactions_.find({user_id, article_id});
  if (it == interactions_.end()) return std::nullopt;
  return it->second;
}

std::vector<json> ArticleStore::InteractionsOfUser(const std::string& user_id) const {
  std::vector<json> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = interactions_.lower_bound({user_id, INT64_MIN});
       it != interactions_.end() && it->first.first == user_id; ++it) {
    out.push_back(it->second);
  }
  return out;
}

bool ArticleStore::Clicked(const std::string& user_id, int64_t article_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = interactions_.find({user_id, article_id});
  if (it == interactions_.end()) return false;
  const json& clicked = it->second.value("clicked", json(false));
  return clicked.is_boolean() && clicked.get<bool>();
}

int ArticleStore::Rating(const std::string& user_id, int64_t article_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = interactions_.find({user_id, article_id});
  if (it == interactions_.end()) return 0;
  const json& r = it->second.value("rating", json(0));
  return r.is_number_integer() ? static_cast<int>(r.get<int64_t>()) : 0;
}

}  // namespace recplat::renewal_sim
