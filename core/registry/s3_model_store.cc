// The registry's store in an S3 bucket (see s3_model_store.h).
#include "core/registry/s3_model_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <optional>
#include <sstream>
#include <tuple>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/common/status_macros.h"
#include "core/registry/internal/version_store.h"

namespace recplat::registry {
namespace {

namespace fs = std::filesystem;
using internal::ParseVersionJson;
using internal::ValidateName;
using internal::VersionJson;
using internal::VersionStore;

std::string NormalisedPrefix(std::string prefix) {
  if (!prefix.empty() && prefix.back() != '/') prefix.push_back('/');
  return prefix;
}

class S3Layout {
 public:
  explicit S3Layout(S3ModelStoreOptions options)
      : client_(std::move(options.client)),
        prefix_(NormalisedPrefix(std::move(options.prefix))),
        cache_dir_(std::move(options.cache_dir)) {}

  const s3::S3Client& client() const { return *client_; }
  const fs::path& cache_dir() const { return cache_dir_; }
  const std::string& prefix() const { return prefix_; }

  std::string ModelPrefix(absl::string_view tenant, absl::string_view model) const {
    return absl::StrCat(prefix_, tenant, "/", model, "/");
  }
  std::string VersionPrefix(absl::string_view tenant, absl::string_view model,
                            int64_t version) const {
    return absl::StrCat(ModelPrefix(tenant, model), VersionStore::VersionDirName(version), "/");
  }
  std::string VersionKey(absl::string_view tenant, absl::string_view model, int64_t version) const {
    return absl::StrCat(VersionPrefix(tenant, model, version), "version.json");
  }
  std::string ArtifactPrefix(absl::string_view tenant, absl::string_view model,
                             int64_t version) const {
    return absl::StrCat(VersionPrefix(tenant, model, version), "artifact/");
  }
  std::string CurrentKey(absl::string_view tenant, absl::string_view model) const {
    return absl::StrCat(ModelPrefix(tenant, model), "CURRENT");
  }

  // Published version numbers of (tenant, model), ascending.
  absl::StatusOr<std::vector<int64_t>> VersionNumbers(absl::string_view tenant,
                                                      absl::string_view model) const {
    std::vector<int64_t> versions;
    std::string token;
    const std::string prefix = ModelPrefix(tenant, model);
    do {
      RECPLAT_ASSIGN_OR_RETURN(s3::ListPage page,
                               client_->ListObjectsPage(prefix, token, 1000, "/"));
      for (const std::string& child : page.common_prefixes) {
        absl::string_view name = absl::StripSuffix(absl::StripPrefix(child, prefix), "/");
        if (std::optional<int64_t> v = VersionStore::ParseVersionDirName(name)) {
          versions.push_back(*v);
        }
      }
      token = page.truncated ? page.next_continuation_token : "";
    } while (!token.empty());
    std::sort(versions.begin(), versions.end());
    return versions;
  }

 private:
  std::shared_ptr<const s3::S3Client> client_;
  std::string prefix_;
  fs::path cache_dir_;
};

class S3ModelSource final : public ModelSource {
 public:
  explicit S3ModelSource(S3ModelStoreOptions options) : layout_(std::move(options)) {}

  absl::StatusOr<std::vector<PublishedModel>> ListModels() const override {
    // One flat listing rather than a delimiter walk: some S3-compatible stores (s3rver) only
    // report common prefixes one level above the objects, and the keys are needed anyway.
    RECPLAT_ASSIGN_OR_RETURN(std::vector<s3::ObjectInfo> objects,
                             layout_.client().ListAllObjects(layout_.prefix()));
    std::vector<PublishedModel> out;
    for (const s3::ObjectInfo& object : objects) {
      // <tenant>/<model>/<version:020>/version.json
      std::vector<absl::string_view> parts =
          absl::StrSplit(absl::string_view(object.key).substr(layout_.prefix().size()), '/');
      if (parts.size() != 4 || parts[3] != "version.json" ||
          !VersionStore::ParseVersionDirName(parts[2]).has_value() ||
          !ValidateName("tenant", parts[0]).ok() || !ValidateName("model", parts[1]).ok()) {
        continue;
      }
      PublishedModel model{std::string(parts[0]), std::string(parts[1])};
      if (out.empty() || !(out.back() == model)) out.push_back(std::move(model));
    }
    std::sort(out.begin(), out.end(), [](const PublishedModel& a, const PublishedModel& b) {
      return std::tie(a.tenant, a.model) < std::tie(b.tenant, b.model);
    });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  absl::StatusOr<PublishedCurrent> Current(absl::string_view tenant,
                                           absl::string_view model) const override {
    absl::StatusOr<std::string> text = layout_.client().GetObject(layout_.CurrentKey(tenant, model));
    if (absl::IsNotFound(text.status())) return PublishedCurrent{};
    if (!text.ok()) return text.status();
    PublishedCurrent current;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &current.version) ||
        current.version <= 0) {
      return absl::DataLossError(absl::StrCat(layout_.CurrentKey(tenant, model), " holds '",
                                              text->substr(0, 40), "', not a version"));
    }
    absl::StatusOr<s3::ObjectInfo> meta =
        layout_.client().HeadObject(layout_.VersionKey(tenant, model, current.version));
    current.fingerprint =
        absl::StrCat(current.version, "|", meta.ok() ? meta->etag : std::string("-"));
    return current;
  }

  absl::StatusOr<std::vector<v1::ModelVersion>> Versions(absl::string_view tenant,
                                                         absl::string_view model) const override {
    RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> numbers, layout_.VersionNumbers(tenant, model));
    std::vector<v1::ModelVersion> out;
    for (int64_t version : numbers) {
      absl::StatusOr<v1::ModelVersion> meta = Version(tenant, model, version);
      if (meta.ok()) out.push_back(*std::move(meta));
    }
    return out;
  }

  absl::StatusOr<v1::ModelVersion> Version(absl::string_view tenant, absl::string_view model,
                                           int64_t version) const override {
    const std::string key = layout_.VersionKey(tenant, model, version);
    RECPLAT_ASSIGN_OR_RETURN(std::string json, layout_.client().GetObject(key));
    absl::StatusOr<v1::ModelVersion> meta = ParseVersionJson(json);
    if (!meta.ok()) {
      return absl::DataLossError(absl::StrCat(key, ": ", meta.status().message()));
    }
    meta->set_tenant(std::string(tenant));
    meta->set_model(std::string(model));
    meta->set_version(version);
    return meta;
  }

  absl::StatusOr<LocalArtifact> Fetch(absl::string_view tenant, absl::string_view model,
                                      int64_t version) const override {
    const std::string prefix = layout_.ArtifactPrefix(tenant, model, version);
    RECPLAT_ASSIGN_OR_RETURN(std::vector<s3::ObjectInfo> objects,
                             layout_.client().ListAllObjects(prefix));
    if (objects.empty()) {
      return absl::NotFoundError(absl::StrCat("no artifact under ", prefix));
    }
    static std::atomic<uint64_t> sequence{0};
    const fs::path dir = layout_.cache_dir() /
                         absl::StrCat(tenant, ".", model, ".", version, ".", ::getpid(), ".",
                                      sequence.fetch_add(1));
    std::error_code ec;
    fs::remove_all(dir, ec);
    auto fail = [&dir](absl::Status status) {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
      return status;
    };
    for (const s3::ObjectInfo& object : objects) {
      const std::string relative = object.key.substr(prefix.size());
      const fs::path path = (dir / relative).lexically_normal();
      // Keys are data: never write outside the download directory.
      if (relative.empty() || relative.back() == '/' ||
          path.string().rfind(dir.string() + "/", 0) != 0) {
        return fail(absl::DataLossError(absl::StrCat("artifact key '", object.key,
                                                     "' does not name a file under ", prefix)));
      }
      absl::StatusOr<std::string> data = layout_.client().GetObject(object.key);
      if (!data.ok()) return fail(data.status());
      fs::create_directories(path.parent_path(), ec);
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(data->data(), static_cast<std::streamsize>(data->size()));
      out.close();
      if (ec || !out) {
        return fail(absl::InternalError(absl::StrCat("cannot write ", path.string())));
      }
    }
    return LocalArtifact(dir, [dir] {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    });
  }

 private:
  const S3Layout layout_;
};

class S3ModelPublisher final : public ModelPublisher {
 public:
  explicit S3ModelPublisher(S3ModelStoreOptions options) : layout_(std::move(options)) {}

  absl::Status PublishVersion(const v1::ModelVersion& meta,
                              const fs::path& artifact_dir) const override {
    const std::string prefix = layout_.ArtifactPrefix(meta.tenant(), meta.model(), meta.version());
    std::error_code ec;
    for (fs::recursive_directory_iterator it(artifact_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::ifstream in(it->path(), std::ios::binary);
      std::stringstream data;
      data << in.rdbuf();
      if (!in && !in.eof()) {
        return absl::InternalError(absl::StrCat("cannot read ", it->path().string()));
      }
      const std::string relative = it->path().lexically_relative(artifact_dir).generic_string();
      RECPLAT_RETURN_IF_ERROR(layout_.client().PutObject(absl::StrCat(prefix, relative),
                                                         data.str()));
    }
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot list ", artifact_dir.string(), ": ", ec.message()));
    }
    return PublishMetadata(meta);
  }

  // Deletes one version (metadata first, then the rest of its prefix); false when it is still
  // being made (PENDING without training statistics: begun, not committed) and younger than the
  // grace period.
  absl::StatusOr<bool> RemoveVersion(absl::string_view tenant, absl::string_view model,
                                     int64_t version, int64_t now_ms) const {
    const std::string key = layout_.VersionKey(tenant, model, version);
    absl::StatusOr<std::string> json = layout_.client().GetObject(key);
    if (json.ok()) {
      absl::StatusOr<v1::ModelVersion> meta = ParseVersionJson(*json);
      if (meta.ok() && meta->status() == v1::MODEL_STATUS_PENDING && !meta->has_training() &&
          now_ms - meta->created_at_ms() < kPendingGraceMs) {
        return false;
      }
      RECPLAT_RETURN_IF_ERROR(layout_.client().DeleteObject(key));
    } else if (!absl::IsNotFound(json.status())) {
      return json.status();
    }
    RECPLAT_ASSIGN_OR_RETURN(std::vector<s3::ObjectInfo> objects,
                             layout_.client().ListAllObjects(
                                 layout_.VersionPrefix(tenant, model, version)));
    for (const s3::ObjectInfo& object : objects) {
      RECPLAT_RETURN_IF_ERROR(layout_.client().DeleteObject(object.key));
    }
    return true;
  }

  absl::Status PublishMetadata(const v1::ModelVersion& meta) const override {
    RECPLAT_ASSIGN_OR_RETURN(std::string json, VersionJson(meta));
    return layout_.client().PutObject(layout_.VersionKey(meta.tenant(), meta.model(),
                                                         meta.version()),
                                      json, "application/json");
  }

  absl::Status PublishCurrent(absl::string_view tenant, absl::string_view model,
                              int64_t version) const override {
    return layout_.client().PutObject(layout_.CurrentKey(tenant, model), absl::StrCat(version),
                                      "text/plain");
  }

  absl::StatusOr<int64_t> HighestVersion(absl::string_view tenant,
                                         absl::string_view model) const override {
    RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> versions, layout_.VersionNumbers(tenant, model));
    return versions.empty() ? 0 : versions.back();
  }

  absl::StatusOr<int> Prune(absl::string_view tenant, absl::string_view model, int keep,
                            const std::vector<int64_t>& spare, int64_t now_ms) const override {
    if (keep < 1) return absl::InvalidArgumentError(absl::StrCat("keep must be >= 1, got ", keep));
    RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> versions, layout_.VersionNumbers(tenant, model));
    if (versions.size() <= static_cast<size_t>(keep)) return 0;
    // Without a readable CURRENT nothing is deleted: it might name any version.
    std::optional<int64_t> current;
    absl::StatusOr<std::string> pointer = layout_.client().GetObject(layout_.CurrentKey(tenant, model));
    if (pointer.ok()) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*pointer), &v)) {
        return absl::DataLossError(absl::StrCat(layout_.CurrentKey(tenant, model), " holds '",
                                                *pointer, "'"));
      }
      current = v;
    } else if (!absl::IsNotFound(pointer.status())) {
      return pointer.status();
    }
    absl::Status first;
    int deleted = 0;
    versions.resize(versions.size() - static_cast<size_t>(keep));
    for (int64_t v : versions) {
      if (v == current || std::find(spare.begin(), spare.end(), v) != spare.end()) continue;
      absl::StatusOr<bool> removed = RemoveVersion(tenant, model, v, now_ms);
      if (!removed.ok()) {
        first.Update(removed.status());
      } else if (*removed) {
        ++deleted;
      }
    }
    if (!first.ok()) return first;
    return deleted;
  }

 private:
  const S3Layout layout_;
};

}  // namespace

std::unique_ptr<ModelSource> NewS3ModelSource(S3ModelStoreOptions options) {
  return std::make_unique<S3ModelSource>(std::move(options));
}

std::unique_ptr<ModelPublisher> NewS3ModelPublisher(S3ModelStoreOptions options) {
  return std::make_unique<S3ModelPublisher>(std::move(options));
}

}  // namespace recplat::registry
