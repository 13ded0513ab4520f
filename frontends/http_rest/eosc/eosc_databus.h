// File: eosc_databus.h
//
// EoscDatabus: the EOSC route set's STOMP databus, the 2024 original's JMS/STOMP integration
// (../shared/specs/seed-systems.md 2.4, 2.5, 2.12; docs/eosc.md "Databus"):
//   - PublishRecommendation() sends {"recommender_system": "cyfronet", "context": <request>,
//     "response": <response>} to the publish topic (RS_DATABUS_PUBLISH_TOPIC), through the
//     STOMP client's bounded queue: it never blocks a /recommendations request, and a full
//     queue drops the message (counted);
//   - every MESSAGE of the subscription topic (RS_DATABUS_SUBSCRIPTION_TOPIC) is a user action
//     (the JSON of POST /user_actions), handed to the sink the route set gives, which decodes,
//     validates and writes it through the core exactly like POST /user_actions; an invalid or
//     failed one is logged and counted, never fatal;
//   - HealthNode() is the `databus` node of GET /health: UP while connected to the broker.
// A codec like the routes: it keeps no state of its own beyond counters.
//
// Thread-safety: PublishRecommendation() and HealthNode() are thread-safe; the sink runs on the
// STOMP client's I/O thread, one message at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/common/stomp/stomp_client.h"
#include "nlohmann/json.hpp"

namespace prometheus {
class Registry;
}

namespace recplat::http::eosc {

struct DatabusOptions {
  // Broker, credentials, TLS, heart-beats, queue bound; `stomp.subscription` is overwritten by
  // `subscription_topic`.
  stomp::StompOptions stomp;
  std::string publish_topic = "/topic/recommendations";
  // Empty: no subscription.
  std::string subscription_topic = "/topic/user_actions";
  // Where the counters go (recplat_eosc_databus_*); none when null. Must outlive the databus.
  prometheus::Registry* metrics = nullptr;
};

class EoscDatabus {
 public:
  // Stores one user action given as message body text. OK when stored; INVALID_ARGUMENT for a
  // body that is not JSON or fails the /user_actions schema (the message says why); another
  // code when the core failed.
  using ActionSink = std::function<absl::Status(const std::string& body)>;

  // Starts the STOMP client (which connects in the background). INVALID_ARGUMENT for bad
  // options.
  static absl::StatusOr<std::unique_ptr<EoscDatabus>> Start(DatabusOptions options,
                                                            ActionSink sink);
  // Stops the client (queued, unsent publications are lost).
  ~EoscDatabus();

  // Queues the publication of one answered recommendation request.
  void PublishRecommendation(const nlohmann::json& context, const nlohmann::json& response);

  // {"status": "UP"} while connected, else {"status": "DOWN", "error": <why>}.
  nlohmann::json HealthNode() const;

  // Counters, also exported as metrics.
  struct Counts {
    uint64_t published = 0;  // Queued for sending.
    uint64_t dropped = 0;    // Refused by a full queue.
    uint64_t stored = 0;     // User actions stored.
    uint64_t invalid = 0;    // User actions rejected (not JSON, schema).
    uint64_t failed = 0;     // User actions the core did not store.
  };
  Counts counts() const;

 private:
  struct Impl;
  explicit EoscDatabus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::http::eosc
