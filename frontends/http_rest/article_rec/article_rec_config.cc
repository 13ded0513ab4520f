// The article_rec route set's configuration section (article_rec_config.h).
#include "frontends/http_rest/article_rec/article_rec_config.h"

#include <memory>

namespace recplat::http::article_rec {

void ArticleRecSection::Bind(common::SectionBinder& binder) {
  binder.String("tenant", tenant, common::StringFieldOptions::NonEmpty());
  binder.String("article_model", article_model, common::StringFieldOptions::NonEmpty());
  binder.String("popularity_model", popularity_model, common::StringFieldOptions::NonEmpty());
  binder.String("admin_token", admin_token, common::StringFieldOptions::Secret());
}

common::FrontendRegistration ArticleRecRegistration() {
  common::FrontendRegistration r;
  r.name = kArticleRecFrontendName;
  r.make_section = [] { return std::make_unique<ArticleRecSection>(); };
  r.env_aliases = {{"ADMIN_TOKEN", "article_rec.admin_token"}};
  r.mounts_on_http = true;
  return r;
}

}  // namespace recplat::http::article_rec
