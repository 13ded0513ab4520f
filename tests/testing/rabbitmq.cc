#include "tests/testing/rabbitmq.h"

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
#include <vector>

#include "absl/strings/str_cat.h"

namespace recplat::testing {
namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Forks `argv` in its own process group with `env` added to the environment and its output
// appended to `log`; -1 when fork fails.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& log) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  setpgid(0, 0);
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
  }
  for (const std::string& kv : env) putenv(const_cast<char*>(kv.c_str()));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

void StopGroup(pid_t pid) {
  if (pid <= 0) return;
  kill(-pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      kill(-pid, SIGKILL);  // Children the leader left behind.
      return;
    }
    usleep(100'000);
  }
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace

bool RabbitMq::Available() {
  return access(kServerScript, X_OK) == 0 && access(kEpmd, X_OK) == 0 &&
         std::filesystem::exists("/usr/lib/rabbitmq/lib");
}

std::string RabbitMq::Log() const {
  std::ifstream in(dir_.path() / "server.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

absl::StatusOr<std::unique_ptr<RabbitMq>> RabbitMq::Start(double timeout_s) {
  if (!Available()) return absl::FailedPreconditionError("rabbitmq-server is not installed");
  std::unique_ptr<RabbitMq> r(new RabbitMq());
  const std::filesystem::path d = r->dir_.path();
  r->stomp_port_ = FreePort();
  const int epmd_port = FreePort();
  const int dist_port = FreePort();
  std::ofstream(d / "enabled_plugins") << "[rabbitmq_stomp].\n";
  std::ofstream(d / "rabbitmq.conf") << "listeners.tcp = none\n"
                                     << "stomp.listeners.tcp.1 = 127.0.0.1:" << r->stomp_port_
                                     << "\nloopback_users = none\ndefault_user = guest\n"
                                     << "default_pass = guest\n";
  const std::string s = d.string();
  const std::vector<std::string> env = {
      "HOME=" + s,
      "RABBITMQ_NODENAME=recplat-test@localhost",
      "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
      absl::StrCat("ERL_EPMD_PORT=", epmd_port),
      absl::StrCat("RABBITMQ_DIST_PORT=", dist_port),
      "RABBITMQ_MNESIA_BASE=" + s + "/mnesia",
      "RABBITMQ_LOG_BASE=" + s + "/log",
      "RABBITMQ_LOGS=-",
      "RABBITMQ_ENABLED_PLUGINS_FILE=" + s + "/enabled_plugins",
      "RABBITMQ_CONFIG_FILE=" + s + "/rabbitmq.conf",
      "RABBITMQ_ADVANCED_CONFIG_FILE=" + s + "/advanced.config",
      "RABBITMQ_PID_FILE=" + s + "/pid",
      "RABBITMQ_SCHEMA_DIR=" + s + "/schema",
      "RABBITMQ_GENERATED_CONFIG_DIR=" + s + "/generated",
      "RABBITMQ_PLUGINS_EXPAND_DIR=" + s + "/plugins-expand",
  };
  // Our own epmd in the foreground (not the shared daemon rabbitmq would start on 4369).
  r->epmd_pid_ = Spawn({kEpmd, "-port", absl::StrCat(epmd_port), "-address", "127.0.0.1"}, {},
                       s + "/epmd.log");
  if (r->epmd_pid_ < 0) return absl::InternalError("epmd: fork failed");
  r->server_pid_ = Spawn({kServerScript}, env, s + "/server.log");
  if (r->server_pid_ < 0) return absl::InternalError("rabbitmq-server: fork failed");
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
  while (!Accepts(r->stomp_port_)) {
    if (waitpid(r->server_pid_, nullptr, WNOHANG) == r->server_pid_) {
      r->server_pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("rabbitmq-server exited; it said: ", r->Log().substr(0, 4000)));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "rabbitmq-server: no STOMP listener after ", timeout_s, " s: ", r->Log().substr(0, 4000)));
    }
    usleep(100'000);
  }
  return r;
}

RabbitMq::~RabbitMq() {
  StopGroup(server_pid_);
  StopGroup(epmd_pid_);
}

}  // namespace recplat::testing
