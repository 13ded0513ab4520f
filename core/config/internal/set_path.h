// File: set_path.h
//
// Sets one dotted key of a config struct from a YAML node (private to core/config): the
// mechanism behind --set key=value and RECPLAT_* environment variables.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/config/internal/visitor.h"
#include "yaml-cpp/yaml.h"

namespace recplat::config::internal {

// Decodes `value` (decode.h rules) into the field at dotted `key` of `root`. Map entries on the
// way are created when absent (`models.foo.family` adds model `foo`). Within a map of named
// structs the longest existing entry name wins, so names containing dots stay reachable; a
// new entry's name is one segment. Everything after `params.` is one parameter name.
//
// Errors are INVALID_ARGUMENT "<source>: key '<key>': ...": unknown key (with a suggestion),
// a key that goes below a scalar, an invalid entry name, or a bad value.
absl::Status SetPath(const StructRef& root, absl::string_view key, const YAML::Node& value,
                     absl::string_view source);

}  // namespace recplat::config::internal
