// File: config_loader.h
//
// Reads the typed Config (config.h) from its layered sources, in this order, each overriding
// the previous one:
//   1. built-in defaults (the struct initialisers in config.h),
//   2. the profile YAML file,
//   3. RECPLAT_* environment variables,
//   4. --set key=value flags,
// then fills the derived defaults (FillConfigDefaults) and validates (ValidateConfig).
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

namespace recplat::config {

struct ConfigSources {
  // Profile YAML file; empty: built-in defaults only.
  std::string profile_path;
  // "key=value" from --set, applied last, in order. The value is read as a YAML scalar or flow
  // node: `surfaces.default.retrieval=[a, b]`, `models.foo.family=popularity`.
  std::vector<std::string> set_flags;
  // The process environment as (name, value); only names starting with RECPLAT_ are read.
  std::vector<std::pair<std::string, std::string>> env;
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
absl::StatusOr<Config> ParseConfig(absl::string_view yaml_text, absl::string_view source_name,
                                   const std::vector<std::string>& set_flags,
                                   const std::vector<std::pair<std::string, std::string>>& env);

// The YAML of every key of `config`. For a valid config, ParseConfig of it (with no env or
// flags) yields a config equal to FillConfigDefaults(config).
std::string ConfigToYaml(const Config& config);

// The RECPLAT_* variables of this process's environment, as (name, value), sorted by name.
// Only those names are returned: nothing else is config, and copying the rest would only
// spread secrets around.
std::vector<std::pair<std::string, std::string>> CurrentEnvironment();

// Fills what the defaults of config.h leave to be derived:
//   - no models → popularity (train every 1000 events / 60 s), recent, item_knn (every 5000
//     events / 300 s); model `random` is added when absent; an empty family becomes the
//     model's own name;
//   - no surfaces → surface `default` with retrieval [item_knn, popularity], scoring [],
//     similar [item_knn];
//   - `random` is appended to every retrieval cascade that lacks it.
// Idempotent.
void FillConfigDefaults(Config& config);

// OK when every field is within its documented range and every model named in a surface
// cascade is configured; otherwise INVALID_ARGUMENT "config: key '<key>': <problem>".
// Model families are not checked (the family registry lives in core/models). Expects a config
// after FillConfigDefaults; an empty `family` is accepted (it means the model's name).
absl::Status ValidateConfig(const Config& config);

// "always" → kAlways, "none" → kNone; INVALID_ARGUMENT otherwise.
absl::StatusOr<SyncPolicy> ParseSyncPolicy(absl::string_view name);
// The name ParseSyncPolicy reads, e.g. "always".
absl::string_view SyncPolicyName(SyncPolicy policy);

}  // namespace recplat::config
