// File: models_test_util.h
//
// Helpers for the built-in families' tests: a catalog of N items, a set-based CandidateFilter,
// a request context, TrainingData from triples, and a Save/Load round trip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/catalog/catalog.h"
#include "core/common/random.h"
#include "core/models/model.h"
#include "core/models/model_family.h"
#include "core/models/training_data.h"
#include "tests/testing/test_env.h"

namespace recplat::models::testing {

// `n` items "i0".."i<n-1>", live and available, item i published at (i + 1) * 1000 ms.
inline std::unique_ptr<catalog::Catalog> MakeCatalog(uint32_t n) {
  auto c = std::make_unique<catalog::Catalog>();
  for (uint32_t i = 0; i < n; ++i) {
    c->Set(i, absl::StrCat("i", i), true, true, 1.0f, (i + 1) * 1000, {});
  }
  return c;
}

class SetFilter final : public CandidateFilter {
 public:
  SetFilter() = default;
  explicit SetFilter(std::initializer_list<uint32_t> items) : excluded_(items) {}
  void Exclude(uint32_t item) { excluded_.insert(item); }
  bool Excluded(uint32_t item) const override { return excluded_.contains(item); }

 private:
  absl::flat_hash_set<uint32_t> excluded_;
};

// One interaction per (user, item, type, timestamp_ms); value 1.
struct Triple {
  uint32_t user;
  uint32_t item;
  uint16_t type = 0;
  int64_t timestamp_ms = 0;
  float value = 1.0f;
};

inline TrainingData MakeData(uint32_t num_users, uint32_t num_items, std::vector<Triple> xs,
                             std::vector<float> type_weights = {1.0f}) {
  TrainingData d;
  d.num_users = num_users;
  d.num_items = num_items;
  for (size_t t = 0; t < type_weights.size(); ++t) {
    d.event_types.push_back(absl::StrCat("type", t));
  }
  d.event_type_weights = std::move(type_weights);
  for (const Triple& x : xs) {
    d.interactions.push_back({x.user, x.item, x.type, x.value, x.timestamp_ms});
  }
  return d;
}

// ModelParams from a brace list (ModelParams({{..}}) is ambiguous with the copy constructor).
inline ModelParams P(std::map<std::string, std::string> values) {
  return ModelParams(std::move(values));
}

inline std::vector<uint32_t> Items(const std::vector<ScoredItem>& scored) {
  std::vector<uint32_t> out;
  for (const ScoredItem& s : scored) {
    out.push_back(s.item);
  }
  return out;
}

// Saves `model` into a fresh directory under `tmp` and loads it back with `family`.
inline absl::StatusOr<std::unique_ptr<Model>> SaveAndLoad(const Model& model,
                                                          const ModelFamily& family,
                                                          const recplat::testing::TempDir& tmp,
                                                          const ModelParams& params = {}) {
  static int counter = 0;
  const std::filesystem::path dir = tmp.path() / absl::StrCat("model", counter++);
  std::filesystem::create_directories(dir);
  if (absl::Status s = model.Save(dir); !s.ok()) {
    return s;
  }
  return family.Load(dir, params);
}

}  // namespace recplat::models::testing
