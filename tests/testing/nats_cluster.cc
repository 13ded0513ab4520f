#include "tests/testing/nats_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace recplat::testing {
namespace {

// A port the kernel has free now (bound to 127.0.0.1:0 and released).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// The body of GET `path` on 127.0.0.1:`port` with its status line, or "" when unreachable.
std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string req = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

bool NatsCluster::Available() { return std::filesystem::exists(kServerBinary); }

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(int nodes,
                                                                const std::string& tls_dir) {
  if (!Available()) {
    return absl::FailedPreconditionError(absl::StrCat(kServerBinary, " is not installed"));
  }
  std::unique_ptr<NatsCluster> c(new NatsCluster());
  c->nodes_.resize(static_cast<size_t>(nodes));
  for (Node& n : c->nodes_) {
    n.client_port = FreePort();
    n.cluster_port = FreePort();
    n.monitor_port = FreePort();
  }
  std::vector<std::string> routes;
  for (const Node& n : c->nodes_) {
    routes.push_back(absl::StrCat("nats-route://127.0.0.1:", n.cluster_port));
  }
  for (int i = 0; i < nodes; ++i) {
    Node& n = c->nodes_[static_cast<size_t>(i)];
    const std::filesystem::path base = c->dir_.path() / absl::StrCat("n", i);
    std::filesystem::create_directories(base / "store");
    n.config_path = (base / "nats.conf").string();
    n.log_path = (base / "nats.log").string();
    std::ofstream conf(n.config_path);
    conf << "server_name: n" << i << "\n"
         << "listen: 127.0.0.1:" << n.client_port << "\n"
         << "http: 127.0.0.1:" << n.monitor_port << "\n"
         << "jetstream { store_dir: \"" << (base / "store").string() << "\" }\n";
    if (!tls_dir.empty()) {
      conf << "tls {\n  cert_file: \"" << tls_dir << "/server.pem\"\n  key_file: \"" << tls_dir
           << "/server.key\"\n  ca_file: \"" << tls_dir << "/ca.pem\"\n  verify: true\n}\n";
    }
    if (nodes > 1) {
      conf << "cluster {\n  name: recplat-test\n  listen: 127.0.0.1:" << n.cluster_port
           << "\n  routes: [" << absl::StrJoin(routes, ", ") << "]\n}\n";
    }
  }
  for (int i = 0; i < nodes; ++i) {
    if (absl::Status s = c->Launch(i); !s.ok()) return s;
  }
  if (absl::Status s = c->WaitHealthy(30); !s.ok()) return s;
  return c;
}

absl::Status NatsCluster::Launch(int i) {
  Node& n = nodes_[static_cast<size_t>(i)];
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("nats-server: fork failed");
  if (pid == 0) {
    const int fd = open(n.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execl(kServerBinary, kServerBinary, "-c", n.config_path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  n.pid = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (HttpGet(n.monitor_port, "/varz").empty()) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      n.pid = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("nats-server n", i, " exited; it said: ", ReadFile(n.log_path)));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("nats-server n", i, " did not listen"));
    }
    usleep(20'000);
  }
  return absl::OkStatus();
}

absl::Status NatsCluster::WaitHealthy(double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].pid <= 0) continue;
    while (true) {
      const std::string full = HttpGet(nodes_[i].monitor_port, "/healthz");
      if (full.rfind("HTTP/1.0 200", 0) == 0 || full.rfind("HTTP/1.1 200", 0) == 0) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("nats-server n", i, " is not healthy: ", full.substr(0, 300)));
      }
      usleep(50'000);
    }
  }
  return absl::OkStatus();
}

NatsCluster::~NatsCluster() {
  for (Node& n : nodes_) {
    if (n.pid > 0) kill(n.pid, SIGTERM);
  }
  for (Node& n : nodes_) {
    if (n.pid <= 0) continue;
    bool gone = false;
    for (int i = 0; i < 50 && !gone; ++i) {
      gone = waitpid(n.pid, nullptr, WNOHANG) == n.pid;
      if (!gone) usleep(100'000);
    }
    if (!gone) {
      kill(n.pid, SIGKILL);
      waitpid(n.pid, nullptr, 0);
    }
    n.pid = -1;
  }
}

std::string NatsCluster::Url(int i) const {
  return absl::StrCat("nats://127.0.0.1:", nodes_[static_cast<size_t>(i)].client_port);
}

std::vector<std::string> NatsCluster::Urls() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i) out.push_back(Url(i));
  return out;
}

void NatsCluster::Kill(int i) {
  Node& n = nodes_[static_cast<size_t>(i)];
  if (n.pid <= 0) return;
  kill(n.pid, SIGKILL);
  waitpid(n.pid, nullptr, 0);
  n.pid = -1;
}

absl::Status NatsCluster::Restart(int i) {
  Kill(i);
  return Launch(i);
}

}  // namespace recplat::testing
