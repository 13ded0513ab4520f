// File: config_loader.h
//
// Reads the typed Config (config.h) from its layered sources, in this order, each overriding
// the previous one:
//   1. built-in defaults (the struct initialisers in config.h, and the defaults of each
//      registered frontend's section),
//   2. the profile YAML file,
//   3. the environment aliases of the selected frontends (e.g. RENEWAL_TOKEN), then RECPLAT_*
//      environment variables,
//   4. --set key=value flags,
// then fills the derived defaults (FillConfigDefaults) and validates (ValidateConfig, then the
// selected frontends against the registry).
//
// Frontend sections (frontend_registry.h) are read like core keys: `renewal.token` in YAML,
// RECPLAT_RENEWAL_TOKEN, --set renewal.token=...
//
// Unknown keys and bad values are errors that name the source (file path, `environment
// RECPLAT_X` or `--set key`), the full dotted key and the problem, e.g.
//   config/x.yaml: key 'surfaces.home.retreival': unknown key; did you mean 'retrieval'?
// All errors are INVALID_ARGUMENT except a missing (NOT_FOUND) or unreadable
// (FAILED_PRECONDITION) profile file. Nothing here throws; yaml-cpp's exceptions are caught
// inside. docs/configuration.md lists every key.
//
// This is not a live configuration service: it is meant to run once at start-up. All functions
// are thread-compatible; CurrentEnvironment() must not race with setenv().
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/config/config.h"
#include "core/config/frontend_registry.h"

namespace recplat::config {

struct ConfigSources {
  // Profile YAML file; empty: built-in defaults only.
  std::string profile_path;
  // "key=value" from --set, applied last, in order. The value is read as a YAML scalar or flow
  // node: `surfaces.default.retrieval=[a, b]`, `models.foo.family=popularity`.
  std::vector<std::string> set_flags;
  // The process environment as (name, value); only names starting with RECPLAT_, and the
  // aliases of the selected frontends, are read.
  std::vector<std::pair<std::string, std::string>> env;
  // The frontends that may be selected and whose sections are read; null: only `native`.
  // Not owned; must outlive the call.
  const FrontendRegistry* frontends = nullptr;
};

// Reads `sources.profile_path` (when set) and calls ParseConfig with it.
// Errors: NOT_FOUND when the file does not exist, FAILED_PRECONDITION when it cannot be read
// (both name the path); otherwise as ParseConfig.
absl::StatusOr<Config> LoadConfig(const ConfigSources& sources);

// Layers `yaml_text` (the profile; may be empty), `env` and `set_flags` over the defaults, fills
// derived defaults and validates. `source_name` names the YAML in messages (usually its path).
//
// Environment: RECPLAT_<KEY> sets the key whose dotted path, upper-cased with '.' replaced by
// '_', is <KEY> (RECPLAT_API_MAX_BATCH → api.max_batch). Keys are those existing after the
// defaults and the profile, including map entries (RECPLAT_MODELS_POPULARITY_TRAIN_EVERY_EVENTS).
// RECPLAT_DATASETS, RECPLAT_BINARY_DIR, RECPLAT_SOURCE_DIR and RECPLAT_PROFILE are not config
// and are ignored; any other RECPLAT_* name matching no key is an error. Values are read like
// --set values.
//
// Errors: INVALID_ARGUMENT naming the source, the key and the problem.
//
// `frontends` (the 5-argument form) lists the frontends `frontends:` may select and whose
// sections exist; the 4-argument form knows only `native`. A selected frontend that mounts on
// the HTTP listener, other than `native`, needs http.enabled unless the role is `core`.
absl::StatusOr<Config> ParseConfig(absl::string_view yaml_text, absl::string_view source_name,
                                   const std::vector<std::string>& set_flags,
                                   const std::vector<std::pair<std::string, std::string>>& env);
absl::StatusOr<Config> ParseConfig(absl::string_view yaml_text, absl::string_view source_name,
                                   const std::vector<std::string>& set_flags,
                                   const std::vector<std::pair<std::string, std::string>>& env,
                                   const FrontendRegistry& frontends);

// The built-in defaults with the default section of every frontend of `frontends` that has
// one (no derived defaults, no validation).
Config DefaultConfig(const FrontendRegistry& frontends);

// The YAML of every key of `config`, frontend sections included; secret values print as
// <redacted>. For a valid config whose sections hold no secret, ParseConfig of it (with no env
// or flags, with the same registry) yields a config equal to FillConfigDefaults(config).
std::string ConfigToYaml(const Config& config);

// A --set flag that sets `key` to exactly `text` (quoted as a YAML single-quoted scalar, so
// that `: `, `#`, brackets or quotes in it are not read as YAML), e.g. for values taken from
// other command-line flags.
std::string SetFlagLiteral(absl::string_view key, absl::string_view text);

// The RECPLAT_* variables of this process's environment, and the aliases of the frontends of
// `frontends` (when given), as (name, value), sorted by name. Only those names are returned:
// nothing else is config, and copying the rest would only spread secrets around.
std::vector<std::pair<std::string, std::string>> CurrentEnvironment(
    const FrontendRegistry* frontends = nullptr);

// Fills what the defaults of config.h leave to be derived:
//   - no models → popularity (train every 1000 events / 60 s), recent, item_knn (every 5000
//     events / 300 s); model `random` is added when absent; an empty family becomes the
//     model's own name;
//   - no surfaces → surface `default` with retrieval [item_knn, popularity], scoring [],
//     similar [item_knn];
//   - `random` is appended to every retrieval cascade that lacks it.
// Idempotent.
void FillConfigDefaults(Config& config);

// OK when every field is within its documented range, every model named in a surface cascade
// is configured, `frontends` names no frontend twice, role `frontend` has a `core.address`,
// and every frontend section's own Validate() passes; otherwise INVALID_ARGUMENT
// "config: key '<key>': <problem>" (for a section: "config: section '<name>': <problem>").
// Model families are not checked (the family registry lives in core/models). Expects a config
// after FillConfigDefaults; an empty `family` is accepted (it means the model's name).
absl::Status ValidateConfig(const Config& config);

// "all" → kAll, "core" → kCore, "frontend" → kFrontend; INVALID_ARGUMENT otherwise.
absl::StatusOr<Role> ParseRole(absl::string_view name);
// The name ParseRole reads, e.g. "frontend".
absl::string_view RoleName(Role role);

// "always" → kAlways, "none" → kNone; INVALID_ARGUMENT otherwise.
absl::StatusOr<SyncPolicy> ParseSyncPolicy(absl::string_view name);
// The name ParseSyncPolicy reads, e.g. "always".
absl::string_view SyncPolicyName(SyncPolicy policy);

}  // namespace recplat::config
