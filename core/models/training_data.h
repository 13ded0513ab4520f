// File: training_data.h
//
// TrainingData: what a model family fits on. Built either from the state store (by the
// training worker, see core/training) or from files (by `recplat eval`, see core/eval), so every
// model trains the same way online and offline.
//
// Users and items are dense indices: users 0..num_users-1, items 0..num_items-1 (the tenant's
// catalog indices, so a trained model's item indices are valid in serving).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace recplat::models {

// One interaction of a user with an item.
struct Interaction {
  uint32_t user = 0;
  uint32_t item = 0;
  // Index into TrainingData::event_types.
  uint16_t type = 0;
  // Strength (rating, quantity, ...); 1 when the source has none.
  float value = 1.0f;
  // Unix epoch milliseconds.
  int64_t timestamp_ms = 0;
};

// Side information of an item, indexed by item index.
struct ItemInfo {
  // False for deleted items and indices never filled.
  bool live = true;
  bool available = true;
  int64_t published_at_ms = 0;
  // The item's attributes (v1::Item numeric_attributes / categorical_attributes), sorted by
  // name, names unique. Filled only when the family asks for them
  // (ModelFamily::uses_item_attributes) and the source has them; empty otherwise (the eval
  // path never fills them).
  std::vector<std::pair<std::string, double>> numeric;
  std::vector<std::pair<std::string, std::string>> categorical;
  // The item's text fields (v1::Item title, categories, and the first kMaxTextBytes of text),
  // filled under the same condition as the attributes.
  std::string title;
  std::vector<std::string> categories;
  std::string text;
  static constexpr size_t kMaxTextBytes = 4096;
};

// One list the engine served (StateStore::ScanServed), for families that learn from what was
// shown (ModelFamily::uses_served_lists).
struct ServedListRecord {
  // Dense user index (as in Interaction::user); kUnknownUser for an anonymous list or a user
  // the snapshot does not know.
  static constexpr uint32_t kUnknownUser = 0xffffffffu;
  uint32_t user = kUnknownUser;
  std::string user_id;
  std::string session_id;
  std::string surface;
  // Unix epoch milliseconds.
  int64_t served_at_ms = 0;
  // The served items in answer order, as item indices; ids the catalog snapshot does not know
  // are left out (`complete` is then false).
  std::vector<uint32_t> items;
  bool complete = true;
  // The model that ranked the list and its version.
  std::string scoring_model;
  int64_t scoring_model_version = 0;
  // The request's context (ServedList.context), sorted by key.
  std::vector<std::pair<std::string, std::string>> context;
};

// A stored document (core documents: a collection's key -> body), for families that read
// profile-specific records the core keeps for them (ModelFamily::TrainingDocuments).
struct TrainingDocument {
  std::string collection;
  std::string key;
  std::string body;
  int64_t updated_at_ms = 0;
};

struct TrainingData {
  uint32_t num_users = 0;
  uint32_t num_items = 0;
  // Event type names; Interaction::type indexes this.
  std::vector<std::string> event_types;
  // Weight of each event type (same indexing), from the profile's `event_types`.
  std::vector<float> event_type_weights;
  // All interactions, sorted by (user, timestamp_ms).
  std::vector<Interaction> interactions;
  // Size num_items; may be empty when the source has no item side information (all live).
  std::vector<ItemInfo> items;
  // Reference "now" for time decay, Unix epoch milliseconds.
  int64_t now_ms = 0;
  // Optional external ids (size num_items / num_users, or empty), for debugging and reports.
  std::vector<std::string> item_ids;
  std::vector<std::string> user_ids;
  // The served lists of the tenant, in serving-time order; filled only for families that ask
  // (ModelFamily::uses_served_lists), empty otherwise and on the eval path.
  std::vector<ServedListRecord> served_lists;
  // The live documents of the collections the family names (ModelFamily::TrainingDocuments),
  // by collection in the order named, each in key order; empty otherwise.
  std::vector<TrainingDocument> documents;
  // Requested when the fit should end early (the process is shutting down). Families whose fit
  // takes more than a second or so check it between epochs or batches (CheckStop) and give up
  // with CANCELLED; a default token is never requested.
  std::stop_token stop;
};

// OK, or CANCELLED when `stop` has been requested (what long fits return when they give up).
inline absl::Status CheckStop(const std::stop_token& stop) {
  if (!stop.stop_requested()) return absl::OkStatus();
  return absl::CancelledError("training stopped: the process is shutting down");
}

}  // namespace recplat::models
