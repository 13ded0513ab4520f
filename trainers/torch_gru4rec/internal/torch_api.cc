#include "trainers/torch_gru4rec/internal/torch_api.h"

#include <cstdint>
#include <span>
#include <vector>

#include "trainers/torch_common/module_loader.h"

namespace recplat::gru4rec::internal {
namespace {

// Where the build put the module (CMakeLists.txt); empty leaves the rest of the search.
#ifdef RECPLAT_GRU4REC_TORCH_MODULE_PATH
constexpr char kBuildPath[] = RECPLAT_GRU4REC_TORCH_MODULE_PATH;
#else
constexpr char kBuildPath[] = "";
#endif

}  // namespace

absl::StatusOr<const TorchApi*> LoadTorchApi() {
  static const absl::StatusOr<const TorchApi*>* loaded = new absl::StatusOr<const TorchApi*>(
      torch_common::LoadTorchModuleTable<TorchApi>({
          .what = "gru4rec: cannot load the LibTorch trainer module",
          .env_var = "RECPLAT_GRU4REC_TORCH_MODULE",
          .build_path = kBuildPath,
          .file_name = "librecplat_gru4rec_torch.so",
          .symbol = "RecplatGru4RecTorchApi",
          .version = kTorchApiVersion,
      }));
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
