// The article-rec-api route set (article_rec_routes.h).
#include "frontends/http_rest/article_rec/article_rec_routes.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "frontends/http_rest/article_rec/article_rec_codec.h"
#include "nlohmann/json.hpp"

namespace recplat::http::article_rec {

namespace {

using nlohmann::json;

constexpr int kMaxPageSize = 500;

// Invalid UTF-8 (echoed query values, stored texts) becomes U+FFFD instead of an exception.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse Message(int status, absl::string_view message) {
  return JsonResponse(Dump(json{{"message", message}}), status);
}

HttpResponse Results(const json& results) { return JsonResponse(Dump(json{{"results", results}})); }

// Python's int(): optional whitespace and sign, decimal digits.
std::optional<int64_t> ParseInt(absl::string_view text) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) {
    return std::nullopt;
  }
  return v;
}

HttpResponse BadInt(absl::string_view name, absl::string_view value) {
  return Message(400, absl::StrCat("Invalid input syntax for ", name, " (int): ",
                                   value.substr(0, 200)));
}

// Sorts JSON objects by `key` (numbers or strings), stable, descending unless `ascending`.
void SortBy(std::vector<json>* rows, const std::string& key, bool ascending) {
  std::stable_sort(rows->begin(), rows->end(), [&](const json& a, const json& b) {
    const json& x = a.contains(key) ? a.at(key) : json();
    const json& y = b.contains(key) ? b.at(key) : json();
    return ascending ? x < y : y < x;
  });
}

// order_by: "desc" (default) or "asc".
std::optional<bool> Ascending(const HttpRequest& request) {
  const std::string* order = request.Query("order_by");
  if (order == nullptr || *order == "desc") {
    return false;
  }
  if (*order == "asc") {
    return true;
  }
  return std::nullopt;
}

}  // namespace

struct ArticleRecFrontend::Impl {
  api::Api* api = nullptr;
  ArticleRecOptions options;

  const std::string& ModelName(ModelType t) const {
    return t == ModelType::kArticle ? options.article_model : options.popularity_model;
  }

  // The versions of both models, as (type, version).
  absl::StatusOr<std::vector<std::pair<ModelType, v1::ModelVersion>>> Versions() const {
    std::vector<std::pair<ModelType, v1::ModelVersion>> out;
    for (ModelType t : {ModelType::kArticle, ModelType::kPopularity}) {
      v1::ListModelsRequest req;
      req.set_tenant(options.tenant);
      req.set_model(ModelName(t));
      absl::StatusOr<v1::ListModelsResponse> listed = api->ListModels(req);
      if (!listed.ok()) {
        return listed.status();
      }
      for (const v1::ModelVersion& v : listed->versions()) {
        if (v.version() > 0) {
          out.emplace_back(t, v);
        }
      }
    }
    return out;
  }

  using VersionList = std::vector<std::pair<ModelType, v1::ModelVersion>>;

  // The current version of type `t` among `all`.
  static std::optional<v1::ModelVersion> Current(const VersionList& all, ModelType t) {
    for (const auto& [type, v] : all) {
      if (type == t && v.status() == v1::MODEL_STATUS_CURRENT) {
        return v;
      }
    }
    return std::nullopt;
  }

  // Version `version` of type `t` among `all`, of any status.
  static std::optional<v1::ModelVersion> Find(const VersionList& all, ModelType t,
                                              int64_t version) {
    for (const auto& [type, v] : all) {
      if (type == t && v.version() == version) {
        return v;
      }
    }
    return std::nullopt;
  }

  // Rec JSON of `items` (best first) from `version` of type `t`.
  std::vector<json> Recs(ModelType t, const v1::ModelVersion& version,
                         const std::string& source,
                         const google::protobuf::RepeatedPtrField<v1::RecommendedItem>& items) {
    std::vector<json> out;
    const json model = ModelJson(t, version);
    int position = 0;
    for (const v1::RecommendedItem& r : items) {
      ++position;
      if (!r.has_item()) {
        continue;  // deleted since the model was trained
      }
      const v1::Item* item = &r.item();
      out.push_back({{"id", ModelId(t, version.version()) * 1000 + position},
                     {"created_at", model["created_at"]},
                     {"updated_at", model["created_at"]},
                     {"source_entity_id", source},
                     {"model", model},
                     {"recommended_article", ArticleJson(*item)},
                     {"score", ScoreText(std::max(0.0, r.score()))}});
    }
    return out;
  }

  HttpResponse GetRecs(const HttpRequest& request) {
    int size = kMaxPageSize - 1;
    if (const std::string* s = request.Query("size")) {
      std::optional<int64_t> v = ParseInt(*s);
      if (!v) {
        return BadInt("size", *s);
      }
      if (*v >= kMaxPageSize || *v < 0) {
        return Message(400, absl::StrCat("size must be less than ", kMaxPageSize));
      }
      size = static_cast<int>(*v);
    }
    std::optional<std::string> source;
    if (const std::string* s = request.Query("source_entity_id")) {
      std::optional<int64_t> v = ParseInt(*s);
      if (!v) {
        return BadInt("source_entity_id", *s);
      }
      source = absl::StrCat(*v);
    }
    std::vector<std::string> exclude;
    if (const std::string* s = request.Query("exclude"); s != nullptr && !s->empty()) {
      for (absl::string_view part : absl::StrSplit(*s, ',')) {
        std::optional<int64_t> v = ParseInt(part);
        if (!v) {
          return BadInt("exclude", part);
        }
        exclude.push_back(absl::StrCat(*v));
      }
    }
    const std::optional<bool> ascending = Ascending(request);
    if (!ascending) {
      return Message(400, "order_by must be asc or desc");
    }
    // Which model: model_id, else model_type, else the current article model.
    std::optional<ModelType> type = ModelType::kArticle;
    std::optional<int64_t> wanted_version;
    if (const std::string* s = request.Query("model_id")) {
      std::optional<int64_t> v = ParseInt(*s);
      if (!v) {
        return BadInt("model_id", *s);
      }
      auto decoded = DecodeModelId(*v);
      type = decoded ? std::optional<ModelType>(decoded->first) : std::nullopt;
      if (decoded) {
        wanted_version = decoded->second;
      }
    } else if (const std::string* s = request.Query("model_type")) {
      type = *s == "article"      ? std::optional<ModelType>(ModelType::kArticle)
             : *s == "popularity" ? std::optional<ModelType>(ModelType::kPopularity)
                                  : std::nullopt;
    }
    // Both models' versions, listed once per request.
    absl::StatusOr<VersionList> all = Versions();
    if (!all.ok()) {
      all = VersionList();  // no model: nothing to answer but the empty list
    }
    std::vector<json> results;
    if (type && size > 0) {
      const std::optional<v1::ModelVersion> chosen =
          wanted_version ? Find(*all, *type, *wanted_version) : Current(*all, *type);
      if (chosen && *type == ModelType::kArticle && source &&
          chosen->status() != v1::MODEL_STATUS_FAILED) {
        // Any stored version's recommendations (a stale one read-only, never promoted).
        v1::SimilarItemsRequest req;
        req.set_tenant(options.tenant);
        req.set_item_id(*source);
        req.set_k(std::min(size, 1000));
        req.set_model(options.article_model);
        req.set_model_version(wanted_version ? *wanted_version : 0);
        req.set_include_items(true);
        for (const std::string& e : exclude) {
          req.add_exclude_item_ids(e);
        }
        absl::StatusOr<v1::SimilarItemsResponse> similar = api->SimilarItems(req);
        if (similar.ok()) {
          results = Recs(*type, *chosen, *source, similar->items());
        } else if (!absl::IsNotFound(similar.status()) &&
                   !absl::IsFailedPrecondition(similar.status())) {
          return Message(500, "INTERNAL_ERROR");
        }
      } else if (chosen && chosen->status() != v1::MODEL_STATUS_FAILED &&
                 *type == ModelType::kPopularity && !source) {
        // A stored version other than the current one is asked for by number (read-only).
        results = Popular(*chosen, size, exclude, wanted_version.value_or(0));
      }
    }
    if (results.empty() && size > 0) {
      // The original's fallback: the current popularity recommendations.
      if (std::optional<v1::ModelVersion> popular = Current(*all, ModelType::kPopularity)) {
        results = Popular(*popular, size, exclude);
      }
    }
    if (const std::string* sort = request.Query("sort_by")) {
      static const char* const kColumns[] = {"id", "created_at", "updated_at",
                                             "source_entity_id", "score"};
      if (std::find(std::begin(kColumns), std::end(kColumns), *sort) == std::end(kColumns)) {
        return Message(400, absl::StrCat("Invalid sort_by: ", sort->substr(0, 100)));
      }
      SortBy(&results, *sort, *ascending);
    } else if (*ascending) {
      std::reverse(results.begin(), results.end());  // best first is descending by score
    }
    if (static_cast<int>(results.size()) > size) {
      results.resize(static_cast<size_t>(size));
    }
    return Results(results);
  }

  // The recs of the popularity model `version`; `pinned_version` > 0 asks the core for that
  // stored version rather than the current one.
  std::vector<json> Popular(const v1::ModelVersion& version, int size,
                            const std::vector<std::string>& exclude, int64_t pinned_version = 0) {
    v1::RecommendRequest req;
    req.set_tenant(options.tenant);
    req.add_retrieval_models(options.popularity_model);
    if (pinned_version > 0) {
      (*req.mutable_model_versions())[options.popularity_model] = pinned_version;
    }
    req.set_k(std::max(1, std::min(size, 1000)));
    req.set_dry_run(true);
    req.set_include_items(true);
    for (const std::string& e : exclude) {
      req.add_exclude_item_ids(e);
    }
    absl::StatusOr<v1::RecommendResponse> r = api->Recommend(req);
    if (!r.ok()) {
      return {};
    }
    return Recs(ModelType::kPopularity, version, "default", r->items());
  }

  HttpResponse GetModels(const HttpRequest& request) {
    const std::optional<bool> ascending = Ascending(request);
    if (!ascending) {
      return Message(400, "order_by must be asc or desc");
    }
    absl::StatusOr<std::vector<std::pair<ModelType, v1::ModelVersion>>> all = Versions();
    if (!all.ok()) {
      return Message(500, "INTERNAL_ERROR");
    }
    const std::string* status = request.Query("status");
    const std::string* type = request.Query("type");
    std::vector<json> rows;
    for (const auto& [t, v] : *all) {
      json m = ModelJson(t, v);
      if ((status != nullptr && m["status"] != *status) || (type != nullptr && m["type"] != *type)) {
        continue;
      }
      rows.push_back(std::move(m));
    }
    std::string sort = "id";
    if (const std::string* s = request.Query("sort_by")) {
      static const char* const kColumns[] = {"id", "created_at", "updated_at", "type", "status"};
      if (std::find(std::begin(kColumns), std::end(kColumns), *s) == std::end(kColumns)) {
        return Message(400, absl::StrCat("Invalid sort_by: ", s->substr(0, 100)));
      }
      sort = *s;
    }
    SortBy(&rows, sort, *ascending);
    return Results(rows);
  }

  HttpResponse SetCurrent(const HttpRequest& request) {
    const std::string* token = request.Header("authorization");
    if (token == nullptr || token->empty()) {
      return Message(401, "MISSING_ADMIN_TOKEN");
    }
    if (options.admin_token.empty() || *token != options.admin_token) {
      return Message(403, "INVALID_ADMIN_TOKEN");
    }
    const auto it = request.path_params.find("id");
    std::optional<int64_t> id =
        it == request.path_params.end() ? std::nullopt : ParseInt(it->second);
    auto decoded = id ? DecodeModelId(*id) : std::nullopt;
    if (!decoded) {
      return Message(404, "RESOURCE DOES NOT EXIST");
    }
    v1::PromoteRequest req;
    req.set_tenant(options.tenant);
    req.set_model(ModelName(decoded->first));
    req.set_version(decoded->second);
    absl::StatusOr<v1::PromoteResponse> promoted = api->Promote(req);
    if (absl::IsNotFound(promoted.status())) {
      return Message(404, "RESOURCE DOES NOT EXIST");
    }
    if (absl::IsFailedPrecondition(promoted.status())) {
      return Message(400, "a failed model cannot be made current");
    }
    if (!promoted.ok()) {
      return Message(500, "INTERNAL_ERROR");
    }
    return JsonResponse(Dump(ModelJson(decoded->first, promoted->version())));
  }
};

ArticleRecFrontend::ArticleRecFrontend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ArticleRecFrontend::~ArticleRecFrontend() = default;

absl::StatusOr<std::unique_ptr<ArticleRecFrontend>> ArticleRecFrontend::Create(
    api::Api* api, ArticleRecOptions options) {
  if (api == nullptr) {
    return absl::InvalidArgumentError("article_rec: no api");
  }
  auto impl = std::make_unique<Impl>();
  impl->api = api;
  impl->options = std::move(options);
  return std::unique_ptr<ArticleRecFrontend>(new ArticleRecFrontend(std::move(impl)));
}

absl::Status ArticleRecFrontend::AddRoutes(Router* router) {
  Impl* impl = impl_.get();
  auto ok = [](const HttpRequest&) {
    HttpResponse r;
    r.content_type = "text/html; charset=UTF-8";
    r.body = "OK";
    return r;
  };
  const api::Access open = api::Access::kOpen;
  for (const char* path : {"/", "/health"}) {
    if (absl::Status s = router->Add("GET", path, ok, open); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = router->Add(
          "GET", "/recs", [impl](const HttpRequest& r) { return impl->GetRecs(r); }, open);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = router->Add(
          "GET", "/models", [impl](const HttpRequest& r) { return impl->GetModels(r); }, open);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = router->Add(
          "PATCH", "/models/{id}/set_current",
          [impl](const HttpRequest& r) { return impl->SetCurrent(r); }, open);
      !s.ok()) {
    return s;
  }
  router->SetUnmatchedHandler([](const HttpRequest&) { return Message(404, "NOT_FOUND"); });
  router->AddResponseHeader("Access-Control-Allow-Origin", "*");
  return absl::OkStatus();
}

}  // namespace recplat::http::article_rec
