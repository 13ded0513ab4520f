// File: rabbitmq.h
//
// RabbitMq: a real RabbitMQ broker (Debian's rabbitmq-server) with its STOMP plugin on
// 127.0.0.1 for tests of STOMP clients against the broker users run (the eosc databus). It
// starts its own epmd and node on free ports, with its data, logs and Erlang cookie in a temp
// dir, the STOMP listener only (no AMQP listener), and the user guest/guest allowed from
// loopback. Start-up takes 5-20 s. Everything is stopped (SIGTERM, then SIGKILL of the process
// groups) and removed when the object goes away.
//
// Thread-safety: one owner.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {

class RabbitMq {
 public:
  static constexpr const char* kServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
  static constexpr const char* kEpmd = "/usr/bin/epmd";
  // Whether rabbitmq-server (with the STOMP plugin) and epmd are installed (tests GTEST_SKIP
  // otherwise; scripts/install-deps.sh installs them).
  static bool Available();

  // Starts the broker and waits (up to `timeout_s`) until its STOMP listener accepts.
  static absl::StatusOr<std::unique_ptr<RabbitMq>> Start(double timeout_s = 90);
  ~RabbitMq();
  RabbitMq(const RabbitMq&) = delete;
  RabbitMq& operator=(const RabbitMq&) = delete;

  int stomp_port() const { return stomp_port_; }
  // The broker's log so far (for failure messages).
  std::string Log() const;

 private:
  RabbitMq() = default;

  TempDir dir_;
  int stomp_port_ = 0;
  pid_t epmd_pid_ = -1;
  pid_t server_pid_ = -1;
};

}  // namespace recplat::testing
