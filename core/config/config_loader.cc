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
constexpr std::array<absl::string_view, 4> kReservedEnv = {"RECPLAT_DATASETS", "RECPLAT_BINARY_DIR",
                                                           "RECPLAT_SOURCE_DIR", "RECPLAT_PROFILE"};
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

absl::Status ApplyEnvironment(const std::vector<std::pair<std::string, std::string>>& env,
                              Config& config) {
  // Keys are matched as they exist after the defaults and the profile.
  std::multimap<std::string, std::string> paths_by_env;
  std::vector<std::string> env_names;
  for (const internal::KeyInfo& key :
       internal::ListKeys(internal::BindConfig(config), internal::KeyListing::kExisting)) {
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
    RECPLAT_RETURN_IF_ERROR(
        internal::SetPath(internal::BindConfig(config), first->second, node, source));
  }
  return absl::OkStatus();
}

absl::Status ApplySetFlags(const std::vector<std::string>& set_flags, Config& config) {
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
    RECPLAT_RETURN_IF_ERROR(internal::SetPath(internal::BindConfig(config), key, node, source));
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> ParseLayers(absl::string_view yaml_text, absl::string_view source,
                                   const std::vector<std::string>& set_flags,
                                   const std::vector<std::pair<std::string, std::string>>& env) {
  Config config;
  YAML::Node document;
  RECPLAT_RETURN_IF_ERROR(internal::ParseYamlDocument(yaml_text, source, document));
  RECPLAT_RETURN_IF_ERROR(
      internal::DecodeStruct(document, internal::BindConfig(config), "", source));
  // Derived defaults (e.g. the default models) are filled before the overrides so that
  // RECPLAT_MODELS_POPULARITY_* and --set models.popularity.* reach them, and again after.
  FillConfigDefaults(config);
  RECPLAT_RETURN_IF_ERROR(ApplyEnvironment(env, config));
  RECPLAT_RETURN_IF_ERROR(ApplySetFlags(set_flags, config));
  FillConfigDefaults(config);
  RECPLAT_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

}  // namespace

absl::StatusOr<Config> ParseConfig(absl::string_view yaml_text, absl::string_view source_name,
                                   const std::vector<std::string>& set_flags,
                                   const std::vector<std::pair<std::string, std::string>>& env) {
  const std::string source = source_name.empty() ? "profile" : std::string(source_name);
  // yaml-cpp (and allocation) may throw anywhere below; no exception leaves this module.
  try {
    return ParseLayers(yaml_text, source, set_flags, env);
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat(source, ": unexpected error reading the configuration: ", e.what()));
  } catch (...) {
    return absl::InternalError(
        absl::StrCat(source, ": unexpected error reading the configuration"));
  }
}

absl::StatusOr<Config> LoadConfig(const ConfigSources& sources) {
  if (sources.profile_path.empty()) {
    return ParseConfig("", "built-in defaults", sources.set_flags, sources.env);
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
  return ParseConfig(text, path, sources.set_flags, sources.env);
}

std::string ConfigToYaml(const Config& config) {
  // The binding takes a mutable struct; encoding only reads the copy.
  Config copy = config;
  return internal::EncodeYaml(internal::BindConfig(copy));
}

std::vector<std::pair<std::string, std::string>> CurrentEnvironment() {
  std::vector<std::pair<std::string, std::string>> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const absl::string_view text(*entry);
    const size_t equals = text.find('=');
    if (equals == absl::string_view::npos || !absl::StartsWith(text, kEnvPrefix)) {
      continue;
    }
    env.emplace_back(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  std::sort(env.begin(), env.end());
  return env;
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
