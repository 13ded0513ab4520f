// File: user_item_matrix.h
//
// The users × items matrix X the item-item linear autoencoders (`ease`, `dlae`, `edlae`) fit
// on, built from TrainingData:
//   binary    x_ui = 1 when u has any interaction with i whose event type weight is > 0
//   weighted  x_ui = min(weight_cap, Σ type weight × (use_value ? value : 1)), entries <= 0
//             dropped
// over the kept items: those with at least one interaction; when more than max_items, the
// max_items with the most interactions (ties: lower index). Columns are kept indices.
//
// Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/models/training_data.h"
#include "trainers/ease/ease_solver.h"

namespace recplat::ease {

// Default cap on the kept items of ease / dlae / edlae: the whole catalogue of a 35k-item
// shop. The fit then holds 4·n² bytes (4.9 GB at 35,000); see docs/models.md for the time.
inline constexpr uint32_t kDefaultMaxItems = 35000;

struct MatrixOptions {
  bool weighted = false;
  bool use_value = false;
  double weight_cap = 10.0;
  uint32_t max_items = kDefaultMaxItems;
  // When not empty: the event-type weights to use instead of the profile's (unlisted types 0).
  std::vector<std::pair<std::string, float>> event_weights = {};
};

struct UserItemMatrix {
  // Catalog size (items beyond the data's num_items included).
  uint32_t num_items = 0;
  // Kept item indices, ascending; column a of `rows` is kept_items[a].
  std::vector<uint32_t> kept_items;
  SparseRows rows;
};

// FAILED_PRECONDITION "<family>: no interactions ..." when nothing has a positive weight.
absl::StatusOr<UserItemMatrix> BuildUserItemMatrix(const models::TrainingData& data,
                                                   const MatrixOptions& options,
                                                   absl::string_view family);

}  // namespace recplat::ease
