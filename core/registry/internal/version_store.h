// File: version_store.h
//
// VersionStore: the on-disk half of the model registry, i.e. the layout described in
// core/registry/model_registry.h:
//   <root>/<tenant>/<model>/<version:020>/version.json   ModelVersion as JSON
//   <root>/<tenant>/<model>/<version:020>/artifact/      the model's artifact
//   <root>/<tenant>/<model>/CURRENT                      the current version number
// Every metadata write is atomic and durable (file_util.h). A version is deleted by renaming
// its directory to "<version:020>.deleting" first, so a crash never leaves a version whose
// metadata outlives its artifact; such leftovers are not versions and are swept on open.
//
// It knows nothing of statuses' meaning, serving or families: ModelRegistry decides what to
// write. Not part of the registry's public interface.
//
// Thread-safety: methods are const and touch only the filesystem; callers serialise writes to
// one (tenant, model).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "recplat/v1/models.pb.h"

namespace recplat::registry::internal {

// OK when `name` can name a tenant or model directory: [A-Za-z0-9_.-]{1,64}, and neither "."
// nor "..". INVALID_ARGUMENT naming `what` (e.g. "tenant") otherwise.
absl::Status ValidateName(absl::string_view what, absl::string_view name);

// version.json's text and back (field names as in the proto, unknown fields ignored on read).
// DATA_LOSS when `json` does not parse.
absl::StatusOr<v1::ModelVersion> ParseVersionJson(absl::string_view json);
absl::StatusOr<std::string> VersionJson(const v1::ModelVersion& meta);

class VersionStore {
 public:
  explicit VersionStore(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }

  // REQUIRES for all methods taking names: ValidateName passed for `tenant` and `model`.
  std::filesystem::path ModelDir(absl::string_view tenant, absl::string_view model) const;
  std::filesystem::path VersionDir(absl::string_view tenant, absl::string_view model,
                                   int64_t version) const;
  static std::filesystem::path ArtifactDir(const std::filesystem::path& version_dir);
  static std::filesystem::path VersionFile(const std::filesystem::path& version_dir);
  std::filesystem::path CurrentFile(absl::string_view tenant, absl::string_view model) const;

  // "<version:020>", and its inverse (nullopt for anything else, including versions <= 0).
  static std::string VersionDirName(int64_t version);
  static std::optional<int64_t> ParseVersionDirName(absl::string_view name);

  // Sorted names of the subdirectories of `dir` that pass ValidateName; empty when `dir` does
  // not exist.
  static std::vector<std::string> ListNames(const std::filesystem::path& dir);

  // Numbers of the version directories of (tenant, model), ascending; empty when none.
  std::vector<int64_t> ListVersionNumbers(absl::string_view tenant, absl::string_view model) const;

  // Reads version.json. tenant, model and version are taken from the path, whatever the file
  // says. NOT_FOUND when the version directory or its version.json is missing, DATA_LOSS when
  // the file does not parse.
  absl::StatusOr<v1::ModelVersion> ReadVersion(absl::string_view tenant, absl::string_view model,
                                               int64_t version) const;

  // Replaces version.json of (meta.tenant, meta.model, meta.version) atomically.
  // REQUIRES: the version directory exists.
  absl::Status WriteVersion(const v1::ModelVersion& meta) const;

  // The version named by CURRENT; 0 when there is no CURRENT file, DATA_LOSS when it does not
  // hold a positive number.
  absl::StatusOr<int64_t> ReadCurrent(absl::string_view tenant, absl::string_view model) const;
  // Replaces CURRENT atomically (creating the model directory if needed).
  absl::Status WriteCurrent(absl::string_view tenant, absl::string_view model,
                            int64_t version) const;
  // Removes CURRENT durably (OK when absent).
  absl::Status RemoveCurrent(absl::string_view tenant, absl::string_view model) const;

  // Creates the version directory (and its parents). ALREADY_EXISTS when it exists.
  absl::Status CreateVersionDir(absl::string_view tenant, absl::string_view model,
                                int64_t version) const;

  // Deletes a version directory and everything in it (OK when absent).
  absl::Status RemoveVersion(absl::string_view tenant, absl::string_view model,
                             int64_t version) const;

  // Removes what interrupted writes and deletions left in the model directory (temporaries of
  // atomic writes, "*.deleting" directories). Best effort; returns the first error.
  absl::Status SweepLeftovers(absl::string_view tenant, absl::string_view model) const;

 private:
  std::filesystem::path root_;
};

}  // namespace recplat::registry::internal
