// DirectoryModelSource: the registry directory as a ModelSource (see directory_model_source.h).
#include "core/registry/directory_model_source.h"

#include <sys/stat.h>

#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/registry/internal/version_store.h"

namespace recplat::registry {
namespace {

namespace fs = std::filesystem;
using internal::VersionStore;

// "<inode>:<size>:<mtime ns>" of `path`, or "-" when it does not exist.
std::string Stamp(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return "-";
  }
  return absl::StrCat(st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec, ".",
                      st.st_mtim.tv_nsec);
}

class DirectoryModelSource final : public ModelSource {
 public:
  explicit DirectoryModelSource(fs::path root) : store_(std::move(root)) {}

  absl::StatusOr<std::vector<PublishedModel>> ListModels() const override {
    std::error_code ec;
    if (!fs::exists(store_.root(), ec)) {
      if (ec) {
        return absl::InternalError(
            absl::StrCat("cannot read ", store_.root().string(), ": ", ec.message()));
      }
      return std::vector<PublishedModel>{};
    }
    fs::directory_iterator probe(store_.root(), ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot list ", store_.root().string(), ": ", ec.message()));
    }
    std::vector<PublishedModel> out;
    for (const std::string& tenant : VersionStore::ListNames(store_.root())) {
      for (const std::string& model : VersionStore::ListNames(store_.root() / tenant)) {
        if (!store_.ListVersionNumbers(tenant, model).empty()) {
          out.push_back({tenant, model});
        }
      }
    }
    return out;
  }

  absl::StatusOr<PublishedCurrent> Current(absl::string_view tenant,
                                           absl::string_view model) const override {
    absl::StatusOr<int64_t> version = store_.ReadCurrent(tenant, model);
    if (!version.ok()) {
      return version.status();
    }
    PublishedCurrent current;
    current.version = *version;
    if (current.version != 0) {
      const fs::path dir = store_.VersionDir(tenant, model, current.version);
      current.fingerprint =
          absl::StrCat(Stamp(store_.CurrentFile(tenant, model)), "|",
                       Stamp(VersionStore::VersionFile(dir)), "|",
                       Stamp(VersionStore::ArtifactDir(dir)));
    }
    return current;
  }

  absl::StatusOr<std::vector<v1::ModelVersion>> Versions(absl::string_view tenant,
                                                         absl::string_view model) const override {
    std::vector<v1::ModelVersion> out;
    for (int64_t version : store_.ListVersionNumbers(tenant, model)) {
      absl::StatusOr<v1::ModelVersion> meta = store_.ReadVersion(tenant, model, version);
      if (meta.ok()) {
        out.push_back(*std::move(meta));
      }
    }
    return out;
  }

  absl::StatusOr<v1::ModelVersion> Version(absl::string_view tenant, absl::string_view model,
                                           int64_t version) const override {
    return store_.ReadVersion(tenant, model, version);
  }

  absl::StatusOr<LocalArtifact> Fetch(absl::string_view tenant, absl::string_view model,
                                      int64_t version) const override {
    fs::path dir = VersionStore::ArtifactDir(store_.VersionDir(tenant, model, version));
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return absl::NotFoundError(absl::StrCat(dir.string(), " does not exist"));
    }
    return LocalArtifact(std::move(dir));
  }

 private:
  const VersionStore store_;
};

}  // namespace

std::unique_ptr<ModelSource> NewDirectoryModelSource(std::filesystem::path root) {
  return std::make_unique<DirectoryModelSource>(std::move(root));
}

}  // namespace recplat::registry
