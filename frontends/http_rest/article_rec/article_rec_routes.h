// File: article_rec_routes.h
//
// The article-rec-api route set (seed-systems.md §4.8, API @eccc39d plus the later `size`),
// wire-compatible with the Tornado original, over api::Api:
//   GET   /, /health                 "OK"
//   GET   /recs                      {"results": [Rec, ...]}: the stored recommendations of
//                                    `source_entity_id` from the current article model (or
//                                    the model of `model_type` / `model_id`), minus `exclude`,
//                                    sorted by `sort_by`/`order_by`, at most `size`; when
//                                    nothing matches, the current popularity recommendations
//   GET   /models                    {"results": [Model, ...]} filtered by `status`, `type`
//   PATCH /models/{id}/set_current   the raw Authorization header must equal admin_token
//                                    (401 MISSING_ADMIN_TOKEN, 403 INVALID_ADMIN_TOKEN, before
//                                    the lookup), then 404 RESOURCE DOES NOT EXIST; promotes
//                                    the version (the other versions of its type become stale)
// Every response, errors and unknown routes included, carries Access-Control-Allow-Origin: *;
// errors are {"message": "..."} with the original's texts; unknown routes 404
// {"message": "NOT_FOUND"}. The routes need no recplat API key (the original had none).
//
// A codec: recommendations come from the core (SimilarItems of the article model, Recommend
// of the popularity model), models from ListModels / Promote, articles from GetItem. Model ids
// are described in article_rec_codec.h.
//
// Thread-safety: thread-safe; the frontend must outlive the router it is added to.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/api/api.h"
#include "frontends/http_rest/router.h"

namespace recplat::http::article_rec {

struct ArticleRecOptions {
  std::string tenant = "default";
  std::string article_model = "article";
  std::string popularity_model = "popularity";
  // Empty: set_current refuses every token (403).
  std::string admin_token;
};

class ArticleRecFrontend {
 public:
  // `api` must outlive the frontend.
  static absl::StatusOr<std::unique_ptr<ArticleRecFrontend>> Create(api::Api* api,
                                                                    ArticleRecOptions options);
  ~ArticleRecFrontend();

  // Adds the routes, the not-found answer and the CORS header to `router`.
  absl::Status AddRoutes(Router* router);

 private:
  struct Impl;
  explicit ArticleRecFrontend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::http::article_rec
