// File: s3_model_store.h
//
// The registry's store in an S3-compatible bucket (registry.store: s3): the layout of
// model_registry.h as object keys under a prefix,
//   <prefix><tenant>/<model>/<version:020>/version.json
//   <prefix><tenant>/<model>/<version:020>/artifact/<relative path of each file>
//   <prefix><tenant>/<model>/CURRENT
// read by a ModelSource (what the registry follows) and written by a ModelPublisher (what the
// registry's write side announces). Every process keeps its local registry root as its working
// copy; the bucket is what they share.
//
// Source: ListModels lists every key under the prefix (one flat listing: some stores, s3rver
// among them, report common prefixes only one level above the objects) and keeps the
// (tenant, model)s with a version.json; Versions lists the version prefixes of one model
// (delimiter "/", version.json sits right under each); Current GETs CURRENT and HEADs the version's version.json,
// whose ETag is the fingerprint (version.json is rewritten on every status change; artifacts are
// immutable once published); Fetch downloads the artifact into a fresh directory under
// `cache_dir`, removed when the LocalArtifact is released. Costs per model and poll: one GET and
// one HEAD.
//
// Thread-safety: both are thread-safe (the S3 client is).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/common/s3/s3_client.h"
#include "core/registry/model_publisher.h"
#include "core/registry/model_source.h"

namespace recplat::registry {

struct S3ModelStoreOptions {
  std::shared_ptr<const s3::S3Client> client;
  // Key prefix, "" or ending in '/' (added when missing).
  std::string prefix;
  // Where Fetch downloads artifacts (created when missing).
  std::filesystem::path cache_dir;
};

std::unique_ptr<ModelSource> NewS3ModelSource(S3ModelStoreOptions options);
std::unique_ptr<ModelPublisher> NewS3ModelPublisher(S3ModelStoreOptions options);

}  // namespace recplat::registry
