// File: session_eval.h
//
// Session-based (next-click) offline evaluation, the GRU4Rec protocol (Hidasi et al.), as run by
// `recplat eval --protocol session`:
//
//   - the model family is fitted on the train sessions, each session one pseudo-user of
//     TrainingData (session_dataset.h);
//   - for every test session s = (i_1 .. i_n) and every position t = 1 .. n-1, the model gets
//     ctx.session_items = (i_t, i_{t-1}, .., i_1), MOST RECENT FIRST (clicks on items never seen
//     in train left out), an empty ctx.user_history and ctx.anchors, ctx.now_ms = the time of
//     click i_t, and a filter that excludes nothing among the train items (items already in
//     the session may be recommended again); it retrieves its top K over all train items;
//   - HR@K (= Recall@K of the GRU4Rec papers) is 1 when i_{t+1} is among them, MRR@K is 1 / its
//     rank (0 when not in the top K); both are averaged over all predictions.
//
// A target never seen in train is a miss (counted in targets_not_in_train; the model is not
// asked). A prediction the model is not Ready for is a miss (counted in predictions_not_ready).
// Coverage is the share of train items recommended in some top K.
//
// Thread-safety: RunSessionEval and EvaluateSessionModel are reentrant; they run predictions on
// several threads themselves (models are used through their const, thread-safe methods).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/common/clock.h"
#include "core/eval/session_dataset.h"
#include "core/models/model_family.h"

namespace recplat::eval {

struct SessionEvalOptions {
  std::string train_path;
  // The test file; empty = split train_path by date (SplitSessionsByDays with `split`).
  std::string test_path;
  SessionSplitOptions split;
  // Family name in the registry (e.g. "session_rules") and its params.
  std::string family;
  models::ModelParams params;
  // Cut-off; >= 1.
  int k = 20;
  // Prediction threads; 0 = one per hardware thread.
  int threads = 0;
  // Seeds the per-thread generators handed to models as ctx.rng.
  uint64_t seed = 42;
  // Measures fit_seconds / score_seconds; nullptr = common::Clock::Default(). Not owned.
  const common::Clock* clock = nullptr;
};

struct SessionEvalReport {
  int k = 0;
  // Averages over all predictions.
  double hr = 0;
  double mrr = 0;
  // Distinct items recommended in some top K / number of train items.
  double coverage = 0;
  double fit_seconds = 0;
  double score_seconds = 0;
  // One per test click that has a successor: sum over test sessions of (length - 1).
  int64_t predictions = 0;
  // Test sessions with at least one prediction.
  int64_t sessions = 0;
  int64_t predictions_not_ready = 0;
  int64_t targets_not_in_train = 0;
  int64_t train_sessions = 0;
  int64_t train_clicks = 0;
  int64_t test_clicks = 0;
  int64_t num_items = 0;
  // Set when the test set was split off the train file.
  bool split = false;
  SessionSplitOptions split_options;
  SessionSplitStats split_stats;
  // Free label for the report (the CLI sets the configured model name); RunSessionEval sets the
  // family.
  std::string model;
};

// Runs the protocol above for an already fitted `model` on `ds.test`, ranking over the
// ds.train.num_items train items. Fills k, hr, mrr, coverage, predictions, sessions,
// predictions_not_ready, targets_not_in_train and score_seconds (by `clock`, nullptr = default).
// INVALID_ARGUMENT when k < 1 or threads < 0; INTERNAL when the model fails to retrieve.
absl::StatusOr<SessionEvalReport> EvaluateSessionModel(const models::Model& model,
                                                       const SessionDataset& ds, int k, int threads,
                                                       uint64_t seed,
                                                       const common::Clock* clock = nullptr);

// Reads the file(s), splits when there is no test file, fits the family and evaluates it.
// INVALID_ARGUMENT for bad options, an unknown family, bad params, a malformed file (with
// file:line) or an empty split; NOT_FOUND when a file cannot be opened; the family's error when
// fitting fails (e.g. FAILED_PRECONDITION); INTERNAL when the model fails to retrieve.
absl::StatusOr<SessionEvalReport> RunSessionEval(const SessionEvalOptions& options,
                                                 const models::ModelFamilyRegistry& families);

// One JSON object on one line: protocol ("session"), model, k, hr, mrr, coverage, fit_seconds,
// score_seconds, predictions, sessions, predictions_not_ready, targets_not_in_train,
// train_sessions, train_clicks, test_clicks, num_items, and, for a split, "split": {test_days,
// min_item_support, sessions_read, sessions_length_one, rare_items,
// sessions_short_after_item_filter, test_clicks_not_in_train, test_sessions_dropped}.
std::string SessionEvalReportToJson(const SessionEvalReport& report);

}  // namespace recplat::eval
