// File: shop_plan.h
//
// PlanStore (private to the ecoseller module): the validation half of ShopStore::Store(). It
// checks a whole `/store_objects` batch against the mirror and turns it into exactly what Store()
// then writes (documents, core events) and applies to the mirror, so that nothing is written
// unless every object passed.
//
// Thread-safety: pure given its arguments; the caller holds the mirror stable.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontends/http_rest/ecoseller/objects.h"
#include "frontends/http_rest/ecoseller/shop_mirror.h"
#include "recplat/v1/documents.pb.h"
#include "recplat/v1/events.pb.h"

namespace recplat::http::ecoseller::shop {

struct StorePlan {
  // Objects to apply to the mirror, in order: the batch's objects (configs with their id set),
  // each Product followed by its embedded translations as objects of their own. Deleted events
  // and deleted trainer-queue items are dropped (nothing to do for them).
  std::vector<StoreObject> applied;
  // Documents to write, in order (deleted objects as deletions).
  std::vector<v1::Document> documents;
  // Core events, validated (tenant and timestamps resolved).
  std::vector<v1::Event> events;
  // Models the batch asks to train (before readiness checks): "similarity", "gru4rec", "ease"
  // or a TrainerQueueItem's model.
  std::set<std::string> train;
};

// Validates `objects` against `mirror` (and the batch's own earlier objects) and plans their
// writes for `tenant`. `discriminator` yields TimeKey discriminators; `now` stands in for
// timestamps the core would otherwise fill.
// Returns INVALID_ARGUMENT "objects[i].<field>: ..." for values the core cannot hold (a SKU or
// session id that is not a valid id, an order token over 512 bytes, a document over 1 MiB, an
// event before 1970) and NOT_FOUND "objects[i].product_variant_sku: unknown variant 'X'" (Order:
// "objects[i].product_variants[j]: ...") for events naming a variant that is not stored.
absl::StatusOr<StorePlan> PlanStore(const std::vector<StoreObject>& objects,
                                    const ShopMirror& mirror, const std::string& tenant,
                                    const std::function<uint32_t()>& discriminator,
                                    absl::Time now);

}  // namespace recplat::http::ecoseller::shop
