#include "tests/testing/stomp_broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "openssl/bio.h"
#include "openssl/pem.h"
#include "openssl/ssl.h"

namespace recplat::testing {

// The server side of TLS: one SSL_CTX with the certificate and key.
struct TestStompBroker::Tls {
  SSL_CTX* ctx = nullptr;
  ~Tls() { SSL_CTX_free(ctx); }
};

namespace {

// Reads up to `n` bytes (plain or TLS); <= 0 on close or error.
ssize_t ReadSome(int fd, SSL* ssl, char* buf, size_t n) {
  if (ssl != nullptr) return SSL_read(ssl, buf, static_cast<int>(n));
  return ::recv(fd, buf, n, 0);
}

bool WriteAll(int fd, SSL* ssl, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ssl != nullptr
                          ? SSL_write(ssl, bytes.data() + off, static_cast<int>(bytes.size() - off))
                          : ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::unique_ptr<TestStompBroker> TestStompBroker::Start(const std::string& cert_pem,
                                                        const std::string& key_pem) {
  std::unique_ptr<TestStompBroker> b(new TestStompBroker());
  if (!cert_pem.empty()) {
    b->tls_ = std::make_unique<Tls>();
    b->tls_->ctx = SSL_CTX_new(TLS_server_method());
    BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
    BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    const bool ok = cert != nullptr && key != nullptr &&
                    SSL_CTX_use_certificate(b->tls_->ctx, cert) == 1 &&
                    SSL_CTX_use_PrivateKey(b->tls_->ctx, key) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cert_bio);
    BIO_free(key_bio);
    if (!ok) {
      ADD_FAILURE() << "TestStompBroker: bad certificate or key";
      return nullptr;
    }
  }
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
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void TestStompBroker::Serve() {
  while (!stopping_) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR && !stopping_) continue;
      return;
    }
    if (!accepting_ || stopping_) {
      ::close(fd);
      continue;
    }
    ServeConnection(fd);
    ::close(fd);
  }
}

void TestStompBroker::ServeConnection(int fd) {
  SSL* ssl = nullptr;
  if (tls_ != nullptr) {
    ssl = SSL_new(tls_->ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
      SSL_free(ssl);
      return;
    }
  }
  {
    absl::MutexLock lock(&mu_);
    connection_open_ = true;
    drop_requested_ = false;
    outbox_.clear();
  }
  stomp::FrameParser parser;
  char buf[8192];
  bool open = true;
  while (open && !stopping_) {
    // Writes the test queued, or drops the connection, then waits up to 10 ms for input.
    std::string out;
    {
      absl::MutexLock lock(&mu_);
      if (drop_requested_) break;
      out.swap(outbox_);
    }
    if (!out.empty() && !WriteAll(fd, ssl, out)) break;
    pollfd p{fd, POLLIN, 0};
    if ((ssl == nullptr || SSL_pending(ssl) == 0) && ::poll(&p, 1, 10) <= 0) continue;
    const ssize_t n = ReadSome(fd, ssl, buf, sizeof(buf));
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
          QueueLocked(
              stomp::EncodeFrame({"ERROR", {{"message", "Access refused"}}, "Login was refused."}));
          open = false;
        } else {
          QueueLocked(stomp::EncodeFrame(
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
      // Any frame but CONNECT may ask for a RECEIPT (STOMP 1.2), sent after it was handled.
      if (frame.command != "CONNECT" && frame.command != "STOMP" && receipts_) {
        if (auto id = frame.Header("receipt"); id.has_value()) {
          QueueLocked(stomp::EncodeFrame({"RECEIPT", {{"receipt-id", *id}}, ""}));
        }
      }
    }
  }
  // What is still queued (an ERROR before the close) goes out first.
  std::string rest;
  {
    absl::MutexLock lock(&mu_);
    if (!drop_requested_) rest.swap(outbox_);
    connection_open_ = false;
    session_ = false;
    subscription_id_.clear();
    outbox_.clear();
  }
  if (!rest.empty()) WriteAll(fd, ssl, rest);
  if (ssl != nullptr) {
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  ::shutdown(fd, SHUT_RDWR);
}

bool TestStompBroker::QueueLocked(const std::string& bytes) {
  if (!connection_open_) return false;
  outbox_ += bytes;
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
  return QueueLocked(stomp::EncodeFrame({"MESSAGE",
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
  return QueueLocked(bytes);
}

void TestStompBroker::DropConnection() {
  absl::MutexLock lock(&mu_);
  if (connection_open_) drop_requested_ = true;
  session_ = false;
}

void TestStompBroker::SetHeartBeat(const std::string& value) {
  absl::MutexLock lock(&mu_);
  heart_beat_ = value;
}

}  // namespace recplat::testing
