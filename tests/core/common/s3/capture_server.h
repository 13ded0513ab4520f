// File: capture_server.h
//
// CaptureServer: a scripted HTTP/1.1 peer on 127.0.0.1 port 0 for the S3 client's tests. It
// records every request (method, target, lowercase headers, body) and answers each with the
// next scripted reply (200 with an empty body once the script is used up), one request per
// connection. A reply may lie about its Content-Length and close early (a truncated answer).
//
// Thread-safety: one accept thread; the accessors lock.
#pragma once

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace recplat::s3::test {

struct CapturedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::map<std::string, std::string> headers;
  std::string body;
};

struct Reply {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
  // Content-Length to announce; -1 for body.size(). Larger than the body: closes early.
  long content_length = -1;
};

inline Reply Answer(int status, std::string body = {},
                    std::map<std::string, std::string> headers = {}, long content_length = -1) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.headers = std::move(headers);
  reply.content_length = content_length;
  return reply;
}

class CaptureServer {
 public:
  CaptureServer();
  ~CaptureServer();
  CaptureServer(const CaptureServer&) = delete;
  CaptureServer& operator=(const CaptureServer&) = delete;

  std::string endpoint() const;
  void Script(std::vector<Reply> replies);
  std::vector<CapturedRequest> requests() const;

 private:
  void Serve();
  void Handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::vector<Reply> script_ ABSL_GUARDED_BY(mu_);
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<CapturedRequest> requests_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace recplat::s3::test
