// File: eval_dataset.h
//
// EvalDataset: a train/test split turned into what a model family fits on and what the
// evaluation loop needs, under the offline protocol of `recplat eval`:
//   - users and items get dense indices in order of first appearance in the train file;
//   - one event type, "interaction", with the given weight; every interaction has value 1;
//   - each train user's history is their train items most recent first (by timestamp, ties
//     and timestamp-less files by file order reversed);
//   - each test user (with at least one test item) has their distinct test items; those never
//     seen in train count in num_relevant but are not in `relevant` (they cannot be hit).
//
// Thread-safety: plain data; BuildEvalDataset is reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/eval/interaction_file.h"
#include "core/models/training_data.h"

namespace recplat::eval {

struct EvalTestUser {
  std::string id;
  // Index of the user in the train data; nullopt when the user has no train interactions.
  std::optional<uint32_t> train_user;
  // Test items that are train items, as train item indices, sorted ascending, distinct.
  std::vector<uint32_t> relevant;
  // Distinct test items, including those unseen in train.
  size_t num_relevant = 0;
};

struct EvalDataset {
  // Sorted by (user, timestamp_ms, file order); items[] all live and available, published at
  // their first train interaction; now_ms is the latest train timestamp.
  models::TrainingData train;
  // By train user index: item indices, most recent first (may repeat).
  std::vector<std::vector<uint32_t>> history;
  // In order of first appearance in the test file.
  std::vector<EvalTestUser> test_users;
  int64_t test_interactions = 0;
};

// INVALID_ARGUMENT when `weight` is not positive.
absl::StatusOr<EvalDataset> BuildEvalDataset(const InteractionFile& train,
                                             const InteractionFile& test, float weight);

}  // namespace recplat::eval
