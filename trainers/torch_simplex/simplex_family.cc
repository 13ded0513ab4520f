#include "trainers/torch_simplex/simplex_family.h"

#include <algorithm>

#include "core/common/status_macros.h"
#include "trainers/torch_simplex/internal/torch_api.h"
#include "trainers/torch_simplex/simplex_model.h"

namespace recplat::simplex {

absl::StatusOr<SimplexParams> ParseSimplexParams(const models::ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
      {"dim", "negatives", "margin", "negative_weight", "gamma", "epochs", "lr", "l2", "dropout", "separate_history",
       "batch_size", "seed", "threads", "max_seconds"}));
  SimplexParams p;
  RECPLAT_ASSIGN_OR_RETURN(int64_t dim, params.GetInt("dim", p.dim, 1, 1024));
  p.dim = static_cast<int>(dim);
  RECPLAT_ASSIGN_OR_RETURN(int64_t negatives, params.GetInt("negatives", p.negatives, 1, 100000));
  p.negatives = static_cast<int>(negatives);
  RECPLAT_ASSIGN_OR_RETURN(p.margin, params.GetDouble("margin", p.margin, -1, 1));
  RECPLAT_ASSIGN_OR_RETURN(p.negative_weight,
                           params.GetDouble("negative_weight", p.negative_weight, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(p.gamma, params.GetDouble("gamma", p.gamma, 0, 0.99));
  RECPLAT_ASSIGN_OR_RETURN(int64_t epochs, params.GetInt("epochs", p.epochs, 1, 100000));
  p.epochs = static_cast<int>(epochs);
  RECPLAT_ASSIGN_OR_RETURN(p.learning_rate, params.GetDouble("lr", p.learning_rate, 1e-9, 10));
  RECPLAT_ASSIGN_OR_RETURN(p.l2, params.GetDouble("l2", p.l2, 0, 1000));
  RECPLAT_ASSIGN_OR_RETURN(p.separate_history,
                           params.GetBool("separate_history", p.separate_history));
  RECPLAT_ASSIGN_OR_RETURN(p.dropout, params.GetDouble("dropout", p.dropout, 0, 0.95));
  RECPLAT_ASSIGN_OR_RETURN(int64_t batch, params.GetInt("batch_size", p.batch_size, 1, 1 << 20));
  p.batch_size = static_cast<int>(batch);
  RECPLAT_ASSIGN_OR_RETURN(int64_t seed, params.GetInt("seed", 42, 0, INT64_MAX));
  p.seed = static_cast<uint64_t>(seed);
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", p.threads, 1, 256));
  p.threads = static_cast<int>(threads);
  RECPLAT_ASSIGN_OR_RETURN(p.max_seconds, params.GetDouble("max_seconds", p.max_seconds, 0, 1e7));
  return p;
}

SimplexTrainData BuildSimplexTrainData(const models::TrainingData& data,
                                       std::vector<uint32_t>* known) {
  SimplexTrainData out;
  out.num_items = data.num_items;
  out.histories.resize(data.num_users);
  std::vector<uint8_t> seen(data.num_items, 0);
  for (const models::Interaction& x : data.interactions) {
    const float w =
        x.type < data.event_type_weights.size() ? data.event_type_weights[x.type] : 1.0f;
    if (w <= 0 || x.item >= data.num_items || x.user >= data.num_users) continue;
    out.histories[x.user].push_back(x.item);
    seen[x.item] = 1;
  }
  for (std::vector<int64_t>& h : out.histories) {
    std::sort(h.begin(), h.end());
    h.erase(std::unique(h.begin(), h.end()), h.end());
  }
  for (uint32_t i = 0; i < data.num_items; ++i) {
    if (seen[i] != 0) {
      known->push_back(i);
      out.item_pool.push_back(i);
    }
  }
  return out;
}

models::SearchSpace SimplexFamily::TuningSpace() const {
  using Scale = models::ParamDimension::Scale;
  models::SearchSpace space;
  space.dimensions.push_back({.name = "margin", .scale = Scale::kLinear, .min = 0, .max = 0.8,
                              .grid = {"0.05", "0.15", "0.3", "0.5"}});
  space.dimensions.push_back({.name = "negative_weight", .scale = Scale::kLog, .min = 1,
                              .max = 100, .grid = {"2", "5", "15"}});
  space.dimensions.push_back(
      {.name = "l2", .scale = Scale::kLog, .min = 1e-8, .max = 1e-3, .grid = {"1e-6", "1e-4"}});
  space.dimensions.push_back({.name = "lr", .scale = Scale::kLog, .min = 5e-4, .max = 5e-3,
                              .grid = {"0.001", "0.003"}});
  // 48 grid points: more than tune's default --max-trials, so `auto` picks successive halving
  // (24 random points at 1 epoch, the best 8 at 3, the best 3 at 9: about 5 minutes on ml-100k
  // on a loaded 2-core machine).
  space.fixed = {{"negatives", "500"}};
  space.budget_param = "epochs";
  space.budget_min = 1;
  space.budget_max = 9;
  return space;
}

absl::Status SimplexFamily::ValidateParams(const models::ModelParams& params) const {
  return ParseSimplexParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> SimplexFamily::Fit(
    const models::TrainingData& data, const models::ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(SimplexParams p, ParseSimplexParams(params));
  std::vector<uint32_t> known;
  SimplexTrainData train = BuildSimplexTrainData(data, &known);
  train.stop = data.stop;
  size_t positives = 0;
  for (const auto& h : train.histories) positives += h.size();
  if (positives == 0) {
    return absl::FailedPreconditionError(
        "simplex: no interactions with a positive event type weight to train on");
  }
  SimplexWeights weights;
  RECPLAT_ASSIGN_OR_RETURN(SimplexTrainStats stats, internal::TrainSimplex(p, train, &weights));
  SimplexModel::MetricList metrics = {
      {"users", static_cast<double>(train.histories.size())},
      {"items", static_cast<double>(known.size())},
      {"positives", static_cast<double>(positives)},
      {"epochs", stats.epochs_run},
      {"train_loss", stats.final_train_loss},
      {"train_seconds", stats.seconds},
      {"time_capped", stats.time_capped ? 1.0 : 0.0}};
  RECPLAT_ASSIGN_OR_RETURN(
      std::unique_ptr<SimplexModel> model,
      SimplexModel::Create(std::move(weights), std::move(known), std::move(metrics)));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::StatusOr<std::unique_ptr<models::Model>> SimplexFamily::Load(
    const std::filesystem::path& dir, const models::ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<SimplexModel> model, SimplexModel::Load(dir));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::Status RegisterSimplexFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<SimplexFamily>());
}

}  // namespace recplat::simplex
