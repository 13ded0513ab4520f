#include "trainers/rp3beta/rp3beta_family.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "trainers/rp3beta/item_graph_model.h"

namespace recplat::rp3beta {
namespace {

using models::ModelParams;
using models::TrainingData;

constexpr char kFamily[] = "rp3beta";

struct Rp3Params {
  double alpha = 1.0;
  double beta = 0.5;
  uint32_t neighbors = 200;
  int threads = 0;
};

absl::StatusOr<Rp3Params> ParseParams(const ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown({"alpha", "beta", "neighbors", "threads"}));
  Rp3Params p;
  RECPLAT_ASSIGN_OR_RETURN(p.alpha, params.GetDouble("alpha", 1.0, 0, 3));
  RECPLAT_ASSIGN_OR_RETURN(p.beta, params.GetDouble("beta", 0.5, 0, 2));
  RECPLAT_ASSIGN_OR_RETURN(int64_t neighbors, params.GetInt("neighbors", 200, 1, 100000));
  p.neighbors = static_cast<uint32_t>(neighbors);
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", 0, 0, 1024));
  p.threads = static_cast<int>(threads);
  return p;
}

// Distinct (user, item) pairs of the interactions with a positive event type weight, as rows
// of users and of items.
struct Bipartite {
  uint32_t num_items = 0;
  std::vector<std::vector<uint32_t>> user_items;
  std::vector<std::vector<uint32_t>> item_users;
};

Bipartite BuildBipartite(const TrainingData& data) {
  std::vector<std::pair<uint32_t, uint32_t>> entries;
  uint32_t num_items = data.num_items;
  uint32_t num_users = data.num_users;
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
  Bipartite b;
  b.num_items = num_items;
  b.user_items.resize(num_users);
  b.item_users.resize(num_items);
  for (const auto& [u, i] : entries) {
    b.user_items[u].push_back(i);
    b.item_users[i].push_back(u);
  }
  return b;
}

// Item i's pruned row of W, heaviest first (ties: lower index).
void ComputeRow(const Bipartite& b, const Rp3Params& p, uint32_t i,
                const std::vector<float>& penalty, std::vector<float>* acc,
                std::vector<uint32_t>* touched, std::vector<std::pair<uint32_t, float>>* row) {
  touched->clear();
  const std::vector<uint32_t>& users = b.item_users[i];
  const double p_iu = std::pow(1.0 / static_cast<double>(users.size()), p.alpha);
  for (uint32_t u : users) {
    const std::vector<uint32_t>& items = b.user_items[u];
    const float w = static_cast<float>(p_iu * std::pow(1.0 / static_cast<double>(items.size()),
                                                       p.alpha));
    for (uint32_t j : items) {
      if ((*acc)[j] == 0.0f) touched->push_back(j);
      (*acc)[j] += w;
    }
  }
  row->clear();
  for (uint32_t j : *touched) {
    if (j != i) row->emplace_back(j, (*acc)[j] * penalty[j]);
    (*acc)[j] = 0.0f;
  }
  auto better = [](const auto& a, const auto& c) {
    return a.second != c.second ? a.second > c.second : a.first < c.first;
  };
  if (row->size() > p.neighbors) {
    std::nth_element(row->begin(), row->begin() + p.neighbors, row->end(), better);
    row->resize(p.neighbors);
  }
  std::sort(row->begin(), row->end(), better);
}

ItemGraph BuildGraph(const Bipartite& b, const Rp3Params& p) {
  const uint32_t n = b.num_items;
  std::vector<float> penalty(n, 0.0f);
  for (uint32_t j = 0; j < n; ++j) {
    const size_t deg = b.item_users[j].size();
    penalty[j] = deg == 0 ? 0.0f : static_cast<float>(std::pow(static_cast<double>(deg), -p.beta));
  }
  std::vector<std::vector<std::pair<uint32_t, float>>> rows(n);
  std::atomic<uint32_t> next{0};
  auto worker = [&] {
    std::vector<float> acc(n, 0.0f);
    std::vector<uint32_t> touched;
    for (uint32_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      if (!b.item_users[i].empty()) ComputeRow(b, p, i, penalty, &acc, &touched, &rows[i]);
    }
  };
  const int threads = p.threads > 0
                          ? p.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  ItemGraph g;
  g.offsets.reserve(n + 1);
  for (const auto& row : rows) {
    for (const auto& [j, w] : row) {
      g.items.push_back(j);
      g.weights.push_back(w);
    }
    g.offsets.push_back(static_cast<int64_t>(g.items.size()));
  }
  return g;
}

}  // namespace

models::SearchSpace Rp3BetaFamily::TuningSpace() const {
  using Scale = models::ParamDimension::Scale;
  models::SearchSpace space;
  space.dimensions.push_back({.name = "alpha", .scale = Scale::kLinear, .min = 0.2, .max = 1.5,
                              .grid = {"0.5", "0.75", "1"}});
  space.dimensions.push_back({.name = "beta", .scale = Scale::kLinear, .min = 0, .max = 1,
                              .grid = {"0.2", "0.4", "0.6"}});
  space.dimensions.push_back({.name = "neighbors", .scale = Scale::kLog, .min = 20, .max = 1000,
                              .integer = true, .grid = {"50", "100", "200", "500"}});
  return space;
}

absl::Status Rp3BetaFamily::ValidateParams(const ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> Rp3BetaFamily::Fit(
    const TrainingData& data, const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(Rp3Params p, ParseParams(params));
  const Bipartite b = BuildBipartite(data);
  size_t entries = 0;
  for (const auto& users : b.item_users) entries += users.size();
  if (entries == 0) {
    return absl::FailedPreconditionError(
        "rp3beta: no interactions with a positive event type weight to train on");
  }
  ItemGraph g = BuildGraph(b, p);
  ItemGraphModel::MetricList metrics = {{"alpha", p.alpha},
                                        {"beta", p.beta},
                                        {"neighbors", p.neighbors},
                                        {"edges", static_cast<double>(g.items.size())},
                                        {"entries", static_cast<double>(entries)}};
  return std::make_unique<ItemGraphModel>(kFamily, std::move(g), std::move(metrics));
}

absl::StatusOr<std::unique_ptr<models::Model>> Rp3BetaFamily::Load(
    const std::filesystem::path& dir, const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<ItemGraphModel> model,
                           ItemGraphModel::Load(dir, kFamily));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::Status RegisterRp3BetaFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<Rp3BetaFamily>());
}

}  // namespace recplat::rp3beta
