// File: validation.h
//
// Input validation of the internal API: every request is checked here before anything is
// written, and every problem becomes INVALID_ARGUMENT with a message naming the field (and the
// position in a batch), e.g. "events[3].type: unknown event type 'purchase' (configured: ...)".
// Validators also normalise: an empty tenant becomes the default tenant, a zero event timestamp
// becomes `now_ms`.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "recplat/v1/catalog.pb.h"
#include "recplat/v1/documents.pb.h"
#include "recplat/v1/events.pb.h"
#include "recplat/v1/monitoring.pb.h"
#include "recplat/v1/recommend.pb.h"
#include "recplat/v1/shop.pb.h"
#include "recplat/v1/write.pb.h"

namespace recplat::api {

// The running profile's settings that validation depends on (LocalService builds them from the
// profile's `api` and `event_types`).
struct ValidationOptions {
  // Tenant used when a request leaves it empty.
  std::string default_tenant = "default";
  // Largest batch of one write call.
  int32_t max_batch = 10000;
  // Event types accepted by writes.
  std::set<std::string> event_types;
};

// Limits of the API; the byte limits are documented on the fields in the .proto files.
struct Limits {
  static constexpr size_t kMaxIdBytes = 256;
  static constexpr size_t kMaxTenantBytes = 64;
  static constexpr size_t kMaxTitleBytes = 4 << 10;
  // TrainRequest.record_failure.
  static constexpr size_t kMaxFailureBytes = 4 << 10;
  static constexpr size_t kMaxTextBytes = 256 << 10;
  static constexpr int kMaxCategories = 256;
  static constexpr int kMaxAttributes = 256;
  static constexpr size_t kMaxAttributeNameBytes = 128;
  static constexpr size_t kMaxAttributeValueBytes = 256;
  static constexpr int kMaxContextEntries = 64;
  static constexpr int kMaxAnchors = 1000;
  static constexpr int kMaxCandidates = 100000;
  static constexpr int kMaxSimilarK = 1000;
  static constexpr size_t kMaxCollectionBytes = 128;
  static constexpr size_t kMaxDocumentKeyBytes = 512;
  static constexpr size_t kMaxDocumentBodyBytes = 1 << 20;
  static constexpr int kMaxScanLimit = 10000;
  // Texts of shop entities (translation titles, attribute raw values); items derived from them
  // truncate to the item limits.
  static constexpr size_t kMaxShopTextBytes = 64 << 10;
  // Ids listed by one shop entity (a product's SKUs or translations, a variant's attributes).
  static constexpr int kMaxShopRefs = 10000;
  static constexpr size_t kMaxCounterNameBytes = 128;
  static constexpr int kDefaultScanServedLimit = 1000;
  static constexpr int kMaxQueryClauses = 64;
  static constexpr int kMaxQueryValues = 1000;
  // EvaluateServed's k, and the model names of a monitoring request.
  static constexpr int kMaxEvaluateK = 1000;
  static constexpr int kMaxMonitoredModels = 100;
};

// Resolves `*tenant` (empty -> default) and checks it: 1..64 bytes of [A-Za-z0-9_.-].
absl::Status NormalizeTenant(const std::string& default_tenant, std::string* tenant,
                             absl::string_view field);

// An external id: 1..256 bytes, no control characters.
absl::Status CheckId(absl::string_view id, absl::string_view field);

// A Write error that names an op ("ops[7].event.item_id: unknown item 'x'") re-addressed to
// the caller's name for that op, `op_names[7]` (e.g. the field of the frontend's request it
// came from: "objects[3].product_variant_sku: unknown item 'x'"), with its code. Other errors,
// and ops beyond `op_names`, are returned unchanged.
absl::Status RenameWriteOp(const absl::Status& error, absl::Span<const std::string> op_names);

// Checks a batch size against 1..max_batch.
absl::Status CheckBatchSize(int size, int max_batch, absl::string_view field);

absl::Status NormalizeItem(const ValidationOptions& options, v1::Item* item, absl::string_view field);
absl::Status NormalizeUser(const ValidationOptions& options, v1::User* user, absl::string_view field);
absl::Status NormalizeEvent(const ValidationOptions& options, int64_t now_ms, v1::Event* event,
                            absl::string_view field);
// A document to write: tenant resolved, collection 1..128 bytes of [A-Za-z0-9_.-], key
// 1..512 bytes, body at most 1 MiB.
absl::Status NormalizeDocument(const ValidationOptions& options, v1::Document* doc,
                               absl::string_view field);
// The address part of document reads: tenant resolved, collection checked.
absl::Status NormalizeCollection(const ValidationOptions& options, std::string* tenant,
                                 const std::string& collection, absl::string_view field);
// A shop entity to write (see shop.proto): tenant resolved, kind required, SKUs valid ids,
// numbers finite, created_at_ms >= 0, texts at most kMaxShopTextBytes, lists at most
// kMaxShopRefs. A deleted entity keeps only its id (SKU). Errors name the kind's field, e.g.
// "ops[2].shop.variant.sku: required".
absl::Status NormalizeShopEntity(const ValidationOptions& options, v1::ShopEntity* entity,
                                 absl::string_view field);
// A counter update: tenant resolved, item_id a valid id, name 1..128 bytes without control
// characters, `add` and `set` finite.
absl::Status NormalizeCounterUpdate(const ValidationOptions& options, v1::CounterUpdate* update,
                                    absl::string_view field);
// Also checks `query` (CheckCatalogQuery) and that anchor_choice is a known value.
absl::Status NormalizeRecommend(const ValidationOptions& options, v1::RecommendRequest* request);
// A catalog query: at most 256 categories (each at most 256 bytes), at most 64 numeric and 64
// categorical clauses, each naming an attribute (1..128 bytes); numeric bounds not NaN;
// categorical clauses with 1..1000 values of at most 256 bytes; at most 64 label clauses of
// 1..1000 labels of at most 256 bytes.
absl::Status CheckCatalogQuery(const v1::CatalogQuery& query, absl::string_view field);
// A served-list scan: tenant resolved; from_ms >= 0; to_ms 0 (no upper bound) or >= from_ms;
// limit 0..10000, 0 becoming 1000; surface at most 128 bytes. The page token is checked by the
// state store.
absl::Status NormalizeScanServed(const ValidationOptions& options, v1::ScanServedRequest* request);

// An online evaluation: tenant resolved; 0 <= from_ms <= to_ms; k in 1..1000; clicks.event_type
// one of the configured event types; the context keys empty (their defaults "model", "surface",
// "position" are filled in; session_key stays empty) or names of at most 128 bytes; at most 100
// model names, each a non-empty name of at most 128 bytes.
absl::Status NormalizeEvaluateServed(const ValidationOptions& options,
                                     v1::EvaluateServedRequest* request);

// Training statistics: tenant resolved; 0 <= from_ms <= to_ms; at most 100 model names (whether
// they are configured is the caller's check).
absl::Status NormalizeModelTrainingStats(const ValidationOptions& options,
                                         v1::ModelTrainingStatsRequest* request);

}  // namespace recplat::api
