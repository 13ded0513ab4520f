#include "core/config/config_loader.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/common/status_macros.h"
#include "core/config/internal/decode.h"
#include "core/config/internal/encode.h"
#include "core/config/internal/keys.h"
#include "core/config/internal/schema.h"
#include "core/config/internal/set_path.h"
#include "core/config/internal/text.h"

extern char** environ;

namespace recplat::config {
namespace {

constexpr absl::string_view kEnvPrefix = "RECPLAT_";
// RECPLAT_* variables read by tools and tests, not configuration keys.
// RECPLAT_GRU4REC_TORCH_MODULE: where trainers/torch_gru4rec finds its LibTorch module.
constexpr std::array<absl::string_view, 5> kReservedEnv = {
    "RECPLAT_DATASETS", "RECPLAT_BINARY_DIR", "RECPLAT_SOURCE_DIR", "RECPLAT_PROFILE",
    "RECPLAT_GRU4REC_TORCH_MODULE"};
// Profiles are hand-written; anything larger is a mistake (or an attack on the parser).
constexpr std::streamsize kMaxProfileBytes = 16 << 20;

// The environment variable that sets dotted key `path`.
std::string EnvName(absl::string_view path) {
  std::string name = absl::StrCat(kEnvPrefix, path);
  for (char& c : name) {
    c = c == '.' ? '_' : absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return name;
}

// The value of variable `name` in `env` (the last one when repeated), or null.
const std::string* FindEnv(const std::vector<std::pair<std::string, std::string>>& env,
                           absl::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [key, value] : env) {
    if (key == name) found = &value;
  }
  return found;
}

absl::Status ApplyEnvironment(const std::vector<std::pair<std::string, std::string>>& env,
                              const FrontendRegistry& frontends, Config& config) {
  // Keys are matched as they exist after the defaults and the profile.
  std::multimap<std::string, std::string> paths_by_env;
  std::vector<std::string> env_names;
  for (const internal::KeyInfo& key : internal::ListKeys(internal::BindConfig(config, &frontends),
                                                         internal::KeyListing::kExisting)) {
    std::string name = EnvName(key.path);
    env_names.push_back(name);
    paths_by_env.emplace(std::move(name), key.path);
  }
  std::vector<std::pair<std::string, std::string>> sorted = env;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [name, value] : sorted) {
    if (!absl::StartsWith(name, kEnvPrefix) ||
        std::find(kReservedEnv.begin(), kReservedEnv.end(), name) != kReservedEnv.end()) {
      continue;
    }
    const std::string source = absl::StrCat("environment ", name);
    const auto [first, last] = paths_by_env.equal_range(name);
    if (first == last) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": no configuration key matches",
                                                     internal::Suggest(name, env_names)));
    }
    if (std::next(first) != last) {
      std::vector<std::string> candidates;
      for (auto it = first; it != last; ++it) {
        candidates.push_back(it->second);
      }
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": matches several keys (", absl::StrJoin(candidates, ", "), "); use --set"));
    }
    YAML::Node node;
    RECPLAT_RETURN_IF_ERROR(internal::ParseYamlDocument(value, source, node));
    RECPLAT_RETURN_IF_ERROR(internal::SetPath(internal::BindConfig(config, &frontends),
                                              first->second, node, source));
  }
  return absl::OkStatus();
}

// The aliases of the frontends in `selected`, in registration order. Values are taken
// literally (not read as YAML): they come from programs that predate recplat.
absl::Status ApplyAliases(const std::vector<std::pair<std::string, std::string>>& env,
                          const FrontendRegistry& frontends,
                          const std::vector<std::string>& selected, Config& config) {
  for (const common::FrontendRegistration& frontend : frontends.registrations()) {
    if (std::find(selected.begin(), selected.end(), frontend.name) == selected.end()) {
      continue;
    }
    for (const common::EnvAlias& alias : frontend.env_aliases) {
      const std::string* value = FindEnv(env, alias.env);
      if (value == nullptr || value->empty()) {
        continue;
      }
      const std::string source = absl::StrCat("environment ", alias.env);
      bool exists = false;
      for (const internal::KeyInfo& key : internal::ListKeys(
               internal::BindConfig(config, &frontends), internal::KeyListing::kExisting)) {
        exists = exists || key.path == alias.key;
      }
      if (!exists) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ": alias of key '", alias.key,
                         "', which this configuration does not have (frontend '",
                         frontend.name, "')"));
      }
      RECPLAT_RETURN_IF_ERROR(internal::SetPath(internal::BindConfig(config, &frontends),
                                                alias.key, YAML::Node(*value), source));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplySetFlags(const std::vector<std::string>& set_flags,
                           const FrontendRegistry& frontends, Config& config) {
  for (const std::string& flag : set_flags) {
    const size_t equals = flag.find('=');
    const absl::string_view key =
        equals == std::string::npos
            ? absl::string_view()
            : absl::StripAsciiWhitespace(absl::string_view(flag).substr(0, equals));
    if (key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--set ", internal::Quote(flag), ": expected key=value"));
    }
    const std::string source = absl::StrCat("--set ", key);
    YAML::Node node;
    RECPLAT_RETURN_IF_ERROR(
        internal::ParseYamlDocument(absl::string_view(flag).substr(equals + 1), source, node));
    RECPLAT_RETURN_IF_ERROR(
        internal::SetPath(internal::BindConfig(config, &frontends), key, node, source));
  }
  return absl::OkStatus();
}

// The selected frontends against the registry, once every layer is applied.
absl::Status CheckFrontends(const Config& config, const FrontendRegistry& frontends) {
  for (size_t i = 0; i < config.frontends.size(); ++i) {
    const std::string& name = config.frontends[i];
    const std::string key = absl::StrCat("frontends[", i, "]");
    // Decoding with the registry accepts registered names only.
    const common::FrontendRegistration* frontend = frontends.Find(name);
    if (frontend == nullptr) continue;
    // Without the listener there is simply no native JSON API (as before frontends existed);
    // any other frontend on HTTP is then a mistake.
    if (frontend->mounts_on_http && !config.http.enabled && config.role != Role::kCore &&
        name != FrontendRegistry::kNative) {
      return internal::KeyError(
          "config", key,
          absl::StrCat("frontend '", name,
                       "' mounts on the HTTP listener, which is off (http.enabled: false)"));
    }
  }
  if (config.registry.store == "s3") {
    if (config.registry.s3.endpoint.empty()) {
      return internal::KeyError("config", "registry.s3.endpoint",
                                "registry.store 's3' needs the store's URL (http(s)://host[:port])");
    }
    if (config.registry.s3.bucket.empty()) {
      return internal::KeyError("config", "registry.s3.bucket",
                                "registry.store 's3' needs a bucket");
    }
  }
  if (config.role == Role::kFrontend && config.frontends.empty()) {
    return internal::KeyError("config", "frontends",
                              "role 'frontend' needs at least one frontend to run");
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> ParseLayers(absl::string_view yaml_text, absl::string_view source,
                                   const std::vector<std::string>& set_flags,
                                   const std::vector<std::pair<std::string, std::string>>& env,
                                   const FrontendRegistry& frontends) {
  Config config = DefaultConfig(frontends);
  YAML::Node document;
  RECPLAT_RETURN_IF_ERROR(internal::ParseYamlDocument(yaml_text, source, document));
  RECPLAT_RETURN_IF_ERROR(
      internal::DecodeStruct(document, internal::BindConfig(config, &frontends), "", source));
  // Derived defaults (e.g. the default models) are filled before the overrides so that
  // RECPLAT_MODELS_POPULARITY_* and --set models.popularity.* reach them, and again after.
  FillConfigDefaults(config);
  // The aliases that apply are those of the frontends selected once every layer is applied
  // (an alias cannot change the selection).
  Config probe = config;
  RECPLAT_RETURN_IF_ERROR(ApplyEnvironment(env, frontends, probe));
  RECPLAT_RETURN_IF_ERROR(ApplySetFlags(set_flags, frontends, probe));
  RECPLAT_RETURN_IF_ERROR(ApplyAliases(env, frontends, probe.frontends, config));
  RECPLAT_RETURN_IF_ERROR(ApplyEnvironment(env, frontends, config));
  RECPLAT_RETURN_IF_ERROR(ApplySetFlags(set_flags, frontends, config));
  FillConfigDefaults(config);
  RECPLAT_RETURN_IF_ERROR(ValidateConfig(config));
  RECPLAT_RETURN_IF_ERROR(CheckFrontends(config, frontends));
  return config;
}

}  // namespace

absl::StatusOr<Config> ParseConfig(absl::string_view yaml_text, absl::string_view source_name,
                                   const std::vector<std::string>& set_flags,
                                   const std::vector<std::pair<std::string, std::string>>& env) {
  return ParseConfig(yaml_text, source_name, set_flags, env, FrontendRegistry());
}

absl::StatusOr<Config> ParseConfig(absl::string_view yaml_text, absl::string_view source_name,
                                   const std::vector<std::string>& set_flags,
                                   const std::vector<std::pair<std::string, std::string>>& env,
                                   const FrontendRegistry& frontends) {
  const std::string source = source_name.empty() ? "profile" : std::string(source_name);
  // yaml-cpp (and allocation) may throw anywhere below; no exception leaves this module.
  try {
    return ParseLayers(yaml_text, source, set_flags, env, frontends);
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat(source, ": unexpected error reading the configuration: ", e.what()));
  } catch (...) {
    return absl::InternalError(
        absl::StrCat(source, ": unexpected error reading the configuration"));
  }
}

absl::StatusOr<Config> LoadConfig(const ConfigSources& sources) {
  const FrontendRegistry native_only;
  const FrontendRegistry& frontends =
      sources.frontends != nullptr ? *sources.frontends : native_only;
  if (sources.profile_path.empty()) {
    return ParseConfig("", "built-in defaults", sources.set_flags, sources.env, frontends);
  }
  const std::string& path = sources.profile_path;
  std::string text;
  try {
    std::error_code error;
    const std::filesystem::file_status status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status)) {
      return absl::NotFoundError(absl::StrCat("profile '", path, "': no such file"));
    }
    if (std::filesystem::is_directory(status)) {
      return absl::FailedPreconditionError(absl::StrCat("profile '", path, "': is a directory"));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::FailedPreconditionError(
          absl::StrCat("profile '", path, "': cannot open: ", std::strerror(errno)));
    }
    // Bounded read: the path may name a device or a pipe rather than a regular file.
    char buffer[64 * 1024];
    while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
      text.append(buffer, static_cast<size_t>(in.gcount()));
      if (static_cast<std::streamsize>(text.size()) > kMaxProfileBytes) {
        return absl::FailedPreconditionError(
            absl::StrCat("profile '", path, "': larger than ", kMaxProfileBytes, " bytes"));
      }
    }
    if (in.bad()) {
      return absl::FailedPreconditionError(absl::StrCat("profile '", path, "': read error"));
    }
  } catch (const std::exception& e) {
    return absl::FailedPreconditionError(absl::StrCat("profile '", path, "': ", e.what()));
  }
  return ParseConfig(text, path, sources.set_flags, sources.env, frontends);
}

Config DefaultConfig(const FrontendRegistry& frontends) {
  Config config;
  for (const common::FrontendRegistration& frontend : frontends.registrations()) {
    if (frontend.make_section == nullptr) continue;
    std::unique_ptr<common::ConfigSection> section = frontend.make_section();
    if (section != nullptr) {
      config.sections[frontend.name] = common::SectionValue(std::move(section));
    }
  }
  return config;
}

std::string SetFlagLiteral(absl::string_view key, absl::string_view text) {
  return absl::StrCat(key, "='", absl::StrReplaceAll(text, {{"'", "''"}}), "'");
}

std::string ConfigToYaml(const Config& config) {
  // The binding takes a mutable struct; encoding only reads the copy.
  Config copy = config;
  return internal::EncodeYaml(internal::BindConfig(copy));
}

std::vector<std::pair<std::string, std::string>> CurrentEnvironment(
    const FrontendRegistry* frontends) {
  std::vector<std::string> aliases;
  if (frontends != nullptr) {
    for (const common::FrontendRegistration& frontend : frontends->registrations()) {
      for (const common::EnvAlias& alias : frontend.env_aliases) aliases.push_back(alias.env);
    }
  }
  std::vector<std::pair<std::string, std::string>> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const absl::string_view text(*entry);
    const size_t equals = text.find('=');
    if (equals == absl::string_view::npos) {
      continue;
    }
    const absl::string_view name = text.substr(0, equals);
    if (!absl::StartsWith(name, kEnvPrefix) &&
        std::find(aliases.begin(), aliases.end(), name) == aliases.end()) {
      continue;
    }
    env.emplace_back(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  std::sort(env.begin(), env.end());
  return env;
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  if (name == "all") {
    return Role::kAll;
  }
  if (name == "core") {
    return Role::kCore;
  }
  if (name == "frontend") {
    return Role::kFrontend;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("expected a role (all, core or frontend); got ", internal::Quote(name)));
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAll:
      return "all";
    case Role::kCore:
      return "core";
    case Role::kFrontend:
      return "frontend";
  }
  return "unknown";
}

absl::StatusOr<SyncPolicy> ParseSyncPolicy(absl::string_view name) {
  if (name == "always") {
    return SyncPolicy::kAlways;
  }
  if (name == "none") {
    return SyncPolicy::kNone;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("expected a sync policy (always or none); got ", internal::Quote(name)));
}

absl::string_view SyncPolicyName(SyncPolicy policy) {
  switch (policy) {
    case SyncPolicy::kAlways:
      return "always";
    case SyncPolicy::kNone:
      return "none";
  }
  return "unknown";
}

}  // namespace recplat::config
