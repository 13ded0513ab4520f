#include "core/training/kv_training_lease.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/common/logging.h"
#include "nlohmann/json.hpp"

namespace recplat::training {
namespace {

struct LeaseValue {
  std::string holder;  // "" when released.
  int64_t expires_ms = 0;
  uint64_t trained_offset = 0;
  int64_t trained_at_ms = 0;
};

std::string Encode(const LeaseValue& v) {
  nlohmann::json j = {{"holder", v.holder},
                      {"expires_ms", v.expires_ms},
                      {"trained_offset", v.trained_offset},
                      {"trained_at_ms", v.trained_at_ms}};
  return j.dump();
}

// A value that does not parse reads as released (and is overwritten by the next Acquire).
LeaseValue Decode(const std::string& text) {
  LeaseValue v;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return v;
  if (auto it = j.find("holder"); it != j.end() && it->is_string()) v.holder = *it;
  if (auto it = j.find("expires_ms"); it != j.end() && it->is_number_integer()) {
    v.expires_ms = it->get<int64_t>();
  }
  if (auto it = j.find("trained_offset"); it != j.end() && it->is_number_unsigned()) {
    v.trained_offset = it->get<uint64_t>();
  }
  if (auto it = j.find("trained_at_ms"); it != j.end() && it->is_number_integer()) {
    v.trained_at_ms = it->get<int64_t>();
  }
  return v;
}

void AppendEscaped(std::string* out, const std::string& name) {
  if (name.empty()) {
    out->push_back('=');
    return;
  }
  for (unsigned char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '-') {
      out->push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(out, "=%02X", c);
    }
  }
}

std::string DefaultHolderId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::random_device rd;
  return absl::StrFormat("%s-%d-%08x", host[0] != '\0' ? host : "host", getpid(), rd());
}

struct Shared {
  std::shared_ptr<log::KeyValueBucket> bucket;
  std::string holder;
  absl::Duration duration;
  absl::Duration renew_every;
  const common::Clock* clock;
};

class KvHold final : public LeaseHold {
 public:
  KvHold(std::shared_ptr<const Shared> shared, std::string key, uint64_t revision,
         LeaseValue value)
      : s_(std::move(shared)),
        key_(std::move(key)),
        revision_(revision),
        value_(value),
        expires_ms_(value.expires_ms) {
    renewer_ = std::thread([this] { RenewLoop(); });
  }
  ~KvHold() override { Release(std::nullopt); }

  // Lock-free: a renewal in progress (a network call under mu_) must not delay it.
  bool Lost() const override {
    return lost_.load() || s_->clock->NowMs() >= expires_ms_.load();
  }

  absl::Status Confirm() override {
    if (lost_.load()) return LostError("it was lost before");
    absl::MutexLock lock(&mu_);
    const int64_t now = s_->clock->NowMs();
    if (now >= value_.expires_ms) {
      lost_.store(true);
      return LostError("it expired");
    }
    absl::StatusOr<uint64_t> rev = RenewLocked(now);
    if (rev.ok()) return absl::OkStatus();
    if (absl::IsFailedPrecondition(rev.status())) {
      lost_.store(true);
      RECPLAT_LOG(Warn, "training lease: lost (another holder wrote it)",
                  {{"key", key_}, {"error", rev.status().ToString()}});
      return LostError(rev.status().message());
    }
    return absl::UnavailableError(
        absl::StrCat("training lease '", key_, "' could not be confirmed: ", rev.status().message()));
  }

  void Release(std::optional<uint64_t> trained_offset) override {
    if (released_) return;
    released_ = true;
    stop_.Notify();
    renewer_.join();
    if (lost_.load()) return;
    absl::MutexLock lock(&mu_);
    LeaseValue released = value_;
    released.holder.clear();
    released.expires_ms = 0;
    if (trained_offset.has_value()) {
      released.trained_offset = *trained_offset;
      released.trained_at_ms = s_->clock->NowMs();
    }
    absl::StatusOr<uint64_t> rev = s_->bucket->Update(key_, Encode(released), revision_);
    if (!rev.ok()) {
      RECPLAT_LOG(Warn, "training lease: release failed (the lease will expire)",
                  {{"key", key_}, {"error", rev.status().ToString()}});
    }
  }

 private:
  void RenewLoop() {
    while (!stop_.WaitForNotificationWithTimeout(s_->renew_every)) {
      absl::MutexLock lock(&mu_);
      const int64_t now = s_->clock->NowMs();
      absl::StatusOr<uint64_t> rev = RenewLocked(now);
      if (rev.ok()) continue;
      if (absl::IsFailedPrecondition(rev.status()) || now >= value_.expires_ms) {
        lost_.store(true);
        RECPLAT_LOG(Warn, "training lease: lost",
                    {{"key", key_}, {"error", rev.status().ToString()}});
        return;
      }
      RECPLAT_LOG(Warn, "training lease: renewal failed (retrying)",
                  {{"key", key_}, {"error", rev.status().ToString()}});
    }
  }

  // Extends the lease to `now` + its duration by a compare-and-set on revision_; on success
  // records the new revision and expiry.
  absl::StatusOr<uint64_t> RenewLocked(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    LeaseValue next = value_;
    next.expires_ms = now + absl::ToInt64Milliseconds(s_->duration);
    absl::StatusOr<uint64_t> rev = s_->bucket->Update(key_, Encode(next), revision_);
    if (rev.ok()) {
      revision_ = *rev;
      value_ = next;
      expires_ms_.store(next.expires_ms);
    }
    return rev;
  }

  absl::Status LostError(absl::string_view why) const {
    return absl::AbortedError(
        absl::StrCat("training lease '", key_, "' is no longer held by this process: ", why));
  }

  const std::shared_ptr<const Shared> s_;
  const std::string key_;
  absl::Mutex mu_;
  uint64_t revision_ ABSL_GUARDED_BY(mu_);
  LeaseValue value_ ABSL_GUARDED_BY(mu_);
  // value_.expires_ms, readable without mu_.
  std::atomic<int64_t> expires_ms_;
  std::atomic<bool> lost_{false};
  bool released_ = false;
  absl::Notification stop_;
  std::thread renewer_;
};

class KvLease final : public TrainingLease {
 public:
  explicit KvLease(std::shared_ptr<const Shared> shared) : s_(std::move(shared)) {}

  absl::StatusOr<LeaseGrant> Acquire(const std::string& tenant,
                                     const std::string& model) override {
    const std::string key = LeaseKey(tenant, model);
    absl::StatusOr<std::optional<log::KeyValueEntry>> current = s_->bucket->Get(key);
    if (!current.ok()) return Unavailable(current.status());
    const int64_t now = s_->clock->NowMs();
    LeaseValue mine{s_->holder, now + absl::ToInt64Milliseconds(s_->duration), 0, 0};
    absl::StatusOr<uint64_t> rev;
    if (!current->has_value()) {
      rev = s_->bucket->Create(key, Encode(mine));
    } else {
      const LeaseValue held = Decode((*current)->value);
      mine.trained_offset = held.trained_offset;
      mine.trained_at_ms = held.trained_at_ms;
      if (!held.holder.empty() && held.expires_ms > now) {
        return LeaseGrant{nullptr, held.holder, held.trained_offset, held.trained_at_ms};
      }
      rev = s_->bucket->Update(key, Encode(mine), (*current)->revision);
    }
    if (absl::IsFailedPrecondition(rev.status())) {
      // Another contender wrote first: report it as the holder.
      absl::StatusOr<std::optional<log::KeyValueEntry>> now_held = s_->bucket->Get(key);
      LeaseGrant grant{nullptr, "another replica", mine.trained_offset, mine.trained_at_ms};
      if (now_held.ok() && now_held->has_value()) {
        const LeaseValue v = Decode((*now_held)->value);
        if (!v.holder.empty()) grant.holder = v.holder;
        grant.trained_offset = v.trained_offset;
        grant.trained_at_ms = v.trained_at_ms;
      }
      return grant;
    }
    if (!rev.ok()) return Unavailable(rev.status());
    LeaseGrant grant;
    grant.trained_offset = mine.trained_offset;
    grant.trained_at_ms = mine.trained_at_ms;
    grant.hold = std::make_unique<KvHold>(s_, key, *rev, mine);
    return grant;
  }

  std::string holder_id() const override { return s_->holder; }

 private:
  static absl::Status Unavailable(const absl::Status& status) {
    return absl::UnavailableError(
        absl::StrCat("training lease unavailable: ", status.message()));
  }

  const std::shared_ptr<const Shared> s_;
};

}  // namespace

std::string LeaseKey(const std::string& tenant, const std::string& model) {
  std::string key = "train.";
  AppendEscaped(&key, tenant);
  key.push_back('.');
  AppendEscaped(&key, model);
  return key;
}

std::unique_ptr<TrainingLease> NewKvTrainingLease(KvTrainingLeaseOptions options) {
  auto shared = std::make_shared<Shared>();
  shared->bucket = std::move(options.bucket);
  shared->holder = options.holder_id.empty() ? DefaultHolderId() : options.holder_id;
  shared->duration = options.lease_duration;
  shared->renew_every = options.renew_every > absl::ZeroDuration() ? options.renew_every
                                                                   : options.lease_duration / 3;
  shared->clock = options.clock != nullptr ? options.clock : &common::Clock::Default();
  return std::make_unique<KvLease>(std::move(shared));
}

}  // namespace recplat::training
