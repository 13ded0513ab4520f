// File: schema.h
//
// The key names and constraints of every config struct (private to core/config): the one
// place that says which YAML key maps to which field. See visitor.h.
#pragma once

#include "core/config/config.h"
#include "core/config/frontend_registry.h"
#include "core/config/internal/visitor.h"

namespace recplat::config::internal {

// Binds the top-level config; `config` (and `frontends`, when given) must outlive the
// returned view. With `frontends`, the items of `frontends:` must be registered names;
// without, any well-formed name is accepted (ParseConfig checks them against its registry).
// Every entry of config.sections is bound as the top-level struct of its name.
StructRef BindConfig(Config& config, const FrontendRegistry* frontends = nullptr);

}  // namespace recplat::config::internal
