#include "core/service/local_service.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/catalog/catalog_query.h"
#include "core/common/status_macros.h"
#include "core/config/config_loader.h"
#include "core/api/validation.h"
#include "prometheus/counter.h"
#include "recplat/v1/log_record.pb.h"

namespace recplat::service {

struct LocalService::Metrics {
  Metrics(prometheus::Registry& r, const config::Config& config)
      : records(prometheus::BuildCounter()
                    .Name("recplat_log_records_appended_total")
                    .Help("Records appended to the event log, by kind (event, item, user, ...)")
                    .Register(r)),
        events(records.Add({{"kind", "event"}})),
        items(records.Add({{"kind", "item_upsert"}})),
        deletes(records.Add({{"kind", "item_delete"}})),
        users(records.Add({{"kind", "user_upsert"}})),
        documents(records.Add({{"kind", "document_put"}})),
        shop(records.Add({{"kind", "shop_entity"}})),
        counters(records.Add({{"kind", "counter"}})),
        events_by_type(prometheus::BuildCounter()
                           .Name("recplat_events_appended_total")
                           .Help("Events appended to the event log, by event type")
                           .Register(r)),
        events_rejected(prometheus::BuildCounter()
                            .Name("recplat_events_rejected_total")
                            .Help("Events of write calls that were refused, by reason (invalid, "
                                  "unknown_item, batch, log_error)")
                            .Register(r)) {
    for (const char* reason : {"invalid", "unknown_item", "batch", "log_error"}) {
      events_rejected.Add({{"reason", reason}});
    }
    // Validation accepts configured event types only: one series each, made up front so the
    // write path looks them up without a lock.
    for (const auto& [type, unused] : config.event_types) {
      by_type.emplace(type, &events_by_type.Add({{"type", type}}));
    }
  }
  prometheus::Family<prometheus::Counter>& records;
  prometheus::Counter& events;
  prometheus::Counter& items;
  prometheus::Counter& deletes;
  prometheus::Counter& users;
  prometheus::Counter& documents;
  prometheus::Counter& shop;
  prometheus::Counter& counters;
  prometheus::Family<prometheus::Counter>& events_by_type;
  prometheus::Family<prometheus::Counter>& events_rejected;
  // events_by_type's series per configured type; read-only after construction.
  absl::flat_hash_map<std::string, prometheus::Counter*> by_type;
};

api::ValidationOptions ValidationOptionsFromConfig(const config::Config& config) {
  api::ValidationOptions options;
  options.default_tenant = config.api.default_tenant;
  options.max_batch = config.api.max_batch;
  for (const auto& [name, unused] : config.event_types) options.event_types.insert(name);
  return options;
}

LocalService::LocalService(ServiceOptions options, Components components)
    : options_(std::move(options)),
      validation_(ValidationOptionsFromConfig(options_.config)),
      c_(components),
      start_seconds_(components.clock->MonotonicSeconds()),
      metrics_(std::make_unique<Metrics>(*components.metrics, options_.config)) {}

LocalService::~LocalService() = default;

absl::Status LocalService::WaitForApply(uint64_t first, size_t count) {
  const uint64_t end = first + count;
  if (!c_.materializer->WaitApplied(end, options_.apply_timeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("written durably (log offsets ", first, "..", end - 1,
                     ") but not yet applied to the state; it will be"));
  }
  return absl::OkStatus();
}

absl::Status LocalService::WaitMinOffset(uint64_t offset) {
  if (c_.materializer->WaitApplied(offset + 1, options_.min_offset_timeout)) {
    return absl::OkStatus();
  }
  const uint64_t held = c_.log->NextOffset();
  if (held <= offset) {
    return absl::UnavailableError(absl::StrCat(
        "min_offset ", offset, ": this replica has not received that log offset yet (its log "
        "ends at ", held, "); retry, or read from the replica that wrote it"));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("min_offset ", offset, ": received but not yet applied (applied up to ",
                   c_.materializer->AppliedOffset(), "); retry"));
}

void LocalService::CountAppended(const std::vector<v1::WriteOp::OpCase>& kinds,
                                 const std::vector<std::string>& event_types) {
  for (const std::string& type : event_types) {
    auto it = metrics_->by_type.find(type);
    if (it != metrics_->by_type.end()) {
      it->second->Increment();
    } else {
      metrics_->events_by_type.Add({{"type", type}}).Increment();
    }
  }
  for (v1::WriteOp::OpCase kind : kinds) {
    switch (kind) {
      case v1::WriteOp::kUpsertItem: metrics_->items.Increment(); break;
      case v1::WriteOp::kDeleteItem: metrics_->deletes.Increment(); break;
      case v1::WriteOp::kUpsertUser: metrics_->users.Increment(); break;
      case v1::WriteOp::kEvent: metrics_->events.Increment(); break;
      case v1::WriteOp::kPutDocument: metrics_->documents.Increment(); break;
      case v1::WriteOp::kShop: metrics_->shop.Increment(); break;
      case v1::WriteOp::kCounter: metrics_->counters.Increment(); break;
      case v1::WriteOp::OP_NOT_SET: break;
    }
  }
}

void LocalService::CountRejectedEvents(const std::vector<v1::WriteOp>& ops, size_t failed,
                                       const absl::Status& status) {
  double events = 0;
  for (const v1::WriteOp& op : ops) events += op.op_case() == v1::WriteOp::kEvent ? 1 : 0;
  if (events == 0) return;
  const auto count = [&](const char* reason, double n) {
    if (n > 0) metrics_->events_rejected.Add({{"reason", reason}}).Increment(n);
  };
  if (failed >= ops.size()) {
    // The batch as a whole: its size, or the append to the log.
    count(absl::IsInvalidArgument(status) ? "batch" : "log_error", events);
    return;
  }
  // The op that failed is refused for its own reason; the other events of its batch with it.
  double own = 0;
  if (ops[failed].op_case() == v1::WriteOp::kEvent) {
    own = 1;
    count(absl::IsNotFound(status) ? "unknown_item" : "invalid", 1);
  }
  count("batch", events - own);
}

absl::Status LocalService::CheckModel(const std::string& model) const {
  if (model.empty()) return absl::InvalidArgumentError("model: required");
  if (c_.registry->FindConfig(model) == nullptr) {
    return absl::NotFoundError(absl::StrCat("model '", model, "' is not configured"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Item> LocalService::GetItem(const v1::GetItemRequest& request) {
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant(options_.config.api.default_tenant, &tenant, "tenant"));
  RECPLAT_RETURN_IF_ERROR(api::CheckId(request.id(), "id"));
  return c_.state->GetItem(tenant, request.id());
}

absl::StatusOr<v1::ListItemsResponse> LocalService::ListItems(const v1::ListItemsRequest& request) {
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant(options_.config.api.default_tenant, &tenant, "tenant"));
  int page_size = request.page_size() == 0 ? 100 : request.page_size();
  if (page_size < 0 || page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be in [0, 1000], got ", request.page_size()));
  }
  uint32_t start = 0;
  if (!request.page_token().empty() && !absl::SimpleAtoi(request.page_token(), &start)) {
    return absl::InvalidArgumentError("page_token: not a token returned by ListItems");
  }
  RECPLAT_RETURN_IF_ERROR(api::CheckCatalogQuery(request.query(), "query"));
  v1::ListItemsResponse response;
  std::vector<v1::Item> items;
  uint32_t next = 0;
  if (catalog::HasClauses(request.query())) {
    RECPLAT_RETURN_IF_ERROR(
        c_.state->ListItems(tenant, request.query(), start, page_size, &items, &next));
  } else {
    RECPLAT_RETURN_IF_ERROR(c_.state->ListItems(tenant, start, page_size, &items, &next));
  }
  for (auto& item : items) *response.add_items() = std::move(item);
  if (next != 0) response.set_next_page_token(absl::StrCat(next));
  if (const catalog::Catalog* cat = c_.state->FindCatalog(tenant)) {
    response.set_total(cat->Read().live_count());
  }
  return response;
}

absl::StatusOr<v1::GetUserResponse> LocalService::GetUser(const v1::GetUserRequest& request) {
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant(options_.config.api.default_tenant, &tenant, "tenant"));
  RECPLAT_RETURN_IF_ERROR(api::CheckId(request.id(), "id"));
  if (request.history_limit() < 0 || request.history_limit() > 1000) {
    return absl::InvalidArgumentError("history_limit: must be in [0, 1000]");
  }
  if (request.has_min_offset()) RECPLAT_RETURN_IF_ERROR(WaitMinOffset(request.min_offset()));
  v1::GetUserResponse response;
  RECPLAT_ASSIGN_OR_RETURN(*response.mutable_user(), c_.state->GetUser(tenant, request.id()));
  if (request.history_limit() > 0) {
    std::vector<state::HistoryEntry> history;
    RECPLAT_RETURN_IF_ERROR(c_.state->UserHistory(
        tenant, request.id(), static_cast<size_t>(request.history_limit()), &history));
    const catalog::Catalog* cat = c_.state->FindCatalog(tenant);
    for (const auto& h : history) {
      v1::Interaction* out = response.add_history();
      if (cat != nullptr) {
        auto r = cat->Read();
        if (h.item < r.size()) out->set_item_id(r.Id(h.item));
      }
      out->set_type(c_.state->EventTypeName(h.type));
      out->set_value(h.value);
      out->set_timestamp_ms(h.timestamp_ms);
      out->set_session_id(h.session_id);
    }
  }
  return response;
}

absl::StatusOr<v1::RecommendResponse> LocalService::Recommend(
    const v1::RecommendRequest& request) {
  v1::RecommendRequest normalized = request;
  RECPLAT_RETURN_IF_ERROR(api::NormalizeRecommend(validation_, &normalized));
  if (request.has_min_offset()) RECPLAT_RETURN_IF_ERROR(WaitMinOffset(request.min_offset()));
  auto configured = [this](const std::string& model) {
    return c_.registry->FindConfig(model) != nullptr;
  };
  if (normalized.skip_unconfigured_models()) {
    for (auto* list : {normalized.mutable_retrieval_models(), normalized.mutable_scoring_models()}) {
      list->erase(std::remove_if(list->begin(), list->end(),
                                 [&](const std::string& m) { return !configured(m); }),
                  list->end());
    }
    if (!configured(normalized.diversity_model())) normalized.clear_diversity_model();
  }
  for (const auto* list : {&normalized.retrieval_models(), &normalized.scoring_models()}) {
    const char* field = list == &normalized.retrieval_models() ? "retrieval_models"
                                                                : "scoring_models";
    if (list->size() > 64) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": at most 64 models"));
    }
    for (int i = 0; i < list->size(); ++i) {
      if (c_.registry->FindConfig(list->Get(i)) == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(field, "[", i, "]: model '",
                                                       list->Get(i), "' is not configured"));
      }
    }
  }
  if (normalized.model_versions_size() > 64) {
    return absl::InvalidArgumentError("model_versions: at most 64 models");
  }
  for (const auto& [model, version] : normalized.model_versions()) {
    if (c_.registry->FindConfig(model) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("model_versions: model '", model, "' is not configured"));
    }
    if (version < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("model_versions['", model, "']: must be >= 1, got ", version));
    }
  }
  if (!normalized.diversity_model().empty() &&
      c_.registry->FindConfig(normalized.diversity_model()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "diversity_model: model '", normalized.diversity_model(), "' is not configured"));
  }
  if (normalized.diversity_head() < 0) {
    return absl::InvalidArgumentError("diversity_head: must be >= 0");
  }
  absl::StatusOr<v1::RecommendResponse> response = c_.engine->Recommend(normalized);
  if (response.ok() && normalized.include_items()) {
    RECPLAT_RETURN_IF_ERROR(AttachItems(normalized.tenant(), response->mutable_items()));
  }
  return response;
}

absl::Status LocalService::AttachItems(
    const std::string& tenant,
    google::protobuf::RepeatedPtrField<v1::RecommendedItem>* items) const {
  std::vector<std::string> ids;
  ids.reserve(items->size());
  for (const v1::RecommendedItem& r : *items) ids.push_back(r.item_id());
  std::vector<std::optional<v1::Item>> found;
  RECPLAT_RETURN_IF_ERROR(c_.state->GetItemsWithoutCounts(tenant, ids, &found));
  for (int i = 0; i < items->size(); ++i) {
    if (found[i]) *items->Mutable(i)->mutable_item() = *std::move(found[i]);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SimilarItemsResponse> LocalService::SimilarItems(
    const v1::SimilarItemsRequest& request) {
  v1::SimilarItemsRequest normalized = request;
  RECPLAT_RETURN_IF_ERROR(
      api::NormalizeTenant(options_.config.api.default_tenant, normalized.mutable_tenant(), "tenant"));
  RECPLAT_RETURN_IF_ERROR(api::CheckId(normalized.item_id(), "item_id"));
  if (normalized.k() < 1 || normalized.k() > api::Limits::kMaxSimilarK) {
    return absl::InvalidArgumentError(
        absl::StrCat("k: must be in [1, ", api::Limits::kMaxSimilarK, "], got ", normalized.k()));
  }
  if (normalized.model_version() < 0 ||
      (normalized.model_version() != 0 && normalized.model().empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("model_version: must be >= 0 and needs `model`, got ",
                     normalized.model_version()));
  }
  absl::StatusOr<v1::SimilarItemsResponse> response = c_.engine->SimilarItems(normalized);
  if (response.ok() && normalized.include_items()) {
    RECPLAT_RETURN_IF_ERROR(AttachItems(normalized.tenant(), response->mutable_items()));
  }
  return response;
}

absl::StatusOr<v1::ListModelsResponse> LocalService::ListModels(
    const v1::ListModelsRequest& request) {
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant(options_.config.api.default_tenant, &tenant, "tenant"));
  if (!request.model().empty()) RECPLAT_RETURN_IF_ERROR(CheckModel(request.model()));
  v1::ListModelsResponse response;
  for (auto& v : c_.registry->List(tenant, request.model())) *response.add_versions() = std::move(v);
  return response;
}

absl::StatusOr<v1::TrainResponse> LocalService::Train(const v1::TrainRequest& request) {
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant(options_.config.api.default_tenant, &tenant, "tenant"));
  RECPLAT_RETURN_IF_ERROR(CheckModel(request.model()));
  v1::TrainResponse response;
  if (!request.record_failure().empty()) {
    if (request.record_failure().size() > api::Limits::kMaxFailureBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record_failure: at most ", api::Limits::kMaxFailureBytes, " bytes"));
    }
    RECPLAT_ASSIGN_OR_RETURN(
        *response.mutable_version(),
        c_.trainer->RecordFailure(tenant, request.model(), "api", request.record_failure()));
    response.set_queued(true);
    return response;
  }
  if (!options_.config.training.enabled) {
    // No background worker: train on this thread.
    RECPLAT_ASSIGN_OR_RETURN(*response.mutable_version(),
                             c_.trainer->TrainNow(tenant, request.model(), "api"));
    response.set_queued(true);
    return response;
  }
  bool queued = false;
  RECPLAT_ASSIGN_OR_RETURN(training::TrainingFuture future,
                           c_.trainer->Enqueue(tenant, request.model(), "api", &queued));
  response.set_queued(queued);
  if (request.wait()) {
    const absl::StatusOr<v1::ModelVersion>& result = future.get();
    if (!result.ok()) return result.status();
    *response.mutable_version() = *result;
  }
  return response;
}

absl::StatusOr<v1::PromoteResponse> LocalService::Promote(const v1::PromoteRequest& request) {
  std::string tenant = request.tenant();
  RECPLAT_RETURN_IF_ERROR(api::NormalizeTenant(options_.config.api.default_tenant, &tenant, "tenant"));
  RECPLAT_RETURN_IF_ERROR(CheckModel(request.model()));
  if (request.version() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("version: must be >= 1, got ", request.version()));
  }
  v1::PromoteResponse response;
  RECPLAT_ASSIGN_OR_RETURN(*response.mutable_version(),
                           c_.registry->Promote(tenant, request.model(), request.version()));
  return response;
}

absl::StatusOr<v1::GetStatsResponse> LocalService::GetStats(const v1::GetStatsRequest&) {
  v1::GetStatsResponse response;
  const uint64_t next = c_.log->NextOffset();
  const uint64_t applied = c_.materializer->AppliedOffset();
  response.set_log_next_offset(next);
  response.set_applied_offset(applied);
  response.set_materializer_lag(next > applied ? next - applied : 0);
  for (const state::TenantStats& t : c_.state->Stats()) {
    v1::TenantStats* out = response.add_tenants();
    out->set_tenant(t.tenant);
    out->set_items(t.items);
    out->set_users(t.users);
    out->set_events(t.events);
    for (const auto& [type, count] : t.events_by_type) (*out->mutable_events_by_type())[type] = count;
  }
  response.set_training_queue_length(static_cast<uint32_t>(c_.trainer->queue_length()));
  response.set_training_running(c_.trainer->running());
  response.set_uptime_seconds(c_.clock->MonotonicSeconds() - start_seconds_);
  response.set_version(options_.version);
  response.set_profile(options_.config.profile);
  return response;
}

absl::StatusOr<v1::GetConfigResponse> LocalService::GetConfig(const v1::GetConfigRequest&) {
  v1::GetConfigResponse response;
  response.set_yaml(config::ConfigToYaml(options_.config));
  response.set_profile_path(options_.profile_path);
  return response;
}


}  // namespace recplat::service
