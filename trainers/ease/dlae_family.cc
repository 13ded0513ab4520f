#include "trainers/ease/dlae_family.h"

#include <string>
#include <vector>

#include "core/common/status_macros.h"
#include "trainers/ease/ease_model.h"
#include "trainers/ease/ease_solver.h"
#include "trainers/ease/user_item_matrix.h"

namespace recplat::ease {
namespace {

struct DlaeParams {
  double l2 = 200;
  double dropout = 0.5;
  uint32_t max_items = kDefaultMaxItems;
};

absl::StatusOr<DlaeParams> ParseParams(const models::ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown({"l2", "dropout", "max_items"}));
  DlaeParams p;
  RECPLAT_ASSIGN_OR_RETURN(p.l2, params.GetDouble("l2", 200, 1e-30, 1e30));
  RECPLAT_ASSIGN_OR_RETURN(p.dropout, params.GetDouble("dropout", 0.5, 0, 0.95));
  RECPLAT_ASSIGN_OR_RETURN(int64_t max_items,
                           params.GetInt("max_items", kDefaultMaxItems, 1, kMaxSolverItems));
  p.max_items = static_cast<uint32_t>(max_items);
  return p;
}

}  // namespace

models::SearchSpace DlaeFamily::TuningSpace() const {
  using Scale = models::ParamDimension::Scale;
  models::SearchSpace space;
  space.dimensions.push_back({.name = "l2", .scale = Scale::kLog, .min = 1, .max = 5000,
                              .grid = {"10", "50", "100", "200", "400", "800"}});
  space.dimensions.push_back({.name = "dropout", .scale = Scale::kLinear, .min = 0.05, .max = 0.9,
                              .grid = {"0.1", "0.25", "0.5", "0.75"}});
  return space;
}

absl::Status DlaeFamily::ValidateParams(const models::ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> DlaeFamily::Fit(
    const models::TrainingData& data, const models::ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(DlaeParams p, ParseParams(params));
  const std::string family(name());
  RECPLAT_ASSIGN_OR_RETURN(UserItemMatrix m,
                           BuildUserItemMatrix(data, {.max_items = p.max_items}, family));
  const uint32_t n = m.rows.num_cols;
  std::vector<float> g;
  ComputeGramUpper(m.rows, 0, &g);
  std::vector<float> lambda(n);
  const double scale = p.dropout / (1.0 - p.dropout);
  for (uint64_t j = 0; j < n; ++j) {
    lambda[j] = static_cast<float>(scale * g[j * n + j] + p.l2);
    g[j * n + j] += lambda[j];
  }
  RECPLAT_RETURN_IF_ERROR(InvertSpdUpper(n, g));
  if (emphasized_) {
    RECPLAT_RETURN_IF_ERROR(InverseToWeights(n, 0, g));
  } else {
    ScaleColumnsToWeights(n, 0, lambda, g);
  }
  EaseModel::MetricList metrics = {{"l2", p.l2},
                                   {"dropout", p.dropout},
                                   {"items", static_cast<double>(n)},
                                   {"entries", static_cast<double>(m.rows.cols.size())}};
  return std::make_unique<EaseModel>(m.num_items, std::move(m.kept_items), std::move(g), p.l2,
                                     std::move(metrics), family);
}

absl::StatusOr<std::unique_ptr<models::Model>> DlaeFamily::Load(
    const std::filesystem::path& dir, const models::ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<EaseModel> model,
                           EaseModel::Load(dir, std::string(name())));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::Status RegisterDlaeFamilies(models::ModelFamilyRegistry* registry) {
  RECPLAT_RETURN_IF_ERROR(registry->Register(std::make_unique<DlaeFamily>(false)));
  return registry->Register(std::make_unique<DlaeFamily>(true));
}

}  // namespace recplat::ease
