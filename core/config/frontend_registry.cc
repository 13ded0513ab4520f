#include "core/config/frontend_registry.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/config/config.h"
#include "core/config/internal/schema.h"
#include "core/config/internal/visitor.h"

namespace recplat::config {
namespace {

// The top-level keys of the core's config.
class TopLevelKeys final : public internal::Visitor {
 public:
  void Scalar(const char* key, const internal::ScalarRef&) override { keys.emplace_back(key); }
  void List(const char* key, std::vector<std::string>&, const internal::TextRule&) override {
    keys.emplace_back(key);
  }
  void TextMap(const char* key, std::map<std::string, std::string>&) override {
    keys.emplace_back(key);
  }
  void Struct(const char* key, const internal::StructRef&) override { keys.emplace_back(key); }
  void StructMap(const char* key, const internal::StructMapRef&,
                 const internal::TextRule&) override {
    keys.emplace_back(key);
  }

  std::vector<std::string> keys;
};

bool IsFrontendName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || !absl::ascii_islower(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool IsEnvName(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isupper(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

FrontendRegistry::FrontendRegistry() {
  common::FrontendRegistration native;
  native.name = std::string(kNative);
  native.mounts_on_http = true;
  entries_.push_back(std::move(native));
}

absl::Status FrontendRegistry::Register(common::FrontendRegistration registration) {
  const std::string& name = registration.name;
  if (!IsFrontendName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "frontend '", name, "': invalid name: expected 1 to 64 characters from [a-z0-9_], "
        "starting with a letter"));
  }
  if (Find(name) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("frontend '", name, "': already registered"));
  }
  Config defaults;
  TopLevelKeys core;
  internal::BindConfig(defaults).bind(core);
  if (std::find(core.keys.begin(), core.keys.end(), name) != core.keys.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("frontend '", name, "': the name is a core configuration key"));
  }
  for (const common::EnvAlias& alias : registration.env_aliases) {
    const std::string where = absl::StrCat("frontend '", name, "': alias ", alias.env);
    if (!IsEnvName(alias.env) || absl::StartsWith(alias.env, "RECPLAT_")) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": expected a variable name from [A-Z0-9_] not starting with RECPLAT_"));
    }
    if (alias.key.empty() || alias.key == "frontends" || alias.key == "role") {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": cannot alias '", alias.key, "'"));
    }
    for (const common::FrontendRegistration& other : entries_) {
      for (const common::EnvAlias& taken : other.env_aliases) {
        if (taken.env == alias.env) {
          return absl::AlreadyExistsError(
              absl::StrCat(where, ": already an alias of frontend '", other.name, "'"));
        }
      }
    }
  }
  entries_.push_back(std::move(registration));
  return absl::OkStatus();
}

const common::FrontendRegistration* FrontendRegistry::Find(absl::string_view name) const {
  for (const common::FrontendRegistration& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::vector<std::string> FrontendRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const common::FrontendRegistration& entry : entries_) names.push_back(entry.name);
  return names;
}

}  // namespace recplat::config
