#include "core/eval/internal/tune_search.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/random.h"
#include "core/common/status_macros.h"
#include "core/eval/interaction_file.h"
#include "core/eval/internal/eval_common.h"
#include "core/eval/validation_split.h"

namespace recplat::eval::internal {
namespace {

constexpr int kHalvingEta = 3;

// Everything one search shares: the validation folds, the family, the stop rule.
class Search {
 public:
  Search(const TuneOptions& options, const models::ModelFamily& family, const TuneFolds& folds,
         const common::Clock& clock, const std::string& label,
         const std::function<void(const TrialResult&)>& on_trial)
      : options_(options),
        family_(family),
        folds_(folds.folds),
        clock_(clock),
        label_(label),
        on_trial_(on_trial),
        start_(clock.MonotonicSeconds()) {}

  // True once the time budget is spent (never before the first trial).
  bool OutOfTime() const {
    return options_.budget_seconds > 0 && !trials_.empty() &&
           clock_.MonotonicSeconds() - start_ >= options_.budget_seconds;
  }

  // Fits and scores one candidate; records and reports it.
  const TrialResult& Run(ParamSet params, int rung, int64_t budget) {
    TrialResult t;
    t.index = static_cast<int>(trials_.size());
    t.family = label_;
    t.params = std::move(params);
    t.rung = rung;
    t.budget = budget;
    std::map<std::string, std::string> merged = options_.base_params.values();
    for (const auto& [key, value] : t.params) {
      merged[key] = value;
    }
    const models::ModelParams fit_params(std::move(merged));
    for (const EvalDataset& ds : folds_) {  // Metrics averaged, times summed over the folds.
      absl::StatusOr<EvalReport> report = EvaluateDataset(ds, family_, fit_params, options_.k,
                                                          options_.threads, options_.seed, clock_);
      if (!report.ok()) {
        t.status = report.status();
        break;
      }
      const double share = 1.0 / static_cast<double>(folds_.size());
      t.report.ndcg += share * report->ndcg;
      t.report.recall += share * report->recall;
      t.report.hit_rate += share * report->hit_rate;
      t.report.mrr += share * report->mrr;
      t.report.fit_seconds += report->fit_seconds;
      t.report.score_seconds += report->score_seconds;
      t.report.users_evaluated += report->users_evaluated;
    }
    trials_.push_back(std::move(t));
    if (on_trial_) {
      on_trial_(trials_.back());
    }
    return trials_.back();
  }

  const std::vector<TrialResult>& trials() const { return trials_; }
  double Elapsed() const { return clock_.MonotonicSeconds() - start_; }

 private:
  const TuneOptions& options_;
  const models::ModelFamily& family_;
  const std::vector<EvalDataset>& folds_;
  const common::Clock& clock_;
  const std::string& label_;
  const std::function<void(const TrialResult&)>& on_trial_;
  const double start_;
  std::vector<TrialResult> trials_;
};

// Successive halving: the family's defaults and `n` - 1 random points at the first budget, the
// best 1/eta promoted per rung.
void RunHalving(const models::SearchSpace& space, int n, common::Rng& rng, Search* search) {
  const std::vector<int64_t> budgets = HalvingBudgets(space, kHalvingEta);
  std::vector<ParamSet> alive;
  alive.push_back(ParamSet());
  for (int i = 1; i < n; ++i) {
    alive.push_back(RandomParams(space, rng));
  }
  for (size_t rung = 0; rung < budgets.size() && !alive.empty(); ++rung) {
    std::vector<std::pair<double, ParamSet>> scored;
    for (ParamSet& p : alive) {
      if (search->OutOfTime()) {
        return;
      }
      p[space.budget_param] = absl::StrCat(budgets[rung]);
      const TrialResult& t = search->Run(p, static_cast<int>(rung), budgets[rung]);
      if (t.status.ok()) {
        scored.emplace_back(t.report.ndcg, p);
      }
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    const size_t keep = std::max<size_t>(1, (scored.size() + kHalvingEta - 1) / kHalvingEta);
    alive.clear();
    for (size_t i = 0; i < std::min(keep, scored.size()); ++i) {
      alive.push_back(std::move(scored[i].second));
    }
  }
}

}  // namespace

absl::StatusOr<TuneFolds> PrepareFolds(const TuneOptions& options) {
  const auto& read = options.read_file ? options.read_file : ReadWholeFile;
  RECPLAT_ASSIGN_OR_RETURN(std::string text, read(options.train_path));
  RECPLAT_ASSIGN_OR_RETURN(InteractionFile train, ParseInteractions(text, options.train_path));
  text = std::string();
  TuneFolds out;
  for (int f = 0; f < options.folds; ++f) {  // Fold f: the holdout seeded by seed + f.
    HoldoutOptions holdout = options.holdout;
    holdout.seed += static_cast<uint64_t>(f);
    RECPLAT_ASSIGN_OR_RETURN(HoldoutSplit split, CarveValidation(train, holdout));
    RECPLAT_ASSIGN_OR_RETURN(EvalDataset ds, BuildEvalDataset(split.fit, split.validation, 1.0f));
    out.folds.push_back(std::move(ds));
    out.validation_users = split.validation_users;
  }
  return out;
}

absl::StatusOr<TuneResult> SearchFamily(const TuneOptions& options,
                                        const models::ModelFamily& family, const TuneFolds& folds,
                                        const common::Clock& clock, const std::string& label,
                                        const std::function<void(const TrialResult&)>& on_trial) {
  const models::SearchSpace space = family.TuningSpace();
  RECPLAT_RETURN_IF_ERROR(CheckSearchSpace(space));
  SearchMethod method = options.method;
  if (method == SearchMethod::kHalving && space.budget_param.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("family '", options.family,
                     "' has no budget param (it fits in closed form): use grid or random search"));
  }
  if (method == SearchMethod::kAuto || space.dimensions.empty()) {
    method = GridSize(space) <= static_cast<size_t>(options.max_trials) ? SearchMethod::kGrid
             : space.budget_param.empty()                               ? SearchMethod::kRandom
                                                                        : SearchMethod::kHalving;
  }
  Search search(options, family, folds, clock, label, on_trial);
  common::Rng rng(options.seed);
  switch (method) {
    case SearchMethod::kGrid:
      for (ParamSet& p : GridParams(space)) {
        if (search.OutOfTime()) break;
        search.Run(std::move(p), 0, 0);
      }
      break;
    case SearchMethod::kRandom:
      for (int i = 0; i < options.max_trials && !search.OutOfTime(); ++i) {
        // The first point is the family's defaults (no searched key set).
        ParamSet p = i == 0 ? ParamSet() : RandomParams(space, rng);
        if (!space.budget_param.empty()) {
          p[space.budget_param] = absl::StrCat(space.budget_max);
        }
        search.Run(std::move(p), 0, 0);
      }
      break;
    case SearchMethod::kHalving:
    case SearchMethod::kAuto:
      RunHalving(space, options.max_trials, rng, &search);
      break;
  }

  const TrialResult* best = nullptr;
  for (const TrialResult& t : search.trials()) {
    if (!t.status.ok()) continue;
    if (best == nullptr || t.budget > best->budget ||
        (t.budget == best->budget && t.report.ndcg > best->report.ndcg)) {
      best = &t;
    }
  }
  if (best == nullptr) {
    return search.trials().back().status;
  }
  TuneResult result;
  result.family = options.family;
  result.method = method;
  result.best_params = best->params;
  result.validation_ndcg = best->report.ndcg;
  result.validation_recall = best->report.recall;
  result.trials = static_cast<int>(search.trials().size());
  result.validation_users = folds.validation_users;
  result.seconds = search.Elapsed();
  return result;
}

TrialResult RunSingleTrial(const TuneOptions& options, const models::ModelFamily& family,
                           const TuneFolds& folds, const common::Clock& clock,
                           const std::string& label, ParamSet params,
                           const std::function<void(const TrialResult&)>& on_trial) {
  Search search(options, family, folds, clock, label, on_trial);
  return search.Run(std::move(params), 0, 0);
}

}  // namespace recplat::eval::internal
