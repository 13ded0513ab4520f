// File: internal/nats_client.h
//
// A small C++ wrapper over the NATS C client (libnats) with the few JetStream calls the
// JetStream event log needs: a connection that keeps reconnecting in the background, creating
// the stream, publishing with a message id, the stream's last sequence, and an in-order
// subscription from a start sequence. Private to core/log (the only module that links libnats).
//
// Every libnats status becomes an absl::Status: UNAVAILABLE for what a retry may cure (not
// connected, timeouts, no responders, a stream without quorum), INVALID_ARGUMENT for bad
// options (an unreadable credentials or CA file), INTERNAL otherwise.
//
// Thread-safety: NatsClient is thread-safe (libnats connections are). A NatsSubscription is used
// by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct __natsConnection;
struct __jsCtx;
struct __natsSubscription;
struct __kvStore;

namespace recplat::log::internal {

struct NatsClientOptions {
  // nats://host:port URLs; at least one.
  std::vector<std::string> servers;
  // NATS credentials file (JWT + NKey seed); empty: none.
  std::string credentials_file;
  // TLS: CA certificates trusted for the servers (turns TLS on), and an optional client
  // certificate chain with its key.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // Timeout of one connection attempt to one server.
  absl::Duration connect_timeout = absl::Seconds(2);
  // Connection name shown by the server (monitoring).
  std::string name = "recplat";
};

// One message read from a stream.
struct StreamMessage {
  uint64_t stream_seq = 0;
  // Messages of the consumer still after this one when it was delivered.
  uint64_t pending = 0;
  std::string body;
};

class NatsSubscription {
 public:
  ~NatsSubscription();
  NatsSubscription(const NatsSubscription&) = delete;
  NatsSubscription& operator=(const NatsSubscription&) = delete;

  // The next message, or nullopt when none came within `timeout`. UNAVAILABLE when the
  // subscription broke (connection lost, slow consumer, missed heartbeats): make a new one.
  // Messages of a plain (core NATS) subscription have stream_seq and pending 0.
  absl::StatusOr<std::optional<StreamMessage>> Next(absl::Duration timeout);

 private:
  friend class NatsClient;
  NatsSubscription(__natsSubscription* sub, bool jetstream) : sub_(sub), jetstream_(jetstream) {}
  __natsSubscription* sub_;
  bool jetstream_;
};

// One value of a key-value bucket and its revision (the stream sequence that wrote it).
struct KvRecord {
  std::string value;
  uint64_t revision = 0;
};

// A bound JetStream key-value bucket (internal/nats_kv.cc), with a JetStream context of its own
// whose requests wait at most kKvWait. Thread-safe.
class NatsKv {
 public:
  static constexpr absl::Duration kKvWait = absl::Seconds(5);
  ~NatsKv();
  NatsKv(const NatsKv&) = delete;
  NatsKv& operator=(const NatsKv&) = delete;

  // The key's value, nullopt when it has none (never written, or deleted).
  absl::StatusOr<std::optional<KvRecord>> Get(const std::string& key);
  // Writes `value` when the key has none; answers the new revision. Any failure is returned
  // as libnats reported it (the caller tells a conflict from an outage by reading the key).
  absl::StatusOr<uint64_t> Create(const std::string& key, const std::string& value);
  // Writes `value` when the key's revision is `last`; answers the new revision.
  absl::StatusOr<uint64_t> Update(const std::string& key, const std::string& value,
                                  uint64_t last);

 private:
  friend class NatsClient;
  NatsKv(__kvStore* kv, __jsCtx* js) : kv_(kv), js_(js) {}
  __kvStore* kv_;
  __jsCtx* js_;
};

class NatsClient {
 public:
  // Starts connecting to `options.servers`. Unreachable servers are not an error: the client
  // keeps trying in the background (Connected() tells). INVALID_ARGUMENT for unusable options.
  static absl::StatusOr<std::unique_ptr<NatsClient>> Connect(const NatsClientOptions& options);
  ~NatsClient();
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;

  bool Connected() const;

  // Creates stream `stream` (file storage, `replicas`, subject `subject`, duplicate window
  // 2 min) unless it exists; an existing stream is left as it is. Returns its replica count.
  absl::StatusOr<int64_t> EnsureStream(const std::string& stream, const std::string& subject,
                                       int replicas, absl::Duration timeout);

  // The stream's last sequence (0 when empty).
  absl::StatusOr<uint64_t> LastSequence(const std::string& stream, absl::Duration timeout);

  // Publishes `body` to `subject` with header Nats-Msg-Id `msg_id` and waits for the stream's
  // ack; returns the message's stream sequence (that of the first message with this id when
  // the stream saw it already, within its duplicate window).
  absl::StatusOr<uint64_t> Publish(const std::string& subject, const std::string& body,
                                   const std::string& msg_id, absl::Duration timeout);

  // An ordered (in stream order, no acks), ephemeral consumer of `subject` in `stream` from
  // stream sequence `start_seq` (>= 1).
  absl::StatusOr<std::unique_ptr<NatsSubscription>> Subscribe(const std::string& stream,
                                                              const std::string& subject,
                                                              uint64_t start_seq);

  // --- internal/nats_kv.cc: key-value buckets and plain subjects ---

  // Binds bucket `bucket`, creating it when missing (history 1, file storage, `replicas`).
  absl::StatusOr<std::unique_ptr<NatsKv>> KeyValue(const std::string& bucket, int replicas);
  // Publishes `body` on `subject` (core NATS, at most once: no stream keeps it) and flushes.
  absl::Status PublishPlain(const std::string& subject, const std::string& body,
                            absl::Duration timeout);
  // A plain subscription to `subject` (messages published while it exists; re-established by
  // libnats across reconnections).
  absl::StatusOr<std::unique_ptr<NatsSubscription>> SubscribePlain(const std::string& subject);

 private:
  NatsClient() = default;
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
};

}  // namespace recplat::log::internal
