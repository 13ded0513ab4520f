// File: eosc_config.h
//
// The `eosc:` configuration section of the EOSC Marketplace route set (docs/eosc.md), declared
// here for the configuration loader (core/common/config_section.h), and its registration:
// frontend `eosc`, mounted on the HTTP listener.
//
// The section names core things only (a tenant, a surface, model names): the candidates, the
// filters, the engines and their readiness are the core's, configured by the profile.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/config_section.h"

namespace recplat::http::eosc {

// The frontend's name in `frontends:` and the key of its section.
inline constexpr char kEoscFrontendName[] = "eosc";

struct EoscSection final : common::CopyableSection<EoscSection> {
  // Tenant holding the Marketplace's catalogue and users.
  std::string tenant = "default";
  // Surface answering /recommendations (its retrieval yields every candidate; its filters drop
  // unavailable services and the user's accessed ones).
  std::string surface = "eosc";
  // The engine for known users when the request names none (the 2024 original's
  // DEFAULT_RECOMMENDATION_ALG); a configured model name, case-insensitive.
  std::string default_engine = "NCF";
  // The fallback chain after the request's and the default engine (the 2024 order).
  std::vector<std::string> engines = {"NCF", "RL", "Random"};
  // The engine of anonymous users (and the last resort).
  std::string random_engine = "Random";
  // Models trained by GET /training and after POST /update (those the core configures).
  std::vector<std::string> train_models = {"NCF", "RL"};

  // The STOMP databus (the 2024 original's JMS/STOMP integration, docs/eosc.md "Databus"):
  // recommendations answered to client_id "marketplace" are published to
  // `databus_publish_topic`; user actions are consumed from `databus_subscription_topic`.
  bool databus_enabled = false;
  std::string databus_host = "127.0.0.1";
  int32_t databus_port = 61613;
  // The CONNECT `host` header (RabbitMQ: the virtual host); empty: `databus_host`.
  std::string databus_virtual_host;
  std::string databus_login;
  std::string databus_passcode;  // Secret.
  // RS_DATABUS_PUBLISH_TOPIC of the original.
  std::string databus_publish_topic = "/topic/recommendations";
  // RS_DATABUS_SUBSCRIPTION_TOPIC of the original; empty: no subscription.
  std::string databus_subscription_topic = "/topic/user_actions";
  // Subscription ack mode: auto or client-individual (ACK after the action is stored).
  std::string databus_ack = "auto";
  // TLS towards the broker; CAs from `databus_tls_ca_file` (PEM; empty: system roots), the
  // certificate checked against `databus_tls_server_name` (empty: `databus_host`).
  bool databus_tls = false;
  std::string databus_tls_ca_file;
  std::string databus_tls_server_name;
  // Heart-beat offered both ways, milliseconds (0: none).
  int32_t databus_heartbeat_ms = 10000;
  // Recommendations waiting to be published, at most (more are dropped and counted).
  int32_t databus_queue = 1000;

  void Bind(common::SectionBinder& binder) override;
};

// The registration of frontend `eosc` (see the file comment).
common::FrontendRegistration EoscRegistration();

}  // namespace recplat::http::eosc
