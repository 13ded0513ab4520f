// File: article_rec_config.h
//
// The `article_rec:` configuration section of the article-rec-api route set
// (article_rec_routes.h) and its registration: frontend `article_rec`, mounted on the HTTP
// listener, with the original's ADMIN_TOKEN environment variable as the alias of
// `article_rec.admin_token`.
//
// Thread-safety: plain values.
#pragma once

#include <string>

#include "core/common/config_section.h"

namespace recplat::http::article_rec {

inline constexpr char kArticleRecFrontendName[] = "article_rec";

struct ArticleRecSection final : common::CopyableSection<ArticleRecSection> {
  // Tenant of the articles and models (batch.tenant).
  std::string tenant = "default";
  // The configured models behind the original's model types `article` and `popularity`.
  std::string article_model = "article";
  std::string popularity_model = "popularity";
  // What `PATCH /models/{id}/set_current` compares the raw Authorization header with; empty:
  // every token is refused. Secret. The ADMIN_TOKEN variable sets it.
  std::string admin_token;

  void Bind(common::SectionBinder& binder) override;
};

common::FrontendRegistration ArticleRecRegistration();

}  // namespace recplat::http::article_rec
