// File: visitor.h
//
// The reflective binding of the config structs (private to core/config). Each struct lists its
// fields once, with their YAML keys and constraints (schema.cc), by calling a Visitor; the
// decoder, encoder, key lister, --set/env path setter and validator are all Visitors, so a field
// added to config.h and to its Bind() function is read, written, documented and checked
// everywhere.
//
// The *Ref types are views: they refer to fields of a struct owned by the caller, which must
// outlive them. Their const methods may still write the referenced field (like a pointer).
// Not thread-safe: one visit at a time per struct.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace recplat::config::internal {

class Visitor;

// A constraint on a piece of text: a name, a choice, an address, or anything.
struct TextRule {
  // What a valid text looks like, for messages and docs: "a model name ([A-Za-z0-9_.-]+)".
  std::string expected;
  // Whether `text` is valid; empty accepts anything.
  std::function<bool(absl::string_view text)> valid;

  bool Accepts(absl::string_view text) const { return !valid || valid(text); }
};

// One scalar field (string, bool, integer, number or enum) with its constraint.
class ScalarRef {
 public:
  virtual ~ScalarRef() = default;
  // What a valid value looks like, with an article: "an integer in [1, 1000000]".
  virtual std::string Expected() const = 0;
  // Parses `text` and stores it in the field. Returns false, leaving the field unchanged, when
  // `text` is not of the field's type or breaks its constraint.
  virtual bool Set(absl::string_view text) const = 0;
  // The current value as text that Set() accepts (when the value is valid).
  virtual std::string Get() const = 0;
  // Whether the current value satisfies the type's constraint.
  virtual bool Valid() const = 0;
  // Whether a YAML null stands for the empty value (true for strings only).
  virtual bool AcceptsNull() const { return false; }
  // Whether the value must never be printed (ShownValue() in text.h redacts it).
  virtual bool Secret() const { return false; }
};

// A struct bound to its fields: `bind(v)` calls `v` once per field, in declaration order.
struct StructRef {
  std::function<void(Visitor&)> bind;
  // When set, a scalar YAML node stands for this one field (`grpc: "127.0.0.1:0"` sets
  // grpc.listen); otherwise the struct must be written as a map.
  const char* short_form = nullptr;
};

// A std::map<std::string, S> of structs, with S erased.
class StructMapRef {
 public:
  virtual ~StructMapRef() = default;
  // Entry names in map order.
  virtual std::vector<std::string> Names() const = 0;
  // The entry `name`, inserted default-constructed when absent. Valid while the map lives and
  // the entry is not erased.
  virtual StructRef Entry(const std::string& name) const = 0;
  virtual void Clear() const = 0;
  // Calls `fn` with a default-constructed entry that lives for the duration of the call (used
  // to describe the keys of an entry, e.g. for docs).
  virtual void WithPrototype(const std::function<void(const StructRef&)>& fn) const = 0;
};

// Receives the fields of one struct. `key` is the field's YAML key (no dots).
class Visitor {
 public:
  virtual ~Visitor() = default;
  virtual void Scalar(const char* key, const ScalarRef& field) = 0;
  // A sequence of strings, each satisfying `item_rule`.
  virtual void List(const char* key, std::vector<std::string>& items,
                    const TextRule& item_rule) = 0;
  // A map of free text: scalar values are kept as written, sequences and maps as flow YAML.
  virtual void TextMap(const char* key, std::map<std::string, std::string>& entries) = 0;
  // A nested struct.
  virtual void Struct(const char* key, const StructRef& fields) = 0;
  // A map of named structs whose names satisfy `name_rule`.
  virtual void StructMap(const char* key, const StructMapRef& entries,
                         const TextRule& name_rule) = 0;
};

}  // namespace recplat::config::internal
