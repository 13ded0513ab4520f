// File: training_stats.h
//
// TrainingStats: the training statistics of model versions (Api::ModelTrainingStats,
// proto/recplat/v1/monitoring.proto). One version per training:
//   - a version counts when it is > 0 (version 0 is the built-in version of untrained models,
//     not a training) and from_ms <= created_at_ms <= to_ms;
//   - started = every such version; failed = status FAILED; completed = started - failed (a
//     version still training counts as completed: the registry has no separate state for it);
//   - duration, peak memory (bytes) and peak memory percent (of the machine's memory) are
//     summarised over the completed versions; the memory summaries leave out versions that
//     recorded no peak (0 bytes).
// Pure, so the figures can be checked on hand-made versions.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "recplat/v1/models.pb.h"
#include "recplat/v1/monitoring.pb.h"

namespace recplat::monitoring {

// The statistics of `versions` (model name -> its versions, any order) created in
// [from_ms, to_ms]: one entry of `models` per key of `versions`, and `general` over all of them.
// `machine_memory_bytes` <= 0 leaves every percentage at 0 (and is reported as 0).
v1::ModelTrainingStatsResponse TrainingStats(
    int64_t from_ms, int64_t to_ms,
    const std::map<std::string, std::vector<v1::ModelVersion>>& versions,
    int64_t machine_memory_bytes);

}  // namespace recplat::monitoring
