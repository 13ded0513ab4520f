#include "trainers/torch_common/module_loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace recplat::torch_common {

absl::StatusOr<const void*> LoadTorchModule(const TorchModuleSpec& spec) {
  std::vector<std::string> candidates;
  const std::string env_var(spec.env_var);
  if (const char* env = std::getenv(env_var.c_str()); env != nullptr && *env) {
    candidates.emplace_back(env);
  }
  if (!spec.build_path.empty()) candidates.emplace_back(spec.build_path);
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back((exe.parent_path() / spec.file_name).string());
  candidates.emplace_back(spec.file_name);
  const std::string symbol(spec.symbol);
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
    // Every table is standard-layout and starts with `int version` (module_loader.h).
    using Entry = const void* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, symbol.c_str()));
    const void* table = entry != nullptr ? entry() : nullptr;
    if (table == nullptr || *static_cast<const int*>(table) != spec.version) {
      absl::StrAppend(&tried, " ", path, " (no ", symbol, " of version ", spec.version, ");");
      continue;  // The handle stays open: unloading torch is not safe.
    }
    return table;
  }
  std::string message(spec.what);
  absl::StrAppend(&message, "; tried:", tried);
  absl::StrAppend(&message, " (build with RECPLAT_ENABLE_TORCH, or set ", env_var, ")");
  return absl::FailedPreconditionError(message);
}

}  // namespace recplat::torch_common
