// File: catalog_entry.h (internal to core/state)
//
// What the in-memory catalog keeps of a stored item beyond its id and flags: its attributes,
// for catalog queries.
#pragma once

#include "core/catalog/catalog.h"
#include "recplat/v1/catalog.pb.h"

namespace recplat::state::internal {

inline catalog::ItemAttributes CatalogAttributes(const v1::Item& item) {
  catalog::ItemAttributes attributes;
  attributes.numeric.assign(item.numeric_attributes().begin(), item.numeric_attributes().end());
  attributes.categorical.assign(item.categorical_attributes().begin(),
                                item.categorical_attributes().end());
  return attributes;
}

}  // namespace recplat::state::internal
