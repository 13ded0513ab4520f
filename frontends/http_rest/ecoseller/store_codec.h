// File: store_codec.h
//
// The /store_object(s) codec: a batch of ecoseller objects (objects.h) becomes ONE atomic core
// write (api::Api::Write), so the core validates the whole batch and stores all of it or none of
// it, and every process of the profile sees the same shop. Mapping (docs/ecoseller.md):
//   Category, Product (+ its embedded translations), ProductTranslation, ProductVariant,
//   Attribute, AttributeType, ProductPrice  -> shop entities (proto/recplat/v1/shop.proto); the
//                                              core derives one item per variant from them;
//   ProductType                             -> nothing (no recommender reads it);
//   Order        -> one `order` event per line (value = quantity), event_id "order:<token>:<i>",
//                   so a re-sent order is not counted twice;
//   Review       -> a `review` event (value = rating), event_id "review:<id>";
//   ProductDetailEnter / Leave, ProductAddToCart, RecommendationView -> one event each
//                   (`product_detail_enter` with its recommendation attribution in the context
//                   keys below, which the profile records for the dashboard's hit rates,
//                   `product_detail_leave` value = time spent, `add_to_cart`,
//                   `recommendation_view`);
//   Config       -> the document kConfigs/kCurrentConfigKey, versioned by its create_at (the
//                   core keeps the latest create_at, whichever frontend wrote it when; of
//                   equal create_at the last written, in every process);
//   TrainerQueueItem -> a training request (EncodedStore::train), sent after the write.
// `deleted: true` deletes shop entities; events are immutable and their deletions ignored, as
// are deleted orders, reviews, configs and queue items.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "recplat/v1/write.pb.h"

namespace recplat::http::ecoseller {

// The core event types of the shop; the profile's `event_types` must list them all.
inline constexpr absl::string_view kEventDetailEnter = "product_detail_enter";
inline constexpr absl::string_view kEventDetailLeave = "product_detail_leave";
inline constexpr absl::string_view kEventAddToCart = "add_to_cart";
inline constexpr absl::string_view kEventOrder = "order";
inline constexpr absl::string_view kEventReview = "review";
inline constexpr absl::string_view kEventRecommendationView = "recommendation_view";

// The event context keys of a recommendation's attribution (Event.context's own).
inline constexpr absl::string_view kContextSurface = "surface";
inline constexpr absl::string_view kContextModel = "model";
inline constexpr absl::string_view kContextPosition = "position";

// The document of the current Config.
inline constexpr absl::string_view kConfigs = "eco.config";
inline constexpr absl::string_view kCurrentConfigKey = "current";

// The document version of a Config created at `create_at`: its Unix microseconds (at least 1).
int64_t ConfigVersion(absl::Time create_at);

struct EncodedStore {
  v1::WriteRequest write;
  // For every op of `write`: the path of the object field it came from, e.g.
  // "objects[3].product_variant_sku", which names the object in core errors
  // (api::RenameWriteOp).
  std::vector<std::string> op_paths;
  // Models a TrainerQueueItem asked to train (ecoseller names).
  std::set<std::string> train;
};

// Encodes a parsed batch for `tenant`. INVALID_ARGUMENT naming "objects[i].<field>" for what
// the wire allows but the core cannot hold (a time before 1970, an oversized id).
absl::StatusOr<EncodedStore> EncodeStore(const std::vector<StoreObject>& objects,
                                         const std::string& tenant);

}  // namespace recplat::http::ecoseller
