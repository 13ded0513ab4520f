#include "tests/testing/s3rver.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace recplat::testing {
namespace {

std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

absl::StatusOr<std::unique_ptr<S3rver>> S3rver::Start(const std::vector<std::string>& buckets) {
  const std::filesystem::path install_dir = BinaryDir() / "npm" / "s3rver";
  const std::filesystem::path script = SourceDir() / "tests" / "testing" / "s3rver" / "install.sh";
  const std::string install = absl::StrCat(Quoted(script.string()), " ", Quoted(install_dir));
  if (std::system(install.c_str()) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("s3rver could not be installed (", install, "); see its message above"));
  }
  std::unique_ptr<S3rver> server(new S3rver());
  const std::string js = (install_dir / "node_modules" / "s3rver" / "bin" / "s3rver.js").string();
  const std::string data = (server->dir_.path() / "data").string();
  // s3rver 3.7 encrypts its continuation tokens with a cipher OpenSSL 3 keeps in its legacy
  // provider: without it, every truncated listing fails with InternalError.
  std::vector<std::string> args = {"node", "--openssl-legacy-provider", js, "--directory", data, "--address", "127.0.0.1",
                                   "--port", "0"};
  for (const std::string& bucket : buckets) {
    args.push_back("--configure-bucket");
    args.push_back(bucket);
  }
  // Its output goes to a file (a pipe left unread would block or break it later).
  const std::string log = (server->dir_.path() / "s3rver.log").string();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("s3rver: fork failed");
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execvp("node", argv.data());
    _exit(127);
  }
  server->pid_ = pid;
  // Waits until it says "S3rver listening on 127.0.0.1:PORT".
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::smatch match;
  std::string output;
  while (true) {
    std::ifstream in(log);
    output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (std::regex_search(output, match, listening)) break;
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      server->pid_ = -1;
      return absl::FailedPreconditionError(absl::StrCat("s3rver exited; it said: ", output));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("s3rver did not start within 30 s; it said: ", output));
    }
    usleep(50'000);
  }
  server->endpoint_ = absl::StrCat("http://127.0.0.1:", match[1].str());
  return server;
}

S3rver::~S3rver() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    usleep(100'000);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

}  // namespace recplat::testing
