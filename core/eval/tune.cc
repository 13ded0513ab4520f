#include "core/eval/tune.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/json.h"
#include "core/common/random.h"
#include "core/common/status_macros.h"
#include "core/eval/eval_dataset.h"
#include "core/eval/interaction_file.h"
#include "core/eval/internal/eval_common.h"

namespace recplat::eval {
namespace {

constexpr int kHalvingEta = 3;

// Everything one search shares: the validation dataset, the family, the stop rule.
class Search {
 public:
  Search(const TuneOptions& options, const models::ModelFamily& family,
         const std::vector<EvalDataset>& folds,
         const common::Clock& clock, const std::function<void(const TrialResult&)>& on_trial)
      : options_(options), family_(family), folds_(folds), clock_(clock), on_trial_(on_trial),
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
  const std::function<void(const TrialResult&)>& on_trial_;
  const double start_;
  std::vector<TrialResult> trials_;
};

// Successive halving: `n` random points at the first budget, the best 1/eta promoted per rung.
void RunHalving(const models::SearchSpace& space, int n, common::Rng& rng, Search* search) {
  const std::vector<int64_t> budgets = HalvingBudgets(space, kHalvingEta);
  std::vector<ParamSet> alive;
  for (int i = 0; i < n; ++i) {
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

absl::StatusOr<SearchMethod> ParseSearchMethod(absl::string_view name) {
  if (name == "auto") return SearchMethod::kAuto;
  if (name == "grid") return SearchMethod::kGrid;
  if (name == "random") return SearchMethod::kRandom;
  if (name == "halving") return SearchMethod::kHalving;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown search method '", name, "' (known: auto, grid, random, halving)"));
}

absl::string_view SearchMethodName(SearchMethod method) {
  switch (method) {
    case SearchMethod::kAuto: return "auto";
    case SearchMethod::kGrid: return "grid";
    case SearchMethod::kRandom: return "random";
    case SearchMethod::kHalving: return "halving";
  }
  return "auto";
}

absl::StatusOr<TuneResult> RunTune(const TuneOptions& options,
                                   const models::ModelFamilyRegistry& families,
                                   const std::function<void(const TrialResult&)>& on_trial) {
  RECPLAT_ASSIGN_OR_RETURN(
      const models::ModelFamily* family,
      internal::CheckCommonOptions(options.k, options.threads, options.family,
                                   options.base_params, families));
  if (options.max_trials < 1 || !(options.budget_seconds >= 0) || options.folds < 1 ||
      options.folds > 20) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_trials must be >= 1, budget_seconds >= 0 and folds in [1, 20], got ",
                     options.max_trials, ", ", options.budget_seconds, " and ", options.folds));
  }
  const models::SearchSpace space = family->TuningSpace();
  RECPLAT_RETURN_IF_ERROR(CheckSearchSpace(space));
  SearchMethod method = options.method;
  if (method == SearchMethod::kHalving && space.budget_param.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("family '", options.family,
                     "' has no budget param (it fits in closed form): use grid or random search"));
  }
  if (method == SearchMethod::kAuto || space.dimensions.empty()) {
    method = GridSize(space) <= static_cast<size_t>(options.max_trials) ? SearchMethod::kGrid
             : space.budget_param.empty()                              ? SearchMethod::kRandom
                                                                       : SearchMethod::kHalving;
  }

  const auto& read = options.read_file ? options.read_file : internal::ReadWholeFile;
  RECPLAT_ASSIGN_OR_RETURN(std::string text, read(options.train_path));
  RECPLAT_ASSIGN_OR_RETURN(InteractionFile train, ParseInteractions(text, options.train_path));
  text = std::string();
  std::vector<EvalDataset> folds;
  int64_t validation_users = 0;
  for (int f = 0; f < options.folds; ++f) {  // Fold f: the holdout seeded by seed + f.
    HoldoutOptions holdout = options.holdout;
    holdout.seed += static_cast<uint64_t>(f);
    RECPLAT_ASSIGN_OR_RETURN(HoldoutSplit split, CarveValidation(train, holdout));
    RECPLAT_ASSIGN_OR_RETURN(EvalDataset ds,
                             BuildEvalDataset(split.fit, split.validation, 1.0f));
    folds.push_back(std::move(ds));
    validation_users = split.validation_users;
  }
  train = InteractionFile();

  const common::Clock& clock = options.clock != nullptr ? *options.clock : common::Clock::Default();
  Search search(options, *family, folds, clock, on_trial);
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
        ParamSet p = RandomParams(space, rng);
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
  result.validation_users = validation_users;
  result.seconds = search.Elapsed();
  return result;
}

std::string TrialToJson(const TrialResult& t) {
  std::string out = absl::StrCat("{\"trial\":", t.index, ",\"params\":", ParamSetToJson(t.params));
  if (!t.status.ok()) {
    absl::StrAppend(&out, ",\"error\":", common::JsonString(t.status.ToString()), "}");
    return out;
  }
  if (t.budget > 0) {
    absl::StrAppend(&out, ",\"rung\":", t.rung, ",\"budget\":", t.budget);
  }
  absl::StrAppend(&out,
                  absl::StrFormat(",\"validation_ndcg\":%.6f,\"validation_recall\":%.6f,"
                                  "\"fit_seconds\":%.4f,\"score_seconds\":%.4f}",
                                  t.report.ndcg, t.report.recall, t.report.fit_seconds,
                                  t.report.score_seconds));
  return out;
}

std::string TuneResultToJson(const TuneResult& r, absl::string_view model) {
  return absl::StrCat("{\"model\":", common::JsonString(model),
                      ",\"best_params\":", ParamSetToJson(r.best_params),
                      absl::StrFormat(",\"validation_ndcg\":%.6f}", r.validation_ndcg));
}

}  // namespace recplat::eval
