#include "trainers/torch_simplex/internal/torch_api.h"

#include "trainers/torch_common/module_loader.h"

namespace recplat::simplex::internal {
namespace {

// Where the build put the module (CMakeLists.txt); empty leaves the rest of the search.
#ifdef RECPLAT_SIMPLEX_TORCH_MODULE_PATH
constexpr char kBuildPath[] = RECPLAT_SIMPLEX_TORCH_MODULE_PATH;
#else
constexpr char kBuildPath[] = "";
#endif

}  // namespace

absl::StatusOr<const SimplexTorchApi*> LoadSimplexTorchApi() {
  static const absl::StatusOr<const SimplexTorchApi*>* loaded =
      new absl::StatusOr<const SimplexTorchApi*>(
          torch_common::LoadTorchModuleTable<SimplexTorchApi>({
              .what = "simplex: cannot load the LibTorch trainer module",
              .env_var = "RECPLAT_SIMPLEX_TORCH_MODULE",
              .build_path = kBuildPath,
              .file_name = "librecplat_simplex_torch.so",
              .symbol = "RecplatSimplexTorchApi",
              .version = kSimplexTorchApiVersion,
          }));
  return *loaded;
}

absl::StatusOr<SimplexTrainStats> TrainSimplex(const SimplexParams& params,
                                               const SimplexTrainData& data,
                                               SimplexWeights* weights) {
  absl::StatusOr<const SimplexTorchApi*> api = LoadSimplexTorchApi();
  if (!api.ok()) return api.status();
  return (*api)->train(params, data, weights);
}

}  // namespace recplat::simplex::internal
