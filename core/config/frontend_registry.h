// File: frontend_registry.h
//
// FrontendRegistry: the frontends the configuration loader knows, each with its own section
// (core/common/config_section.h). The executable registers the frontends it links
// (apps/recplat/frontends.h) and hands the registry to LoadConfig/ParseConfig; core/config
// itself knows no frontend type. `frontends:` may name only registered frontends.
//
// One frontend is always registered: `native`, the JSON mirror of the internal API on the HTTP
// listener (no section). It is part of the core's own API, not a profile.
//
// Thread-safety: Register() from one thread before the registry is shared; the const methods
// may then be called concurrently.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/common/config_section.h"

namespace recplat::config {

class FrontendRegistry {
 public:
  // The name of the always-registered native frontend.
  static constexpr absl::string_view kNative = "native";

  FrontendRegistry();

  // Adds `registration`. INVALID_ARGUMENT for a bad name ([a-z][a-z0-9_]{0,63}), a name that
  // is a core key (e.g. `api`), a bad alias (variable not [A-Z0-9_]+, starting with RECPLAT_,
  // or an alias of `frontends` or `role`); ALREADY_EXISTS for a name or alias variable that is
  // already registered.
  absl::Status Register(common::FrontendRegistration registration);

  // The registration of `name`, or null.
  const common::FrontendRegistration* Find(absl::string_view name) const;
  // Registered names, in registration order (`native` first).
  std::vector<std::string> Names() const;
  const std::vector<common::FrontendRegistration>& registrations() const { return entries_; }

 private:
  std::vector<common::FrontendRegistration> entries_;
};

}  // namespace recplat::config
