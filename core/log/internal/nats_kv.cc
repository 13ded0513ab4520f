// NatsClient's key-value buckets and plain (core NATS) subjects, and NatsKv. Kept apart from
// nats_client.cc, which holds the connection and the stream calls of the event log.
#include <nats/nats.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/log/internal/nats_client.h"

namespace recplat::log::internal {

// Defined in nats_client.cc.
int64_t Ms(absl::Duration d);
absl::Status ToStatus(natsStatus s, int jerr, absl::string_view what);

NatsKv::~NatsKv() {
  if (kv_ != nullptr) kvStore_Destroy(kv_);
  if (js_ != nullptr) jsCtx_Destroy(js_);
}

absl::StatusOr<std::optional<KvRecord>> NatsKv::Get(const std::string& key) {
  kvEntry* entry = nullptr;
  const natsStatus s = kvStore_Get(&entry, kv_, key.c_str());
  if (s == NATS_NOT_FOUND) return std::nullopt;
  if (s != NATS_OK) {
    return ToStatus(s, 0, absl::StrCat("key-value get of '", key, "'"));
  }
  KvRecord record;
  const void* data = kvEntry_Value(entry);
  const int len = kvEntry_ValueLen(entry);
  if (data != nullptr && len > 0) record.value.assign(static_cast<const char*>(data), len);
  record.revision = kvEntry_Revision(entry);
  kvEntry_Destroy(entry);
  return record;
}

absl::StatusOr<uint64_t> NatsKv::Create(const std::string& key, const std::string& value) {
  uint64_t rev = 0;
  const natsStatus s = kvStore_Create(&rev, kv_, key.c_str(), value.data(),
                                      static_cast<int>(value.size()));
  if (s != NATS_OK) {
    return ToStatus(s, 0, absl::StrCat("key-value create of '", key, "': ",
                                       nats_GetLastError(nullptr)));
  }
  return rev;
}

absl::StatusOr<uint64_t> NatsKv::Update(const std::string& key, const std::string& value,
                                        uint64_t last) {
  uint64_t rev = 0;
  const natsStatus s = kvStore_Update(&rev, kv_, key.c_str(), value.data(),
                                      static_cast<int>(value.size()), last);
  if (s != NATS_OK) {
    return ToStatus(s, 0, absl::StrCat("key-value update of '", key, "' at revision ", last,
                                       ": ", nats_GetLastError(nullptr)));
  }
  return rev;
}

namespace {

// A bucket just created (by this process or another) answers reads only once its stream has
// elected a leader: wait for that (a read of a key that does not exist answering NOT_FOUND),
// up to `timeout`. The bucket is returned either way; reads fail with UNAVAILABLE until then.
std::unique_ptr<NatsKv> Ready(std::unique_ptr<NatsKv> kv, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!kv->Get("recplat-probe").ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  return kv;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NatsKv>> NatsClient::KeyValue(const std::string& bucket,
                                                             int replicas) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = Ms(NatsKv::kKvWait);
  jsCtx* js = nullptr;
  natsStatus s = natsConnection_JetStream(&js, nc_, &jo);
  if (s != NATS_OK) return ToStatus(s, 0, "JetStream context");
  // Owns `js` from here on (and `kv` once bound).
  std::unique_ptr<NatsKv> bound(new NatsKv(nullptr, js));
  s = js_KeyValue(&bound->kv_, js, bucket.c_str());
  if (s == NATS_OK) return Ready(std::move(bound), absl::Seconds(10));
  if (s != NATS_NOT_FOUND) {
    return ToStatus(s, 0, absl::StrCat("key-value bucket '", bucket, "'"));
  }
  kvConfig cfg;
  kvConfig_Init(&cfg);
  cfg.Bucket = bucket.c_str();
  cfg.History = 1;
  cfg.StorageType = js_FileStorage;
  cfg.Replicas = replicas;
  s = js_CreateKeyValue(&bound->kv_, js, &cfg);
  if (s == NATS_OK) return Ready(std::move(bound), absl::Seconds(10));
  const std::string error = nats_GetLastError(nullptr);
  // Another process may have created it meanwhile.
  if (js_KeyValue(&bound->kv_, js, bucket.c_str()) == NATS_OK) {
    return Ready(std::move(bound), absl::Seconds(10));
  }
  return ToStatus(s, 0, absl::StrCat("cannot create key-value bucket '", bucket, "' (",
                                     replicas, " replicas): ", error));
}

absl::Status NatsClient::PublishPlain(const std::string& subject, const std::string& body,
                                      absl::Duration timeout) {
  natsStatus s = natsConnection_Publish(nc_, subject.c_str(), body.data(),
                                        static_cast<int>(body.size()));
  if (s == NATS_OK) s = natsConnection_FlushTimeout(nc_, Ms(timeout));
  return ToStatus(s, 0, absl::StrCat("NATS publish on '", subject, "'"));
}

absl::StatusOr<std::unique_ptr<NatsSubscription>> NatsClient::SubscribePlain(
    const std::string& subject) {
  natsSubscription* sub = nullptr;
  const natsStatus s = natsConnection_SubscribeSync(&sub, nc_, subject.c_str());
  if (s != NATS_OK) return ToStatus(s, 0, absl::StrCat("NATS subscribe to '", subject, "'"));
  return std::unique_ptr<NatsSubscription>(new NatsSubscription(sub, /*jetstream=*/false));
}

}  // namespace recplat::log::internal
