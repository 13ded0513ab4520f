#include "core/training/training_lease.h"

#include <memory>
#include <set>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace recplat::training {
namespace {

struct InProcessState {
  absl::Mutex mu;
  std::set<std::pair<std::string, std::string>> held ABSL_GUARDED_BY(mu);
};

class InProcessHold final : public LeaseHold {
 public:
  InProcessHold(std::shared_ptr<InProcessState> state, std::pair<std::string, std::string> key)
      : state_(std::move(state)), key_(std::move(key)) {}
  ~InProcessHold() override { Release(std::nullopt); }
  bool Lost() const override { return false; }
  absl::Status Confirm() override { return absl::OkStatus(); }
  void Release(std::optional<uint64_t>) override {
    if (released_) return;
    released_ = true;
    absl::MutexLock lock(&state_->mu);
    state_->held.erase(key_);
  }

 private:
  std::shared_ptr<InProcessState> state_;
  const std::pair<std::string, std::string> key_;
  bool released_ = false;
};

class InProcessLease final : public TrainingLease {
 public:
  absl::StatusOr<LeaseGrant> Acquire(const std::string& tenant,
                                     const std::string& model) override {
    LeaseGrant grant;
    std::pair<std::string, std::string> key(tenant, model);
    absl::MutexLock lock(&state_->mu);
    if (!state_->held.insert(key).second) {
      grant.holder = holder_id();
      return grant;
    }
    grant.hold = std::make_unique<InProcessHold>(state_, std::move(key));
    return grant;
  }
  std::string holder_id() const override { return "this-process"; }

 private:
  // Shared with the holds, which may outlive the lease object.
  std::shared_ptr<InProcessState> state_ = std::make_shared<InProcessState>();
};

}  // namespace

std::unique_ptr<TrainingLease> NewInProcessTrainingLease() {
  return std::make_unique<InProcessLease>();
}

}  // namespace recplat::training
