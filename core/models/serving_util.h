// File: internal/serving_util.h
//
// Small helpers shared by the built-in families' serving code (not part of the models API).
//
// Thread-safety: all functions are pure or read only their arguments.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/models/model.h"

namespace recplat::models {

// The score given to items a model knows nothing of: below every real score, and far enough
// above -infinity that callers can still shift it arithmetically.
inline constexpr double kUnknownScore = -1e300;

// True when the request excludes `item`; a null filter excludes nothing.
inline bool Excluded(const RecommendContext& ctx, uint32_t item) {
  return ctx.filter != nullptr && ctx.filter->Excluded(item);
}

// The order of results: higher score first, ties by lower item index (deterministic).
inline bool BetterScored(const ScoredItem& a, const ScoredItem& b) {
  return a.score != b.score ? a.score > b.score : a.item < b.item;
}

// Keeps the `n` best of `items` (BetterScored order), sorted.
inline void KeepTop(std::vector<ScoredItem>* items, size_t n) {
  if (items->size() > n) {
    std::nth_element(items->begin(), items->begin() + static_cast<std::ptrdiff_t>(n), items->end(),
                     BetterScored);
    items->resize(n);
  }
  std::sort(items->begin(), items->end(), BetterScored);
}

}  // namespace recplat::models
