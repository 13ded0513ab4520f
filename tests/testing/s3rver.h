// File: s3rver.h
//
// S3rver: a real S3-compatible store for tests, s3rver (npm, pinned in tests/testing/s3rver/),
// started on 127.0.0.1 port 0 with a fresh data directory and the given buckets, and stopped
// (SIGTERM, then SIGKILL) when the object goes away. The npm package is installed on first use
// into <build dir>/npm/s3rver (tests/testing/s3rver/install.sh). s3rver checks that requests
// are signed but not the signatures themselves: tests of signing need their own verifier.
//
// Thread-safety: one owner; endpoint() may be read from any thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {

class S3rver {
 public:
  // FailedPrecondition naming what is missing when node/npm or the package cannot be had;
  // DeadlineExceeded when it does not say where it listens within 30 s.
  static absl::StatusOr<std::unique_ptr<S3rver>> Start(const std::vector<std::string>& buckets);
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  // "http://127.0.0.1:PORT".
  const std::string& endpoint() const { return endpoint_; }
  // The credentials s3rver knows.
  static constexpr const char* kAccessKeyId = "S3RVER";
  static constexpr const char* kSecretAccessKey = "S3RVER";

 private:
  S3rver() = default;

  TempDir dir_;
  pid_t pid_ = -1;
  std::string endpoint_;
};

}  // namespace recplat::testing
