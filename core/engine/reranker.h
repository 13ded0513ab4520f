// File: reranker.h
//
// Ordering stage of the engine: re-ranks the head of a scored list for diversity.
//
// Method "category": walks the top `ordering_size` items in score order and, when the next item
// shares its first category with one of the previous `window - 1` chosen items, pulls forward the
// best-scored item within `max_lookahead` positions that does not; when none exists the order is
// kept. Items beyond `ordering_size` keep their order. Scores are not changed.
#pragma once

#include <vector>

#include "core/catalog/catalog.h"
#include "core/config/config.h"
#include "core/models/model.h"

namespace recplat::engine {

// Re-orders `items` in place per `config` (method "none" leaves them as they are).
void Rerank(const config::DiversityConfig& config, const catalog::Catalog::Reader& catalog,
            std::vector<models::ScoredItem>* items);

}  // namespace recplat::engine
