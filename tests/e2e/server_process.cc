#include "tests/e2e/server_process.h"

#include "tests/testing/test_env.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace recplat::testing {
namespace {

// Extracts "key": "value" from the ports file's flat JSON object.
std::string JsonField(const std::string& json, const std::string& key) {
  const std::string pattern = "\"" + key + "\": \"";
  size_t pos = json.find(pattern);
  if (pos == std::string::npos) return "";
  pos += pattern.size();
  size_t end = json.find('"', pos);
  return end == std::string::npos ? "" : json.substr(pos, end - pos);
}

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> args) : args_(std::move(args)) {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() /
         ("recplat_proc_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ServerProcess::BinaryPath() {
  return (BinaryDir() / "apps" / "recplat" / "recplat").string();
}

std::string ServerProcess::ReadStderr() const {
  std::ifstream in(stderr_path());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ServerProcess::Start(double timeout_s) {
  const std::filesystem::path ports = dir_ / "ports.json";
  std::filesystem::remove(ports);
  std::vector<std::string> argv = {BinaryPath()};
  argv.insert(argv.end(), args_.begin(), args_.end());
  for (const char* s : {"grpc.listen=127.0.0.1:0", "http.listen=127.0.0.1:0",
                        "metrics.listen=127.0.0.1:0"}) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  argv.push_back("--ports-file");
  argv.push_back(ports.string());
  pid_ = ::fork();
  if (pid_ == 0) {
    // The server must not outlive a test that crashed.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(stderr_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 2);
      ::dup2(fd, 1);
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  if (pid_ < 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (std::filesystem::exists(ports)) {
      std::ifstream in(ports);
      std::stringstream ss;
      ss << in.rdbuf();
      grpc_ = JsonField(ss.str(), "grpc");
      metrics_ = JsonField(ss.str(), "metrics");
      http_ = JsonField(ss.str(), "http");
      // A role `frontend` process has no gRPC listener.
      return !grpc_.empty() || !http_.empty();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return false;
}

int ServerProcess::Terminate(double timeout_s) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return -1;
}

int RunRecplat(const std::vector<std::string>& args, double timeout_s, std::string* output) {
  TempDir dir;
  const std::filesystem::path out_path = dir.path() / "output.log";
  std::vector<std::string> argv = {ServerProcess::BinaryPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 2);
      ::dup2(fd, 1);
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  if (pid < 0) return -1;
  int status = 0;
  bool exited = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  std::ifstream in(out_path);
  std::stringstream ss;
  ss << in.rdbuf();
  *output = ss.str();
  return exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace recplat::testing
