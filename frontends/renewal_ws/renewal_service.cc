#include "frontends/renewal_ws/renewal_service.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/common/json.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;

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
  return std::unique_ptr<RenewalService>(new RenewalService(api, std::move(options)));
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
  if (since_id.has_value() || max_id.has_value()) {
    v1::NumericRange* range = req.mutable_query()->add_numeric();
    range->set_attribute(kArticleIdAttribute);
    if (since_id.has_value()) range->set_gt(static_cast<double>(*since_id));
    if (max_id.has_value()) range->set_lt(static_cast<double>(*max_id));
  }
  RECPLAT_ASSIGN_OR_RETURN(v1::RecommendResponse response, api_->Recommend(req));
  std::vector<int64_t> ids;
  ids.reserve(response.items_size());
  for (const v1::RecommendedItem& item : response.items()) {
    if (std::optional<int64_t> id = common::JsonInteger(json(item.item_id()))) ids.push_back(*id);
  }
  return ids;
}

v1::Document RenewalService::Doc(const char* collection, std::string key) const {
  v1::Document doc;
  doc.set_tenant(options_.tenant);
  doc.set_collection(collection);
  doc.set_key(std::move(key));
  return doc;
}

absl::Status RenewalService::Write(v1::WriteRequest request) const {
  if (request.ops_size() == 0) return absl::OkStatus();
  return api_->Write(request).status();
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
  // Each article with its counters goes in one write; batches of write_batch articles.
  v1::WriteRequest batch;
  size_t invalid = 0, in_batch = 0;
  for (const json& article : articles) {
    absl::StatusOr<v1::Item> item = ArticleToItem(article, options_.tenant);
    if (!item.ok()) {
      RECPLAT_LOG(Warn, "renewal: article skipped", {{"error", item.status().message()}});
      ++invalid;
      continue;
    }
    const int64_t id = *ArticleIdOf(article);
    *batch.add_ops()->mutable_upsert_item() = *std::move(item);
    if (auto m = article.find("metrics"); m != article.end() && m->is_object()) {
      for (v1::CounterUpdate& c : MetricsCounters(ArticleMetrics::FromJson(*m), id,
                                                  options_.tenant)) {
        *batch.add_ops()->mutable_counter() = std::move(c);
      }
    }
    if (++in_batch == static_cast<size_t>(options_.write_batch)) {
      RECPLAT_RETURN_IF_ERROR(Write(std::move(batch)));
      batch.Clear();
      in_batch = 0;
    }
  }
  if (!articles.empty() && invalid == articles.size()) {
    return absl::InvalidArgumentError("article: missing or non-integer 'article_id'");
  }
  return Write(std::move(batch));
}

absl::Status RenewalService::HandleInteraction(const json& interaction) {
  RECPLAT_ASSIGN_OR_RETURN(Interaction x, ParseInteraction(interaction));
  v1::WriteRequest write;
  for (v1::Event& e : InteractionEvents(x, options_.tenant)) {
    *write.add_ops()->mutable_event() = std::move(e);
  }
  for (v1::CounterUpdate& c : InteractionCounters(x, options_.tenant)) {
    *write.add_ops()->mutable_counter() = std::move(c);
  }
  return Write(std::move(write));
}

absl::Status RenewalService::SetAssigned(const std::string& user_id, bool assigned) {
  v1::PutDocumentsRequest req;
  v1::Document* doc = req.add_documents();
  *doc = Doc(kAssignedUsersCollection, user_id);
  doc->set_body(json{{"user_id", user_id}}.dump());
  doc->set_deleted(!assigned);
  return api_->PutDocuments(req).status();
}

absl::Status RenewalService::AssignUser(const json& user) {
  RECPLAT_ASSIGN_OR_RETURN(std::string user_id, UserIdOf(user));
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
    RECPLAT_RETURN_IF_ERROR(LearnListedInteractions(*id, user));
    users.insert(*std::move(id));
  }
  RECPLAT_ASSIGN_OR_RETURN(std::vector<std::string> known, AssignedUsers());
  const absl::flat_hash_set<std::string> assigned(known.begin(), known.end());
  std::vector<v1::Document> documents;
  for (const std::string& id : users) {
    if (assigned.contains(id)) continue;
    documents.push_back(Doc(kAssignedUsersCollection, id));
    documents.back().set_body(json{{"user_id", id}}.dump());
  }
  for (const std::string& id : known) {
    if (users.contains(id)) continue;
    documents.push_back(Doc(kAssignedUsersCollection, id));
    documents.back().set_deleted(true);
  }
  return PutDocuments(std::move(documents));
}

absl::StatusOr<std::vector<std::string>> RenewalService::AssignedUsers() const {
  std::vector<std::string> users;
  v1::ScanDocumentsRequest req;
  req.set_tenant(options_.tenant);
  req.set_collection(kAssignedUsersCollection);
  req.set_keys_only(true);
  req.set_limit(10000);
  while (true) {
    RECPLAT_ASSIGN_OR_RETURN(v1::ScanDocumentsResponse page, api_->ScanDocuments(req));
    for (const v1::Document& doc : page.documents()) users.push_back(doc.key());
    if (page.next_key().empty()) return users;
    req.set_start_key(page.next_key());
  }
}

std::vector<std::string> RenewalService::assigned_users() const {
  absl::StatusOr<std::vector<std::string>> users = AssignedUsers();
  if (!users.ok()) return {};
  std::sort(users->begin(), users->end());
  return *std::move(users);
}

std::optional<int64_t> RenewalService::newest_article_id() const {
  std::optional<int64_t> newest;
  v1::ListItemsRequest req;
  req.set_tenant(options_.tenant);
  req.set_page_size(1000);
  while (true) {
    absl::StatusOr<v1::ListItemsResponse> page = api_->ListItems(req);
    if (!page.ok()) return newest;
    for (const v1::Item& item : page->items()) {
      auto it = item.numeric_attributes().find(kArticleIdAttribute);
      if (it == item.numeric_attributes().end()) continue;
      const int64_t id = static_cast<int64_t>(it->second);
      if (!newest.has_value() || id > *newest) newest = id;
    }
    if (page->next_page_token().empty()) return newest;
    req.set_page_token(page->next_page_token());
  }
}

size_t RenewalService::article_count() const {
  v1::ListItemsRequest req;
  req.set_tenant(options_.tenant);
  req.set_page_size(1);
  absl::StatusOr<v1::ListItemsResponse> page = api_->ListItems(req);
  return page.ok() ? static_cast<size_t>(page->total()) : 0;
}

absl::StatusOr<ArticleMetrics> RenewalService::Metrics(int64_t article_id) const {
  v1::GetItemRequest req;
  req.set_tenant(options_.tenant);
  req.set_id(absl::StrCat(article_id));
  RECPLAT_ASSIGN_OR_RETURN(v1::Item item, api_->GetItem(req));
  return MetricsOfItem(item);
}

}  // namespace recplat::renewal_ws
