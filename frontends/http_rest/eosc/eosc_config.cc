#include "frontends/http_rest/eosc/eosc_config.h"

#include <memory>

namespace recplat::http::eosc {

void EoscSection::Bind(common::SectionBinder& binder) {
  binder.String("tenant", tenant, common::StringFieldOptions::NonEmpty());
  binder.String("surface", surface, common::StringFieldOptions::NonEmpty());
  binder.String("default_engine", default_engine, common::StringFieldOptions::NonEmpty());
  binder.StringList("engines", engines, {});
  binder.String("random_engine", random_engine, common::StringFieldOptions::NonEmpty());
  binder.StringList("train_models", train_models, {});
}

common::FrontendRegistration EoscRegistration() {
  common::FrontendRegistration r;
  r.name = kEoscFrontendName;
  r.make_section = [] { return std::make_unique<EoscSection>(); };
  r.mounts_on_http = true;
  return r;
}

}  // namespace recplat::http::eosc
