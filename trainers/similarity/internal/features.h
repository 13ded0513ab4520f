// File: internal/features.h
//
// The item features of the content_similarity family and its exact pairwise distance (the
// ecoseller "similarity" model, spec 3.7). Not part of the family's API.
//
// Only live items are featurised; they become the rows 0..rows()-1 of the feature matrices, in
// item-index order. Per row:
//   numeric (D >= 1 columns, column-major):
//     column 0     the price attribute, min-max normalised over the rows having it; a row
//                  without it gets 0.5;
//     columns 1..  one per other numeric attribute name (sorted by name), min-max normalised;
//                  a row without it gets the normalised mean of the attribute.
//     A column whose min equals its max is 0.5 for every row. Non-finite values count as absent.
//   categorical (K >= 0 columns, sorted by name): the code of the row's value, its rank among
//     the attribute's distinct values ordered by frequency desc (ties: by value, bytewise);
//     a row without the attribute gets 0, the most frequent value.
//   masks: which numeric (price included) and categorical attributes the row really has. Rows
//     sharing both masks share a "pattern"; masks are kept once per pattern.
//
// Distance of rows a and b (spec 3.7, exactly):
//   d(a, b) = ||num_a - num_b||_2 * w(nmask_a, nmask_b)
//           + (#{c : cat_a[c] != cat_b[c]} / K) * w(cmask_a, cmask_b)     (term absent if K = 0)
//   w(u, v) = |u ∪ v| / |u ∩ v|, or |u ∪ v| when |u ∩ v| = 0
// Features are stored and distances computed in float32 (features are normalised to [0, 1];
// the statistics behind them are computed in double), always with the same operations in the
// same order, so that the blocked fit kernel (neighbors.cc), RowDistance and every serving
// path agree bit for bit.
//
// Thread-safety: ItemFeatures is immutable after construction; all functions are reentrant.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/models/training_data.h"

namespace recplat::similarity::internal {

inline constexpr uint32_t kNoRow = 0xffffffffu;

struct ItemFeatures {
  // Catalogue size at fit time: item indices are < num_items.
  uint32_t num_items = 0;
  // Row -> item index, strictly increasing.
  std::vector<uint32_t> items;
  // Item index -> row, kNoRow when the item was not featurised. Size num_items.
  std::vector<uint32_t> row_of;
  // rows() x D, column-major; column 0 is the price.
  Eigen::MatrixXf numeric;
  // Categorical codes, column-major: column c of row r is categorical[c * rows() + r].
  uint32_t num_categorical = 0;
  std::vector<uint32_t> categorical;
  // Pattern of each row (size rows()).
  std::vector<uint32_t> pattern;
  // Per pattern p, (numeric_words + categorical_words) 32-bit words from
  // p * (numeric_words + categorical_words): the numeric mask (bit c = numeric column c),
  // then the categorical mask.
  uint32_t numeric_words = 0;
  uint32_t categorical_words = 0;
  std::vector<uint32_t> pattern_masks;

  size_t rows() const { return items.size(); }
  uint32_t num_numeric() const { return static_cast<uint32_t>(numeric.cols()); }
  uint32_t num_patterns() const;
  // Row of `item`, kNoRow when unknown (including item >= num_items).
  uint32_t RowOf(uint32_t item) const { return item < row_of.size() ? row_of[item] : kNoRow; }
  // w(u, v) of the numeric / categorical masks of patterns p and q.
  float NumericWeight(uint32_t p, uint32_t q) const;
  float CategoricalWeight(uint32_t p, uint32_t q) const;
};

// w(u, v) from |u ∪ v| and |u ∩ v|.
inline float MaskWeight(uint32_t union_size, uint32_t intersection_size) {
  return intersection_size == 0
             ? static_cast<float>(union_size)
             : static_cast<float>(union_size) / static_cast<float>(intersection_size);
}

// d(a, b) for rows a, b < f.rows(); 0 when a == b.
float RowDistance(const ItemFeatures& f, uint32_t a, uint32_t b);

struct FeatureOptions {
  // Numeric attribute holding the price (column 0).
  std::string price_attribute = "price";
};

// Featurises the live items of `data` (all items when data.items is empty). FAILED_PRECONDITION
// when there is no live item, or when no live item has any attribute (every distance would
// be 0).
absl::StatusOr<ItemFeatures> BuildFeatures(const models::TrainingData& data,
                                           const FeatureOptions& options);

// Checks the invariants above on features read from an artifact (row_of is rebuilt from items
// and num_items first). DATA_LOSS naming the first violation.
absl::Status FinishLoadedFeatures(ItemFeatures* f);

}  // namespace recplat::similarity::internal
