// TrainingStats (training_stats.h).
#include "core/monitoring/training_stats.h"

#include <algorithm>

#include "core/monitoring/value_summary.h"

namespace recplat::monitoring {
namespace {

// The figures of one set of versions, fed one version at a time.
class TrainingAccumulator {
 public:
  explicit TrainingAccumulator(int64_t machine_memory_bytes)
      : machine_memory_bytes_(machine_memory_bytes) {}

  void Add(const v1::ModelVersion& version) {
    ++started_;
    if (version.status() == v1::MODEL_STATUS_FAILED) {
      ++failed_;
      return;
    }
    duration_.Add(version.training().duration_seconds());
    const int64_t peak = version.training().peak_memory_bytes();
    if (peak > 0) {
      memory_.Add(static_cast<double>(peak));
      percent_.Add(machine_memory_bytes_ > 0 ? 100.0 * static_cast<double>(peak) /
                                                   static_cast<double>(machine_memory_bytes_)
                                             : 0.0);
    }
  }

  v1::TrainingFigures ToProto() const {
    v1::TrainingFigures out;
    out.set_started(started_);
    out.set_completed(started_ - failed_);
    out.set_failed(failed_);
    *out.mutable_duration_seconds() = duration_.ToProto();
    *out.mutable_peak_memory_bytes() = memory_.ToProto();
    *out.mutable_peak_memory_percent() = percent_.ToProto();
    return out;
  }

 private:
  const int64_t machine_memory_bytes_;
  int64_t started_ = 0;
  int64_t failed_ = 0;
  SummaryAccumulator duration_;
  SummaryAccumulator memory_;
  SummaryAccumulator percent_;
};

}  // namespace

v1::ModelTrainingStatsResponse TrainingStats(
    int64_t from_ms, int64_t to_ms,
    const std::map<std::string, std::vector<v1::ModelVersion>>& versions,
    int64_t machine_memory_bytes) {
  machine_memory_bytes = std::max<int64_t>(machine_memory_bytes, 0);
  TrainingAccumulator general(machine_memory_bytes);
  v1::ModelTrainingStatsResponse response;
  for (const auto& [model, model_versions] : versions) {
    TrainingAccumulator figures(machine_memory_bytes);
    for (const v1::ModelVersion& version : model_versions) {
      const int64_t created = version.created_at_ms();
      if (version.version() <= 0 || created < from_ms || created > to_ms) continue;
      figures.Add(version);
      general.Add(version);
    }
    (*response.mutable_models())[model] = figures.ToProto();
  }
  *response.mutable_general() = general.ToProto();
  response.set_machine_memory_bytes(machine_memory_bytes);
  return response;
}

}  // namespace recplat::monitoring
