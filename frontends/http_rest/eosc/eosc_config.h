// File: eosc_config.h
//
// The `eosc:` configuration section of the EOSC Marketplace route set (docs/eosc.md), declared
// here for the configuration loader (core/common/config_section.h), and its registration:
// frontend `eosc`, mounted on the HTTP listener.
//
// The section names core things only (a tenant, a surface, model names): the candidates, the
// filters, the engines and their readiness are the core's, configured by the profile.
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <vector>

#include "core/common/config_section.h"

namespace recplat::http::eosc {

// The frontend's name in `frontends:` and the key of its section.
inline constexpr char kEoscFrontendName[] = "eosc";

struct EoscSection final : common::CopyableSection<EoscSection> {
  // Tenant holding the Marketplace's catalogue and users.
  std::string tenant = "default";
  // Surface answering /recommendations (its retrieval yields every candidate; its filters drop
  // unavailable services and the user's accessed ones).
  std::string surface = "eosc";
  // The engine for known users when the request names none (the 2024 original's
  // DEFAULT_RECOMMENDATION_ALG); a configured model name, case-insensitive.
  std::string default_engine = "NCF";
  // The fallback chain after the request's and the default engine (the 2024 order).
  std::vector<std::string> engines = {"NCF", "RL", "Random"};
  // The engine of anonymous users (and the last resort).
  std::string random_engine = "Random";
  // Models trained by GET /training and after POST /update (those the core configures).
  std::vector<std::string> train_models = {"NCF", "RL"};

  void Bind(common::SectionBinder& binder) override;
};

// The registration of frontend `eosc` (see the file comment).
common::FrontendRegistration EoscRegistration();

}  // namespace recplat::http::eosc
