#include "trainers/torch_rl/internal/torch_api.h"

#include "trainers/torch_common/module_loader.h"

namespace recplat::rl::internal {
namespace {

// Where the build put the module (CMakeLists.txt); empty leaves the rest of the search.
#ifdef RECPLAT_RL_TORCH_MODULE_PATH
constexpr char kBuildPath[] = RECPLAT_RL_TORCH_MODULE_PATH;
#else
constexpr char kBuildPath[] = "";
#endif

}  // namespace

absl::StatusOr<const RlTorchApi*> LoadRlTorchApi() {
  static const absl::StatusOr<const RlTorchApi*>* loaded = new absl::StatusOr<const RlTorchApi*>(
      torch_common::LoadTorchModuleTable<RlTorchApi>({
          .what = "rl: cannot load the LibTorch module",
          .env_var = "RECPLAT_RL_TORCH_MODULE",
          .build_path = kBuildPath,
          .file_name = "librecplat_rl_torch.so",
          .symbol = "RecplatRlTorchApi",
          .version = kRlTorchApiVersion,
      }));
  return *loaded;
}

}  // namespace recplat::rl::internal
