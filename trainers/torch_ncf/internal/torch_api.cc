#include "trainers/torch_ncf/internal/torch_api.h"

#include "trainers/torch_common/module_loader.h"

namespace recplat::ncf::internal {
namespace {

// Where the build put the module (CMakeLists.txt); empty leaves the rest of the search.
#ifdef RECPLAT_NCF_TORCH_MODULE_PATH
constexpr char kBuildPath[] = RECPLAT_NCF_TORCH_MODULE_PATH;
#else
constexpr char kBuildPath[] = "";
#endif

}  // namespace

absl::StatusOr<const NcfTorchApi*> LoadNcfTorchApi() {
  static const absl::StatusOr<const NcfTorchApi*>* loaded = new absl::StatusOr<const NcfTorchApi*>(
      torch_common::LoadTorchModuleTable<NcfTorchApi>({
          .what = "ncf: cannot load the LibTorch trainer module",
          .env_var = "RECPLAT_NCF_TORCH_MODULE",
          .build_path = kBuildPath,
          .file_name = "librecplat_ncf_torch.so",
          .symbol = "RecplatNcfTorchApi",
          .version = kNcfTorchApiVersion,
      }));
  return *loaded;
}

absl::StatusOr<NcfTrainStats> TrainNcf(const NcfParams& params, const NcfTrainData& data,
                                       NcfWeights* weights) {
  absl::StatusOr<const NcfTorchApi*> api = LoadNcfTorchApi();
  if (!api.ok()) return api.status();
  return (*api)->train(params, data, weights);
}

}  // namespace recplat::ncf::internal
