// File: server_process.h
//
// ServerProcess: starts the real `recplat` binary as a child process on 127.0.0.1 with port 0
// and a ports file, waits until it listens, and stops it (SIGTERM, or SIGKILL to simulate a
// crash). For end-to-end tests.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace recplat::testing {

class ServerProcess {
 public:
  // `args` follow the binary name, e.g. {"--profile", path, "--data-dir", dir}. The process gets
  // `--ports-file` and listen overrides on port 0 added.
  explicit ServerProcess(std::vector<std::string> args);
  ~ServerProcess();

  // Starts the binary and waits (up to `timeout_s`) for its ports file, which must name a gRPC
  // or an HTTP address. False on failure (the child's stderr is in stderr_path()).
  bool Start(double timeout_s = 60);
  // SIGTERM and wait; returns the exit status (-1 if it had to be killed).
  int Terminate(double timeout_s = 30);
  // SIGKILL and reap, as in a crash.
  void Kill();
  bool running() const { return pid_ > 0; }

  const std::string& grpc_address() const { return grpc_; }
  const std::string& metrics_address() const { return metrics_; }
  const std::string& http_address() const { return http_; }
  std::filesystem::path stderr_path() const { return dir_ / "stderr.log"; }
  std::string ReadStderr() const;

  // The recplat binary under test: <build dir>/apps/recplat/recplat (see BinaryDir()).
  static std::string BinaryPath();

 private:
  std::vector<std::string> args_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::string grpc_;
  std::string metrics_;
  std::string http_;
};

// Runs the recplat binary with `args` until it exits (SIGKILL after `timeout_s`). Returns its
// exit status, or -1 when it could not start, was killed or died of a signal; `*output`
// receives what it wrote to stdout and stderr.
int RunRecplat(const std::vector<std::string>& args, double timeout_s, std::string* output);

}  // namespace recplat::testing
