#include "trainers/torch_gru4rec/internal/torch_api.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"

namespace recplat::gru4rec::internal {
namespace {

constexpr char kModuleName[] = "librecplat_gru4rec_torch.so";
constexpr char kEntryPoint[] = "RecplatGru4RecTorchApi";

absl::StatusOr<const TorchApi*> Load() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("RECPLAT_GRU4REC_TORCH_MODULE"); env != nullptr && *env) {
    candidates.emplace_back(env);
  }
#ifdef RECPLAT_GRU4REC_TORCH_MODULE_PATH
  candidates.emplace_back(RECPLAT_GRU4REC_TORCH_MODULE_PATH);
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
    using Entry = const TorchApi* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, kEntryPoint));
    const TorchApi* api = entry != nullptr ? entry() : nullptr;
    if (api == nullptr || api->version != kTorchApiVersion) {
      absl::StrAppend(&tried, " ", path, " (no ", kEntryPoint, " of version ", kTorchApiVersion,
                      ");");
      continue;  // The handle stays open: unloading torch is not safe.
    }
    return api;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "gru4rec: cannot load the LibTorch trainer module; tried:", tried,
      " (build with RECPLAT_ENABLE_TORCH, or set RECPLAT_GRU4REC_TORCH_MODULE)"));
}

}  // namespace

absl::StatusOr<const TorchApi*> LoadTorchApi() {
  static const absl::StatusOr<const TorchApi*>* loaded =
      new absl::StatusOr<const TorchApi*>(Load());
  return *loaded;
}

absl::StatusOr<TrainStats> TrainGru(const Gru4RecParams& params, const TrainRequest& request,
                                    GruWeights* weights, GruWeights* adagrad) {
  absl::StatusOr<const TorchApi*> api = LoadTorchApi();
  if (!api.ok()) return api.status();
  return (*api)->train(params, request, weights, adagrad);
}

absl::StatusOr<std::vector<float>> TorchScoresForTest(const GruWeights& weights,
                                                      std::span<const uint32_t> session) {
  absl::StatusOr<const TorchApi*> api = LoadTorchApi();
  if (!api.ok()) return api.status();
  return (*api)->scores(weights, session);
}

}  // namespace recplat::gru4rec::internal
