// File: nats_coordination.h
//
// NatsCoordination: what replicas of a JetStream cluster (log.backend jetstream) use to
// coordinate besides the log, over one NATS connection of their own:
//   - Bucket(name): a JetStream key-value bucket (KeyValueBucket), bound (or created: history
//     1, file storage, `replicas`) on first use and again after a failure, so that NATS being
//     unreachable at start only makes the calls fail with UNAVAILABLE until it is back;
//   - Publish / Listen: plain NATS subjects (at most once, nothing stored) for announcements
//     that have a slower fallback (e.g. promotions, which replicas also poll for).
// libnats stays in core/log (internal/nats_client.h); callers see only this header.
//
// Thread-safety: all methods are thread-safe. A Listener runs one thread that calls its
// callback, one message at a time; destroying the Listener stops it (waits for a callback in
// progress).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/log/key_value_bucket.h"

namespace recplat::log {

struct NatsCoordinationOptions {
  // nats://host:port URLs; at least one.
  std::vector<std::string> servers;
  // NATS credentials file; TLS CA file (turns TLS on), client certificate and key. Empty: none.
  std::string credentials_file;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // Timeout of one connection attempt to one server.
  absl::Duration connect_timeout = absl::Seconds(2);
  // Timeout of a publish's flush.
  absl::Duration request_timeout = absl::Seconds(5);
  // Connection name shown by the NATS server.
  std::string client_name = "recplat-coordination";
};

class NatsCoordination {
 public:
  // Stops listening when destroyed.
  class Listener {
   public:
    virtual ~Listener() = default;
  };

  // Starts connecting (unreachable servers are not an error: the client keeps trying).
  // INVALID_ARGUMENT for unusable options (no server, unreadable credentials or TLS files).
  static absl::StatusOr<std::unique_ptr<NatsCoordination>> Connect(
      const NatsCoordinationOptions& options);
  ~NatsCoordination();
  NatsCoordination(const NatsCoordination&) = delete;
  NatsCoordination& operator=(const NatsCoordination&) = delete;

  bool Connected() const;

  // The key-value bucket `name` (bound lazily, see the file comment). Keys follow the JetStream
  // KV rules ([-/_=.a-zA-Z0-9], not starting or ending with '.'); callers sanitise. The bucket
  // shares this object's connection: it must not outlive it.
  std::shared_ptr<KeyValueBucket> Bucket(const std::string& name, int replicas);

  // Publishes `body` on `subject` (nobody listening is not an error). UNAVAILABLE when not
  // connected.
  absl::Status Publish(const std::string& subject, const std::string& body);

  // Calls `on_message` with the body of every message published on `subject` from now on
  // (subscribing again, every second, while it cannot). Must not outlive this object.
  std::unique_ptr<Listener> Listen(const std::string& subject,
                                   std::function<void(const std::string&)> on_message);

 private:
  struct Impl;
  explicit NatsCoordination(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::log
