// File: ecoseller_config.h
//
// The `ecoseller:` configuration section of the ecoseller route set (docs/ecoseller.md),
// declared here for the configuration loader (core/common/config_section.h), and its
// registration: frontend `ecoseller`, mounted on the HTTP listener. The original's
// RS_CACHE_SIZE variable is kept as an alias of the core key
// `surfaces.CATEGORY_LIST.cache.size`: the engine's response cache of that surface replaces
// the original's category-list cache.
//
// Thread-safety: plain values.
#pragma once

#include <string>

#include "core/common/config_section.h"

namespace recplat::http::ecoseller {

// The frontend's name in `frontends:` and the key of its section.
inline constexpr char kEcosellerFrontendName[] = "ecoseller";
// The surface whose response cache RS_CACHE_SIZE sizes.
inline constexpr char kCategoryListSurface[] = "CATEGORY_LIST";

struct EcosellerSection final : common::CopyableSection<EcosellerSection> {
  // Tenant holding the shop.
  std::string tenant = "default";
  // The routes need a user API key (auth.api_key_*) like the native API; off, they are as open
  // as the original's. `GET /` (the original's health check) stays open either way.
  bool require_api_key = false;

  void Bind(common::SectionBinder& binder) override;
};

// The registration of frontend `ecoseller` (see the file comment).
common::FrontendRegistration EcosellerRegistration();

}  // namespace recplat::http::ecoseller
