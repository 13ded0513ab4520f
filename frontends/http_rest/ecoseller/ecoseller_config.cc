#include "frontends/http_rest/ecoseller/ecoseller_config.h"

#include <memory>

#include "absl/strings/str_cat.h"

namespace recplat::http::ecoseller {

void EcosellerSection::Bind(common::SectionBinder& binder) {
  binder.String("tenant", tenant, common::StringFieldOptions::NonEmpty());
  binder.Bool("require_api_key", require_api_key);
}

common::FrontendRegistration EcosellerRegistration() {
  common::FrontendRegistration r;
  r.name = kEcosellerFrontendName;
  r.make_section = [] { return std::make_unique<EcosellerSection>(); };
  r.env_aliases = {
      {"RS_CACHE_SIZE", absl::StrCat("surfaces.", kCategoryListSurface, ".cache.size")}};
  r.mounts_on_http = true;
  return r;
}

}  // namespace recplat::http::ecoseller
