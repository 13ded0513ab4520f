// File: training_data_builder.h
//
// Builds a model's TrainingData from one consistent snapshot of a tenant's state.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "core/config/config.h"
#include "core/models/training_data.h"
#include "core/state/state_store.h"

namespace recplat::training {

struct BuiltTrainingData {
  models::TrainingData data;
  // Event-log offset the snapshot reflects (everything before it is included).
  uint64_t log_offset = 0;
};

// Reads every interaction of `tenant` and the tenant's catalog. Event type weights come from
// `event_types` (types not configured any more get weight 1). `now_ms` is the decay reference.
// With `item_attributes`, also pages through the live items (StateStore::ListItems) and fills
// ItemInfo::numeric / categorical (sorted by name), title, categories and text (its first
// ItemInfo::kMaxTextBytes); items created after the catalog snapshot are left out. Errors of the state store are returned as they are.
absl::StatusOr<BuiltTrainingData> BuildTrainingData(
    const state::StateStore& state, const std::string& tenant,
    const std::map<std::string, config::EventTypeConfig>& event_types, int64_t now_ms,
    bool item_attributes = false);

}  // namespace recplat::training
