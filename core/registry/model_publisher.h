// File: model_publisher.h
//
// ModelPublisher: where the registry's write side announces what it writes locally, so that
// other processes following a shared store (model_source.h) see it. The registry calls it after
// each local write of the same thing, in the order that keeps readers safe: a version's artifact
// and metadata (PublishVersion) before any pointer names it, a promoted version's metadata
// before its CURRENT pointer (PublishCurrent is the commit point for the followers).
//
// Implementations: S3ModelPublisher (s3_model_store.h). Without one, the registry's root is the
// store (the directory source reads it directly).
//
// Thread-safety: implementations must be safe to call from any thread; the registry serialises
// calls for one (tenant, model).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "recplat/v1/models.pb.h"

namespace recplat::registry {

class ModelPublisher {
 public:
  virtual ~ModelPublisher() = default;

  // Uploads the files under `artifact_dir` (recursively), then the version's metadata.
  virtual absl::Status PublishVersion(const v1::ModelVersion& meta,
                                      const std::filesystem::path& artifact_dir) const = 0;
  // Replaces the metadata of a version already published (status changes).
  virtual absl::Status PublishMetadata(const v1::ModelVersion& meta) const = 0;
  // Points (tenant, model)'s CURRENT at `version`.
  virtual absl::Status PublishCurrent(absl::string_view tenant, absl::string_view model,
                                      int64_t version) const = 0;
  // The highest version number published for (tenant, model), 0 when none: new versions are
  // numbered above it so that processes sharing the store do not reuse numbers.
  virtual absl::StatusOr<int64_t> HighestVersion(absl::string_view tenant,
                                                 absl::string_view model) const = 0;
  // Deletes the published versions of (tenant, model) older than its newest `keep` (keep >= 1),
  // except the one its CURRENT names, those in `spare` and versions still being made (begun, not
  // committed: PENDING without training statistics) younger than kPendingGraceMs (another
  // process may still be uploading them). A version's metadata goes
  // first, so that followers stop listing it before its artifact disappears. Answers how many
  // versions were deleted; the first error otherwise (later versions are still tried).
  static constexpr int64_t kPendingGraceMs = 6 * 3600 * 1000;
  virtual absl::StatusOr<int> Prune(absl::string_view tenant, absl::string_view model, int keep,
                                    const std::vector<int64_t>& spare, int64_t now_ms) const = 0;
};

}  // namespace recplat::registry
