// TrainingStats over hand-made model versions: started/completed/failed, the summaries of the
// completed trainings, inclusive range ends, version 0, missing peaks and unknown memory.
#include "core/monitoring/training_stats.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace recplat::monitoring {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kMachine = 8 * 1024 * kMiB;

int64_t Ms(int y, int m, int d, int hh = 0) {
  return absl::ToUnixMillis(
      absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), absl::UTCTimeZone()));
}

const int64_t kFrom = Ms(2023, 8, 1);
const int64_t kTo = Ms(2023, 8, 2);

v1::ModelVersion Version(std::string model, int64_t version, v1::ModelStatus status,
                         int64_t created_ms, double duration_s, int64_t peak_bytes) {
  v1::ModelVersion v;
  v.set_model(std::move(model));
  v.set_version(version);
  v.set_status(status);
  v.set_created_at_ms(created_ms);
  v.mutable_training()->set_duration_seconds(duration_s);
  v.mutable_training()->set_peak_memory_bytes(peak_bytes);
  return v;
}

std::map<std::string, std::vector<v1::ModelVersion>> Versions() {
  std::map<std::string, std::vector<v1::ModelVersion>> v;
  // Version 0 is the built-in one: not a training.
  v["selection"] = {Version("selection", 0, v1::MODEL_STATUS_CURRENT, Ms(2023, 8, 1, 1), 0, 0)};
  v["popularity"] = {
      Version("popularity", 1, v1::MODEL_STATUS_CURRENT, Ms(2023, 8, 1, 3), 1, 256 * kMiB)};
  v["gru4rec"] = {
      Version("gru4rec", 2, v1::MODEL_STATUS_STALE, Ms(2023, 8, 1, 6), 4, 0),  // No peak.
      Version("gru4rec", 1, v1::MODEL_STATUS_FAILED, Ms(2023, 8, 1, 5), 2, 64 * kMiB),
  };
  v["ease"] = {
      Version("ease", 4, v1::MODEL_STATUS_PENDING, kTo, 20, 1024 * kMiB),             // At `to`.
      Version("ease", 3, v1::MODEL_STATUS_STALE, Ms(2023, 7, 30), 99, 4096 * kMiB),  // Before.
      Version("ease", 2, v1::MODEL_STATUS_FAILED, Ms(2023, 8, 1, 2), 3, 100 * kMiB),
      Version("ease", 1, v1::MODEL_STATUS_CURRENT, Ms(2023, 8, 1, 1), 10, 512 * kMiB),
      Version("ease", 0, v1::MODEL_STATUS_UNSPECIFIED, Ms(2023, 8, 1, 1), 0, 0),
      Version("ease", 5, v1::MODEL_STATUS_PENDING, kTo + 1, 7, kMiB),  // One ms after `to`.
  };
  v["similarity"] = {};
  return v;
}

struct Want {
  int64_t started, completed, failed;
  double memory_avg, memory_max, percent_avg, percent_max, duration_avg, duration_max;
};

void ExpectFigures(const v1::TrainingFigures& got, const Want& want) {
  EXPECT_EQ(got.started(), want.started);
  EXPECT_EQ(got.completed(), want.completed);
  EXPECT_EQ(got.failed(), want.failed);
  EXPECT_NEAR(got.peak_memory_bytes().avg(), want.memory_avg, 1e-3);
  EXPECT_DOUBLE_EQ(got.peak_memory_bytes().max(), want.memory_max);
  EXPECT_NEAR(got.peak_memory_percent().avg(), want.percent_avg, 1e-9);
  EXPECT_DOUBLE_EQ(got.peak_memory_percent().max(), want.percent_max);
  EXPECT_NEAR(got.duration_seconds().avg(), want.duration_avg, 1e-12);
  EXPECT_DOUBLE_EQ(got.duration_seconds().max(), want.duration_max);
}

TEST(TrainingStatsTest, PerModelAndGeneral) {
  const v1::ModelTrainingStatsResponse got = TrainingStats(kFrom, kTo, Versions(), kMachine);
  ASSERT_EQ(got.models_size(), 5);
  // ease: v1 (512 MiB = 6.25 % of 8 GiB, 10 s), v2 failed, v4 at `to` (1024 MiB = 12.5 %, 20 s);
  // v0 (built-in), v3 (before) and v5 (after) do not count.
  ExpectFigures(got.models().at("ease"),
                {3, 2, 1, 768.0 * kMiB, 1024.0 * kMiB, 9.375, 12.5, 15, 20});
  EXPECT_EQ(got.models().at("ease").duration_seconds().count(), 2);
  // gru4rec: v1 failed, v2 completed without a recorded peak (left out of the memory figures).
  ExpectFigures(got.models().at("gru4rec"), {2, 1, 1, 0, 0, 0, 0, 4, 4});
  EXPECT_EQ(got.models().at("gru4rec").peak_memory_bytes().count(), 0);
  ExpectFigures(got.models().at("popularity"),
                {1, 1, 0, 256.0 * kMiB, 256.0 * kMiB, 3.125, 3.125, 1, 1});
  ExpectFigures(got.models().at("selection"), {0, 0, 0, 0, 0, 0, 0, 0, 0});
  ExpectFigures(got.models().at("similarity"), {0, 0, 0, 0, 0, 0, 0, 0, 0});
  // General: durations 10 20 4 1; peaks 512 1024 256 MiB.
  ExpectFigures(got.general(), {6, 4, 2, 1792.0 / 3 * kMiB, 1024.0 * kMiB, 21.875 / 3, 12.5,
                                8.75, 20});
  EXPECT_EQ(got.machine_memory_bytes(), kMachine);
}

TEST(TrainingStatsTest, EmptyRangeAndUnknownMemory) {
  v1::ModelTrainingStatsResponse got =
      TrainingStats(Ms(2020, 1, 1), Ms(2020, 1, 2), Versions(), kMachine);
  ExpectFigures(got.general(), {0, 0, 0, 0, 0, 0, 0, 0, 0});
  // Unknown machine memory: percentages are 0, bytes still reported.
  got = TrainingStats(kFrom, kTo, Versions(), 0);
  ExpectFigures(got.models().at("popularity"),
                {1, 1, 0, 256.0 * kMiB, 256.0 * kMiB, 0, 0, 1, 1});
  EXPECT_EQ(got.machine_memory_bytes(), 0);
  got = TrainingStats(kFrom, kTo, Versions(), -5);
  EXPECT_EQ(got.machine_memory_bytes(), 0);
  // No models: nothing per model, zeros in general.
  got = TrainingStats(kFrom, kTo, {}, kMachine);
  EXPECT_EQ(got.models_size(), 0);
  EXPECT_EQ(got.general().started(), 0);
}

TEST(TrainingStatsTest, OneInstantRange) {
  const v1::ModelTrainingStatsResponse got = TrainingStats(kTo, kTo, Versions(), kMachine);
  ExpectFigures(got.general(), {1, 1, 0, 1024.0 * kMiB, 1024.0 * kMiB, 12.5, 12.5, 20, 20});
}

}  // namespace
}  // namespace recplat::monitoring
