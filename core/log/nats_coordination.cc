#include "core/log/nats_coordination.h"

#include <atomic>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/log/internal/nats_client.h"

namespace recplat::log {
namespace {

using internal::NatsClient;
using internal::NatsKv;

// A bucket bound on first use (and again after a failed bind). Failed writes are resolved by
// reading the key back: a value equal to the one written means the write happened (its
// acknowledgement was lost); a moved revision means it lost (FAILED_PRECONDITION); otherwise the
// original error stands.
class NatsBucket final : public KeyValueBucket {
 public:
  NatsBucket(NatsClient& client, std::string name, int replicas)
      : client_(client), name_(std::move(name)), replicas_(replicas) {}

  absl::StatusOr<std::optional<KeyValueEntry>> Get(const std::string& key) override {
    absl::StatusOr<NatsKv*> kv = Bound();
    if (!kv.ok()) return kv.status();
    absl::StatusOr<std::optional<internal::KvRecord>> got = (*kv)->Get(key);
    if (!got.ok()) return got.status();
    if (!got->has_value()) return std::nullopt;
    return KeyValueEntry{std::move((*got)->value), (*got)->revision};
  }

  absl::StatusOr<uint64_t> Create(const std::string& key, const std::string& value) override {
    absl::StatusOr<NatsKv*> kv = Bound();
    if (!kv.ok()) return kv.status();
    absl::StatusOr<uint64_t> rev = (*kv)->Create(key, value);
    if (rev.ok()) return rev;
    return Resolve(key, value, std::nullopt, rev.status());
  }

  absl::StatusOr<uint64_t> Update(const std::string& key, const std::string& value,
                                  uint64_t expected_revision) override {
    absl::StatusOr<NatsKv*> kv = Bound();
    if (!kv.ok()) return kv.status();
    absl::StatusOr<uint64_t> rev = (*kv)->Update(key, value, expected_revision);
    if (rev.ok()) return rev;
    return Resolve(key, value, expected_revision, rev.status());
  }

 private:
  absl::StatusOr<NatsKv*> Bound() {
    absl::MutexLock lock(&mu_);
    if (kv_ == nullptr) {
      if (!client_.Connected()) {
        return absl::UnavailableError(
            absl::StrCat("key-value bucket '", name_, "': not connected to NATS"));
      }
      absl::StatusOr<std::unique_ptr<NatsKv>> kv = client_.KeyValue(name_, replicas_);
      if (!kv.ok()) return kv.status();
      kv_ = *std::move(kv);
    }
    return kv_.get();
  }

  absl::StatusOr<uint64_t> Resolve(const std::string& key, const std::string& value,
                                   std::optional<uint64_t> expected, const absl::Status& error) {
    absl::StatusOr<std::optional<KeyValueEntry>> now = Get(key);
    if (!now.ok()) return absl::UnavailableError(error.message());
    if (now->has_value() && (*now)->value == value) return (*now)->revision;
    const bool moved = expected.has_value()
                           ? (!now->has_value() || (*now)->revision != *expected)
                           : now->has_value();
    if (moved) {
      return absl::FailedPreconditionError(absl::StrCat(
          "key '", key, "' of bucket '", name_, "' changed meanwhile (revision ",
          now->has_value() ? (*now)->revision : 0, ")"));
    }
    return error;
  }

  NatsClient& client_;
  const std::string name_;
  const int replicas_;
  absl::Mutex mu_;
  std::unique_ptr<NatsKv> kv_ ABSL_GUARDED_BY(mu_);
};

class SubjectListener final : public NatsCoordination::Listener {
 public:
  SubjectListener(NatsClient& client, std::string subject,
                  std::function<void(const std::string&)> on_message)
      : client_(client), subject_(std::move(subject)), on_message_(std::move(on_message)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~SubjectListener() override {
    stop_.Notify();
    thread_.join();
  }

 private:
  void Run() {
    std::unique_ptr<internal::NatsSubscription> sub;
    while (!stop_.HasBeenNotified()) {
      if (sub == nullptr) {
        absl::StatusOr<std::unique_ptr<internal::NatsSubscription>> made =
            client_.Connected() ? client_.SubscribePlain(subject_)
                                : absl::UnavailableError("not connected");
        if (!made.ok()) {
          stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
          continue;
        }
        sub = *std::move(made);
      }
      absl::StatusOr<std::optional<internal::StreamMessage>> msg =
          sub->Next(absl::Milliseconds(200));
      if (!msg.ok()) {
        sub.reset();
        continue;
      }
      if (msg->has_value()) on_message_((*msg)->body);
    }
  }

  NatsClient& client_;
  const std::string subject_;
  const std::function<void(const std::string&)> on_message_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace

struct NatsCoordination::Impl {
  NatsCoordinationOptions options;
  std::unique_ptr<NatsClient> client;
};

NatsCoordination::NatsCoordination(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NatsCoordination::~NatsCoordination() = default;

absl::StatusOr<std::unique_ptr<NatsCoordination>> NatsCoordination::Connect(
    const NatsCoordinationOptions& options) {
  internal::NatsClientOptions o;
  o.servers = options.servers;
  o.credentials_file = options.credentials_file;
  o.tls_ca_file = options.tls_ca_file;
  o.tls_cert_file = options.tls_cert_file;
  o.tls_key_file = options.tls_key_file;
  o.connect_timeout = options.connect_timeout;
  o.name = options.client_name;
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  absl::StatusOr<std::unique_ptr<NatsClient>> client = NatsClient::Connect(o);
  if (!client.ok()) return client.status();
  impl->client = *std::move(client);
  return std::unique_ptr<NatsCoordination>(new NatsCoordination(std::move(impl)));
}

bool NatsCoordination::Connected() const { return impl_->client->Connected(); }

std::shared_ptr<KeyValueBucket> NatsCoordination::Bucket(const std::string& name, int replicas) {
  return std::make_shared<NatsBucket>(*impl_->client, name, replicas);
}

absl::Status NatsCoordination::Publish(const std::string& subject, const std::string& body) {
  if (!impl_->client->Connected()) {
    return absl::UnavailableError(absl::StrCat("NATS publish on '", subject, "': not connected"));
  }
  return impl_->client->PublishPlain(subject, body, impl_->options.request_timeout);
}

std::unique_ptr<NatsCoordination::Listener> NatsCoordination::Listen(
    const std::string& subject, std::function<void(const std::string&)> on_message) {
  return std::make_unique<SubjectListener>(*impl_->client, subject, std::move(on_message));
}

}  // namespace recplat::log
