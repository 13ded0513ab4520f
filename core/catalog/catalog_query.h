// File: catalog_query.h
//
// Catalog queries: which live items of a tenant's catalog match a v1::CatalogQuery. Every
// present clause must hold: at least one of `categories` among the item's category labels
// (labels match exactly; a hierarchy is expressed by labelling items with their ancestors'
// labels too, as the shop projection does with "category:<id>"), every numeric range (an item
// without the attribute does not match), every categorical clause (the item's value is one of
// `values`), every label clause (at least one of its labels among the item's labels). Names and
// values the catalog has never seen match nothing.
//
// Cost: the candidates are the items of the most selective indexed clause (the categories, one
// label clause or one categorical clause; see Catalog), each checked against the other clauses; only a query
// with nothing but numeric ranges scans every item.
//
// Thread-safety: the caller holds the Reader (a shared lock on the catalog) for the call.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "core/catalog/catalog.h"
#include "recplat/v1/catalog.pb.h"

namespace recplat::catalog {

// Whether `query` has any clause. A query without clauses matches every live item; callers that
// treat "no query" as "no restriction" test this first.
bool HasClauses(const v1::CatalogQuery& query);

// The live items matching `query`, ascending, from index `start` on, at most `limit` of them.
std::vector<uint32_t> MatchQuery(const Catalog::Reader& catalog, const v1::CatalogQuery& query,
                                 uint32_t start = 0,
                                 size_t limit = std::numeric_limits<size_t>::max());

}  // namespace recplat::catalog
