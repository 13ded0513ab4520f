// File: training_data_builder.h
//
// Builds a model's TrainingData from one consistent snapshot of a tenant's state.
#pragma once

#include <map>
#include <string>
#include <vector>

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

// What BuildTrainingData reads besides the interactions and the catalog (what a family asks
// for: ModelFamily::uses_item_attributes, uses_served_lists, TrainingDocuments).
struct TrainingDataExtras {
  bool item_attributes = false;
  bool served_lists = false;
  std::vector<std::string> document_collections;
};

// Reads every interaction of `tenant` and the tenant's catalog. Event type weights come from
// `event_types` (types not configured any more get weight 1). `now_ms` is the decay reference.
// With `item_attributes`, also pages through the live items (StateStore::ListItems) and fills
// ItemInfo::numeric / categorical (sorted by name), title, categories and text (its first
// ItemInfo::kMaxTextBytes); items created after the catalog snapshot are left out. With
// `extras.served_lists`, fills TrainingData::served_lists from StateStore::ScanServed (every
// surface, at most kMaxServedLists, the most recent kept; users resolved by
// StateStore::GetUser); with `extras.document_collections`, TrainingData::documents from
// StateStore::ScanDocuments (at most kMaxDocuments in all). These are read after the
// interactions, not from the same snapshot: a list or document may be newer than the
// interactions. Errors of the state store are returned as they are.
absl::StatusOr<BuiltTrainingData> BuildTrainingData(
    const state::StateStore& state, const std::string& tenant,
    const std::map<std::string, config::EventTypeConfig>& event_types, int64_t now_ms,
    const TrainingDataExtras& extras);
inline absl::StatusOr<BuiltTrainingData> BuildTrainingData(
    const state::StateStore& state, const std::string& tenant,
    const std::map<std::string, config::EventTypeConfig>& event_types, int64_t now_ms,
    bool item_attributes = false) {
  TrainingDataExtras extras;
  extras.item_attributes = item_attributes;
  return BuildTrainingData(state, tenant, event_types, now_ms, extras);
}

// Caps of what BuildTrainingData reads for the extras (memory bounds of one training).
inline constexpr size_t kMaxServedLists = 1'000'000;
inline constexpr size_t kMaxDocuments = 1'000'000;

}  // namespace recplat::training
