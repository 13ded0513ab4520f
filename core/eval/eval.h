// File: eval.h
//
// Offline evaluation of a model family on a train/test split (`recplat eval`): fits the family
// on the train file, recommends the top K for every test user with full ranking over all train
// items (each user's train items excluded), and averages Recall, NDCG, HitRate and MRR at K
// over users (see ranking_metrics.h), plus catalogue coverage. File formats and the mapping of
// ids are described in interaction_file.h and eval_dataset.h.
//
// Models see a catalog holding every train item (live, available, published at its first
// train interaction), ctx.now_ms = the latest train timestamp, and a user's train items as
// ctx.user_history (most recent first). A user for whom the model is not Ready gets no
// recommendations (zero metrics) and is counted in users_not_ready.
//
// Thread-safety: RunEval is reentrant; it scores users on several threads itself (models are
// used through their const, thread-safe methods).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "core/common/clock.h"
#include "core/eval/eval_dataset.h"
#include "core/models/model_family.h"

namespace recplat::eval {

struct EvalOptions {
  std::string train_path;
  std::string test_path;
  // Family name in the registry (e.g. "item_knn") and its params.
  std::string family;
  models::ModelParams params;
  // Cut-off; >= 1.
  int k = 20;
  // Event type weights; the files have one type, "interaction" (weight 1 unless given here).
  std::map<std::string, double> event_type_weights;
  // Scoring threads; 0 = one per hardware thread.
  int threads = 0;
  // Seeds the per-thread generators handed to models as ctx.rng.
  uint64_t seed = 42;
  // Measures fit_seconds / score_seconds; nullptr = common::Clock::Default(). Not owned.
  const common::Clock* clock = nullptr;
};

struct EvalReport {
  int k = 0;
  // Averages over the users evaluated.
  double recall = 0;
  double ndcg = 0;
  double hit_rate = 0;
  double mrr = 0;
  // Distinct items recommended to anyone / number of train items.
  double coverage = 0;
  double fit_seconds = 0;
  double score_seconds = 0;
  // Test users with at least one test item.
  int64_t users_evaluated = 0;
  // Of those, users the model was not Ready for.
  int64_t users_not_ready = 0;
  int64_t train_interactions = 0;
  int64_t test_interactions = 0;
  // Distinct items / users of the train file.
  int64_t num_items = 0;
  int64_t num_users = 0;
  // Free label for the report (the CLI sets the configured model name); RunEval sets the family.
  std::string model;
};

// Runs the evaluation. INVALID_ARGUMENT for bad options, an unknown family, bad params or a
// malformed file (with file:line); NOT_FOUND when a file cannot be opened; the family's error
// when fitting fails (e.g. FAILED_PRECONDITION); INTERNAL when the model fails to retrieve.
absl::StatusOr<EvalReport> RunEval(const EvalOptions& options,
                                   const models::ModelFamilyRegistry& families);

// The evaluation of RunEval on a dataset already built: fits `family` with `params` on ds.train,
// then ranks the top k for every ds.test_users entry (`threads` scoring threads, 0 = one per
// hardware thread; per-thread generators seeded from `seed`). report.model is the family name.
// INVALID_ARGUMENT for k < 1 or threads < 0; the family's error when fitting fails; INTERNAL when
// the model fails to retrieve.
absl::StatusOr<EvalReport> EvaluateDataset(const EvalDataset& ds,
                                           const models::ModelFamily& family,
                                           const models::ModelParams& params, int k, int threads,
                                           uint64_t seed, const common::Clock& clock);

// One JSON object on one line: model, k, recall, ndcg, hit_rate, mrr, coverage, fit_seconds,
// score_seconds, users_evaluated, users_not_ready, train_interactions, test_interactions,
// num_items, num_users.
std::string EvalReportToJson(const EvalReport& report);

}  // namespace recplat::eval
