#include "core/engine/served_recorder.h"

#include <limits>
#include <utility>

#include "core/common/logging.h"
#include "core/common/thread_priority.h"

namespace recplat::engine {
namespace {

constexpr int64_t kPruneEveryMs = 3600 * 1000;
// Nice value added to the writer thread (weight about a third of a request thread's).
constexpr int kServedRecorderNiceIncrement = 5;
constexpr int64_t kDayMs = 24 * 3600 * 1000;

prometheus::Family<prometheus::Counter>& DroppedFamily(prometheus::Registry& r) {
  return prometheus::BuildCounter()
      .Name("recplat_engine_served_lists_dropped_total")
      .Help("Served lists not recorded for monitoring, by reason (queue_full, write_failed)")
      .Register(r);
}

}  // namespace

ServedRecorder::ServedRecorder(ServedRecorderOptions options, state::StateStore& state,
                               const common::Clock& clock, prometheus::Registry& metrics)
    : options_(options),
      state_(state),
      clock_(clock),
      written_(prometheus::BuildCounter()
                   .Name("recplat_engine_served_lists_written_total")
                   .Help("Served lists recorded in the state store for monitoring")
                   .Register(metrics)
                   .Add({})),
      dropped_full_(DroppedFamily(metrics).Add({{"reason", "queue_full"}})),
      dropped_failed_(DroppedFamily(metrics).Add({{"reason", "write_failed"}})),
      last_prune_ms_(std::numeric_limits<int64_t>::min()) {
  thread_ = std::thread([this] { Run(); });
}

ServedRecorder::~ServedRecorder() { Stop(); }

void ServedRecorder::Record(v1::ServedList list) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() < options_.max_queue) {
      queue_.push_back(std::move(list));
      return;
    }
  }
  dropped_full_.Increment();
}

absl::Status ServedRecorder::Flush() {
  std::lock_guard<std::mutex> write_lock(write_mu_);
  std::vector<v1::ServedList> lists;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lists.swap(queue_);
  }
  return WriteLocked(std::move(lists));
}

absl::Status ServedRecorder::WriteLocked(std::vector<v1::ServedList> lists) {
  // Pruning rides along with writes, so a process that serves nothing (e.g. a read-only
  // follower) never writes.
  if (lists.empty()) return absl::OkStatus();
  const int64_t now = clock_.NowMs();
  if (options_.retention_days > 0 && (last_prune_ms_ == std::numeric_limits<int64_t>::min() ||
                                      now - last_prune_ms_ >= kPruneEveryMs)) {
    last_prune_ms_ = now;
    if (absl::Status s = state_.PruneServedLists(now - options_.retention_days * kDayMs); !s.ok()) {
      RECPLAT_LOG(Warn, "could not prune served lists", {{"error", s.ToString()}});
    }
  }
  absl::Status s = state_.RecordServedLists(lists);
  if (!s.ok()) {
    dropped_failed_.Increment(static_cast<double>(lists.size()));
    RECPLAT_LOG(Warn, "could not record served lists",
                {{"lists", lists.size()}, {"error", s.ToString()}});
    return s;
  }
  written_.Increment(static_cast<double>(lists.size()));
  return absl::OkStatus();
}

void ServedRecorder::Run() {
  // Below the request threads: a batch write is a burst of CPU that answers should not wait for.
  common::LowerCurrentThreadPriority(kServedRecorderNiceIncrement);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.flush_interval, [this] { return stopping_; });
    if (stopping_) break;
    if (queue_.empty()) continue;
    lock.unlock();
    Flush().IgnoreError();  // Logged and counted.
    lock.lock();
  }
}

void ServedRecorder::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  Flush().IgnoreError();  // Logged and counted.
}

}  // namespace recplat::engine
