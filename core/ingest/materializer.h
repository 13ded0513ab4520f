// File: materializer.h
//
// Materializer: applies the event log to the state store, in offset order, in batches. The
// state store records the applied offset atomically with each batch, so after a restart (even
// after kill -9) the materializer resumes exactly where the durable state ends: every
// acknowledged record is applied exactly once.
//
// It runs as one background thread (Start/Stop), or synchronously (CatchUp) at start-up and in
// one-shot tools. Listeners learn what each batch applied (training triggers, metrics).
//
// Thread-safety: all public methods are thread-safe, except that listeners must be added before
// Start(). Listeners run on the materializer thread and must be quick.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/log/event_log.h"
#include "core/state/state_store.h"

namespace recplat::ingest {

// What one applied batch contained.
struct AppliedBatch {
  uint64_t first_offset = 0;
  // Exclusive.
  uint64_t end_offset = 0;
  // Events applied per tenant (events skipped as duplicates of an applied event_id excluded).
  std::map<std::string, uint64_t> events_by_tenant;
  // The same by tenant and event type.
  std::map<std::string, std::map<std::string, uint64_t>> events_by_tenant_type;
  // Events skipped as duplicates (their (tenant, event_id) was applied before), per tenant.
  std::map<std::string, uint64_t> duplicate_events_by_tenant;
  // Catalog writes (item upserts/deletes, user upserts) applied per tenant.
  std::map<std::string, uint64_t> catalog_writes_by_tenant;
  // Item writes applied per tenant: item upserts and deletes, shop entity writes (training
  // trigger `every_item_writes`).
  std::map<std::string, uint64_t> item_writes_by_tenant;
  // Records that could not be decoded and were skipped (logged as errors).
  uint64_t corrupt_records = 0;
};

struct MaterializerOptions {
  // Records per Apply() call.
  size_t batch_size = 1000;
};

class Materializer {
 public:
  using Listener = std::function<void(const AppliedBatch&)>;

  // `log` and `state` are not owned and must outlive the materializer.
  Materializer(log::EventLog& log, state::StateStore& state, MaterializerOptions options);
  ~Materializer();

  Materializer(const Materializer&) = delete;
  Materializer& operator=(const Materializer&) = delete;

  // REQUIRES: Start() not called yet.
  void AddListener(Listener listener);

  // Applies everything the log holds now, on the calling thread. REQUIRES: not running.
  absl::Status CatchUp();

  // Starts the background thread. Apply failures (disk) are logged and retried with backoff.
  void Start();

  // Stops the background thread after the batch in progress. Idempotent.
  void Stop();

  // Offset up to which the log is applied (exclusive).
  uint64_t AppliedOffset() const;

  // Blocks until AppliedOffset() >= `end_offset` or the timeout passes; returns whether reached.
  bool WaitApplied(uint64_t end_offset, absl::Duration timeout) const;

  // Number of apply failures so far (each retried).
  uint64_t failures() const;

 private:
  // Applies up to one batch starting at AppliedOffset(); sets *applied_any.
  absl::Status ApplyOnce(bool* applied_any);
  void Run();

  log::EventLog& log_;
  state::StateStore& state_;
  const MaterializerOptions options_;
  std::vector<Listener> listeners_;

  mutable absl::Mutex mu_;
  uint64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace recplat::ingest
