#include "core/training/trainer.h"

#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/process_stats.h"
#include "core/common/status_macros.h"
#include "core/common/thread_priority.h"
#include "core/common/metrics/metrics.h"
#include "core/training/training_data_builder.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

namespace recplat::training {
namespace {

// Nice value added to the training worker (weight about a tenth of a request thread's).
constexpr int kTrainingNiceIncrement = 10;

// The model as committed: forwards to the trained model and adds the trainer's own figures to
// its metrics. Only handed to ModelRegistry::CommitVersion (which saves it and records its
// metrics); the trained model itself is what serves.
class CommittedModel final : public models::Model {
 public:
  CommittedModel(const models::Model& trained, std::vector<std::pair<std::string, double>> extra)
      : trained_(trained), extra_(std::move(extra)) {}

  bool Ready(const models::RecommendContext& ctx) const override { return trained_.Ready(ctx); }
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override {
    return trained_.Retrieve(ctx, n, out);
  }
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override {
    return trained_.Score(ctx, items);
  }
  absl::Status Save(const std::filesystem::path& dir) const override { return trained_.Save(dir); }
  std::vector<std::pair<std::string, double>> Metrics() const override {
    std::vector<std::pair<std::string, double>> metrics = trained_.Metrics();
    metrics.insert(metrics.end(), extra_.begin(), extra_.end());
    return metrics;
  }

 private:
  const models::Model& trained_;
  const std::vector<std::pair<std::string, double>> extra_;
};

}  // namespace

struct Trainer::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : trainings(prometheus::BuildCounter()
                      .Name("recplat_trainings_total")
                      .Help("Finished trainings by model and outcome (ok, failed)")
                      .Register(r)),
        duration(prometheus::BuildHistogram()
                     .Name("recplat_training_duration_seconds")
                     .Help("Wall time of trainings by model")
                     .Register(r)),
        queue(prometheus::BuildGauge()
                  .Name("recplat_training_queue_length")
                  .Help("Trainings waiting in the queue")
                  .Register(r)
                  .Add({})),
        lease_held(prometheus::BuildGauge()
                       .Name("recplat_training_lease_held")
                       .Help("1 while this process holds the training lease of a model")
                       .Register(r)),
        lease_skips(prometheus::BuildCounter()
                        .Name("recplat_training_lease_skips_total")
                        .Help("Trainings skipped because of the training lease, by model and "
                              "reason (held, unavailable, up_to_date, lost)")
                        .Register(r)) {}
  prometheus::Family<prometheus::Counter>& trainings;
  prometheus::Family<prometheus::Histogram>& duration;
  prometheus::Gauge& queue;
  prometheus::Family<prometheus::Gauge>& lease_held;
  prometheus::Family<prometheus::Counter>& lease_skips;
};

Trainer::Trainer(TrainerOptions options, const state::StateStore& state,
                 registry::ModelRegistry& registry, const common::Clock& clock,
                 prometheus::Registry& metrics)
    : options_(std::move(options)),
      state_(state),
      registry_(registry),
      clock_(clock),
      metrics_(std::make_unique<Metrics>(metrics)) {
  if (options_.lease == nullptr) options_.lease = NewInProcessTrainingLease();
}

Trainer::~Trainer() { Stop(); }

bool Trainer::IsTrainable(const std::string& model) const {
  const models::ModelFamily* f = registry_.FamilyOf(model);
  return f != nullptr && f->trainable();
}

absl::StatusOr<TrainingFuture> Trainer::Enqueue(const std::string& tenant,
                                                const std::string& model,
                                                const std::string& trigger, bool* queued) {
  *queued = false;
  if (registry_.FindConfig(model) == nullptr) {
    return absl::NotFoundError(absl::StrCat("model '", model, "' is not configured"));
  }
  if (!IsTrainable(model)) {
    return absl::FailedPreconditionError(
        absl::StrCat("model '", model, "' needs no training (its family is not trainable)"));
  }
  absl::MutexLock lock(&mu_);
  if (stop_) return absl::UnavailableError("trainer is stopping");
  const std::string key = Key(tenant, model);
  if (auto it = queued_.find(key); it != queued_.end()) return it->second;
  auto job = std::make_unique<Job>();
  job->tenant = tenant;
  job->model = model;
  job->trigger = trigger;
  job->future = job->promise.get_future().share();
  TrainingFuture future = job->future;
  queued_.emplace(key, future);
  queue_.push_back(std::move(job));
  metrics_->queue.Set(static_cast<double>(queue_.size()));
  *queued = true;
  return future;
}

absl::StatusOr<v1::ModelVersion> Trainer::TrainNow(const std::string& tenant,
                                                   const std::string& model,
                                                   const std::string& trigger) {
  const config::ModelConfig* cfg = registry_.FindConfig(model);
  if (cfg == nullptr) {
    return absl::NotFoundError(absl::StrCat("model '", model, "' is not configured"));
  }
  if (!IsTrainable(model)) {
    return absl::FailedPreconditionError(absl::StrCat("model '", model, "' needs no training"));
  }
  absl::MutexLock train_lock(&train_mu_);
  RECPLAT_ASSIGN_OR_RETURN(LeaseGrant grant, TakeLease(tenant, model, trigger));
  prometheus::Gauge& held = metrics_->lease_held.Add({{"model", model}});
  held.Set(1);
  struct HeldReset {
    prometheus::Gauge& gauge;
    ~HeldReset() { gauge.Set(0); }
  } held_reset{held};
  const double t0 = clock_.MonotonicSeconds();
  common::ResetPeakRss();

  const models::ModelFamily* family = registry_.FamilyOf(model);
  const models::ModelParams params(cfg->params);
  TrainingDataExtras extras;
  if (family != nullptr) {
    extras.item_attributes = family->uses_item_attributes();
    extras.served_lists = family->uses_served_lists();
    extras.document_collections = family->TrainingDocuments(params);
  }
  auto built = BuildTrainingData(state_, tenant, options_.event_types, clock_.NowMs(), extras);
  std::string why;
  if (built.ok() && AlreadyTrained(grant, *cfg, trigger, built->log_offset, &why)) {
    metrics_->lease_skips.Add({{"model", model}, {"reason", "up_to_date"}}).Increment();
    RECPLAT_LOG(Info, "training skipped: already trained under the lease",
                {{"tenant", tenant}, {"model", model}, {"trigger", trigger}, {"why", why}});
    return absl::AbortedError(absl::StrCat("training of '", model, "' skipped: ", why));
  }
  // Numbered only now, under the confirmed lease: no other holder numbers a version meanwhile.
  if (absl::Status confirmed = grant.hold->Confirm(); !confirmed.ok()) {
    metrics_->lease_skips.Add({{"model", model}, {"reason", "lost"}}).Increment();
    RECPLAT_LOG(Info, "training skipped: the training lease did not confirm",
                {{"tenant", tenant}, {"model", model}, {"trigger", trigger},
                 {"error", confirmed.ToString()}});
    return absl::Status(confirmed.code(), absl::StrCat("training of '", model, "' skipped: ",
                                                       confirmed.message()));
  }
  RECPLAT_ASSIGN_OR_RETURN(registry::PendingVersion pending, registry_.BeginVersion(tenant, model));
  v1::TrainingStats stats;
  stats.set_trigger(trigger);
  auto finish_stats = [&] {
    stats.set_duration_seconds(clock_.MonotonicSeconds() - t0);
    stats.set_peak_memory_bytes(common::PeakRssBytes());
  };
  auto fail = [&](const absl::Status& error) -> absl::Status {
    finish_stats();
    metrics_->trainings.Add({{"model", model}, {"outcome", "failed"}}).Increment();
    RECPLAT_LOG(Warn, "training failed",
                {{"tenant", tenant}, {"model", model}, {"version", pending.version},
                 {"error", error.ToString()}});
    absl::Status recorded = registry_.FailVersion(pending, error, stats);
    if (!recorded.ok()) {
      RECPLAT_LOG(Error, "could not record failed version", {{"error", recorded.ToString()}});
    }
    return error;
  };
  // The lease must still be this process's before a shared side effect (commit, promotion).
  // When it is not, the version fails locally only: its number may be the new holder's.
  auto confirm_lease = [&]() -> absl::Status {
    absl::Status confirmed = grant.hold->Confirm();
    if (confirmed.ok()) return confirmed;
    const absl::Status error = absl::AbortedError(absl::StrCat(
        "the training lease of '", model, "' was lost while training (", confirmed.message(),
        "): another process may be training it; this version is not committed or promoted"));
    finish_stats();
    metrics_->trainings.Add({{"model", model}, {"outcome", "failed"}}).Increment();
    metrics_->lease_skips.Add({{"model", model}, {"reason", "lost"}}).Increment();
    RECPLAT_LOG(Warn, "training abandoned: the training lease was lost",
                {{"tenant", tenant}, {"model", model}, {"version", pending.version},
                 {"error", confirmed.ToString()}});
    registry_.FailVersion(pending, error, stats, /*publish=*/false).IgnoreError();
    return error;
  };

  if (!built.ok()) return fail(built.status());
  built->data.stop = stop_source_.get_token();
  const models::TrainingData& data = built->data;
  stats.set_num_users(data.num_users);
  stats.set_num_items(data.num_items);
  stats.set_num_interactions(static_cast<int64_t>(data.interactions.size()));
  stats.set_log_offset(built->log_offset);

  absl::StatusOr<std::unique_ptr<models::Model>> fitted =
      absl::UnknownError("no training was attempted");
  bool incremental = false;
  int64_t since_full = 0;
  if (std::optional<IncrementalPlan> plan = PlanIncremental(tenant, model, params)) {
    fitted = family->Update(*plan->previous->model, data, params, plan->since_ms);
    if (fitted.ok()) {
      incremental = true;
      since_full = plan->since_full + 1;
    } else if (!absl::IsUnimplemented(fitted.status()) &&
               !absl::IsFailedPrecondition(fitted.status())) {
      return fail(fitted.status());
    }
  }
  if (!incremental) fitted = family->Fit(data, params);
  if (!fitted.ok()) return fail(fitted.status());
  std::shared_ptr<const models::Model> trained(std::move(fitted).value());
  finish_stats();
  const CommittedModel committed(*trained, {{kIncrementalMetric, incremental ? 1.0 : 0.0},
                                            {kSinceFullMetric, static_cast<double>(since_full)}});
  RECPLAT_RETURN_IF_ERROR(confirm_lease());
  if (absl::Status s = registry_.CommitVersion(pending, committed, stats); !s.ok()) return fail(s);

  metrics_->trainings.Add({{"model", model}, {"outcome", "ok"}}).Increment();
  metrics_->duration.Add({{"model", model}}, metrics::JobDurationBuckets())
      .Observe(stats.duration_seconds());
  RECPLAT_LOG(Info, "trained",
              {{"tenant", tenant}, {"model", model}, {"version", pending.version},
               {"seconds", stats.duration_seconds()}, {"interactions", data.interactions.size()},
               {"trigger", trigger}, {"incremental", incremental}});

  v1::ModelVersion result = pending.meta;
  if (cfg->auto_promote) {
    RECPLAT_RETURN_IF_ERROR(confirm_lease());
  }
  if (cfg->auto_promote) {
    RECPLAT_ASSIGN_OR_RETURN(result, registry_.Promote(tenant, model, pending.version, trained));
  } else {
    for (const v1::ModelVersion& v : registry_.List(tenant, model)) {
      if (v.version() == pending.version) result = v;
    }
  }
  if (absl::Status s = registry_.Prune(tenant, model, cfg->keep_versions); !s.ok()) {
    RECPLAT_LOG(Warn, "pruning old versions failed", {{"model", model}, {"error", s.ToString()}});
  }
  grant.hold->Release(built->log_offset);
  return result;
}

absl::StatusOr<LeaseGrant> Trainer::TakeLease(const std::string& tenant, const std::string& model,
                                              const std::string& trigger) {
  absl::StatusOr<LeaseGrant> grant = options_.lease->Acquire(tenant, model);
  if (!grant.ok()) {
    metrics_->lease_skips.Add({{"model", model}, {"reason", "unavailable"}}).Increment();
    RECPLAT_LOG(Warn, "training skipped: the training lease is unavailable",
                {{"tenant", tenant}, {"model", model}, {"trigger", trigger},
                 {"error", grant.status().ToString()}});
    return absl::UnavailableError(absl::StrCat("training of '", model, "' skipped: ",
                                               grant.status().message()));
  }
  if (grant->hold == nullptr) {
    metrics_->lease_skips.Add({{"model", model}, {"reason", "held"}}).Increment();
    RECPLAT_LOG(Info, "training skipped: the training lease is held elsewhere",
                {{"tenant", tenant}, {"model", model}, {"trigger", trigger},
                 {"holder", grant->holder}});
    return absl::AbortedError(absl::StrCat("training of '", model, "' skipped: ", grant->holder,
                                           " holds its training lease"));
  }
  return grant;
}

bool Trainer::AlreadyTrained(const LeaseGrant& grant, const config::ModelConfig& cfg,
                             const std::string& trigger, uint64_t data_offset,
                             std::string* why) const {
  if (trigger == "events" || trigger == "item_writes" || trigger == "startup") {
    if (grant.trained_offset == 0 || data_offset > grant.trained_offset) return false;
    *why = absl::StrCat("the last training under the lease covered the log up to offset ",
                        grant.trained_offset, " and this data ends at ", data_offset);
    return true;
  }
  if (trigger == "schedule" && grant.trained_at_ms > 0 && cfg.train.every_seconds > 0) {
    const double ago_s = static_cast<double>(clock_.NowMs() - grant.trained_at_ms) / 1000.0;
    if (ago_s >= cfg.train.every_seconds / 2) return false;
    *why = absl::StrCat("the last training under the lease ended ", ago_s, " s ago");
    return true;
  }
  return false;
}

absl::StatusOr<v1::ModelVersion> Trainer::RecordFailure(const std::string& tenant,
                                                        const std::string& model,
                                                        const std::string& trigger,
                                                        const std::string& error) {
  if (registry_.FindConfig(model) == nullptr) {
    return absl::NotFoundError(absl::StrCat("model '", model, "' is not configured"));
  }
  if (!IsTrainable(model)) {
    return absl::FailedPreconditionError(absl::StrCat("model '", model, "' needs no training"));
  }
  RECPLAT_ASSIGN_OR_RETURN(registry::PendingVersion pending, registry_.BeginVersion(tenant, model));
  v1::TrainingStats stats;
  stats.set_trigger(trigger);
  metrics_->trainings.Add({{"model", model}, {"outcome", "failed"}}).Increment();
  RECPLAT_RETURN_IF_ERROR(registry_.FailVersion(pending, absl::AbortedError(error), stats));
  return pending.meta;
}

std::optional<Trainer::IncrementalPlan> Trainer::PlanIncremental(
    const std::string& tenant, const std::string& model, const models::ModelParams& params) const {
  registry::ModelHandle current = registry_.Current(tenant, model);
  if (current == nullptr || current->model == nullptr) return std::nullopt;
  absl::StatusOr<int64_t> every =
      params.GetInt("full_retrain_every", models::kDefaultFullRetrainEvery, 0);
  if (!every.ok() || *every == 0) return std::nullopt;
  for (const v1::ModelVersion& v : registry_.List(tenant, model)) {
    if (v.version() != current->version) continue;
    auto it = v.metrics().find(kSinceFullMetric);
    const int64_t since_full = it == v.metrics().end() ? 0 : std::llround(it->second);
    if (since_full >= *every) return std::nullopt;
    return IncrementalPlan{current, v.created_at_ms(), since_full};
  }
  return std::nullopt;
}

bool Trainer::TrainGateHolds(const std::string& tenant, const std::string& model) const {
  const config::ModelConfig* cfg = registry_.FindConfig(model);
  if (cfg == nullptr) return false;
  return state::GateHolds(state_, tenant, cfg->train.gate.event_type, cfg->train.gate.per_item);
}

void Trainer::MaybeEnqueueLocked(const std::string& tenant, const std::string& model,
                                 const std::string& trigger) {
  const std::string key = Key(tenant, model);
  if (stop_ || queued_.contains(key)) return;
  if (!TrainGateHolds(tenant, model)) return;
  KeyState& ks = keys_[key];
  if (ks.last_failed >= 0 && clock_.MonotonicSeconds() - ks.last_failed < kRetryAfterFailure) {
    return;
  }
  auto job = std::make_unique<Job>();
  job->tenant = tenant;
  job->model = model;
  job->trigger = trigger;
  job->future = job->promise.get_future().share();
  queued_.emplace(key, job->future);
  queue_.push_back(std::move(job));
  metrics_->queue.Set(static_cast<double>(queue_.size()));
}

namespace {

uint64_t CountFor(const std::map<std::string, uint64_t>& counts, const std::string& tenant) {
  auto it = counts.find(tenant);
  return it == counts.end() ? 0 : it->second;
}

// The applied events of `tenant` that count towards `train.every_events`: all of them, or only
// those of the listed types.
uint64_t CountedEvents(const ingest::AppliedBatch& batch, const std::string& tenant,
                       const std::vector<std::string>& event_types) {
  if (event_types.empty()) return CountFor(batch.events_by_tenant, tenant);
  auto it = batch.events_by_tenant_type.find(tenant);
  if (it == batch.events_by_tenant_type.end()) return 0;
  uint64_t n = 0;
  for (const std::string& type : event_types) n += CountFor(it->second, type);
  return n;
}

}  // namespace

void Trainer::OnApplied(const ingest::AppliedBatch& batch) {
  absl::MutexLock lock(&mu_);
  std::set<std::string> tenants;
  for (const auto& [tenant, count] : batch.events_by_tenant) tenants.insert(tenant);
  for (const auto& [tenant, count] : batch.item_writes_by_tenant) tenants.insert(tenant);
  for (const std::string& tenant : tenants) {
    const bool had_events = CountFor(batch.events_by_tenant, tenant) > 0;
    for (const std::string& model : registry_.ModelNames()) {
      if (!IsTrainable(model)) continue;
      const config::TrainTriggerConfig& train = registry_.FindConfig(model)->train;
      KeyState& ks = keys_[Key(tenant, model)];
      ks.events_since_training +=
          static_cast<int64_t>(CountedEvents(batch, tenant, train.event_types));
      ks.item_writes_since_training +=
          static_cast<int64_t>(CountFor(batch.item_writes_by_tenant, tenant));
      if (train.every_events > 0 && ks.events_since_training >= train.every_events) {
        MaybeEnqueueLocked(tenant, model, "events");
      } else if (train.every_item_writes > 0 &&
                 ks.item_writes_since_training >= train.every_item_writes) {
        MaybeEnqueueLocked(tenant, model, "item_writes");
      } else if (had_events && train.on_start && registry_.Current(tenant, model) == nullptr) {
        MaybeEnqueueLocked(tenant, model, "events");
      }
    }
  }
}

void Trainer::Start() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = false;
    const double now = clock_.MonotonicSeconds();
    for (const state::TenantStats& t : state_.Stats()) {
      for (const std::string& model : registry_.ModelNames()) {
        if (!IsTrainable(model)) continue;
        const config::ModelConfig* cfg = registry_.FindConfig(model);
        if (registry_.Current(t.tenant, model) != nullptr) {
          keys_[Key(t.tenant, model)].last_finished = now;
        } else if (cfg->train.on_start && t.events > 0) {
          MaybeEnqueueLocked(t.tenant, model, "startup");
        }
      }
    }
  }
  if (!options_.training.enabled) return;
  worker_ = std::thread([this] { WorkerLoop(); });
  ticker_ = std::thread([this] { TickerLoop(); });
}

void Trainer::Stop() {
  std::deque<std::unique_ptr<Job>> abandoned;
  {
    absl::MutexLock lock(&mu_);
    if (stop_ && !worker_.joinable() && !ticker_.joinable() && queue_.empty()) return;
    stop_ = true;
    abandoned.swap(queue_);
    queued_.clear();
    metrics_->queue.Set(0);
  }
  stop_source_.request_stop();
  for (auto& job : abandoned) {
    job->promise.set_value(absl::CancelledError("trainer stopped before this training ran"));
  }
  if (worker_.joinable()) worker_.join();
  if (ticker_.joinable()) ticker_.join();
}

void Trainer::WorkerLoop() {
  // Training (and the threads it starts, which inherit this) runs below serving.
  common::LowerCurrentThreadPriority(kTrainingNiceIncrement);
  while (true) {
    std::unique_ptr<Job> job;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      // From now on a new request queues another training, which will see the data this one
      // does not (a request must never be answered by a training that started before it).
      queued_.erase(Key(job->tenant, job->model));
      metrics_->queue.Set(static_cast<double>(queue_.size()));
      KeyState& ks = keys_[Key(job->tenant, job->model)];
      ks.events_since_training = 0;
      ks.item_writes_since_training = 0;
      running_job_ = true;
    }
    absl::StatusOr<v1::ModelVersion> result = TrainNow(job->tenant, job->model, job->trigger);
    // The training's working set (its TrainingData, the family's matrices) is freed now: give
    // the memory back rather than leaving it resident in malloc's arenas until the next one.
    common::ReleaseFreeHeap();
    {
      absl::MutexLock lock(&mu_);
      running_job_ = false;
      KeyState& ks = keys_[Key(job->tenant, job->model)];
      ks.last_finished = clock_.MonotonicSeconds();
      // A training skipped because of the lease (ABORTED) is not a failure: another process
      // trained or is training the same data.
      ks.last_failed = result.ok() || absl::IsAborted(result.status()) ? -1 : ks.last_finished;
    }
    job->promise.set_value(std::move(result));
  }
}

void Trainer::TickerLoop() {
  const absl::Duration tick = absl::Seconds(options_.training.tick_seconds > 0
                                                ? options_.training.tick_seconds
                                                : 1.0);
  while (true) {
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), tick)) return;
    const double now = clock_.MonotonicSeconds();
    std::vector<state::TenantStats> tenants = state_.Stats();
    for (const std::string& model : registry_.ModelNames()) {
      if (!IsTrainable(model)) continue;
      const config::ModelConfig* cfg = registry_.FindConfig(model);
      if (cfg->train.every_seconds <= 0) continue;
      for (const state::TenantStats& t : tenants) {
        if (t.events == 0) continue;
        KeyState& ks = keys_[Key(t.tenant, model)];
        if (ks.last_finished < 0 || now - ks.last_finished >= cfg->train.every_seconds) {
          MaybeEnqueueLocked(t.tenant, model, "schedule");
        }
      }
    }
  }
}

size_t Trainer::queue_length() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

bool Trainer::running() const {
  absl::MutexLock lock(&mu_);
  return running_job_;
}

}  // namespace recplat::training
