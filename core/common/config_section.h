// File: config_section.h
//
// The typed configuration section of a frontend, declared by the frontend itself. A frontend
// may include only core/api and core/common from the core, so it cannot see core/config: it
// describes its fields once, to a SectionBinder, and core/config's loader reads them from the
// profile YAML, RECPLAT_* variables and --set exactly like core keys (unknown keys rejected
// with a did-you-mean, listed by the docs test, printed by ConfigToYaml with secrets
// redacted). The section of frontend `renewal` is the top-level YAML map `renewal:`.
//
// A FrontendRegistration names a frontend (the key of its section and its entry in the
// top-level `frontends:` list), makes its default section, and may declare environment aliases
// (e.g. RENEWAL_TOKEN for `renewal.token`) and whether it mounts routes on the HTTP listener.
// config::FrontendRegistry (core/config/frontend_registry.h) collects them for the loader.
//
// This module knows no frontend and no config file: it is only the contract between the two.
//
// Thread-safety: sections are plain values; use one from one thread at a time. A binder refers
// to the fields of the section it was handed and must not outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace recplat::common {

// Options of a string field.
struct StringFieldOptions {
  // Never printed: ConfigToYaml, GetConfig, key listings and error messages show
  // "<redacted>" for a non-empty value.
  bool secret = false;
  // The empty string is rejected.
  bool non_empty = false;
  // The allowed values; empty allows any text.
  std::vector<std::string> one_of;

  static StringFieldOptions Secret() {
    StringFieldOptions o;
    o.secret = true;
    return o;
  }
  static StringFieldOptions NonEmpty() {
    StringFieldOptions o;
    o.non_empty = true;
    return o;
  }
  static StringFieldOptions OneOf(std::vector<std::string> values) {
    StringFieldOptions o;
    o.one_of = std::move(values);
    return o;
  }
};

// Receives the fields of one section. `key` is the field's YAML key, from [a-z0-9_]; the
// referenced field must outlive the call to ConfigSection::Bind that hands it over. The
// loader checks each field's constraint on every layer and again after all of them.
class SectionBinder {
 public:
  virtual ~SectionBinder() = default;

  virtual void String(const char* key, std::string& value, const StringFieldOptions& options) = 0;
  void String(const char* key, std::string& value) { String(key, value, StringFieldOptions{}); }
  // An integer field within [min, max].
  virtual void Int(const char* key, int32_t& value, int64_t min, int64_t max) = 0;
  virtual void Int(const char* key, int64_t& value, int64_t min, int64_t max) = 0;
  // A finite number within [min, max], or (min, max] when `min_exclusive`; max may be
  // infinity.
  virtual void Double(const char* key, double& value, double min, double max,
                      bool min_exclusive) = 0;
  void Double(const char* key, double& value, double min, double max) {
    Double(key, value, min, max, /*min_exclusive=*/false);
  }
  virtual void Bool(const char* key, bool& value) = 0;
  // A list of strings, each one of `allowed` (any text when `allowed` is empty).
  virtual void StringList(const char* key, std::vector<std::string>& items,
                          const std::vector<std::string>& allowed) = 0;
};

// A frontend's configuration section: a struct of its own fields with their defaults.
class ConfigSection {
 public:
  virtual ~ConfigSection() = default;

  // Hands every field to `binder`, in declaration order, always the same keys. Used to decode,
  // encode, list, validate and compare the section.
  virtual void Bind(SectionBinder& binder) = 0;
  // Checks that span several fields, after all layers were applied (each field's own
  // constraint is checked by the loader). An INVALID_ARGUMENT message names the field, e.g.
  // "reconnect_max_seconds: must not be below reconnect_base_seconds". Default: OK.
  virtual absl::Status Validate() const { return absl::OkStatus(); }
  // A deep copy of the same dynamic type.
  virtual std::unique_ptr<ConfigSection> Clone() const = 0;
};

// Implements Clone() through the copy constructor of `Derived`:
//   struct MySection final : common::CopyableSection<MySection> { ... };
template <typename Derived>
class CopyableSection : public ConfigSection {
 public:
  std::unique_ptr<ConfigSection> Clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// Whether `a` and `b` have the same dynamic type and bind the same values (secrets included).
bool SameSectionValues(const ConfigSection& a, const ConfigSection& b);

// A copyable, comparable owner of one section (copies clone it; equality is
// SameSectionValues), so that a config holding sections stays a value. May be empty.
class SectionValue {
 public:
  SectionValue() = default;
  explicit SectionValue(std::unique_ptr<ConfigSection> section) : section_(std::move(section)) {}
  SectionValue(const SectionValue& other) : section_(other.CloneSection()) {}
  SectionValue& operator=(const SectionValue& other) {
    if (this != &other) section_ = other.CloneSection();
    return *this;
  }
  SectionValue(SectionValue&&) noexcept = default;
  SectionValue& operator=(SectionValue&&) noexcept = default;

  // The section, or null when empty. Owned by this value.
  ConfigSection* get() const { return section_.get(); }

  friend bool operator==(const SectionValue& a, const SectionValue& b);

 private:
  std::unique_ptr<ConfigSection> CloneSection() const {
    return section_ == nullptr ? nullptr : section_->Clone();
  }

  std::unique_ptr<ConfigSection> section_;
};

// An environment variable that sets one configuration key, e.g. RENEWAL_TOKEN for
// `renewal.token`, or RS_CACHE_SIZE for the core key `surfaces.CATEGORY_LIST.cache.size`.
struct EnvAlias {
  // The variable, from [A-Z0-9_], not starting with RECPLAT_.
  std::string env;
  // The full dotted key it sets; it must exist once the profile is read.
  std::string key;
};

// What a frontend tells the configuration loader about itself.
struct FrontendRegistration {
  // The frontend's name in `frontends:` and the key of its section: [a-z][a-z0-9_]{0,63}, not
  // a core key.
  std::string name;
  // Makes the section with its defaults; null for a frontend without a section.
  std::function<std::unique_ptr<ConfigSection>()> make_section;
  // Applied only while the frontend is selected, after the profile and before RECPLAT_*
  // variables and --set (which win); an empty variable is ignored.
  std::vector<EnvAlias> env_aliases;
  // Whether the frontend adds routes to the HTTP listener (so it needs http.enabled).
  bool mounts_on_http = false;
};

}  // namespace recplat::common
