// File: keys.h
//
// Enumerates the settable keys of a config struct through the binding (private to
// core/config): for matching RECPLAT_* environment variables and for generating docs.
#pragma once

#include <string>
#include <vector>

#include "core/config/internal/visitor.h"

namespace recplat::config::internal {

struct KeyInfo {
  // Dotted key, e.g. "models.popularity.train.every_events".
  std::string path;
  // What a valid value looks like: "an integer >= 0", "a sequence of model names", ...
  std::string expected;
  // The current value as YAML text; a non-empty secret as <redacted>.
  std::string value;
};

enum class KeyListing {
  // Every key that exists now: one set per existing map entry (models.popularity.family, ...)
  // and per existing params entry.
  kExisting,
  // Each key once, map entries written as `<name>` and params entries as `<param>`, with the
  // values of a default-constructed entry.
  kTemplates,
};

// The scalar, list and params keys of `fields` (and each params entry), in binding order.
std::vector<KeyInfo> ListKeys(const StructRef& fields, KeyListing listing);

}  // namespace recplat::config::internal
