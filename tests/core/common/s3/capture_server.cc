#include "tests/core/common/s3/capture_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace recplat::s3::test {

CaptureServer::CaptureServer() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(listen_fd_, 16) != 0) {
    std::abort();
  }
  socklen_t length = sizeof(address);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

CaptureServer::~CaptureServer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  thread_.join();
}

std::string CaptureServer::endpoint() const { return absl::StrCat("http://127.0.0.1:", port_); }

void CaptureServer::Script(std::vector<Reply> replies) {
  absl::MutexLock lock(&mu_);
  script_ = std::move(replies);
  next_ = 0;
  requests_.clear();
}

std::vector<CapturedRequest> CaptureServer::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

void CaptureServer::Serve() {
  while (true) {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      continue;
    }
    Handle(fd);
    close(fd);
  }
}

void CaptureServer::Handle(int fd) {
  std::string data;
  char buffer[4096];
  size_t header_end;
  while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) return;
    data.append(buffer, static_cast<size_t>(n));
  }
  CapturedRequest request;
  std::vector<std::string> lines = absl::StrSplit(data.substr(0, header_end), "\r\n");
  std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
  if (first.size() < 2) return;
  request.method = first[0];
  request.target = first[1];
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    request.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  size_t length = 0;
  if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
    (void)absl::SimpleAtoi(it->second, &length);
  }
  if (auto it = request.headers.find("expect"); it != request.headers.end()) {
    const std::string proceed = "HTTP/1.1 100 Continue\r\n\r\n";
    (void)!write(fd, proceed.data(), proceed.size());
  }
  std::string body = data.substr(header_end + 4);
  while (body.size() < length) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    body.append(buffer, static_cast<size_t>(n));
  }
  request.body = std::move(body);
  Reply reply;
  {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    if (next_ < script_.size()) reply = script_[next_++];
  }
  std::string out = absl::StrCat("HTTP/1.1 ", reply.status, " Scripted\r\nConnection: close\r\n",
                                 "Content-Length: ",
                                 reply.content_length >= 0 ? reply.content_length
                                                           : static_cast<long>(reply.body.size()),
                                 "\r\n");
  for (const auto& [name, value] : reply.headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  absl::StrAppend(&out, "\r\n", request.method == "HEAD" ? "" : reply.body);
  (void)!write(fd, out.data(), out.size());
}

}  // namespace recplat::s3::test
