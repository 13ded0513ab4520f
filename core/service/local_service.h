// File: local_service.h
//
// LocalService: the in-process implementation of Api over the core components. Writes (Write
// and the typed writes, which are special cases of it) are validated as a whole, appended to the
// event log as LogRecords in one atomic append (durable before the call returns), and, for
// catalog, user, document and shop writes (and any write with wait_applied), awaited until the
// materializer applied them, so the caller reads its own writes. Documents of reserved
// collections (names starting with '_', e.g. the shop catalog's "_shop.<kind>") can be read but
// not written by clients (PERMISSION_DENIED). Reads go to the state store, recommendations to
// the engine, model calls to the registry and the trainer.
//
// Thread-safety: thread-safe; all components are shared and thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "core/common/clock.h"
#include "core/config/config.h"
#include "core/engine/engine.h"
#include "core/ingest/materializer.h"
#include "core/log/event_log.h"
#include "core/registry/model_registry.h"
#include "core/api/api.h"
#include "core/api/validation.h"
#include "core/state/state_store.h"
#include "core/training/trainer.h"
#include "prometheus/registry.h"

namespace recplat::service {

// The components a LocalService calls. None is owned; all must outlive the service.
struct Components {
  log::EventLog* log = nullptr;
  state::StateStore* state = nullptr;
  ingest::Materializer* materializer = nullptr;
  registry::ModelRegistry* registry = nullptr;
  training::Trainer* trainer = nullptr;
  engine::Engine* engine = nullptr;
  const common::Clock* clock = nullptr;
  prometheus::Registry* metrics = nullptr;
  // Optional: when set, Ready() also requires it (e.g. a replicated log's copy is within
  // nats.max_ready_lag of its stream). Called from any thread; must be quick.
  std::function<bool()> log_ready;
};

struct ServiceOptions {
  config::Config config;
  // Where the config came from, for GetConfig.
  std::string profile_path;
  std::string version = "0.1.0";
  // How long writes wait for the materializer before DEADLINE_EXCEEDED.
  absl::Duration apply_timeout = absl::Seconds(30);
  // How long a read with min_offset waits for this process to apply that offset.
  absl::Duration min_offset_timeout = absl::Seconds(5);
};

// The validation settings of a profile: its default tenant, batch limit and event types.
api::ValidationOptions ValidationOptionsFromConfig(const config::Config& config);

class LocalService final : public api::Api {
 public:
  LocalService(ServiceOptions options, Components components);
  ~LocalService() override;

  absl::StatusOr<v1::UpsertItemsResponse> UpsertItems(const v1::UpsertItemsRequest&) override;
  absl::StatusOr<v1::DeleteItemsResponse> DeleteItems(const v1::DeleteItemsRequest&) override;
  absl::StatusOr<v1::Item> GetItem(const v1::GetItemRequest&) override;
  absl::StatusOr<v1::ListItemsResponse> ListItems(const v1::ListItemsRequest&) override;
  absl::StatusOr<v1::UpsertUsersResponse> UpsertUsers(const v1::UpsertUsersRequest&) override;
  absl::StatusOr<v1::GetUserResponse> GetUser(const v1::GetUserRequest&) override;
  absl::StatusOr<v1::WriteResponse> Write(const v1::WriteRequest&) override;
  absl::StatusOr<v1::AppendEventsResponse> AppendEvents(const v1::AppendEventsRequest&) override;
  absl::StatusOr<v1::PutDocumentsResponse> PutDocuments(const v1::PutDocumentsRequest&) override;
  absl::StatusOr<v1::GetDocumentsResponse> GetDocuments(const v1::GetDocumentsRequest&) override;
  absl::StatusOr<v1::ScanDocumentsResponse> ScanDocuments(
      const v1::ScanDocumentsRequest&) override;
  absl::StatusOr<v1::RecommendResponse> Recommend(const v1::RecommendRequest&) override;
  absl::StatusOr<v1::SimilarItemsResponse> SimilarItems(const v1::SimilarItemsRequest&) override;
  absl::StatusOr<v1::ScanServedResponse> ScanServed(const v1::ScanServedRequest&) override;
  absl::StatusOr<v1::EvaluateServedResponse> EvaluateServed(
      const v1::EvaluateServedRequest&) override;
  absl::StatusOr<v1::ListModelsResponse> ListModels(const v1::ListModelsRequest&) override;
  absl::StatusOr<v1::TrainResponse> Train(const v1::TrainRequest&) override;
  absl::StatusOr<v1::PromoteResponse> Promote(const v1::PromoteRequest&) override;
  absl::StatusOr<v1::ModelTrainingStatsResponse> ModelTrainingStats(
      const v1::ModelTrainingStatsRequest&) override;
  absl::StatusOr<v1::GetStatsResponse> GetStats(const v1::GetStatsRequest&) override;
  absl::StatusOr<v1::GetConfigResponse> GetConfig(const v1::GetConfigRequest&) override;
  bool Ready() const override { return ready_.load() && (!c_.log_ready || c_.log_ready()); }

  // Marks the service (not) ready, e.g. false while draining on shutdown.
  void SetReady(bool ready) { ready_.store(ready); }

 private:
  struct Metrics;
  // How WriteOps names the ops in error messages: "<list>[i]" for a typed call (`typed`, e.g.
  // "events[3].type"), "<list>[i].<op>" for Write (e.g. "ops[3].event.type").
  struct WriteNaming {
    const char* list;
    bool typed;
  };
  // The write path of every write call: validates every op (same-request references included),
  // appends them in one atomic append and waits for the materializer when an op needs it or
  // `wait_applied`; returns the first offset.
  absl::StatusOr<uint64_t> WriteOps(std::vector<v1::WriteOp> ops, const WriteNaming& naming,
                                    bool wait_applied);
  // Waits for the `count` records appended from offset `first` to be applied; DEADLINE_EXCEEDED
  // (saying they are durable) after options_.apply_timeout.
  absl::Status WaitForApply(uint64_t first, size_t count);
  // Waits (up to options_.min_offset_timeout) until log offset `offset` is applied: a read's
  // min_offset. UNAVAILABLE when this process's log does not hold it by then, DEADLINE_EXCEEDED
  // when it holds it but has not applied it.
  absl::Status WaitMinOffset(uint64_t offset);
  // Counts appended records by kind, and events by type (metrics).
  void CountAppended(const std::vector<v1::WriteOp::OpCase>& kinds,
                     const std::vector<std::string>& event_types);
  // Counts the events of `ops` that a failed write refused (metrics): ops[failed] for `status`
  // (invalid, unknown_item), the other events as "batch"; `failed` >= ops.size() means the
  // batch as a whole (its size: batch, the log append: log_error).
  void CountRejectedEvents(const std::vector<v1::WriteOp>& ops, size_t failed,
                           const absl::Status& status);
  absl::Status CheckModel(const std::string& model) const;
  // Fills RecommendedItem.item of `items` from the state (include_items), in one batched read.
  absl::Status AttachItems(const std::string& tenant,
                           google::protobuf::RepeatedPtrField<v1::RecommendedItem>* items) const;

  const ServiceOptions options_;
  const api::ValidationOptions validation_;
  const Components c_;
  const double start_seconds_;
  std::unique_ptr<Metrics> metrics_;
  std::atomic<bool> ready_{true};
};

}  // namespace recplat::service
