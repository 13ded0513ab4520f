// File: schema.h
//
// The key names and constraints of every config struct (private to core/config): the one
// place that says which YAML key maps to which field. See visitor.h.
#pragma once

#include "core/config/config.h"
#include "core/config/internal/visitor.h"

namespace recplat::config::internal {

// Binds the top-level config; `config` must outlive the returned view.
StructRef BindConfig(Config& config);

}  // namespace recplat::config::internal
