// File: trainer.h
//
// Trainer: the training queue and its background worker. Requests to train (tenant, model) come
// from the API (Train), from event-count and item-write thresholds (OnApplied, fed by the
// materializer; `train.every_events` counts only `train.event_types` when set, and
// `train.every_item_writes` counts item upserts/deletes and shop entity writes), from schedules
// (a ticker) and from start-up; the queue holds each (tenant, model) at most once, so a burst of
// triggers trains once. No automatic trigger queues a model while its `train.gate` does not hold
// for the tenant (state::GateHolds; counting goes on meanwhile); Enqueue and TrainNow (explicit
// requests) are not gated. The worker fits on a snapshot of the state, records the
// version in the registry (with duration, peak memory, data sizes and metrics), promotes it when
// the model's `auto_promote` is set, and prunes old versions. Training never blocks serving:
// the registry swaps the serving snapshot atomically.
//
// A failed training leaves the previous version serving; the failure is recorded as a FAILED
// version and the same (tenant, model) is not retried by automatic triggers for
// `kRetryAfterFailure`.
//
// Incremental training: when (tenant, model) has a current version and its family implements
// ModelFamily::Update, the trainer updates that model with what happened since the current
// version was created (its created_at_ms is `since_ms`) instead of fitting from scratch, as long
// as fewer than the model's `full_retrain_every` param (default
// models::kDefaultFullRetrainEvery, 0 = never incremental) incremental trainings happened since
// the last full one; then it fits in full again. Update answering UNIMPLEMENTED or
// FAILED_PRECONDITION also falls back to a full fit. Every version records the outcome in its
// metrics: kIncrementalMetric (1 incremental, 0 full) and kSinceFullMetric (incremental
// trainings since the last full one, this one included; 0 for a full one), which is also how
// the count survives restarts.
//
// The training lease (training_lease.h): TrainNow takes the lease of (tenant, model) before it
// numbers a version and holds it until the version is promoted or failed, so that one trainer
// at a time trains a (tenant, model) across the processes sharing the lease (replicas of a
// JetStream cluster; one process with the in-process lease). When another holder has it, or
// the lease's store is unreachable, the training is skipped: ABORTED or UNAVAILABLE, no version
// is recorded, recplat_training_lease_skips_total{model, reason} counts it. An automatic
// training is also skipped (ABORTED, reason `up_to_date`) when the lease says another process
// already trained what it would: for `events`, `item_writes` and `startup` triggers when its
// data ends at or before the log offset the last training under the lease covered; for
// `schedule` when that training ended less than half the model's `train.every_seconds` ago.
// A hold that is lost while training (its renewals failed) is not promoted: the version is
// recorded FAILED with ABORTED.
//
// Thread-safety: all public methods are thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/common/clock.h"
#include "core/config/config.h"
#include "core/ingest/materializer.h"
#include "core/registry/model_registry.h"
#include "core/state/state_store.h"
#include "core/training/training_lease.h"
#include "prometheus/registry.h"
#include "recplat/v1/models.pb.h"

namespace recplat::training {

struct TrainerOptions {
  std::map<std::string, config::EventTypeConfig> event_types;
  config::TrainingConfig training;
  // Who may train what (see the file comment); null: an in-process lease.
  std::shared_ptr<TrainingLease> lease = {};
};

// The outcome of one queued training.
using TrainingFuture = std::shared_future<absl::StatusOr<v1::ModelVersion>>;

class Trainer {
 public:
  // Seconds an automatically triggered (tenant, model) waits after a failed training.
  static constexpr double kRetryAfterFailure = 30.0;
  // Metrics recorded in every version this trainer makes (see the file comment).
  static constexpr char kIncrementalMetric[] = "training_incremental";
  static constexpr char kSinceFullMetric[] = "training_incremental_since_full";

  // `state`, `registry`, `clock` and `metrics` are not owned and must outlive the trainer.
  Trainer(TrainerOptions options, const state::StateStore& state, registry::ModelRegistry& registry,
          const common::Clock& clock, prometheus::Registry& metrics);
  ~Trainer();

  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Queues a training of (tenant, model). `*queued` is false when the same (tenant, model) was
  // already queued (its future is returned). NOT_FOUND for unknown models; FAILED_PRECONDITION for
  // models that need no training.
  absl::StatusOr<TrainingFuture> Enqueue(const std::string& tenant, const std::string& model,
                                         const std::string& trigger, bool* queued);

  // Trains (tenant, model) now, on the calling thread (used by `recplat train` and when the
  // background worker is off).
  absl::StatusOr<v1::ModelVersion> TrainNow(const std::string& tenant, const std::string& model,
                                            const std::string& trigger);

  // Records a new version of (tenant, model) as FAILED with `error` without fitting (the
  // caller's preparation failed) and answers it; the current version keeps serving. Same
  // errors as TrainNow for unknown and untrained models.
  absl::StatusOr<v1::ModelVersion> RecordFailure(const std::string& tenant,
                                                 const std::string& model,
                                                 const std::string& trigger,
                                                 const std::string& error);

  // Materializer listener: counts applied events (of the model's `train.event_types`) and item
  // writes per tenant and queues models whose `train.every_events` or `train.every_item_writes`
  // threshold is reached, or (`train.on_start`) that have no version yet when events arrive.
  void OnApplied(const ingest::AppliedBatch& batch);

  // Starts the worker and the schedule ticker, and queues `train.on_start` models without a
  // current version for every tenant that has data.
  void Start();
  // Stops the worker: queued trainings are abandoned (their futures get CANCELLED) and the
  // training in progress is asked to stop (TrainingData::stop; families that check it end within
  // an epoch or batch and the training is recorded as FAILED with CANCELLED). Idempotent.
  void Stop();

  size_t queue_length() const;
  bool running() const;

 private:
  struct Job {
    std::string tenant;
    std::string model;
    std::string trigger;
    std::promise<absl::StatusOr<v1::ModelVersion>> promise;
    TrainingFuture future;
  };
  struct KeyState {
    int64_t events_since_training = 0;
    int64_t item_writes_since_training = 0;
    double last_finished = -1;  // MonotonicSeconds, -1 = never.
    double last_failed = -1;
  };
  struct Metrics;
  // What an incremental training starts from.
  struct IncrementalPlan {
    registry::ModelHandle previous;
    int64_t since_ms = 0;
    // Incremental trainings since the last full one, up to `previous` included.
    int64_t since_full = 0;
  };

  static std::string Key(const std::string& tenant, const std::string& model) {
    return tenant + '\x1f' + model;
  }
  void WorkerLoop();
  void TickerLoop();
  // Queues (tenant, model) for an automatic trigger unless queued or recently failed.
  void MaybeEnqueueLocked(const std::string& tenant, const std::string& model,
                          const std::string& trigger) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool IsTrainable(const std::string& model) const;
  // Takes the lease of (tenant, model) for TrainNow; ABORTED or UNAVAILABLE (counted as skips)
  // when it cannot.
  absl::StatusOr<LeaseGrant> TakeLease(const std::string& tenant, const std::string& model,
                                       const std::string& trigger);
  // Whether the lease's record of the last training makes this automatic training redundant;
  // `why` explains it then.
  bool AlreadyTrained(const LeaseGrant& grant, const config::ModelConfig& cfg,
                      const std::string& trigger, uint64_t data_offset, std::string* why) const;
  // Whether the model's `train.gate` holds for the tenant (automatic triggers only).
  bool TrainGateHolds(const std::string& tenant, const std::string& model) const;
  // The incremental training to try for (tenant, model), or nullopt for a full fit.
  std::optional<IncrementalPlan> PlanIncremental(const std::string& tenant,
                                                 const std::string& model,
                                                 const models::ModelParams& params) const;

  TrainerOptions options_;
  const state::StateStore& state_;
  registry::ModelRegistry& registry_;
  const common::Clock& clock_;
  std::unique_ptr<Metrics> metrics_;
  // Serialises fits (peak-memory measurement is process-wide).
  absl::Mutex train_mu_;

  mutable absl::Mutex mu_;
  std::deque<std::unique_ptr<Job>> queue_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, TrainingFuture> queued_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, KeyState> keys_ ABSL_GUARDED_BY(mu_);
  bool running_job_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // Requested by Stop(); its token goes into every TrainingData this trainer builds.
  std::stop_source stop_source_;
  std::thread worker_;
  std::thread ticker_;
};

}  // namespace recplat::training
