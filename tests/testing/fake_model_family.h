// File: fake_model_family.h
//
// FakeModelFamily and FakeModel: a model family for tests of code that stores, loads and serves
// models (the registry, the engine, training) without any real fitting.
//
// A FakeModel holds a value and a fixed list of items: it retrieves those items scored by the
// value, and its artifact is one text file holding both. The family can be told to fail Fit or
// Load, and counts the models alive (shared by all the models it made), so tests can check that
// replaced snapshots are released. Not for production code.
//
// Thread-safety: all methods are thread-safe (counters and switches are atomics).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/models/model.h"
#include "core/models/model_family.h"

namespace recplat::testing {

class FakeModel final : public models::Model {
 public:
  // `live` counts the FakeModels alive that share it; may be null.
  FakeModel(double value, std::vector<uint32_t> items,
            std::shared_ptr<std::atomic<int64_t>> live = nullptr);
  ~FakeModel() override;
  FakeModel(const FakeModel&) = delete;
  FakeModel& operator=(const FakeModel&) = delete;

  double value() const { return value_; }
  const std::vector<uint32_t>& items() const { return items_; }
  // Makes Save fail with INTERNAL (and write nothing).
  void set_fail_save(bool fail) { fail_save_ = fail; }

  bool Ready(const models::RecommendContext& ctx) const override { return true; }
  // The fixed items that pass ctx.filter, in order, each scored `value`.
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  // `value` for the fixed items, -1e300 for the others.
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  // {"value", value}.
  std::vector<std::pair<std::string, double>> Metrics() const override;

 private:
  const double value_;
  const std::vector<uint32_t> items_;
  std::shared_ptr<std::atomic<int64_t>> live_;
  std::atomic<bool> fail_save_{false};
};

class FakeModelFamily final : public models::ModelFamily {
 public:
  // Items every model of this family returns.
  static constexpr uint32_t kItems[] = {0, 1, 2};

  explicit FakeModelFamily(std::string name, bool trainable = true);

  absl::string_view name() const override { return name_; }
  bool trainable() const override { return trainable_; }

  // INVALID_ARGUMENT when `params` has the key "invalid"; OK otherwise.
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  // A FakeModel whose value is the param "value" when given, else fit_value(). INTERNAL when
  // told to fail.
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  // Reads what FakeModel::Save wrote. DATA_LOSS when told to fail, or when the artifact is
  // missing or corrupt.
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;

  // A model of this family (counted in live_models()), as Fit would make it.
  std::unique_ptr<FakeModel> MakeModel(double value) const;

  void set_fail_fit(bool fail) { fail_fit_ = fail; }
  // When set, Fit runs until TrainingData::stop is requested and then answers CANCELLED (a fit
  // that never ends on its own); fit_running() tells when it has started.
  void set_fit_until_stopped(bool until_stopped) { fit_until_stopped_ = until_stopped; }
  bool fit_running() const { return fit_running_.load(); }
  void set_fail_load(bool fail) { fail_load_ = fail; }
  void set_fit_value(double value) { fit_value_ = value; }
  double fit_value() const { return fit_value_; }

  // FakeModels made by this family (Fit, Load, MakeModel) still alive.
  int64_t live_models() const { return live_->load(); }
  int64_t fits() const { return fits_.load(); }
  int64_t loads() const { return loads_.load(); }

 private:
  const std::string name_;
  const bool trainable_;
  std::shared_ptr<std::atomic<int64_t>> live_;
  std::atomic<bool> fail_fit_{false};
  std::atomic<bool> fit_until_stopped_{false};
  mutable std::atomic<bool> fit_running_{false};
  std::atomic<bool> fail_load_{false};
  std::atomic<double> fit_value_{1.0};
  mutable std::atomic<int64_t> fits_{0};
  mutable std::atomic<int64_t> loads_{0};
};

}  // namespace recplat::testing
