// File: shop_entity.h
//
// How a v1::ShopEntity is kept as a document of a reserved collection: collection
// "_shop.<kind>" (category, product, translation, variant, attribute, attribute_type, price),
// key = the entity's id in decimal (the SKU for variants), body = the kind's message (e.g.
// ShopProduct) in proto3 JSON with the .proto field names. Clients read these documents with
// GetDocuments / ScanDocuments; only the core writes them.
//
// Thread-safety: stateless functions.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "recplat/v1/shop.pb.h"

namespace recplat::shop {

// Prefix of the collections holding shop entities.
inline constexpr absl::string_view kCollectionPrefix = "_shop.";

// The collection names of every kind, in a fixed order.
inline constexpr absl::string_view kCollections[] = {
    "_shop.category", "_shop.product",        "_shop.translation", "_shop.variant",
    "_shop.attribute", "_shop.attribute_type", "_shop.price"};

// "_shop.<kind>" of the entity; empty for an entity without kind.
std::string CollectionOf(const v1::ShopEntity& entity);

// The document key of the entity (id in decimal, SKU for variants).
std::string KeyOf(const v1::ShopEntity& entity);

// The document body: the kind's message in proto3 JSON. INTERNAL when printing fails.
absl::StatusOr<std::string> BodyOf(const v1::ShopEntity& entity);

// The entity a stored document holds (tenant set, not deleted). INVALID_ARGUMENT for a
// collection that is not a shop kind or a body that does not parse.
absl::StatusOr<v1::ShopEntity> EntityFromDocument(absl::string_view tenant,
                                                  absl::string_view collection,
                                                  absl::string_view body);

}  // namespace recplat::shop
