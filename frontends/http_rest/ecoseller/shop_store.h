// File: shop_store.h
//
// ShopStore: the ecoseller profile's shop (products, variants, categories, attributes, prices,
// orders, reviews, feedback events, configuration versions, monitoring records) kept in the core
// through the internal API only, plus an in-memory mirror of what the prediction pipeline reads
// on every request (category closure, variants per product, stock, weights, counts, latest
// config).
//
// Where things live in the core (tenant = ShopStoreOptions::tenant):
//   documents  "eco.<class>"     one JSON document per stored catalog object, keyed by its id
//                                (SKU for variants, token for orders): eco.attribute,
//                                eco.attribute_type, eco.category, eco.order, eco.product,
//                                eco.product_price, eco.product_translation (a Product's
//                                embedded translations are stored here too), eco.product_type,
//                                eco.product_variant, eco.review. The source of truth the mirror
//                                is rebuilt from at Open(). Shapes: shop_codec.h.
//              "eco.config"      config versions, append-only, key = TimeKey(create_at); each
//                                gets id = 1 + the number of versions before it.
//              "eco.prediction"  PredictionRecord per /predict, key = TimeKey(create_at).
//              "eco.detail_enter", "eco.detail_leave", "eco.add_to_cart",
//              "eco.recommendation_view"  feedback events as sent (with their recommendation
//                                attribution), key = TimeKey(create_at).
//              "eco.trainer_queue" manual training requests, key = TimeKey(create_at).
//   items      one item per product variant (id = SKU): title from the product's first
//              translation, categories = "category:<id>" for the product's category and all its
//              ancestors, numeric attributes (price = the variant's most recently updated
//              ProductPrice, NUMERICAL attributes by type id "attr:<type id>"), categorical
//              attributes ("attr:<type id>" -> raw value, for every other attribute type),
//              published_at = the product's create_at, available = stock_quantity > 0 and the
//              variant's product is stored and published, recommendation_weight (negative ones
//              as 0). Re-projected whenever anything it is built from changes (a category move
//              re-projects every variant below it). A deleted variant's item stays, unavailable.
//   events     product_detail_enter (context: surface, model, model_version, position),
//              product_detail_leave (value = time spent, s), add_to_cart, order (one per order
//              line, value = quantity; sent only the first time an order token is stored),
//              review (value = rating; only for a new review id), recommendation_view (context:
//              surface, model_version, position); user id = the int user id as text, session id
//              as given. Events with neither a user nor a session id are kept as documents only.
//              The core profile must configure these six event types (kShopEventTypes).
//
// Store() is all-or-nothing with respect to validation: every object of a batch is checked
// (including references, e.g. an event naming an unknown SKU -> NOT_FOUND naming the SKU and
// the object index; a variant stored earlier in the same batch counts as known) before anything
// is written. Writes then go out as documents, items and events, in that order, in chunks of at
// most ShopStoreOptions::write_batch; a failure there (core unavailable) is returned and the
// batch can be re-sent (documents and items are idempotent upserts; re-sent feedback events
// count twice, as they did in the original). `deleted: true` deletes catalog objects, orders and
// reviews; on the immutable events and trainer-queue items it is ignored.
//
// Side effects of the original kept here: Category rebuilds the closure; Product links its
// variants; ProductDetailEnter and Review extend the session (the core's session history);
// training triggers (any catalog write, orders included -> `similarity`, ProductDetailEnter and Review ->
// `gru4rec`, Review -> `ease` (the original forgot this one), TrainerQueueItem -> its model) are
// sent with Api::Train (no wait) once the model is ready for training by the original's rules
// (gru4rec: #detail enters > events_multiplier * #variants; ease: #reviews >
// reviews_multiplier * #variants), de-duplicated by the core's training queue. Only models the
// core has configured are asked: ListModels at Open tells the trained ones and those that need
// no training (never asked); a name the core answers NOT_FOUND is not asked again. Train
// failures never fail Store(). The core model names must equal the ecoseller ones. With the
// core's training worker off (`training.enabled: false`) the core trains inside Train, i.e.
// inside Store().
//
// Thread-safety: all methods are thread-safe. Store() calls are serialised; readers never block
// on a Store() in progress for longer than the mirror update.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/api/api.h"
#include "frontends/http_rest/ecoseller/config_object.h"
#include "frontends/http_rest/ecoseller/objects.h"

namespace recplat::http::ecoseller {

// The core event types ShopStore appends; the profile's `event_types` must list them all.
inline constexpr absl::string_view kEventDetailEnter = "product_detail_enter";
inline constexpr absl::string_view kEventDetailLeave = "product_detail_leave";
inline constexpr absl::string_view kEventAddToCart = "add_to_cart";
inline constexpr absl::string_view kEventOrder = "order";
inline constexpr absl::string_view kEventReview = "review";
inline constexpr absl::string_view kEventRecommendationView = "recommendation_view";
inline constexpr std::array<absl::string_view, 6> kShopEventTypes = {
    kEventDetailEnter, kEventDetailLeave, kEventAddToCart,
    kEventOrder,       kEventReview,      kEventRecommendationView};

struct ShopStoreOptions {
  // Tenant of every document, item and event: 1..64 bytes of [A-Za-z0-9_.-].
  std::string tenant = "default";
  // Monitoring records (predictions) are written in batches, at least this often.
  absl::Duration prediction_flush_interval = absl::Milliseconds(100);
  // Largest batch per core write (documents, items, events); must not exceed the core's
  // `api.max_batch`.
  int32_t write_batch = 1000;
};

// What the pipeline needs to know about one variant.
struct VariantView {
  std::string sku;
  std::optional<int64_t> product_id;
  int64_t stock_quantity = 0;
  double recommendation_weight = 0.0;
  // The variant's product is stored and published.
  bool published = false;
};

// Counts behind the original's readiness rules (section 3.5/3.7).
struct ShopCounts {
  int64_t variants = 0;
  int64_t orders = 0;
  int64_t reviews = 0;
  int64_t detail_enters = 0;
};

// One /predict call, as the dashboard's monitoring reads it back.
struct PredictionRecord {
  absl::Time create_at;
  std::string session_id;
  std::optional<int64_t> user_id;
  std::string recommendation_type;
  std::string retrieval_model;
  std::string retrieval_identifier;
  std::string scoring_model;
  std::string scoring_identifier;
  double retrieval_seconds = 0;
  double scoring_seconds = 0;
  double ordering_seconds = 0;
  std::vector<std::string> predicted_items;
};

// A fixed-width, lexicographically time-ordered document key: 16 decimal digits of Unix
// microseconds, '-', and 8 hex digits that keep keys of the same microsecond distinct. Times
// before 1970 map to 0, times past the 16 digits to 9999999999999999.
std::string TimeKey(absl::Time t, uint32_t discriminator);

class ShopStore {
 public:
  // Rebuilds the mirror from the core's documents and starts the prediction flusher. `api`
  // must outlive the store. INVALID_ARGUMENT for a bad tenant or write_batch < 1; errors of the
  // core's ListModels/ScanDocuments are returned as they are. Undecodable documents are skipped
  // (and logged).
  static absl::StatusOr<std::unique_ptr<ShopStore>> Open(api::Api* api,
                                                         ShopStoreOptions options);
  ~ShopStore();  // Flushes pending prediction records.

  // Stores a validated batch (see the file comment). INVALID_ARGUMENT / NOT_FOUND name the
  // object index and field ("objects[3].product_variant_sku: unknown variant 'X'"); nothing is
  // written then. Other errors come from the core's writes.
  absl::Status Store(const std::vector<StoreObject>& objects);

  // --- Mirror reads (no core round trip) ---

  // The latest config version by create_at (defaults when none was stored).
  EcosellerConfig CurrentConfig() const;
  // SKUs of the variants of every product whose category is `category_id` or a descendant of
  // it, in product id then variant order. Only stored variants are listed, each under the
  // product that listed it last; a cycle in the category tree ends the descent.
  std::vector<std::string> VariantsInCategory(int64_t category_id) const;
  // Whether a Category with this id is stored.
  bool HasCategory(int64_t category_id) const;
  // Product ids of the category (with descendants), ascending, and each product's SKUs (as in
  // VariantsInCategory; a product without stored variants has an empty list).
  std::vector<std::pair<int64_t, std::vector<std::string>>> ProductsInCategory(
      int64_t category_id) const;
  // nullopt for a SKU that is not stored (or was deleted). product_id is set while a stored
  // product lists the SKU.
  std::optional<VariantView> Variant(const std::string& sku) const;
  // Stored variants, orders and reviews (deleted ones excluded), ProductDetailEnter events.
  ShopCounts Counts() const;

  // --- Monitoring ---

  // Queues one prediction record; written within prediction_flush_interval.
  void RecordPrediction(PredictionRecord record);
  // Writes queued records now. On a core error the unwritten records stay queued (at most
  // 100,000; the oldest are dropped beyond that) and the error is returned.
  absl::Status FlushPredictions();
  // Prediction records with from <= create_at < to, in time order (times are kept and compared
  // at microsecond resolution, like every stored time). Queued records are flushed
  // first (best effort), so a scan sees every record that was recorded before it. Undecodable
  // documents are skipped (and logged).
  absl::Status ScanPredictions(absl::Time from, absl::Time to,
                               const std::function<void(const PredictionRecord&)>& fn) const;
  // ProductDetailEnter events with from <= create_at < to, in time order (as stored).
  absl::Status ScanDetailEnters(absl::Time from, absl::Time to,
                                const std::function<void(const ProductDetailEnter&)>& fn) const;

 private:
  struct Impl;
  explicit ShopStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::http::ecoseller
