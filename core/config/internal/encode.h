// File: encode.h
//
// Config struct → YAML text through the binding (private to core/config).
#pragma once

#include <string>

#include "core/config/internal/visitor.h"

namespace recplat::config::internal {

// Block-style YAML of every field of `fields` (lists in flow style). For valid field values the
// text decodes (decode.h) back to the same values. Does not throw.
std::string EncodeYaml(const StructRef& fields);

}  // namespace recplat::config::internal
