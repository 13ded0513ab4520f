#include "trainers/torch_rl/internal/torch_api.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace recplat::rl::internal {
namespace {

constexpr char kModuleName[] = "librecplat_rl_torch.so";
constexpr char kEntryPoint[] = "RecplatRlTorchApi";

absl::StatusOr<const RlTorchApi*> Load() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("RECPLAT_RL_TORCH_MODULE"); env != nullptr && *env) {
    candidates.emplace_back(env);
  }
#ifdef RECPLAT_RL_TORCH_MODULE_PATH
  candidates.emplace_back(RECPLAT_RL_TORCH_MODULE_PATH);
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
    using Entry = const RlTorchApi* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, kEntryPoint));
    const RlTorchApi* api = entry != nullptr ? entry() : nullptr;
    if (api == nullptr || api->version != kRlTorchApiVersion) {
      absl::StrAppend(&tried, " ", path, " (no ", kEntryPoint, " of version ", kRlTorchApiVersion,
                      ");");
      continue;  // The handle stays open: unloading torch is not safe.
    }
    return api;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("rl: cannot load the LibTorch module; tried:", tried,
                   " (build with RECPLAT_ENABLE_TORCH, or set RECPLAT_RL_TORCH_MODULE)"));
}

}  // namespace

absl::StatusOr<const RlTorchApi*> LoadRlTorchApi() {
  static const absl::StatusOr<const RlTorchApi*>* loaded =
      new absl::StatusOr<const RlTorchApi*>(Load());
  return *loaded;
}

}  // namespace recplat::rl::internal
