// File: model_family.h
//
// ModelFamily: a kind of model (random, popularity, recent, item_knn, ease, ...): it fits a
// Model on TrainingData and loads one from an artifact directory. Families are registered by
// name in a ModelFamilyRegistry; profiles pick them by name in `models.<name>.family`.
//
// ModelParams: the hyper-parameters of one configured model, as strings from the profile, with
// typed getters that validate.
//
// Thread-safety: families are stateless; Fit/Load may run concurrently.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/models/model.h"
#include "core/models/search_space.h"
#include "core/models/training_data.h"

namespace recplat::models {

class ModelParams {
 public:
  ModelParams() = default;
  explicit ModelParams(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  // Typed getters: the default when the key is absent, INVALID_ARGUMENT naming the key when the
  // value does not parse or is out of [min, max].
  absl::StatusOr<double> GetDouble(absl::string_view key, double def, double min = -1e300,
                                   double max = 1e300) const;
  absl::StatusOr<int64_t> GetInt(absl::string_view key, int64_t def, int64_t min = INT64_MIN,
                                 int64_t max = INT64_MAX) const;
  absl::StatusOr<bool> GetBool(absl::string_view key, bool def) const;
  std::string GetString(absl::string_view key, absl::string_view def) const;

  // INVALID_ARGUMENT naming the first key not in `known` (catches typos in profiles).
  absl::Status CheckKnown(std::initializer_list<absl::string_view> known) const;

  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

class ModelFamily {
 public:
  virtual ~ModelFamily() = default;

  // The family's name (as written in profiles).
  virtual absl::string_view name() const = 0;

  // False for families whose model is built from parameters alone (random, recent): they are
  // served at version 0 without training.
  virtual bool trainable() const { return true; }

  // True for families that read ItemInfo::numeric / categorical / title / categories / text.
  // The training worker reads them from the state store only for such families (it costs a
  // pass over every item).
  virtual bool uses_item_attributes() const { return false; }

  // True for families that read TrainingData::served_lists (what the engine showed to whom):
  // the training worker scans the tenant's served lists only for such families.
  virtual bool uses_served_lists() const { return false; }

  // The document collections whose live documents the family reads from
  // TrainingData::documents (e.g. journeys a frontend stored through the core), given its
  // params; the training worker reads only those. Empty (the default) for most families.
  virtual std::vector<std::string> TrainingDocuments(const ModelParams& params) const {
    return {};
  }

  // The hyper-parameters `recplat tune` searches and their ranges (search_space.h). Empty (the
  // default) for families with nothing to tune: the tuner then evaluates their defaults once.
  virtual SearchSpace TuningSpace() const { return {}; }

  // Validates `params` without fitting (called at start-up so a bad profile fails early).
  virtual absl::Status ValidateParams(const ModelParams& params) const = 0;

  // Fits a model. INVALID_ARGUMENT for bad params, FAILED_PRECONDITION when the data is not
  // enough to train (e.g. no interactions).
  virtual absl::StatusOr<std::unique_ptr<Model>> Fit(const TrainingData& data,
                                                     const ModelParams& params) const = 0;

  // Loads a model saved by Model::Save. DATA_LOSS when the artifact is missing or corrupt.
  virtual absl::StatusOr<std::unique_ptr<Model>> Load(const std::filesystem::path& dir,
                                                      const ModelParams& params) const = 0;

  // Incremental training: a new model that starts from `previous` (a model of this family,
  // serving now) and trains on what `data` holds after `since_ms` (Unix epoch milliseconds;
  // `data` is the whole current training data, as for Fit). `previous` is only read; the
  // result shares nothing mutable with it.
  //
  // UNIMPLEMENTED (the default) for families without incremental training; FAILED_PRECONDITION
  // when `previous` cannot be continued (another family's model, an architecture that `params`
  // changed). On both codes the trainer fits from scratch instead; other errors fail the
  // training. The trainer calls Update instead of Fit while fewer than the model's
  // `full_retrain_every` param (default kDefaultFullRetrainEvery; 0 = always Fit) incremental
  // trainings happened since the last full one (core/training/trainer.h).
  virtual absl::StatusOr<std::unique_ptr<Model>> Update(const Model& previous,
                                                        const TrainingData& data,
                                                        const ModelParams& params,
                                                        int64_t since_ms) const {
    return absl::UnimplementedError("this model family has no incremental training");
  }
};

// Incremental trainings between two full ones when a model's params do not say
// (`full_retrain_every`); only families implementing ModelFamily::Update are affected.
inline constexpr int64_t kDefaultFullRetrainEvery = 10;

// Name -> family. Built once in main (RegisterBuiltinFamilies, then trainers/), then read-only.
class ModelFamilyRegistry {
 public:
  // ALREADY_EXISTS when the name is taken.
  absl::Status Register(std::unique_ptr<ModelFamily> family);
  // nullptr when unknown.
  const ModelFamily* Find(absl::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<ModelFamily>> families_;
};

// Registers random, catalog_order, weighted_random, popularity, recent, item_knn and
// session_rules.
absl::Status RegisterBuiltinFamilies(ModelFamilyRegistry* registry);

}  // namespace recplat::models
