// File: s3_client.h
//
// S3Client: the one client of S3-compatible object stores (AWS S3, MinIO, Ceph RGW, s3rver),
// shared by the model store of the registry and the article_rec batch job. Requests go through
// libcurl and are signed with AWS Signature Version 4 by libcurl itself (CURLOPT_AWS_SIGV4);
// the payload hash is sent as x-amz-content-sha256, so the body is covered by the signature.
// Path-style addressing by default (what custom endpoints need), virtual-hosted on request.
//
// Failures are statuses: NotFound (404, NoSuchKey/NoSuchBucket), PermissionDenied (403),
// Unauthenticated (401), InvalidArgument (other 4xx), FailedPrecondition (409, 412),
// ResourceExhausted (an answer larger than allowed), Unavailable (connection failures and
// 408/429/5xx once the retries are used up), DeadlineExceeded (timeouts). Messages name the
// operation, the object and what the store said. Transient failures are retried with
// exponential backoff and full jitter, up to `max_attempts` attempts in all; every operation
// here is idempotent, so a retry cannot duplicate anything.
//
// Thread-safety: an S3Client is safe to use from many threads at once; it keeps a small pool
// of libcurl handles (connections are reused).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/common/s3/aws_credentials.h"
#include "core/common/s3/s3_xml.h"

namespace recplat::s3 {

struct S3ClientOptions {
  // scheme://host[:port], e.g. "http://127.0.0.1:9000" or "https://s3.eu-west-1.amazonaws.com".
  std::string endpoint;
  std::string bucket;
  std::string region = "us-east-1";
  // Path-style (endpoint/bucket/key) or virtual-hosted (bucket.host/key) addressing.
  bool path_style = true;
  // Empty: requests are sent unsigned (public buckets, local test stores).
  Credentials credentials;
  // Attempts per operation, the first included (>= 1).
  int max_attempts = 4;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration connect_timeout = absl::Seconds(5);
  // Whole request, body included; 0 for none.
  absl::Duration request_timeout = absl::Seconds(300);
  // GetObject refuses (ResourceExhausted) objects larger than this.
  int64_t max_object_bytes = int64_t{4} << 30;
  // PEM CA bundle for https endpoints; empty: the system's.
  std::string ca_file;
  // libcurl CONNECT_TO entries, "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT": reach a store at
  // another address than its name while signing for the name (and tests of virtual-hosted
  // addressing on loopback).
  std::vector<std::string> connect_to;
  // The time requests are signed with; unset: now. For reproducing fixed signatures in tests.
  std::function<absl::Time()> signing_clock;
};

// What one operation did, for the caller's metrics.
struct RequestRecord {
  absl::string_view operation;  // "GetObject", "PutObject", ...
  int http_status = 0;          // of the last attempt; 0 when no answer came
  int attempts = 0;
  absl::Duration elapsed;
  absl::StatusCode code = absl::StatusCode::kOk;
};
using RequestObserver = std::function<void(const RequestRecord&)>;

class S3Client {
 public:
  // InvalidArgument when the endpoint is not scheme://host[:port], the bucket or region is
  // empty or not a valid name, or the retry settings are out of range.
  static absl::StatusOr<std::unique_ptr<S3Client>> Create(S3ClientOptions options,
                                                          RequestObserver observer = nullptr);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  absl::StatusOr<std::string> GetObject(absl::string_view key) const;
  // Bytes first..last (inclusive) of an object; OutOfRange when `first` is past its end. A
  // store that ignores Range (answers 200 with the whole object) gets sliced here.
  absl::StatusOr<std::string> GetObjectRange(absl::string_view key, int64_t first,
                                             int64_t last) const;
  absl::Status PutObject(absl::string_view key, absl::string_view data,
                         absl::string_view content_type = "application/octet-stream") const;
  // Deleting a missing object is not an error (S3 answers 204 either way).
  absl::Status DeleteObject(absl::string_view key) const;
  absl::StatusOr<ObjectInfo> HeadObject(absl::string_view key) const;

  // One page of ListObjectsV2 (max_keys in 1..1000; delimiter and token may be empty).
  absl::StatusOr<ListPage> ListObjectsPage(absl::string_view prefix,
                                           absl::string_view continuation_token,
                                           int max_keys = 1000,
                                           absl::string_view delimiter = "") const;
  // Every object under `prefix`, all pages; ResourceExhausted past `max_objects`.
  absl::StatusOr<std::vector<ObjectInfo>> ListAllObjects(absl::string_view prefix,
                                                         int64_t max_objects = 10'000'000) const;

  // Creates the bucket; one that exists already and is ours is not an error.
  absl::Status CreateBucket() const;

  // The URL of an object (for messages and logs).
  std::string ObjectUrl(absl::string_view key) const;
  const S3ClientOptions& options() const { return options_; }

 private:
  struct Request;
  struct Response;
  class Handle;

  S3Client(S3ClientOptions options, RequestObserver observer, std::string scheme_host,
           std::string host);

  absl::StatusOr<Response> Execute(absl::string_view operation, const Request& request) const;
  absl::StatusOr<Response> Attempt(const Request& request) const;
  std::string BucketUrl() const;

  void* AcquireHandle() const;
  void ReleaseHandle(void* handle) const;

  const S3ClientOptions options_;
  const RequestObserver observer_;
  const std::string scheme_;  // "http" or "https"
  const std::string host_;    // host[:port]
  mutable absl::Mutex mu_;
  mutable std::vector<void*> idle_handles_ ABSL_GUARDED_BY(mu_);
};

// AWS's URI encoding (SigV4): A-Z a-z 0-9 - . _ ~ as they are, every other byte as %XX
// (uppercase hex); '/' kept when `keep_slash` (object key paths).
std::string UriEncode(absl::string_view text, bool keep_slash);

}  // namespace recplat::s3
