// File: dashboard_stats.h
//
// Internal to the ecoseller dashboard (dashboard.cc, dashboard_performance.cc): the running
// average/maximum and the per-filter training accumulator. Every figure of an empty set is 0,
// and non-finite inputs are ignored, so the JSON never holds null, NaN or infinity.
//
// Thread-safety: plain values; not synchronised.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "nlohmann/json.hpp"
#include "recplat/v1/models.pb.h"

namespace recplat::http::ecoseller::internal {

// avg/max of a stream of values; {"avg": 0, "max": 0} when empty.
class AvgMax {
 public:
  void Add(double value) {
    if (!std::isfinite(value)) return;
    max_ = count_ == 0 ? value : std::max(max_, value);
    sum_ += value;
    ++count_;
  }
  int64_t count() const { return count_; }
  double avg() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  double max() const { return count_ == 0 ? 0.0 : max_; }
  nlohmann::json ToJson() const { return {{"avg", avg()}, {"max", max()}}; }

 private:
  double sum_ = 0;
  double max_ = 0;
  int64_t count_ = 0;
};

// numerator / denominator, 0 when the denominator is 0.
inline double Ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

inline constexpr double kBytesPerMiB = 1024.0 * 1024.0;

// One TrainingDataData object (see dashboard.h), fed one model version at a time.
class TrainingAccumulator {
 public:
  // Counts `version` as a started training; failed when FAILED, otherwise completed with its
  // duration and (when recorded, > 0 bytes) its peak memory. `total_memory_bytes` <= 0 leaves
  // the percentage at 0.
  void Add(const v1::ModelVersion& version, int64_t total_memory_bytes) {
    ++started_;
    if (version.status() == v1::MODEL_STATUS_FAILED) {
      ++failed_;
      return;
    }
    duration_.Add(version.training().duration_seconds());
    const int64_t peak = version.training().peak_memory_bytes();
    if (peak > 0) {
      memory_mib_.Add(static_cast<double>(peak) / kBytesPerMiB);
      memory_percentage_.Add(total_memory_bytes > 0 ? 100.0 * static_cast<double>(peak) /
                                                          static_cast<double>(total_memory_bytes)
                                                    : 0.0);
    }
  }

  nlohmann::json ToJson() const {
    return {{"trainings",
             {{"started", started_}, {"completed", started_ - failed_}, {"failed", failed_}}},
            {"peakMemory", memory_mib_.ToJson()},
            {"peakMemoryPercentage", memory_percentage_.ToJson()},
            {"duration", duration_.ToJson()}};
  }

 private:
  int64_t started_ = 0;
  int64_t failed_ = 0;
  AvgMax duration_;
  AvgMax memory_mib_;
  AvgMax memory_percentage_;
};

}  // namespace recplat::http::ecoseller::internal
