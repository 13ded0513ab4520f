#include "trainers/torch_ncf/internal/torch_api.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace recplat::ncf::internal {
namespace {

constexpr char kModuleName[] = "librecplat_ncf_torch.so";
constexpr char kEntryPoint[] = "RecplatNcfTorchApi";

absl::StatusOr<const NcfTorchApi*> Load() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("RECPLAT_NCF_TORCH_MODULE"); env != nullptr && *env) {
    candidates.emplace_back(env);
  }
#ifdef RECPLAT_NCF_TORCH_MODULE_PATH
  candidates.emplace_back(RECPLAT_NCF_TORCH_MODULE_PATH);
#endif
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back((exe.parent_path() / kModuleName).string());
  candidates.emplace_back(kModuleName);
  std::string tried;
  for (const std::string& path : candidates) {
    if (path.find('/') != std::string::npos && !std::filesystem::exists(path, ec)) {
      absl::StrAppend(&tried, " ", path, " (missing);");
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      absl::StrAppend(&tried, " ", path, " (", dlerror(), ");");
      continue;
    }
    using Entry = const NcfTorchApi* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, kEntryPoint));
    const NcfTorchApi* api = entry != nullptr ? entry() : nullptr;
    if (api == nullptr || api->version != kNcfTorchApiVersion) {
      absl::StrAppend(&tried, " ", path, " (no ", kEntryPoint, " of version ", kNcfTorchApiVersion,
                      ");");
      continue;  // The handle stays open: unloading torch is not safe.
    }
    return api;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("ncf: cannot load the LibTorch trainer module; tried:", tried,
                   " (build with RECPLAT_ENABLE_TORCH, or set RECPLAT_NCF_TORCH_MODULE)"));
}

}  // namespace

absl::StatusOr<const NcfTorchApi*> LoadNcfTorchApi() {
  static const absl::StatusOr<const NcfTorchApi*>* loaded =
      new absl::StatusOr<const NcfTorchApi*>(Load());
  return *loaded;
}

absl::StatusOr<NcfTrainStats> TrainNcf(const NcfParams& params, const NcfTrainData& data,
                                       NcfWeights* weights) {
  absl::StatusOr<const NcfTorchApi*> api = LoadNcfTorchApi();
  if (!api.ok()) return api.status();
  return (*api)->train(params, data, weights);
}

}  // namespace recplat::ncf::internal
