// File: internal/tune_search.h
//
// The search engine behind `recplat tune` (tune.h), shared by the one-family search (RunTune)
// and the blind choice of a blend's components (blend_tune.h): the validation folds carved once
// from the training file, and one search of one family over them. Not part of the eval API.
//
// Thread-safety: reentrant functions; SearchFamily scores on several threads (EvaluateDataset).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/common/clock.h"
#include "core/eval/eval_dataset.h"
#include "core/eval/tune.h"

namespace recplat::eval::internal {

// The validation folds of one tune run: fold f is the holdout seeded holdout.seed + f.
struct TuneFolds {
  std::vector<EvalDataset> folds;
  // Users holding out an item in the last fold.
  int64_t validation_users = 0;
};

// Reads options.train_path once (options.read_file, or the disk) and carves options.folds
// holdouts. NOT_FOUND / INVALID_ARGUMENT for an unreadable or malformed file,
// FAILED_PRECONDITION when nothing can be held out.
absl::StatusOr<TuneFolds> PrepareFolds(const TuneOptions& options);

// Searches `family` with options.method, options.max_trials, options.budget_seconds (counted from
// this call) and options.base_params; on_trial (may be empty) after every trial, each trial
// tagged with `label` (TrialResult::family; empty for the plain `recplat tune`). Returns the
// best trial as a TuneResult (validation_users, family and seconds filled), the last trial's
// error when every trial failed, INVALID_ARGUMENT for halving on a family without a budget param
// or a malformed search space. REQUIRES: `family` is options.family's family.
absl::StatusOr<TuneResult> SearchFamily(const TuneOptions& options,
                                        const models::ModelFamily& family, const TuneFolds& folds,
                                        const common::Clock& clock, const std::string& label,
                                        const std::function<void(const TrialResult&)>& on_trial);

// Fits and scores exactly one param set (no search space involved) as one trial tagged `label`;
// the returned TrialResult carries the error when the fit failed.
TrialResult RunSingleTrial(const TuneOptions& options, const models::ModelFamily& family,
                           const TuneFolds& folds, const common::Clock& clock,
                           const std::string& label, ParamSet params,
                           const std::function<void(const TrialResult&)>& on_trial);

}  // namespace recplat::eval::internal
