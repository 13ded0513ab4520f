#include "tests/testing/stomp_broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace recplat::testing {

std::unique_ptr<TestStompBroker> TestStompBroker::Start() {
  std::unique_ptr<TestStompBroker> b(new TestStompBroker());
  b->listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (b->listen_fd_ < 0 ||
      ::bind(b->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(b->listen_fd_, 16) != 0 ||
      ::getsockname(b->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "TestStompBroker: cannot listen on 127.0.0.1:0, errno " << errno;
    return nullptr;
  }
  b->port_ = ntohs(addr.sin_port);
  TestStompBroker* raw = b.get();
  b->thread_ = std::thread([raw] { raw->Serve(); });
  return b;
}

TestStompBroker::~TestStompBroker() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  DropConnection();
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

void TestStompBroker::Serve() {
  while (!stopping_) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) return;
      if (errno == EINTR) continue;
      return;
    }
    if (!accepting_ || stopping_) {
      ::close(fd);
      continue;
    }
    ServeConnection(fd);
  }
}

void TestStompBroker::ServeConnection(int fd) {
  {
    absl::MutexLock lock(&mu_);
    conn_fd_ = fd;
  }
  stomp::FrameParser parser;
  char buf[8192];
  bool open = true;
  while (open && !stopping_) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    parser.Feed(absl::string_view(buf, static_cast<size_t>(n)));
    while (open) {
      auto next = parser.Next();
      if (!next.ok() || !next->has_value()) {
        open = next.ok();
        break;
      }
      stomp::Frame frame = std::move(**next);
      absl::MutexLock lock(&mu_);
      received_.push_back(frame);
      if (frame.command == "CONNECT" || frame.command == "STOMP") {
        if (refuse_login_) {
          WriteLocked(stomp::EncodeFrame(
              {"ERROR", {{"message", "Access refused"}}, "Login was refused."}));
          open = false;
        } else {
          WriteLocked(stomp::EncodeFrame(
              {"CONNECTED", {{"version", "1.2"}, {"heart-beat", heart_beat_}}, ""}));
          session_ = true;
          ++sessions_;
        }
      } else if (frame.command == "SUBSCRIBE") {
        subscription_id_ = frame.Header("id").value_or("");
        subscription_destination_ = frame.Header("destination").value_or("");
      } else if (frame.command == "DISCONNECT") {
        open = false;
      }
    }
  }
  absl::MutexLock lock(&mu_);
  if (conn_fd_ >= 0) ::close(conn_fd_);
  conn_fd_ = -1;
  session_ = false;
  subscription_id_.clear();
}

bool TestStompBroker::WriteLocked(const std::string& bytes) {
  if (conn_fd_ < 0) return false;
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(conn_fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::vector<stomp::Frame> TestStompBroker::Received() const {
  absl::MutexLock lock(&mu_);
  return received_;
}

std::vector<stomp::Frame> TestStompBroker::ReceivedOf(const std::string& command) const {
  absl::MutexLock lock(&mu_);
  std::vector<stomp::Frame> out;
  for (const stomp::Frame& f : received_) {
    if (f.command == command) out.push_back(f);
  }
  return out;
}

int TestStompBroker::sessions() const {
  absl::MutexLock lock(&mu_);
  return sessions_;
}

bool TestStompBroker::in_session() const {
  absl::MutexLock lock(&mu_);
  return session_;
}

bool TestStompBroker::WaitUntil(const std::function<bool()>& predicate,
                                std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return predicate();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool TestStompBroker::SendMessage(const std::string& body) {
  absl::MutexLock lock(&mu_);
  if (!session_ || subscription_id_.empty()) return false;
  const int n = next_message_++;
  return WriteLocked(stomp::EncodeFrame({"MESSAGE",
                                         {{"subscription", subscription_id_},
                                          {"message-id", absl::StrCat("m-", n)},
                                          {"destination", subscription_destination_},
                                          {"ack", absl::StrCat("ack-", n)},
                                          {"content-type", "application/json"},
                                          {"content-length", absl::StrCat(body.size())}},
                                         body}));
}

bool TestStompBroker::SendRaw(const std::string& bytes) {
  absl::MutexLock lock(&mu_);
  return WriteLocked(bytes);
}

void TestStompBroker::DropConnection() {
  absl::MutexLock lock(&mu_);
  if (conn_fd_ >= 0) ::shutdown(conn_fd_, SHUT_RDWR);
  session_ = false;
}

void TestStompBroker::SetHeartBeat(const std::string& value) {
  absl::MutexLock lock(&mu_);
  heart_beat_ = value;
}

}  // namespace recplat::testing
