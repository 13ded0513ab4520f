// LocalService: the write path. Write() and the typed writes (UpsertItems, DeleteItems,
// UpsertUsers, AppendEvents, PutDocuments) all go through WriteOps(): every op is validated
// first (nothing is written when one fails), then all records are appended to the event log in
// one atomic append, then the call waits for the materializer when needed.
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/api/validation.h"
#include "core/common/status_macros.h"
#include "core/service/local_service.h"
#include "recplat/v1/log_record.pb.h"

namespace recplat::service {
namespace {

// What the ops before the current one did to an item, for same-request references.
enum class Pending { kLive, kKnown, kDeleted };
using PendingItems = absl::flat_hash_map<std::pair<std::string, std::string>, Pending>;

const char* OpName(v1::WriteOp::OpCase c) {
  switch (c) {
    case v1::WriteOp::kUpsertItem: return "upsert_item";
    case v1::WriteOp::kDeleteItem: return "delete_item";
    case v1::WriteOp::kUpsertUser: return "upsert_user";
    case v1::WriteOp::kEvent: return "event";
    case v1::WriteOp::kPutDocument: return "put_document";
    case v1::WriteOp::kShop: return "shop";
    case v1::WriteOp::kCounter: return "counter";
    case v1::WriteOp::OP_NOT_SET: return "";
  }
  return "";
}

// Whether an op of this kind makes the call wait for the materializer on its own (catalog,
// user, document and shop writes are read back right away; events and counters are not).
bool AlwaysWaits(v1::WriteOp::OpCase c) {
  return c != v1::WriteOp::kEvent && c != v1::WriteOp::kCounter;
}

}  // namespace

absl::StatusOr<uint64_t> LocalService::WriteOps(std::vector<v1::WriteOp> ops,
                                                const WriteNaming& naming, bool wait_applied) {
  const api::ValidationOptions& vo = validation_;
  if (absl::Status s = api::CheckBatchSize(static_cast<int>(ops.size()), vo.max_batch,
                                           naming.list);
      !s.ok()) {
    CountRejectedEvents(ops, ops.size(), s);
    return s;
  }
  const int64_t now = c_.clock->NowMs();
  const bool require_known = options_.config.api.require_known_items;
  PendingItems pending;
  auto known = [&](const std::string& tenant, const std::string& id) {
    if (auto it = pending.find({tenant, id}); it != pending.end()) {
      return it->second != Pending::kDeleted;
    }
    return c_.state->ItemKnown(tenant, id);
  };
  auto not_in_catalog = [](const std::string& field, const std::string& tenant,
                           const std::string& id) {
    return absl::NotFoundError(absl::StrCat(field, ": item '", id,
                                            "' is not in the catalog of tenant '", tenant, "'"));
  };

  std::vector<std::string> records;
  records.reserve(ops.size());
  std::vector<v1::WriteOp::OpCase> kinds;
  kinds.reserve(ops.size());
  std::vector<std::string> event_types;
  bool wait = wait_applied;
  v1::LogRecord r;
  // Validates ops[i] and serialises its record.
  const auto build = [&](size_t i) -> absl::Status {
    v1::WriteOp& op = ops[i];
    const v1::WriteOp::OpCase kind = op.op_case();
    std::string field = absl::StrCat(naming.list, "[", i, "]");
    if (!naming.typed && kind != v1::WriteOp::OP_NOT_SET) {
      absl::StrAppend(&field, ".", OpName(kind));
    }
    r.Clear();
    r.set_appended_at_ms(now);
    switch (kind) {
      case v1::WriteOp::kUpsertItem: {
        v1::Item* item = r.mutable_item_upsert();
        *item = std::move(*op.mutable_upsert_item());
        RECPLAT_RETURN_IF_ERROR(api::NormalizeItem(vo, item, field));
        pending[{item->tenant(), item->id()}] = Pending::kLive;
        break;
      }
      case v1::WriteOp::kDeleteItem: {
        v1::ItemDelete* d = r.mutable_item_delete();
        d->set_tenant(std::move(*op.mutable_delete_item()->mutable_tenant()));
        d->set_id(std::move(*op.mutable_delete_item()->mutable_id()));
        const std::string id_field = naming.typed ? field : absl::StrCat(field, ".id");
        RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant(vo.default_tenant, d->mutable_tenant(),
                                                     absl::StrCat(field, ".tenant")));
        RECPLAT_RETURN_IF_ERROR(api::CheckId(d->id(), id_field));
        if (!known(d->tenant(), d->id())) {
          return absl::NotFoundError(absl::StrCat(id_field, ": item '", d->id(),
                                                  "' not found in tenant '", d->tenant(), "'"));
        }
        pending[{d->tenant(), d->id()}] = Pending::kDeleted;
        break;
      }
      case v1::WriteOp::kUpsertUser: {
        v1::User* user = r.mutable_user_upsert();
        *user = std::move(*op.mutable_upsert_user());
        RECPLAT_RETURN_IF_ERROR(api::NormalizeUser(vo, user, field));
        break;
      }
      case v1::WriteOp::kEvent: {
        v1::Event* e = r.mutable_event();
        *e = std::move(*op.mutable_event());
        RECPLAT_RETURN_IF_ERROR(api::NormalizeEvent(vo, now, e, field));
        if (require_known && !known(e->tenant(), e->item_id())) {
          return not_in_catalog(absl::StrCat(field, ".item_id"), e->tenant(), e->item_id());
        }
        event_types.push_back(e->type());
        break;
      }
      case v1::WriteOp::kPutDocument: {
        v1::Document* doc = r.mutable_document_put();
        *doc = std::move(*op.mutable_put_document());
        RECPLAT_RETURN_IF_ERROR(api::NormalizeDocument(vo, doc, field));
        if (absl::StartsWith(doc->collection(), "_")) {
          return absl::PermissionDeniedError(absl::StrCat(
              field, ".collection: '", doc->collection(),
              "' is reserved (collections starting with '_' are written by the core only)"));
        }
        break;
      }
      case v1::WriteOp::kShop: {
        v1::ShopEntity* e = r.mutable_shop_entity();
        *e = std::move(*op.mutable_shop());
        RECPLAT_RETURN_IF_ERROR(api::NormalizeShopEntity(vo, e, field));
        if (e->has_variant() && !e->deleted()) {
          Pending& p = pending[{e->tenant(), e->variant().sku()}];
          if (p != Pending::kLive) p = Pending::kKnown;
        }
        break;
      }
      case v1::WriteOp::kCounter: {
        v1::CounterUpdate* u = r.mutable_counter();
        *u = std::move(*op.mutable_counter());
        RECPLAT_RETURN_IF_ERROR(api::NormalizeCounterUpdate(vo, u, field));
        if (require_known && !known(u->tenant(), u->item_id())) {
          return not_in_catalog(absl::StrCat(field, ".item_id"), u->tenant(), u->item_id());
        }
        break;
      }
      case v1::WriteOp::OP_NOT_SET:
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": one of upsert_item, delete_item, upsert_user, event, put_document, shop, "
                   "counter is required"));
    }
    wait = wait || AlwaysWaits(kind);
    kinds.push_back(kind);
    records.push_back(r.SerializeAsString());
    return absl::OkStatus();
  };
  for (size_t i = 0; i < ops.size(); ++i) {
    if (absl::Status s = build(i); !s.ok()) {
      CountRejectedEvents(ops, i, s);
      return s;
    }
  }
  absl::StatusOr<uint64_t> first = c_.log->Append(records);
  if (!first.ok()) {
    CountRejectedEvents(ops, ops.size(), first.status());
    return first.status();
  }
  // Durable from here on, whether or not the wait below succeeds.
  CountAppended(kinds, event_types);
  if (wait) RECPLAT_RETURN_IF_ERROR(WaitForApply(*first, records.size()));
  return *first;
}

absl::StatusOr<v1::WriteResponse> LocalService::Write(const v1::WriteRequest& request) {
  std::vector<v1::WriteOp> ops(request.ops().begin(), request.ops().end());
  RECPLAT_ASSIGN_OR_RETURN(uint64_t first, WriteOps(std::move(ops), {"ops", /*typed=*/false},
                                                    request.wait_applied()));
  v1::WriteResponse response;
  for (int i = 0; i < request.ops_size(); ++i) response.add_offsets(first + i);
  return response;
}

absl::StatusOr<v1::UpsertItemsResponse> LocalService::UpsertItems(
    const v1::UpsertItemsRequest& request) {
  std::vector<v1::WriteOp> ops(request.items_size());
  for (int i = 0; i < request.items_size(); ++i) *ops[i].mutable_upsert_item() = request.items(i);
  RECPLAT_ASSIGN_OR_RETURN(uint64_t first, WriteOps(std::move(ops), {"items", true}, true));
  v1::UpsertItemsResponse response;
  for (int i = 0; i < request.items_size(); ++i) response.add_offsets(first + i);
  return response;
}

absl::StatusOr<v1::DeleteItemsResponse> LocalService::DeleteItems(
    const v1::DeleteItemsRequest& request) {
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant(validation_.default_tenant, &tenant, "tenant"));
  std::vector<v1::WriteOp> ops(request.ids_size());
  for (int i = 0; i < request.ids_size(); ++i) {
    ops[i].mutable_delete_item()->set_tenant(tenant);
    ops[i].mutable_delete_item()->set_id(request.ids(i));
  }
  RECPLAT_ASSIGN_OR_RETURN(uint64_t first, WriteOps(std::move(ops), {"ids", true}, true));
  v1::DeleteItemsResponse response;
  for (int i = 0; i < request.ids_size(); ++i) response.add_offsets(first + i);
  return response;
}

absl::StatusOr<v1::UpsertUsersResponse> LocalService::UpsertUsers(
    const v1::UpsertUsersRequest& request) {
  std::vector<v1::WriteOp> ops(request.users_size());
  for (int i = 0; i < request.users_size(); ++i) *ops[i].mutable_upsert_user() = request.users(i);
  RECPLAT_ASSIGN_OR_RETURN(uint64_t first, WriteOps(std::move(ops), {"users", true}, true));
  v1::UpsertUsersResponse response;
  for (int i = 0; i < request.users_size(); ++i) response.add_offsets(first + i);
  return response;
}

absl::StatusOr<v1::AppendEventsResponse> LocalService::AppendEvents(
    const v1::AppendEventsRequest& request) {
  std::vector<v1::WriteOp> ops(request.events_size());
  for (int i = 0; i < request.events_size(); ++i) *ops[i].mutable_event() = request.events(i);
  RECPLAT_ASSIGN_OR_RETURN(uint64_t first, WriteOps(std::move(ops), {"events", true},
                                                    request.wait_applied()));
  v1::AppendEventsResponse response;
  response.mutable_offsets()->Reserve(request.events_size());
  for (int i = 0; i < request.events_size(); ++i) response.add_offsets(first + i);
  return response;
}

absl::StatusOr<v1::PutDocumentsResponse> LocalService::PutDocuments(
    const v1::PutDocumentsRequest& request) {
  std::vector<v1::WriteOp> ops(request.documents_size());
  for (int i = 0; i < request.documents_size(); ++i) {
    *ops[i].mutable_put_document() = request.documents(i);
  }
  RECPLAT_ASSIGN_OR_RETURN(uint64_t first, WriteOps(std::move(ops), {"documents", true}, true));
  v1::PutDocumentsResponse response;
  for (int i = 0; i < request.documents_size(); ++i) response.add_offsets(first + i);
  return response;
}

}  // namespace recplat::service
