#include "core/registry/internal/version_store.h"

#include <algorithm>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/registry/internal/file_util.h"
#include "google/protobuf/util/json_util.h"

namespace recplat::registry::internal {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kVersionFile = "version.json";
constexpr absl::string_view kCurrentFile = "CURRENT";
constexpr absl::string_view kArtifactDir = "artifact";
constexpr absl::string_view kDeletingSuffix = ".deleting";
constexpr size_t kVersionDigits = 20;
constexpr size_t kMaxNameLength = 64;

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

}  // namespace

absl::Status ValidateName(absl::string_view what, absl::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxNameLength && name != "." && name != ".." &&
            std::all_of(name.begin(), name.end(), IsNameChar);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ", what, " name '", name.substr(0, 2 * kMaxNameLength),
        "': expected 1 to 64 characters among [A-Za-z0-9_.-], other than '.' and '..'"));
  }
  return absl::OkStatus();
}

fs::path VersionStore::ModelDir(absl::string_view tenant, absl::string_view model) const {
  return root_ / std::string(tenant) / std::string(model);
}

fs::path VersionStore::VersionDir(absl::string_view tenant, absl::string_view model,
                                  int64_t version) const {
  return ModelDir(tenant, model) / VersionDirName(version);
}

fs::path VersionStore::ArtifactDir(const fs::path& version_dir) {
  return version_dir / std::string(kArtifactDir);
}

fs::path VersionStore::VersionFile(const fs::path& version_dir) {
  return version_dir / std::string(kVersionFile);
}

fs::path VersionStore::CurrentFile(absl::string_view tenant, absl::string_view model) const {
  return ModelDir(tenant, model) / std::string(kCurrentFile);
}

std::string VersionStore::VersionDirName(int64_t version) {
  return absl::StrFormat("%020d", version);
}

std::optional<int64_t> VersionStore::ParseVersionDirName(absl::string_view name) {
  if (name.size() != kVersionDigits || !std::all_of(name.begin(), name.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    return std::nullopt;
  }
  int64_t version = 0;
  if (!absl::SimpleAtoi(name, &version) || version <= 0) {
    return std::nullopt;
  }
  return version;
}

std::vector<std::string> VersionStore::ListNames(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_directory(type_ec)) {
      continue;
    }
    std::string name = it->path().filename().string();
    if (ValidateName("", name).ok()) {
      names.push_back(std::move(name));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<int64_t> VersionStore::ListVersionNumbers(absl::string_view tenant,
                                                      absl::string_view model) const {
  std::vector<int64_t> versions;
  for (const std::string& name : ListNames(ModelDir(tenant, model))) {
    if (std::optional<int64_t> v = ParseVersionDirName(name)) {
      versions.push_back(*v);
    }
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

absl::StatusOr<v1::ModelVersion> VersionStore::ReadVersion(absl::string_view tenant,
                                                           absl::string_view model,
                                                           int64_t version) const {
  fs::path path = VersionDir(tenant, model, version) / std::string(kVersionFile);
  absl::StatusOr<std::string> json = ReadFileToString(path);
  if (!json.ok()) {
    return json.status();
  }
  absl::StatusOr<v1::ModelVersion> parsed = ParseVersionJson(*json);
  if (!parsed.ok()) {
    return absl::DataLossError(absl::StrCat(path.string(), ": ", parsed.status().message()));
  }
  v1::ModelVersion meta = *std::move(parsed);
  meta.set_tenant(std::string(tenant));
  meta.set_model(std::string(model));
  meta.set_version(version);
  return meta;
}

absl::StatusOr<v1::ModelVersion> ParseVersionJson(absl::string_view json) {
  v1::ModelVersion meta;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto parsed = google::protobuf::util::JsonStringToMessage(std::string(json), &meta, options);
  if (!parsed.ok()) {
    return absl::DataLossError(absl::StrCat("version.json does not parse: ", parsed.ToString()));
  }
  return meta;
}

absl::StatusOr<std::string> VersionJson(const v1::ModelVersion& meta) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  auto printed = google::protobuf::util::MessageToJsonString(meta, &json, options);
  if (!printed.ok()) {
    return absl::InternalError(absl::StrCat("cannot encode version ", meta.version(), " of ",
                                            meta.tenant(), "/", meta.model(), ": ",
                                            printed.ToString()));
  }
  return json;
}

absl::Status VersionStore::WriteVersion(const v1::ModelVersion& meta) const {
  absl::StatusOr<std::string> json = VersionJson(meta);
  if (!json.ok()) return json.status();
  return WriteFileAtomically(
      VersionDir(meta.tenant(), meta.model(), meta.version()) / std::string(kVersionFile), *json);
}

absl::StatusOr<int64_t> VersionStore::ReadCurrent(absl::string_view tenant,
                                                  absl::string_view model) const {
  fs::path path = ModelDir(tenant, model) / std::string(kCurrentFile);
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (absl::IsNotFound(text.status())) {
    return 0;
  }
  if (!text.ok()) {
    return text.status();
  }
  int64_t version = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &version) || version <= 0) {
    return absl::DataLossError(
        absl::StrCat(path.string(), " does not hold a version number: '", *text, "'"));
  }
  return version;
}

absl::Status VersionStore::WriteCurrent(absl::string_view tenant, absl::string_view model,
                                        int64_t version) const {
  fs::path dir = ModelDir(tenant, model);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("create ", dir.string(), ": ", ec.message()));
  }
  return WriteFileAtomically(dir / std::string(kCurrentFile), absl::StrCat(version, "\n"));
}

absl::Status VersionStore::RemoveCurrent(absl::string_view tenant, absl::string_view model) const {
  return RemoveFileDurably(ModelDir(tenant, model) / std::string(kCurrentFile));
}

absl::Status VersionStore::CreateVersionDir(absl::string_view tenant, absl::string_view model,
                                            int64_t version) const {
  fs::path model_dir = ModelDir(tenant, model);
  fs::path dir = model_dir / VersionDirName(version);
  std::error_code ec;
  fs::create_directories(model_dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("create ", model_dir.string(), ": ", ec.message()));
  }
  if (!fs::create_directory(dir, ec)) {
    if (ec) {
      return absl::InternalError(absl::StrCat("create ", dir.string(), ": ", ec.message()));
    }
    return absl::AlreadyExistsError(absl::StrCat(dir.string(), " already exists"));
  }
  // The tenant and model directories may be new too: make the whole chain durable.
  for (const fs::path& p : {model_dir, model_dir.parent_path(), root_}) {
    absl::Status s = SyncDir(p);
    if (!s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status VersionStore::RemoveVersion(absl::string_view tenant, absl::string_view model,
                                         int64_t version) const {
  fs::path dir = VersionDir(tenant, model, version);
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return absl::OkStatus();
  }
  fs::path doomed = dir;
  doomed += std::string(kDeletingSuffix);
  absl::Status s = RenameDurably(dir, doomed);
  if (!s.ok()) {
    return s;
  }
  fs::remove_all(doomed, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("remove ", doomed.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status VersionStore::SweepLeftovers(absl::string_view tenant, absl::string_view model) const {
  fs::path model_dir = ModelDir(tenant, model);
  std::vector<fs::path> files = {model_dir / absl::StrCat(kCurrentFile, kTempSuffix)};
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (fs::directory_iterator it(model_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (absl::EndsWith(name, kDeletingSuffix)) {
      dirs.push_back(it->path());
    } else if (ParseVersionDirName(name).has_value()) {
      files.push_back(it->path() / absl::StrCat(kVersionFile, kTempSuffix));
    }
  }
  absl::Status first;
  if (ec) {
    first = absl::InternalError(absl::StrCat("list ", model_dir.string(), ": ", ec.message()));
  }
  for (const fs::path& p : files) {
    fs::remove(p, ec);
    if (ec && first.ok()) {
      first = absl::InternalError(absl::StrCat("remove ", p.string(), ": ", ec.message()));
    }
  }
  for (const fs::path& p : dirs) {
    fs::remove_all(p, ec);
    if (ec && first.ok()) {
      first = absl::InternalError(absl::StrCat("remove ", p.string(), ": ", ec.message()));
    }
  }
  return first;
}

}  // namespace recplat::registry::internal
