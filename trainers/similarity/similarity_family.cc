#include "trainers/similarity/similarity_family.h"

#include <string>

#include "core/common/status_macros.h"
#include "trainers/similarity/internal/features.h"
#include "trainers/similarity/internal/neighbors.h"
#include "trainers/similarity/similarity_model.h"

namespace recplat::similarity {
namespace {

struct Params {
  internal::FeatureOptions features;
  internal::NeighborOptions neighbors;
};

absl::StatusOr<Params> ParseParams(const models::ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown({"price_attribute", "neighbors", "threads"}));
  Params p;
  p.features.price_attribute = params.GetString("price_attribute", "price");
  if (p.features.price_attribute.empty()) {
    return absl::InvalidArgumentError("param 'price_attribute': must not be empty");
  }
  RECPLAT_ASSIGN_OR_RETURN(int64_t neighbors, params.GetInt("neighbors", 100, 1, 100000));
  p.neighbors.neighbors = static_cast<uint32_t>(neighbors);
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", 0, 0, 1024));
  p.neighbors.threads = static_cast<int>(threads);
  return p;
}

}  // namespace

absl::string_view ContentSimilarityFamily::name() const { return kContentSimilarityFamily; }

absl::Status ContentSimilarityFamily::ValidateParams(const models::ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> ContentSimilarityFamily::Fit(
    const models::TrainingData& data, const models::ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(Params p, ParseParams(params));
  RECPLAT_ASSIGN_OR_RETURN(internal::ItemFeatures features,
                           internal::BuildFeatures(data, p.features));
  RECPLAT_ASSIGN_OR_RETURN(internal::NeighborLists lists,
                           internal::ComputeNeighbors(features, p.neighbors));
  return std::make_unique<ContentSimilarityModel>(std::move(features), std::move(lists));
}

absl::StatusOr<std::unique_ptr<models::Model>> ContentSimilarityFamily::Load(
    const std::filesystem::path& dir, const models::ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<ContentSimilarityModel> model,
                           ContentSimilarityModel::Load(dir));
  return model;
}

absl::Status RegisterSimilarityFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<ContentSimilarityFamily>());
}

}  // namespace recplat::similarity
