// File: nats_cluster.h
//
// NatsCluster: a JetStream cluster of real nats-server processes (/usr/sbin/nats-server) on
// 127.0.0.1 for tests: each node has its own store directory under a temp dir, its own client,
// cluster-route and monitoring ports (free ports picked at start), and all nodes share one
// cluster name. A node can be killed (SIGKILL) and restarted on the same ports and store.
// Everything is stopped and removed when the object goes away.
//
// Thread-safety: one owner.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {

class NatsCluster {
 public:
  static constexpr const char* kServerBinary = "/usr/sbin/nats-server";
  // Whether kServerBinary exists (tests GTEST_SKIP otherwise).
  static bool Available();

  // Starts `nodes` servers (1 = a single JetStream server, no cluster) and waits until every
  // node reports JetStream healthy (monitoring /healthz), up to 30 s. With `tls_dir` (files
  // server.pem, server.key, ca.pem as TestPki::WriteTo writes them) client connections need
  // TLS and a client certificate signed by that CA.
  static absl::StatusOr<std::unique_ptr<NatsCluster>> Start(int nodes = 3,
                                                            const std::string& tls_dir = "");
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  // "nats://127.0.0.1:PORT" of node `i`, and of every node.
  std::string Url(int i) const;
  std::vector<std::string> Urls() const;

  // SIGKILL node `i` (its store stays); no-op when it is not running.
  void Kill(int i);
  // Starts node `i` again with the same ports and store; waits until it listens (up to 20 s).
  absl::Status Restart(int i);
  // Waits until every running node reports JetStream healthy, up to `timeout_s`.
  absl::Status WaitHealthy(double timeout_s = 30);

 private:
  struct Node {
    int client_port = 0;
    int cluster_port = 0;
    int monitor_port = 0;
    std::string config_path;
    std::string log_path;
    pid_t pid = -1;
  };
  NatsCluster() = default;
  absl::Status Launch(int i);

  TempDir dir_;
  std::vector<Node> nodes_;
};

}  // namespace recplat::testing
