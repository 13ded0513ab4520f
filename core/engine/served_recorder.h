// File: served_recorder.h
//
// ServedRecorder: writes the engine's served lists (one v1::ServedList per non-dry-run answer,
// cache hits included) to the state store off the request path.
//   - Record() appends to a bounded queue and never waits for I/O; when the queue is full the
//     list is dropped and counted (recplat_engine_served_lists_dropped_total{reason=
//     "queue_full"}).
//   - A background thread writes what is queued in one batch every `flush_interval` (real
//     time); Flush() writes it at once, Stop() too before ending the thread.
//   - Retention: with retention_days > 0, the lists served more than that many days before now
//     (by the injected clock) are deleted along with the first write and then at most once an
//     hour (only when there is something to write).
// A batch that fails to write is logged and counted as dropped (reason "write_failed"):
// monitoring is best-effort and serving never waits for it.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "core/common/clock.h"
#include "core/state/state_store.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

struct ServedRecorderOptions {
  // Lists queued at most; more are dropped until the next write.
  size_t max_queue = 10000;
  std::chrono::milliseconds flush_interval{100};
  // Lists older than this are deleted; 0 keeps them forever (config state.served_lists_days).
  int32_t retention_days = 30;
};

class ServedRecorder {
 public:
  // `state`, `clock` and `metrics` are not owned and must outlive the recorder. Starts the
  // background thread.
  ServedRecorder(ServedRecorderOptions options, state::StateStore& state,
                 const common::Clock& clock, prometheus::Registry& metrics);
  // Stop().
  ~ServedRecorder();
  ServedRecorder(const ServedRecorder&) = delete;
  ServedRecorder& operator=(const ServedRecorder&) = delete;

  // Queues `list` for writing (dropped and counted when the queue is full).
  void Record(v1::ServedList list);

  // Writes every list queued before the call (and prunes when due). The error of the write, if
  // any (the lists are then counted as dropped).
  absl::Status Flush();

  // Writes what is queued and ends the background thread; later Record calls are written only
  // by Flush. Idempotent.
  void Stop();

 private:
  void Run();
  // REQUIRES: write_mu_ held.
  absl::Status WriteLocked(std::vector<v1::ServedList> lists);

  const ServedRecorderOptions options_;
  state::StateStore& state_;
  const common::Clock& clock_;
  prometheus::Counter& written_;
  prometheus::Counter& dropped_full_;
  prometheus::Counter& dropped_failed_;

  std::mutex mu_;
  std::condition_variable wake_;
  // Guarded by mu_.
  std::vector<v1::ServedList> queue_;
  bool stopping_ = false;

  // Serialises writes (background and Flush) so that pruning and batches do not interleave.
  std::mutex write_mu_;
  // Guarded by write_mu_: when the last pruning ran (by the injected clock); INT64_MIN: never.
  int64_t last_prune_ms_;

  // Serialises Stop() calls (the join).
  std::mutex stop_mu_;
  std::thread thread_;
};

}  // namespace recplat::engine
