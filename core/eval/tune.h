// File: tune.h
//
// Hyper-parameter search for any model family (`recplat tune`), on a validation split carved
// from the training file only (validation_split.h): the tuner is given no test file and reads
// exactly one file, the training file, through TuneOptions::read_file.
//
// Each trial fits the family with base_params overridden by the trial's params on the fit part
// and scores it with the protocol of `recplat eval` (eval.h: full ranking over the fit part's
// items, each user's fit items excluded) against the held-out items; the objective is NDCG@k,
// averaged over `folds` independently seeded holdouts.
// Candidates come from the family's SearchSpace (ModelFamily::TuningSpace):
//   - grid: every grid point (method auto picks it when the grid has at most max_trials points);
//   - random: max_trials points: the family's defaults, then seeded random points;
//   - halving: successive halving over the family's budget param (e.g. epochs): max_trials
//     points (the defaults, then seeded random ones) at budget_min, the best third (at least
//     one) promoted to three times the
//     budget, ..., the last rung at budget_max (auto picks it for large spaces with a budget
//     param, random otherwise).
// budget_seconds stops starting new trials once that much time has passed (the first trial
// always runs), so with a time budget the number of trials depends on the machine; without one
// the trials and their metrics depend only on the file, the options and the seed.
//
// The best trial is the highest validation NDCG among those of the largest budget evaluated
// (ties: the earlier trial). A trial whose fit fails (e.g. a λ too small for the solver) is
// reported with its error and skipped.
//
// Family `blend` without a `components` base param is tuned by the blind choice rule of
// blend_tune.h (candidate families searched on the same folds, components picked by validation
// NDCG with one family per kind); its best_params is {"components": "..."}.
//
// Thread-safety: RunTune is reentrant; it scores on several threads (EvaluateDataset).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/common/clock.h"
#include "core/eval/eval.h"
#include "core/eval/param_search.h"
#include "core/eval/validation_split.h"
#include "core/models/model_family.h"

namespace recplat::eval {

enum class SearchMethod { kAuto, kGrid, kRandom, kHalving };

// "auto", "grid", "random", "halving" -> the method; INVALID_ARGUMENT otherwise.
absl::StatusOr<SearchMethod> ParseSearchMethod(absl::string_view name);
absl::string_view SearchMethodName(SearchMethod method);

struct TuneOptions {
  std::string train_path;
  // Family name in the registry and the params every trial starts from (e.g. a profile's).
  std::string family;
  models::ModelParams base_params;
  int k = 20;
  SearchMethod method = SearchMethod::kAuto;
  // Random points (random, halving's first rung); also auto's grid-size limit. >= 1.
  int max_trials = 24;
  // Seconds after which no new trial starts; 0 = no limit.
  double budget_seconds = 0;
  // Seeds the random points; the holdout has its own seed in `holdout`.
  uint64_t seed = 42;
  HoldoutOptions holdout;
  // Independent holdouts (seeded holdout.seed, +1, ...) each trial is fitted and scored on; the
  // objective is their mean NDCG@k (less noise on small data, folds × the time). In [1, 20].
  int folds = 1;
  // Scoring threads; 0 = one per hardware thread.
  int threads = 0;
  // Measures trial and budget time; nullptr = common::Clock::Default(). Not owned.
  const common::Clock* clock = nullptr;
  // Reads a whole file; empty = from disk. The tuner calls it once, for train_path.
  std::function<absl::StatusOr<std::string>(const std::string&)> read_file;
  // Blind blend choice only (blend_tune.h): the candidate families (empty = the default list
  // kDefaultBlendCandidates, those registered) and the trials each candidate's search may run
  // (its max_trials; method auto).
  std::vector<std::string> blend_candidates;
  int blend_candidate_trials = 6;
};

struct TrialResult {
  int index = 0;
  // The family the trial fitted when it is not the tuned one (the blind blend's candidates and
  // blends); empty otherwise.
  std::string family;
  // The trial's params (the family's fixed params included, base params not).
  ParamSet params;
  // Halving only: the rung and the budget param's value.
  int rung = 0;
  int64_t budget = 0;
  // Validation metrics (on success).
  EvalReport report;
  // Not OK when the fit failed.
  absl::Status status;
};

struct TuneResult {
  std::string family;
  // The one used (never kAuto, except for the blind blend, which searches each candidate
  // with its own auto method).
  SearchMethod method = SearchMethod::kAuto;
  ParamSet best_params;
  double validation_ndcg = 0;
  double validation_recall = 0;
  int trials = 0;
  int64_t validation_users = 0;
  double seconds = 0;
  // Human-readable lines about how the result was chosen (the blind blend's candidate ranking);
  // `recplat tune` prints them to stderr.
  std::vector<std::string> notes;
};

// Runs the search, calling on_trial (may be empty) after every trial. INVALID_ARGUMENT for bad
// options, an unknown family, base params it rejects or a malformed file; NOT_FOUND when the
// train file cannot be read; FAILED_PRECONDITION when nothing can be held out; the last trial's
// error when every trial failed.
absl::StatusOr<TuneResult> RunTune(const TuneOptions& options,
                                   const models::ModelFamilyRegistry& families,
                                   const std::function<void(const TrialResult&)>& on_trial);

// {"trial":i,["family":f,]"params":{...},["rung":r,"budget":b,]"validation_ndcg":..,
//  "validation_recall":..,
//  "fit_seconds":..,"score_seconds":..} or, for a failed trial, {"trial":i,"params":{...},
//  "error":"..."}.
std::string TrialToJson(const TrialResult& trial);

// {"model":<model>,"best_params":{...},"validation_ndcg":..}: the last line of `recplat tune`;
// `model` is the name the user gave (a configured model or the family).
std::string TuneResultToJson(const TuneResult& result, absl::string_view model);

}  // namespace recplat::eval
