// EventLog kept in a vector; for tests and offline tools.
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/log/event_log.h"

namespace recplat::log {
namespace {

class InMemoryEventLog final : public EventLog {
 public:
  absl::StatusOr<uint64_t> Append(const std::vector<std::string>& records) override {
    if (records.empty()) return absl::InvalidArgumentError("empty append");
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::UnavailableError("event log is closed");
    const uint64_t first = records_.size();
    records_.insert(records_.end(), records.begin(), records.end());
    return first;
  }

  uint64_t NextOffset() const override {
    absl::MutexLock lock(&mu_);
    return records_.size();
  }

  absl::Status Read(uint64_t from, size_t max_records,
                    const std::function<absl::Status(uint64_t, absl::string_view)>& fn)
      const override {
    std::vector<std::string> copy;
    {
      absl::MutexLock lock(&mu_);
      for (uint64_t i = from; i < records_.size() && copy.size() < max_records; ++i) {
        copy.push_back(records_[i]);
      }
    }
    for (size_t i = 0; i < copy.size(); ++i) {
      absl::Status s = fn(from + i, copy[i]);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  bool WaitForOffset(uint64_t offset, absl::Duration timeout) const override {
    absl::MutexLock lock(&mu_);
    auto ready = [this, offset]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return records_.size() > offset || closed_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
    return records_.size() > offset;
  }

  void Close() override {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> records_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

std::unique_ptr<EventLog> NewInMemoryEventLog() { return std::make_unique<InMemoryEventLog>(); }

}  // namespace recplat::log
