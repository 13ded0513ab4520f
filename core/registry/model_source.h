// File: model_source.h
//
// ModelSource: where the model registry learns which versions are published and which one
// serves, per (tenant, model). It is the Source half of TF Serving's Source -> Manager split:
// the source only reports what is available (and hands out artifacts); the manager, here
// ModelRegistry, decides what to load, loads it outside every lock and swaps its serving
// snapshot atomically (see model_registry.h, "Following the source").
//
// A source is read-only: it never repairs or rewrites what it reads, because other processes
// (a `recplat train` run, other replicas) may be writing the same store. Versions are published
// by the registry's write side (BeginVersion / CommitVersion / Promote), which writes the
// artifact, then version.json, then the CURRENT pointer, so that a reader that sees CURRENT
// name a version also sees its committed artifact.
//
// Implementations:
//   - DirectoryModelSource (directory_model_source.h): the registry directory on a local or
//     shared filesystem, the layout of model_registry.h.
//   - An S3 object-store source (not built yet) replaces it behind the same five calls, over the
//     same layout as object keys under a bucket prefix: ListModels lists the prefixes
//     "<tenant>/<model>/" (LIST with delimiter "/"); Current GETs "<tenant>/<model>/CURRENT" and
//     uses its ETag (plus the ETag of the version's version.json) as the fingerprint, so a
//     republished pointer or version changes it; Versions / Version GET the version.json
//     objects; Fetch downloads "<...>/<version>/artifact/" into a local cache directory and
//     returns a LocalArtifact whose release removes it once loaded. Polling it costs one or
//     two small GETs per model and poll. The write side then needs the matching publisher (upload
//     the artifact and version.json, then CURRENT); until it exists, the registry writes to its
//     local root only, and a source other than the directory of that root is for serving
//     replicas that never train.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "recplat/v1/models.pb.h"

namespace recplat::registry {

// One (tenant, model) with at least one version published.
struct PublishedModel {
  std::string tenant;
  std::string model;

  friend bool operator==(const PublishedModel&, const PublishedModel&) = default;
};

// What the source names as the current version of one (tenant, model).
struct PublishedCurrent {
  // The version named current; 0 when none is.
  int64_t version = 0;
  // Opaque. Changes whenever the pointer is rewritten or the named version's published content
  // (metadata, artifact) changes; equal fingerprints mean nothing was republished. Empty when
  // `version` is 0.
  std::string fingerprint;
};

// A version's artifact as a local directory that ModelFamily::Load can read. Valid while this
// object lives; its destructor runs the source's release (e.g. deleting a download cache).
// Move-only.
class LocalArtifact {
 public:
  explicit LocalArtifact(std::filesystem::path dir, std::function<void()> release = nullptr)
      : dir_(std::move(dir)), release_(std::move(release)) {}
  ~LocalArtifact() {
    if (release_) release_();
  }
  LocalArtifact(LocalArtifact&& other) noexcept
      : dir_(std::move(other.dir_)), release_(std::exchange(other.release_, nullptr)) {}
  LocalArtifact& operator=(LocalArtifact&&) = delete;
  LocalArtifact(const LocalArtifact&) = delete;
  LocalArtifact& operator=(const LocalArtifact&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::function<void()> release_;
};

class ModelSource {
 public:
  virtual ~ModelSource() = default;

  // Every (tenant, model) with at least one version, sorted by tenant then model. Names that
  // are not valid tenant or model names are left out. UNAVAILABLE or INTERNAL when the store
  // cannot be listed.
  virtual absl::StatusOr<std::vector<PublishedModel>> ListModels() const = 0;

  // The version named current for (tenant, model); {0, ""} when none is. DATA_LOSS when the
  // pointer exists but does not name a version; UNAVAILABLE or INTERNAL when it cannot be read.
  // REQUIRES: tenant and model are valid names.
  virtual absl::StatusOr<PublishedCurrent> Current(absl::string_view tenant,
                                                   absl::string_view model) const = 0;

  // The metadata of every version of (tenant, model) that reads, ascending by version (those
  // whose metadata is missing or does not parse are left out); empty when none.
  // REQUIRES: tenant and model are valid names.
  virtual absl::StatusOr<std::vector<v1::ModelVersion>> Versions(absl::string_view tenant,
                                                                 absl::string_view model) const = 0;

  // The metadata of one version. NOT_FOUND when it does not exist, DATA_LOSS when it does not
  // parse. REQUIRES: tenant and model are valid names.
  virtual absl::StatusOr<v1::ModelVersion> Version(absl::string_view tenant,
                                                   absl::string_view model,
                                                   int64_t version) const = 0;

  // The artifact of one version as a local directory. NOT_FOUND when the version has none.
  // REQUIRES: tenant and model are valid names.
  virtual absl::StatusOr<LocalArtifact> Fetch(absl::string_view tenant, absl::string_view model,
                                              int64_t version) const = 0;
};

}  // namespace recplat::registry
