#include "trainers/ials/ials_family.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "trainers/als/ials_solver.h"
#include "trainers/ials/ials_model.h"

namespace recplat::ials {
namespace {

using models::ModelParams;
using models::TrainingData;

absl::StatusOr<als::IalsOptions> ParseParams(const ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown({"factors", "epochs", "l2", "unobserved_weight", "nu",
                                             "init_stddev", "seed", "threads", "cg_steps"}));
  als::IalsOptions o;
  RECPLAT_ASSIGN_OR_RETURN(int64_t factors, params.GetInt("factors", 128, 1, 1024));
  o.factors = static_cast<uint32_t>(factors);
  RECPLAT_ASSIGN_OR_RETURN(int64_t epochs, params.GetInt("epochs", 16, 1, 200));
  o.epochs = static_cast<int>(epochs);
  RECPLAT_ASSIGN_OR_RETURN(o.l2, params.GetDouble("l2", 0.02, 1e-12, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(o.unobserved_weight,
                           params.GetDouble("unobserved_weight", 0.15, 0, 1e6));
  RECPLAT_ASSIGN_OR_RETURN(o.nu, params.GetDouble("nu", 1.0, 0, 2));
  RECPLAT_ASSIGN_OR_RETURN(int64_t cg_steps, params.GetInt("cg_steps", 3, 0, 100));
  o.cg_steps = static_cast<int>(cg_steps);
  RECPLAT_ASSIGN_OR_RETURN(o.init_stddev, params.GetDouble("init_stddev", 0.1, 0, 10));
  RECPLAT_ASSIGN_OR_RETURN(int64_t seed, params.GetInt("seed", 42, 0));
  o.seed = static_cast<uint64_t>(seed);
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", 0, 0, 1024));
  o.threads = static_cast<int>(threads);
  RECPLAT_RETURN_IF_ERROR(als::CheckIalsOptions(o));
  return o;
}

// The binary users × items matrix of the interactions with a positive event type weight.
als::SparseMatrix BuildMatrix(const TrainingData& data, std::vector<uint32_t>* known) {
  uint32_t num_items = data.num_items;
  uint32_t num_users = data.num_users;
  std::vector<std::pair<uint32_t, uint32_t>> entries;
  entries.reserve(data.interactions.size());
  for (const models::Interaction& x : data.interactions) {
    const float w =
        x.type < data.event_type_weights.size() ? data.event_type_weights[x.type] : 1.0f;
    if (w > 0) {
      entries.emplace_back(x.user, x.item);
      num_items = std::max(num_items, x.item + 1);
      num_users = std::max(num_users, x.user + 1);
    }
  }
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  als::SparseMatrix m;
  m.num_cols = num_items;
  m.offsets.reserve(num_users + 1);
  std::vector<uint8_t> seen(num_items, 0);
  size_t k = 0;
  for (uint32_t u = 0; u < num_users; ++u) {
    for (; k < entries.size() && entries[k].first == u; ++k) {
      m.cols.push_back(entries[k].second);
      m.weights.push_back(1.0f);
      seen[entries[k].second] = 1;
    }
    m.offsets.push_back(m.cols.size());
  }
  for (uint32_t i = 0; i < num_items; ++i) {
    if (seen[i]) known->push_back(i);
  }
  return m;
}

}  // namespace

models::SearchSpace IalsFamily::TuningSpace() const {
  using Scale = models::ParamDimension::Scale;
  models::SearchSpace space;
  space.dimensions.push_back({.name = "l2", .scale = Scale::kLog, .min = 1e-3, .max = 1,
                              .grid = {"0.003", "0.01", "0.03", "0.1", "0.3"}});
  space.dimensions.push_back({.name = "unobserved_weight", .scale = Scale::kLog, .min = 0.01,
                              .max = 1, .grid = {"0.03", "0.1", "0.3"}});
  space.dimensions.push_back(
      {.name = "factors", .scale = Scale::kChoice, .grid = {"64", "128", "256"}});
  space.budget_param = "epochs";
  // Halving's first rung: at 2 epochs six BARS candidates scored within 0.0535-0.0557 on
  // validation, whatever their l2 and α0 (the defaults reach 0.078 at 16): no signal to rank by.
  space.budget_min = 8;
  space.budget_max = 16;
  return space;
}

absl::Status IalsFamily::ValidateParams(const ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> IalsFamily::Fit(const TrainingData& data,
                                                               const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(als::IalsOptions o, ParseParams(params));
  std::vector<uint32_t> known;
  const als::SparseMatrix x = BuildMatrix(data, &known);
  if (known.empty()) {
    return absl::FailedPreconditionError(
        "ials: no interactions with a positive event type weight to train on");
  }
  RECPLAT_ASSIGN_OR_RETURN(als::IalsFactors f, als::FitIals(x, o));
  IalsModel::MetricList metrics = {{"factors", o.factors},
                                   {"epochs", o.epochs},
                                   {"l2", o.l2},
                                   {"unobserved_weight", o.unobserved_weight},
                                   {"items", static_cast<double>(known.size())},
                                   {"entries", static_cast<double>(x.cols.size())}};
  return std::make_unique<IalsModel>(x.num_cols, f.dim, std::move(known), std::move(f.item), o,
                                     std::move(metrics));
}

absl::StatusOr<std::unique_ptr<models::Model>> IalsFamily::Load(const std::filesystem::path& dir,
                                                                const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<IalsModel> model, IalsModel::Load(dir));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::Status RegisterIalsFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<IalsFamily>());
}

}  // namespace recplat::ials
