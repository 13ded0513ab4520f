#include "trainers/ease/ease_family.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/common/random.h"
#include "core/common/status_macros.h"
#include "core/models/serving_util.h"
#include "trainers/ease/ease_model.h"
#include "trainers/ease/ease_solver.h"
#include "trainers/ease/user_item_matrix.h"

namespace recplat::ease {
namespace {

using models::ModelParams;
using models::TrainingData;

constexpr double kDefaultL2 = 400.0;
constexpr size_t kMaxGrid = 32;
constexpr size_t kMaxValidationUsers = 5000;
constexpr double kHoldOutShare = 0.2;
constexpr size_t kValidationK = 20;

struct EaseParams {
  double l2 = kDefaultL2;
  // λ candidates with their text as written (names the per-candidate metrics).
  std::vector<std::pair<double, std::string>> l2_grid;
  bool weighted = false;
  bool use_value = false;
  double weight_cap = 10.0;
  uint32_t max_items = kDefaultMaxItems;
  double validation_fraction = 0.1;
  uint64_t seed = 42;
  // Per-model event-type weights ("review:1,order:1,add_to_cart:0.5"); when set they replace
  // the profile's event_types weights for this model, and unlisted types count 0.
  std::vector<std::pair<std::string, float>> event_weights;
};

MatrixOptions MatrixOptionsOf(const EaseParams& p) {
  return {.weighted = p.weighted,
          .use_value = p.use_value,
          .weight_cap = p.weight_cap,
          .max_items = p.max_items,
          .event_weights = p.event_weights};
}

absl::StatusOr<EaseParams> ParseParams(const ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(
      params.CheckKnown({"l2", "l2_grid", "weighting", "use_value", "weight_cap", "max_items",
                         "validation_fraction", "seed", "event_weights"}));
  EaseParams p;
  RECPLAT_ASSIGN_OR_RETURN(p.l2, params.GetDouble("l2", kDefaultL2, 1e-30, 1e30));
  const std::string grid = params.GetString("l2_grid", "");
  if (!grid.empty()) {
    for (absl::string_view token : absl::StrSplit(grid, ',')) {
      double value = 0;
      if (!absl::SimpleAtod(absl::StripAsciiWhitespace(token), &value) || !(value > 0) ||
          !std::isfinite(value)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "param 'l2_grid': expected comma-separated numbers > 0, got '", grid, "'"));
      }
      p.l2_grid.emplace_back(value, std::string(absl::StripAsciiWhitespace(token)));
    }
    if (p.l2_grid.size() > kMaxGrid) {
      return absl::InvalidArgumentError(
          absl::StrCat("param 'l2_grid': at most ", kMaxGrid, " values, got ", p.l2_grid.size()));
    }
  }
  const std::string weighting = params.GetString("weighting", "binary");
  if (weighting != "binary" && weighting != "weighted") {
    return absl::InvalidArgumentError(
        absl::StrCat("param 'weighting': expected binary or weighted, got '", weighting, "'"));
  }
  p.weighted = weighting == "weighted";
  RECPLAT_ASSIGN_OR_RETURN(p.use_value, params.GetBool("use_value", false));
  RECPLAT_ASSIGN_OR_RETURN(p.weight_cap, params.GetDouble("weight_cap", 10.0, 1e-30, 1e30));
  RECPLAT_ASSIGN_OR_RETURN(int64_t max_items,
                           params.GetInt("max_items", kDefaultMaxItems, 1, kMaxSolverItems));
  p.max_items = static_cast<uint32_t>(max_items);
  RECPLAT_ASSIGN_OR_RETURN(p.validation_fraction,
                           params.GetDouble("validation_fraction", 0.1, 1e-9, 1.0));
  RECPLAT_ASSIGN_OR_RETURN(int64_t seed, params.GetInt("seed", 42, 0));
  p.seed = static_cast<uint64_t>(seed);
  const std::string weights = params.GetString("event_weights", "");
  for (absl::string_view entry : absl::StrSplit(weights, ',', absl::SkipWhitespace())) {
    std::vector<absl::string_view> kv = absl::StrSplit(entry, ':');
    double w = 0;
    if (kv.size() != 2 || absl::StripAsciiWhitespace(kv[0]).empty() ||
        !absl::SimpleAtod(absl::StripAsciiWhitespace(kv[1]), &w) || !(w >= 0) ||
        !std::isfinite(w)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "param 'event_weights': expected comma-separated type:weight pairs with weights >= 0, "
          "got '", weights, "'"));
    }
    p.event_weights.emplace_back(std::string(absl::StripAsciiWhitespace(kv[0])),
                                 static_cast<float>(w));
  }
  return p;
}

// The λ-selection split: X minus the held-out entries, and per validation user the columns
// they keep (their request history) and the ones held out (the relevant items).
struct ValidationSplit {
  SparseRows train;
  std::vector<std::vector<uint32_t>> kept;
  std::vector<std::vector<uint32_t>> held;
};

absl::StatusOr<ValidationSplit> SplitForValidation(const SparseRows& x, const EaseParams& p) {
  std::vector<uint32_t> eligible;
  for (size_t r = 0; r < x.num_rows(); ++r) {
    if (x.ColsOf(r).size() >= 2) {
      eligible.push_back(static_cast<uint32_t>(r));
    }
  }
  if (eligible.empty()) {
    return absl::FailedPreconditionError(
        "ease: l2_grid needs users with at least two items to hold one out");
  }
  common::Rng rng(p.seed);
  const size_t want =
      std::clamp<size_t>(static_cast<size_t>(std::llround(p.validation_fraction * eligible.size())),
                         1, std::min(kMaxValidationUsers, eligible.size()));
  for (size_t k = 0; k < want; ++k) {  // Partial Fisher-Yates.
    std::swap(eligible[k], eligible[k + rng.Uniform(eligible.size() - k)]);
  }
  eligible.resize(want);
  std::sort(eligible.begin(), eligible.end());
  ValidationSplit s;
  s.train.num_cols = x.num_cols;
  size_t next = 0;
  std::vector<uint32_t> cols;
  std::vector<float> values;
  std::vector<size_t> order;
  for (size_t r = 0; r < x.num_rows(); ++r) {
    const std::span<const uint32_t> row_cols = x.ColsOf(r);
    const std::span<const float> row_values = x.ValuesOf(r);
    if (next >= eligible.size() || eligible[next] != r) {
      s.train.AddRow(row_cols, row_values);
      continue;
    }
    ++next;
    const size_t k = row_cols.size();
    const size_t hold = std::max<size_t>(1, static_cast<size_t>(kHoldOutShare * k));
    order.resize(k);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::sort(order.begin(), order.begin() + hold);
    std::sort(order.begin() + hold, order.end());
    std::vector<uint32_t>& held = s.held.emplace_back();
    for (size_t q = 0; q < hold; ++q) {
      held.push_back(row_cols[order[q]]);
    }
    cols.clear();
    values.clear();
    for (size_t q = hold; q < k; ++q) {
      cols.push_back(row_cols[order[q]]);
      values.push_back(row_values[order[q]]);
    }
    s.train.AddRow(cols, values);
    s.kept.push_back(cols);
  }
  return s;
}

// Mean NDCG@kValidationK of `split`'s users under the weights `b` (n² row-major), scored as
// served (binary sum of the kept items' rows, kept items excluded from the ranking).
double ValidationNdcg(const ValidationSplit& split, const std::vector<float>& b, uint32_t n) {
  const size_t users = split.held.size();
  std::vector<double> ndcg(users, 0.0);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::vector<float> acc(n);
    std::vector<models::ScoredItem> ranked;
    for (size_t v = next.fetch_add(1); v < users; v = next.fetch_add(1)) {
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (uint32_t a : split.kept[v]) {
        const float* const row = b.data() + static_cast<uint64_t>(a) * n;
        for (uint32_t c = 0; c < n; ++c) {
          acc[c] += row[c];
        }
      }
      for (uint32_t a : split.kept[v]) {
        acc[a] = -INFINITY;
      }
      ranked.clear();
      for (uint32_t c = 0; c < n; ++c) {
        if (acc[c] != -INFINITY) {
          ranked.push_back({c, acc[c]});
        }
      }
      models::KeepTop(&ranked, kValidationK);
      const std::vector<uint32_t>& held = split.held[v];  // Sorted ascending.
      double dcg = 0;
      double idcg = 0;
      for (size_t pos = 0; pos < ranked.size(); ++pos) {
        if (std::binary_search(held.begin(), held.end(), ranked[pos].item)) {
          dcg += 1.0 / std::log2(pos + 2.0);
        }
      }
      for (size_t pos = 0; pos < std::min(held.size(), kValidationK); ++pos) {
        idcg += 1.0 / std::log2(pos + 2.0);
      }
      ndcg[v] = dcg / idcg;
    }
  };
  const unsigned threads =
      std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(), users));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(worker);
  }
  worker();
  for (std::thread& t : pool) {
    t.join();
  }
  return std::accumulate(ndcg.begin(), ndcg.end(), 0.0) / static_cast<double>(users);
}

}  // namespace

models::SearchSpace EaseFamily::TuningSpace() const {
  models::SearchSpace space;
  space.dimensions.push_back({.name = "l2",
                              .scale = models::ParamDimension::Scale::kLog,
                              .min = 10,
                              .max = 20000,
                              .grid = {"20", "35", "50", "75", "100", "150", "200", "300", "400",
                                       "600", "1000", "2000"}});
  return space;
}

absl::Status EaseFamily::ValidateParams(const ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<models::Model>> EaseFamily::Fit(const TrainingData& data,
                                                               const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(EaseParams p, ParseParams(params));
  RECPLAT_ASSIGN_OR_RETURN(UserItemMatrix m, BuildUserItemMatrix(data, MatrixOptionsOf(p), "ease"));
  const uint32_t n = m.rows.num_cols;
  EaseModel::MetricList metrics;
  double l2 = p.l2;
  if (!p.l2_grid.empty()) {
    RECPLAT_ASSIGN_OR_RETURN(ValidationSplit split, SplitForValidation(m.rows, p));
    double best = -1;
    for (const auto& [candidate, text] : p.l2_grid) {
      RECPLAT_ASSIGN_OR_RETURN(std::vector<float> b, FitEaseWeights(split.train, candidate, 0));
      const double ndcg = ValidationNdcg(split, b, n);
      metrics.emplace_back(absl::StrCat("validation_ndcg@20_l2=", text), ndcg);
      if (ndcg > best) {
        best = ndcg;
        l2 = candidate;
      }
    }
    metrics.emplace_back("validation_users", static_cast<double>(split.held.size()));
    metrics.emplace_back("validation_ndcg@20", best);
  }
  RECPLAT_ASSIGN_OR_RETURN(std::vector<float> b, FitEaseWeights(m.rows, l2, 0));
  size_t users = 0;
  for (size_t r = 0; r < m.rows.num_rows(); ++r) {
    users += m.rows.ColsOf(r).empty() ? 0 : 1;
  }
  metrics.insert(metrics.begin(), {{"l2", l2},
                                   {"items", static_cast<double>(n)},
                                   {"users", static_cast<double>(users)},
                                   {"entries", static_cast<double>(m.rows.cols.size())}});
  return std::make_unique<EaseModel>(m.num_items, std::move(m.kept_items), std::move(b), l2,
                                     std::move(metrics));
}

absl::StatusOr<std::unique_ptr<models::Model>> EaseFamily::Load(const std::filesystem::path& dir,
                                                                const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<EaseModel> model, EaseModel::Load(dir));
  return std::unique_ptr<models::Model>(std::move(model));
}

absl::Status RegisterEaseFamily(models::ModelFamilyRegistry* registry) {
  return registry->Register(std::make_unique<EaseFamily>());
}

}  // namespace recplat::ease
