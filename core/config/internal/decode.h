// File: decode.h
//
// YAML → config struct decoding through the binding (private to core/config). Every error is an
// INVALID_ARGUMENT "<source>: key '<dotted.key>': <problem>". Exceptions from yaml-cpp are
// caught by ParseYamlDocument(); the decoders themselves only read already-built nodes, and their
// callers (config_loader.cc) still catch anything as a last resort.
//
// Decoding merges into the struct: keys absent from a YAML map keep their current values.
// Lists and maps (event_types, models, surfaces, params) are replaced as a whole. A YAML null
// keeps a struct unchanged, empties a list or map, and is the empty string for string fields.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/config/internal/visitor.h"
#include "yaml-cpp/yaml.h"

namespace recplat::config::internal {

// Parses `text` as one YAML document into `out` (a null node for empty text). Malformed YAML,
// including a second document or stray content after the first, is INVALID_ARGUMENT
// "<source>: malformed YAML at line L, column C: <problem>" (yaml-cpp's message when it has one).
absl::Status ParseYamlDocument(absl::string_view text, absl::string_view source, YAML::Node& out);

// Decodes `node`, found at dotted key `path` ("" for the document root), into each kind of
// field. `source` names where the YAML came from, for messages.
absl::Status DecodeStruct(const YAML::Node& node, const StructRef& fields, const std::string& path,
                          absl::string_view source);
absl::Status DecodeScalar(const YAML::Node& node, const ScalarRef& field, const std::string& path,
                          absl::string_view source);
absl::Status DecodeList(const YAML::Node& node, std::vector<std::string>& items,
                        const TextRule& item_rule, const std::string& path,
                        absl::string_view source);
absl::Status DecodeTextMap(const YAML::Node& node, std::map<std::string, std::string>& entries,
                           const std::string& path, absl::string_view source);
absl::Status DecodeStructMap(const YAML::Node& node, const StructMapRef& entries,
                             const TextRule& name_rule, const std::string& path,
                             absl::string_view source);

// The text kept for one TextMap value: a scalar as written, null as "", a sequence or map as
// flow YAML such as "[1, 10, 100]" (refused when it would expand past 64 KiB through aliases).
absl::Status DecodeTextValue(const YAML::Node& node, const std::string& path,
                             absl::string_view source, std::string& out);

}  // namespace recplat::config::internal
