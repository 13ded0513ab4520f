#include "frontends/renewal_ws/renewal_service.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "core/common/json.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;

// The API's cap on a request's exclude list (Limits::kMaxCandidates).
constexpr size_t kMaxExclude = 100000;

// Reads an optional integer param into `*out` (absent or null leaves it empty).
absl::Status ReadInt(const json& params, const char* key, std::optional<int64_t>* out) {
  auto it = params.find(key);
  if (it == params.end() || it->is_null()) return absl::OkStatus();
  *out = common::JsonInteger(*it);
  if (!out->has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("recommend: '", key, "' must be an integer"));
  }
  return absl::OkStatus();
}

// The user argument of assigned_user / unassigned_user: `user`, else `user_id` (an id or an
// object), else the params object itself.
const json& UserArg(const json& params) {
  for (const char* key : {"user", "user_id"}) {
    if (auto it = params.find(key); it != params.end() && !it->is_null()) return *it;
  }
  return params;
}

}  // namespace

RenewalService::RenewalService(api::Api* api, RenewalServiceOptions options)
    : api_(api), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<RenewalService>> RenewalService::Create(
    api::Api* api, RenewalServiceOptions options) {
  if (options.cache_size == 0 || options.max_k < 1 || options.write_batch < 1) {
    return absl::InvalidArgumentError("renewal: cache_size, max_k and write_batch must be >= 1");
  }
  std::unique_ptr<RenewalService> service(new RenewalService(api, std::move(options)));
  RECPLAT_RETURN_IF_ERROR(service->Load());
  return service;
}

absl::Status RenewalService::Load() {
  for (const char* collection : {kArticlesCollection, kAssignedUsersCollection}) {
    v1::ScanDocumentsRequest req;
    req.set_tenant(options_.tenant);
    req.set_collection(collection);
    req.set_keys_only(true);
    req.set_limit(10000);
    while (true) {
      RECPLAT_ASSIGN_OR_RETURN(v1::ScanDocumentsResponse page, api_->ScanDocuments(req));
      absl::MutexLock lock(&mu_);
      for (const v1::Document& doc : page.documents()) {
        if (std::string_view(collection) == kAssignedUsersCollection) {
          assigned_.insert(doc.key());
        } else if (std::optional<int64_t> id = ArticleIdFromKey(doc.key())) {
          articles_.insert(*id);
        }
      }
      if (page.next_key().empty()) break;
      req.set_start_key(page.next_key());
    }
  }
  return absl::OkStatus();
}

absl::Status RenewalService::RegisterMethods(JsonRpcDispatcher& dispatcher) {
  auto done = [](absl::Status s) -> absl::StatusOr<json> {
    if (!s.ok()) return s;
    return json(nullptr);
  };
  RECPLAT_RETURN_IF_ERROR(dispatcher.Register(
      "ping", {}, [](const json&) -> absl::StatusOr<json> { return json("pong"); }));
  RECPLAT_RETURN_IF_ERROR(dispatcher.Register(
      "recommend", {"user_id", "limit", "since_id", "max_id", "min_articles", "max_articles"},
      [this](const json& params) -> absl::StatusOr<json> {
        RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> ids, Recommend(params));
        return json(std::move(ids));
      }));
  RECPLAT_RETURN_IF_ERROR(
      dispatcher.Register("new_article", {"article"}, [this, done](const json& params) {
        json article = params.value("article", json());
        if (!article.is_object()) {
          return done(absl::InvalidArgumentError("new_article: 'article' must be an object"));
        }
        return done(AddArticles({std::move(article)}));
      }));
  RECPLAT_RETURN_IF_ERROR(
      dispatcher.Register("article_interaction", {"interaction"}, [this, done](const json& params) {
        return done(HandleInteraction(params.value("interaction", json())));
      }));
  RECPLAT_RETURN_IF_ERROR(dispatcher.Register(
      "assigned_user", {"user_id", "user"},
      [this, done](const json& params) { return done(AssignUser(UserArg(params))); }));
  return dispatcher.Register("unassigned_user", {"user_id", "user"}, [this, done](const json& p) {
    return done(UnassignUser(UserArg(p)));
  });
}

absl::StatusOr<std::vector<int64_t>> RenewalService::Recommend(const json& params) {
  absl::StatusOr<std::string> user_id = UserIdOf(params.value("user_id", json()));
  if (!user_id.ok()) return absl::InvalidArgumentError("recommend: 'user_id' is required");
  std::optional<int64_t> limit, max_articles, min_articles, since_id, max_id;
  RECPLAT_RETURN_IF_ERROR(ReadInt(params, "limit", &limit));
  RECPLAT_RETURN_IF_ERROR(ReadInt(params, "max_articles", &max_articles));
  RECPLAT_RETURN_IF_ERROR(ReadInt(params, "min_articles", &min_articles));
  RECPLAT_RETURN_IF_ERROR(ReadInt(params, "since_id", &since_id));
  RECPLAT_RETURN_IF_ERROR(ReadInt(params, "max_id", &max_id));
  // Like the backend's /recommendations: negative bounds are ignored.
  if (since_id && *since_id < 0) since_id.reset();
  if (max_id && *max_id < 0) max_id.reset();
  const int64_t want = max_articles.value_or(limit.value_or(options_.default_limit));
  if (want <= 0) return std::vector<int64_t>();
  const int64_t k = std::min<int64_t>(want, options_.max_k);

  v1::RecommendRequest req;
  req.set_tenant(options_.tenant);
  req.set_surface(options_.surface);
  req.set_user_id(*user_id);
  req.set_k(static_cast<int32_t>(k));
  req.set_min_k(static_cast<int32_t>(std::clamp<int64_t>(min_articles.value_or(0), 0, k)));
  absl::MutexLock user_lock(&user_mu_[absl::Hash<std::string>()(*user_id) % user_mu_.size()]);
  {
    absl::MutexLock lock(&mu_);
    if (since_id.has_value() || max_id.has_value()) {
      const int64_t low = since_id.value_or(std::numeric_limits<int64_t>::min());
      const int64_t high = max_id.value_or(std::numeric_limits<int64_t>::max());
      for (auto it = articles_.upper_bound(low); it != articles_.end() && *it < high; ++it) {
        req.add_candidate_item_ids(absl::StrCat(*it));
      }
      if (req.candidate_item_ids_size() == 0) return std::vector<int64_t>();
    }
    if (auto seen = seen_.find(*user_id); seen != seen_.end()) {
      for (int64_t id : seen->second) {
        if (static_cast<size_t>(req.exclude_item_ids_size()) >= kMaxExclude) break;
        if (articles_.contains(id)) req.add_exclude_item_ids(absl::StrCat(id));
      }
    }
  }
  RECPLAT_ASSIGN_OR_RETURN(v1::RecommendResponse response, api_->Recommend(req));
  std::vector<int64_t> ids;
  ids.reserve(response.items_size());
  for (const v1::RecommendedItem& item : response.items()) {
    if (std::optional<int64_t> id = common::JsonInteger(json(item.item_id()))) ids.push_back(*id);
  }
  LearnSeen(*user_id, ids);
  return ids;
}

v1::Document RenewalService::Doc(const char* collection, std::string key) const {
  v1::Document doc;
  doc.set_tenant(options_.tenant);
  doc.set_collection(collection);
  doc.set_key(std::move(key));
  return doc;
}

absl::Status RenewalService::PutDocuments(std::vector<v1::Document> documents) const {
  for (size_t start = 0; start < documents.size(); start += options_.write_batch) {
    v1::PutDocumentsRequest req;
    const size_t end = std::min(documents.size(), start + options_.write_batch);
    for (size_t i = start; i < end; ++i) *req.add_documents() = std::move(documents[i]);
    RECPLAT_RETURN_IF_ERROR(api_->PutDocuments(req).status());
  }
  return absl::OkStatus();
}

absl::Status RenewalService::AddArticles(std::vector<json> articles) {
  std::vector<v1::Item> items;
  std::vector<v1::Document> documents, metrics;
  std::vector<int64_t> ids;
  size_t invalid = 0;
  {
    absl::MutexLock lock(&mu_);
    const bool full = articles_.size() >= options_.cache_size;
    const int64_t lowest = articles_.empty() ? 0 : *articles_.begin();
    for (const json& article : articles) {
      absl::StatusOr<v1::Item> item = ArticleToItem(article, options_.tenant);
      if (!item.ok()) {
        RECPLAT_LOG(Warn, "renewal: article skipped", {{"error", item.status().message()}});
        ++invalid;
        continue;
      }
      const int64_t id = *ArticleIdOf(article);
      if (full && id < lowest) continue;  // Older than everything kept: ignored when full.
      ids.push_back(id);
      items.push_back(*std::move(item));
      if (std::optional<std::string> body = ArticleDocumentBody(article)) {
        documents.push_back(Doc(kArticlesCollection, ArticleKey(id)));
        documents.back().set_body(*std::move(body));
      }
      if (auto m = article.find("metrics"); m != article.end() && m->is_object()) {
        metrics.push_back(Doc(kMetricsCollection, ArticleKey(id)));
        metrics.back().set_body(ArticleMetrics::FromJson(*m).ToJson().dump());
      }
    }
  }
  if (!articles.empty() && invalid == articles.size()) {
    return absl::InvalidArgumentError("article: missing or non-integer 'article_id'");
  }
  if (items.empty()) return absl::OkStatus();
  for (size_t start = 0; start < items.size(); start += options_.write_batch) {
    v1::UpsertItemsRequest req;
    const size_t end = std::min(items.size(), start + options_.write_batch);
    for (size_t i = start; i < end; ++i) *req.add_items() = std::move(items[i]);
    RECPLAT_RETURN_IF_ERROR(api_->UpsertItems(req).status());
  }
  RECPLAT_RETURN_IF_ERROR(PutDocuments(std::move(documents)));
  {
    absl::MutexLock lock(&metrics_mu_);
    RECPLAT_RETURN_IF_ERROR(PutDocuments(std::move(metrics)));
  }
  std::vector<int64_t> evicted;
  {
    absl::MutexLock lock(&mu_);
    articles_.insert(ids.begin(), ids.end());
    while (articles_.size() > options_.cache_size) {
      evicted.push_back(*articles_.begin());
      articles_.erase(articles_.begin());
    }
  }
  return Evict(evicted);
}

absl::Status RenewalService::Evict(const std::vector<int64_t>& ids) {
  if (ids.empty()) return absl::OkStatus();
  {
    // Evicted articles are never candidates again: forget them in the per-user sets too.
    absl::MutexLock lock(&mu_);
    for (auto& [user, seen] : seen_) {
      for (int64_t id : ids) seen.erase(id);
    }
  }
  v1::DeleteItemsRequest req;
  req.set_tenant(options_.tenant);
  std::vector<v1::Document> documents;
  for (int64_t id : ids) {
    req.add_ids(absl::StrCat(id));
    for (const char* collection : {kArticlesCollection, kMetricsCollection}) {
      documents.push_back(Doc(collection, ArticleKey(id)));
      documents.back().set_deleted(true);
    }
  }
  absl::Status s = api_->DeleteItems(req).status();
  if (absl::IsNotFound(s)) {
    // One of them is gone already: delete the others one by one.
    for (int64_t id : ids) {
      v1::DeleteItemsRequest one;
      one.set_tenant(options_.tenant);
      one.add_ids(absl::StrCat(id));
      if (absl::Status e = api_->DeleteItems(one).status(); !e.ok() && !absl::IsNotFound(e)) {
        return e;
      }
    }
  } else if (!s.ok()) {
    return s;
  }
  return PutDocuments(std::move(documents));
}

absl::Status RenewalService::HandleInteraction(const json& interaction) {
  RECPLAT_ASSIGN_OR_RETURN(Interaction x, ParseInteraction(interaction));
  LearnSeen(x.user_id, {x.article_id});
  if (x.clicked.has_value() || x.bookmarked.has_value() || x.rating.has_value()) {
    absl::MutexLock lock(&metrics_mu_);
    RECPLAT_ASSIGN_OR_RETURN(ArticleMetrics metrics, Metrics(x.article_id));
    ApplyInteraction(x, &metrics);
    v1::PutDocumentsRequest req;
    *req.add_documents() = Doc(kMetricsCollection, ArticleKey(x.article_id));
    req.mutable_documents(0)->set_body(metrics.ToJson().dump());
    RECPLAT_RETURN_IF_ERROR(api_->PutDocuments(req).status());
  }
  std::vector<v1::Event> events = InteractionEvents(x, options_.tenant);
  if (events.empty()) return absl::OkStatus();
  v1::AppendEventsRequest req;
  for (v1::Event& e : events) *req.add_events() = std::move(e);
  return api_->AppendEvents(req).status();
}

absl::Status RenewalService::SetAssigned(const std::string& user_id, bool assigned) {
  v1::PutDocumentsRequest req;
  v1::Document* doc = req.add_documents();
  *doc = Doc(kAssignedUsersCollection, user_id);
  doc->set_body(json{{"user_id", user_id}}.dump());
  doc->set_deleted(!assigned);
  RECPLAT_RETURN_IF_ERROR(api_->PutDocuments(req).status());
  absl::MutexLock lock(&mu_);
  if (assigned) {
    assigned_.insert(user_id);
  } else {
    assigned_.erase(user_id);
  }
  return absl::OkStatus();
}

absl::Status RenewalService::AssignUser(const json& user) {
  RECPLAT_ASSIGN_OR_RETURN(std::string user_id, UserIdOf(user));
  LearnSeen(user_id, InteractedArticles(user));
  RECPLAT_RETURN_IF_ERROR(LearnListedInteractions(user_id, user));
  return SetAssigned(user_id, true);
}

absl::Status RenewalService::LearnListedInteractions(const std::string& user_id,
                                                     const json& user) {
  if (!user.is_object()) return absl::OkStatus();
  auto listed = user.find("interactions");
  if (listed == user.end() || !listed->is_array() || listed->empty()) return absl::OkStatus();
  // What the core already knows of the user (its most recent kMaxLearnHistory events).
  v1::GetUserRequest get;
  get.set_tenant(options_.tenant);
  get.set_id(user_id);
  get.set_history_limit(kMaxLearnHistory);
  absl::StatusOr<v1::GetUserResponse> known = api_->GetUser(get);
  if (!known.ok() && !absl::IsNotFound(known.status())) return known.status();
  absl::flat_hash_set<std::pair<std::string, std::string>> seen;  // (type, item)
  absl::flat_hash_map<std::string, double> rating;                // item -> sum of rating events
  if (known.ok()) {
    for (const v1::Interaction& h : known->history()) {
      seen.emplace(h.type(), h.item_id());
      if (h.type() == kRatingEvent) rating[h.item_id()] += h.value();
    }
  }
  v1::AppendEventsRequest append;
  for (const json& entry : *listed) {
    if (!entry.is_object()) continue;
    json copy = entry;
    copy["user_id"] = user_id;
    absl::StatusOr<Interaction> x = ParseInteraction(copy);
    if (!x.ok()) continue;
    // A listed interaction is the accumulated state: the rating event brings the known sum of
    // rating values (= the current rating) to the listed rating.
    const std::string item = absl::StrCat(x->article_id);
    if (x->rating.has_value()) {
      x->prev_rating = static_cast<int>(rating[item]);
    }
    for (v1::Event& e : InteractionEvents(*x, options_.tenant)) {
      if (e.type() != kRatingEvent && seen.contains({e.type(), item})) continue;
      seen.emplace(e.type(), item);
      if (e.type() == kRatingEvent) rating[item] += e.value();
      *append.add_events() = std::move(e);
    }
  }
  if (append.events_size() == 0) return absl::OkStatus();
  return api_->AppendEvents(append).status();
}

absl::Status RenewalService::UnassignUser(const json& user) {
  RECPLAT_ASSIGN_OR_RETURN(std::string user_id, UserIdOf(user));
  return SetAssigned(user_id, false);
}

absl::Status RenewalService::SetAssignments(const json& assignments) {
  if (!assignments.is_array()) {
    return absl::InvalidArgumentError("user_assignments: expected a JSON array");
  }
  absl::flat_hash_set<std::string> users;
  for (const json& user : assignments) {
    absl::StatusOr<std::string> id = UserIdOf(user);
    if (!id.ok()) continue;
    LearnSeen(*id, InteractedArticles(user));
    RECPLAT_RETURN_IF_ERROR(LearnListedInteractions(*id, user));
    users.insert(*std::move(id));
  }
  std::vector<v1::Document> documents;
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& id : users) {
      if (assigned_.contains(id)) continue;
      documents.push_back(Doc(kAssignedUsersCollection, id));
      documents.back().set_body(json{{"user_id", id}}.dump());
    }
    for (const std::string& id : assigned_) {
      if (users.contains(id)) continue;
      documents.push_back(Doc(kAssignedUsersCollection, id));
      documents.back().set_deleted(true);
    }
  }
  RECPLAT_RETURN_IF_ERROR(PutDocuments(std::move(documents)));
  absl::MutexLock lock(&mu_);
  assigned_ = std::move(users);
  return absl::OkStatus();
}

void RenewalService::LearnSeen(const std::string& user_id, const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  absl::MutexLock lock(&mu_);
  seen_[user_id].insert(ids.begin(), ids.end());
}

std::optional<int64_t> RenewalService::newest_article_id() const {
  absl::MutexLock lock(&mu_);
  if (articles_.empty()) return std::nullopt;
  return *articles_.rbegin();
}

size_t RenewalService::article_count() const {
  absl::MutexLock lock(&mu_);
  return articles_.size();
}

std::vector<std::string> RenewalService::assigned_users() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> users(assigned_.begin(), assigned_.end());
  std::sort(users.begin(), users.end());
  return users;
}

absl::StatusOr<ArticleMetrics> RenewalService::Metrics(int64_t article_id) const {
  v1::GetDocumentsRequest req;
  req.set_tenant(options_.tenant);
  req.set_collection(kMetricsCollection);
  req.add_keys(ArticleKey(article_id));
  RECPLAT_ASSIGN_OR_RETURN(v1::GetDocumentsResponse response, api_->GetDocuments(req));
  if (response.documents_size() == 0) return ArticleMetrics();
  return ArticleMetrics::FromJson(
      json::parse(response.documents(0).body(), nullptr, /*allow_exceptions=*/false));
}

}  // namespace recplat::renewal_ws
