// File: session_dataset.h
//
// Turning click sessions (session_file.h) into what session-based evaluation needs:
//
// BuildSessionDataset(train, test): every train session becomes one pseudo-user of
// models::TrainingData (users in train-session order; interactions sorted by (user, timestamp),
// i.e. each session's clicks in time order; one event type, "interaction", weight 1, value 1;
// items indexed in order of first appearance in train; each item live, available and published
// at its first train click; now_ms = the latest train click). Test sessions keep their clicks in
// time order as train item indices, kNotInTrain for items never seen in train.
//
// SplitSessionsByDays(sessions, options): the SR-GNN style split of one file (diginetica ships
// only one), in this exact order, each step once (not iterated to a fixed point, as SR-GNN's
// preprocess.py does it):
//   1. drop sessions of length 1;
//   2. count every item's clicks over the remaining sessions, remove the clicks on items with
//      fewer than `min_item_support` (default 5) of them, drop sessions left shorter than 2;
//   3. last_day = the latest session day (session_file.h: a session's start date); sessions
//      with day > last_day - test_days (the last `test_days` calendar days, default 7) are the
//      test set, the others the train set;
//   4. remove from test sessions the clicks on items absent from the train set, then drop test
//      sessions left shorter than 2.
// Sessions keep their file order in both sets. Differences from SR-GNN's preprocess.py: a
// session's date is its start date (SR-GNN takes the date of the session's last line in file
// order), and sessions dated exactly last_day - test_days go to train (SR-GNN's strict
// comparisons put them in neither set).
//
// Thread-safety: plain data; the functions are reentrant.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/eval/session_file.h"
#include "core/models/training_data.h"

namespace recplat::eval {

// A test click on an item the train set does not have.
inline constexpr uint32_t kNotInTrain = std::numeric_limits<uint32_t>::max();

struct TestSession {
  std::string id;
  // Train item indices (kNotInTrain for unseen items) in time order; same size as timestamps_ms.
  std::vector<uint32_t> items;
  std::vector<int64_t> timestamps_ms;
};

struct SessionDataset {
  models::TrainingData train;
  // In the order given; sessions of length 1 are kept (they yield no prediction).
  std::vector<TestSession> test;
  int64_t test_clicks = 0;
};

// INVALID_ARGUMENT when `train` has no click.
absl::StatusOr<SessionDataset> BuildSessionDataset(const std::vector<RawSession>& train,
                                                   const std::vector<RawSession>& test);

struct SessionSplitOptions {
  // >= 1.
  int test_days = 7;
  // >= 1; 1 keeps every item.
  int min_item_support = 5;
};

struct SessionSplitStats {
  int64_t sessions_read = 0;
  // Step 1.
  int64_t sessions_length_one = 0;
  // Step 2: distinct items removed, and sessions dropped for it.
  int64_t rare_items = 0;
  int64_t sessions_short_after_item_filter = 0;
  // Step 3 (days since 1970-01-01): test sessions have day > split_day.
  int64_t last_day = 0;
  int64_t split_day = 0;
  // Step 4: test clicks removed, and test sessions dropped for it.
  int64_t test_clicks_not_in_train = 0;
  int64_t test_sessions_dropped = 0;
};

struct SessionSplit {
  std::vector<RawSession> train;
  std::vector<RawSession> test;
  SessionSplitStats stats;
};

// INVALID_ARGUMENT for bad options, and when the split leaves no train or no test session.
absl::StatusOr<SessionSplit> SplitSessionsByDays(std::vector<RawSession> sessions,
                                                 const SessionSplitOptions& options);

}  // namespace recplat::eval
