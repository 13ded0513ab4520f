// Threading: N threads run one io_context, so a slow handler never holds up requests that another
// thread could serve. Each connection runs on its own strand, which makes its handlers sequential
// without a lock. Timeouts are deadlines stored in each connection and checked by one periodic
// sweep (a tick of min(timeouts)/8, clamped to 5..250 ms), so the per-request cost is a clock
// read instead of timer re-arming, and an expired read can still be answered with 408 (a
// beast::tcp_stream timeout would close the socket first). A response write gets read_timeout.
#include "frontends/http_rest/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/common/metrics/metrics.h"
#include "frontends/http_rest/route_metrics.h"

namespace recplat::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr uint32_t kHeaderLimit = 16 * 1024;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr char kUnmatched[] = "unmatched";

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The Date header value, formatted at most once a second per thread.
absl::string_view HttpDate() {
  thread_local int64_t cached_second = -1;
  thread_local std::string cached;
  const absl::Time now = absl::Now();
  const int64_t second = absl::ToUnixSeconds(now);
  if (second != cached_second) {
    cached = absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", now, absl::UTCTimeZone());
    cached_second = second;
  }
  return cached;
}

// A handler's extra header may not break the framing, which the server owns.
bool IsValidHeader(const std::pair<std::string, std::string>& h) {
  for (absl::string_view framing : {"content-length", "transfer-encoding", "connection"}) {
    if (absl::EqualsIgnoreCase(h.first, framing)) return false;
  }
  return !h.first.empty() && h.first.find_first_of(": \t\r\n") == std::string::npos &&
         h.second.find_first_of("\r\n") == std::string::npos;
}

// Waiting states carry a deadline; the others (handler running, closed) do not.
enum class Phase : uint8_t { kHeader, kIdle, kBody, kHandler, kWrite, kLinger, kClosed };

class Connection;

// State shared by the connections of one server. Connection reads it directly (a friend).
class Server {
 public:
  Server(HttpServerOptions options, const Router& router, prometheus::Registry* metrics);
  absl::Status Listen();
  void Run();
  void Shutdown(absl::Duration grace);
  const std::string& address() const { return address_; }
  int port() const { return port_; }

 private:
  friend class Connection;
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void ScheduleSweep();
  // Posts a deadline check to each connection past its deadline (to all, when shutting down).
  void Sweep();

  const HttpServerOptions options_;
  const Router& router_;
  std::optional<RouteMetrics> metrics_;
  int64_t header_ns_, read_ns_, idle_ns_, linger_ns_;  // timeouts
  std::chrono::nanoseconds tick_;                      // sweep period
  std::atomic<bool> shutting_down_{false};
  std::string address_;
  int port_ = 0;

  // Declared before ioc_: connections destroyed with the io_context unregister here.
  absl::Mutex mu_;
  std::list<Connection*> conns_ ABSL_GUARDED_BY(mu_);

  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  net::strand<net::io_context::executor_type> strand_;  // acceptor and sweep
  tcp::acceptor acceptor_;
  net::steady_timer sweep_timer_;
  net::steady_timer accept_retry_timer_;
  std::vector<std::thread> threads_;
};

// One client connection: reads requests one at a time (pipelined bytes wait in the buffer),
// dispatches each on the current worker thread, writes the response, and loops while keep-alive
// holds. All its handlers run on its strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& server, tcp::socket socket) : server_(server), socket_(std::move(socket)) {
    absl::MutexLock lock(&server_.mu_);
    registration_ = server_.conns_.insert(server_.conns_.end(), this);
  }
  ~Connection() {
    absl::MutexLock lock(&server_.mu_);
    server_.conns_.erase(registration_);
  }

  void Start() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // On the strand: acts on an expired deadline, or closes an idle connection while shutting down.
  void OnSweep(int64_t now) {
    const Phase phase = phase_.load(std::memory_order_relaxed);
    if (phase == Phase::kClosed) return;
    if (server_.shutting_down_ && (phase == Phase::kIdle || phase == Phase::kLinger ||
                                   (phase == Phase::kHeader && buffer_.size() == 0))) {
      return Close();
    }
    const int64_t deadline = deadline_.load(std::memory_order_relaxed);
    if (deadline == 0 || now < deadline) return;
    if ((phase == Phase::kHeader || phase == Phase::kBody) && !timed_out_) {
      timed_out_ = true;  // the aborted read answers 408
      beast::error_code ignored;
      socket_.cancel(ignored);
    } else if (phase != Phase::kHandler) {
      Close();
    }
  }

  void Close() {
    SetPhase(Phase::kClosed, 0);
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  int64_t deadline() const { return deadline_.load(std::memory_order_relaxed); }
  net::any_io_executor executor() { return socket_.get_executor(); }

 private:
  template <typename View>
  static absl::string_view ToAbsl(const View& v) {
    return absl::string_view(v.data(), v.size());
  }

  void SetPhase(Phase phase, int64_t timeout_ns) {
    phase_.store(phase, std::memory_order_relaxed);
    deadline_.store(timeout_ns == 0 ? 0 : NowNanos() + timeout_ns, std::memory_order_relaxed);
  }

  // Reads into buffer_ (or, with `discard`, drains) and continues with `next` on success.
  void ReadSome(bool discard, void (Connection::*next)()) {
    socket_.async_read_some(buffer_.prepare(beast::read_size(buffer_, 64 * 1024)),
                            [self = shared_from_this(), discard, next](beast::error_code ec,
                                                                       size_t n) {
                              if (ec) return self->Close();
                              if (!discard) self->buffer_.commit(n);
                              (self.get()->*next)();
                            });
  }

  // Waits for the first byte of the next keep-alive request under idle_timeout.
  void ReadNext() {
    if (buffer_.size() > 0) return ReadHeader();
    SetPhase(Phase::kIdle, server_.idle_ns_);
    ReadSome(/*discard=*/false, &Connection::ReadHeader);
  }

  void ReadHeader() {
    if (server_.shutting_down_ && buffer_.size() == 0) return Close();
    SetPhase(Phase::kHeader, server_.header_ns_);
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(static_cast<uint64_t>(server_.options_.max_body_bytes));
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return Fail(ec);
    timed_out_ = false;
    const auto& msg = parser_->get();
    if (!parser_->is_done() && msg.version() >= 11 &&
        absl::EqualsIgnoreCase(ToAbsl(msg[bhttp::field::expect]), "100-continue")) {
      SetPhase(Phase::kWrite, server_.read_ns_);
      net::async_write(socket_, net::buffer(kContinue, sizeof(kContinue) - 1),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Handle();
    SetPhase(Phase::kBody, server_.read_ns_);
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Fail(ec);
                        self->timed_out_ = false;
                        self->Handle();
                      });
  }

  // Maps a read error to a response-and-close, or to a silent close when the client is gone.
  void Fail(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return SendError(413, absl::StatusCode::kResourceExhausted,
                       absl::StrCat("request body exceeds ", server_.options_.max_body_bytes,
                                    " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      return SendError(431, absl::StatusCode::kResourceExhausted, "request headers too large");
    }
    if (ec == net::error::operation_aborted && timed_out_) {
      return SendError(408, absl::StatusCode::kDeadlineExceeded, "request not received in time");
    }
    const bool http_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_target)
                                                 .category();
    if (!http_error || ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
      return Close();
    }
    SendError(400, absl::StatusCode::kInvalidArgument,
              absl::StrCat("malformed HTTP request: ", ec.message()));
  }

  void Handle() {
    SetPhase(Phase::kHandler, 0);
    const int64_t start = NowNanos();
    auto& msg = parser_->get();
    head_request_ = msg.method() == bhttp::verb::head;
    absl::Status target = ParseRequestTarget(ToAbsl(msg.target()), &request_);
    if (!target.ok()) return SendError(400, absl::StatusCode::kInvalidArgument, target.message());
    request_.method.assign(msg.method_string().data(), msg.method_string().size());
    method_ = request_.method;
    request_.headers.clear();
    for (const auto& field : msg) {
      header_name_.assign(field.name_string().data(), field.name_string().size());
      absl::AsciiStrToLower(&header_name_);
      const auto value = field.value();
      auto [it, inserted] = request_.headers.try_emplace(header_name_, value.data(), value.size());
      if (!inserted) absl::StrAppend(&it->second, ", ", ToAbsl(value));
    }
    request_.body = std::move(msg.body());
    HttpResponse response = server_.router_.DispatchInPlace(&request_, &route_);
    Write(std::move(response), !msg.keep_alive(), msg.version() < 11 && msg.keep_alive(), start);
  }

  void SendError(int status, absl::StatusCode code, absl::string_view message) {
    if (phase_.load(std::memory_order_relaxed) == Phase::kClosed) return;
    route_ = kUnmatched;
    // Errors found once the request line was read (413, 431, 408 on the body) know the method;
    // before that it stays empty ("other" in the metrics).
    method_.clear();
    if (parser_.has_value()) {
      const auto verb = parser_->get().method_string();
      method_.assign(verb.data(), verb.size());
    }
    head_request_ = false;
    Write(ErrorResponse(status, code, message), /*close=*/true, /*keep_alive_10=*/false,
          NowNanos());
  }

  // Serializes the response by hand (cheaper than Beast's serializer) and writes it.
  void Write(HttpResponse response, bool close, bool keep_alive_10, int64_t start) {
    close = close || server_.shutting_down_;
    if (response.status < 200 || response.status > 599) {
      RECPLAT_LOG(Error, "handler returned an invalid HTTP status",
                  {{"route", route_}, {"status", response.status}});
      response = ErrorResponse(absl::InternalError("invalid HTTP status"));
    }
    const int status = response.status;
    const bool no_body = status == 204 || status == 304;
    head_.clear();
    absl::StrAppend(&head_, "HTTP/1.1 ", status, " ",
                    ToAbsl(bhttp::obsolete_reason(bhttp::int_to_status(status))),
                    "\r\nServer: ", server_.options_.server_name, "\r\nDate: ", HttpDate(), "\r\n");
    if (!response.content_type.empty()) {
      absl::StrAppend(&head_, "Content-Type: ", response.content_type, "\r\n");
    }
    if (!no_body) absl::StrAppend(&head_, "Content-Length: ", response.body.size(), "\r\n");
    for (const auto& header : response.headers) {
      if (IsValidHeader(header)) {
        absl::StrAppend(&head_, header.first, ": ", header.second, "\r\n");
      } else {
        RECPLAT_LOG(Warn, "dropping invalid response header", {{"route", route_}});
      }
    }
    if (close) {
      head_.append("Connection: close\r\n");
    } else if (keep_alive_10) {
      head_.append("Connection: keep-alive\r\n");
    }
    head_.append("\r\n");
    body_ = std::move(response.body);
    if (head_request_ || no_body) body_.clear();  // HEAD: headers as for GET, no body
    // Recorded before the write so that a client holding the response sees it counted.
    if (server_.metrics_.has_value()) {
      server_.metrics_->Record(route_, method_, status,
                               static_cast<double>(NowNanos() - start) * 1e-9);
    }
    SetPhase(Phase::kWrite, server_.read_ns_);
    const std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(body_)};
    net::async_write(socket_, buffers,
                     [self = shared_from_this(), close](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       if (close) return self->LingerClose();
                       self->ReadNext();
                     });
  }

  // Half-closes, then drains what the client still sends (up to the linger time), so that
  // unread request bytes do not turn the close into a reset that loses the response.
  void LingerClose() {
    if (server_.shutting_down_) return Close();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    SetPhase(Phase::kLinger, server_.linger_ns_);
    Drain();
  }
  void Drain() { ReadSome(/*discard=*/true, &Connection::Drain); }

  Server& server_;
  tcp::socket socket_;
  std::list<Connection*>::iterator registration_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // Reused across requests, and with them their allocations.
  HttpRequest request_;
  std::string header_name_;
  std::string route_;
  std::string method_;  // of the request being answered, for the metrics
  std::string head_;
  std::string body_;
  bool head_request_ = false;
  bool timed_out_ = false;  // the sweep cancelled the current read
  std::atomic<Phase> phase_{Phase::kHeader};
  std::atomic<int64_t> deadline_{0};
};

Server::Server(HttpServerOptions options, const Router& router, prometheus::Registry* metrics)
    : options_(std::move(options)),
      router_(router),
      ioc_(std::max(1, options_.threads)),
      strand_(net::make_strand(ioc_)),
      acceptor_(strand_),
      sweep_timer_(strand_),
      accept_retry_timer_(strand_) {
  if (metrics != nullptr) metrics_.emplace(*metrics);
  // Capped so that now + timeout cannot overflow.
  const auto nanos = [](absl::Duration d) {
    return absl::ToInt64Nanoseconds(std::min(d, absl::Hours(24 * 365)));
  };
  header_ns_ = nanos(options_.header_timeout);
  read_ns_ = nanos(options_.read_timeout);
  idle_ns_ = nanos(options_.idle_timeout);
  linger_ns_ = std::min<int64_t>(read_ns_, 1'000'000'000);
  const int64_t tick = std::min({header_ns_, read_ns_, idle_ns_}) / 8;
  tick_ = std::chrono::nanoseconds(std::clamp<int64_t>(tick, 5'000'000, 250'000'000));
}

absl::Status Server::Listen() {
  if (options_.threads < 1 || options_.max_body_bytes < 0 || header_ns_ <= 0 || read_ns_ <= 0 ||
      idle_ns_ <= 0) {
    return absl::InvalidArgumentError(
        "http server: threads and timeouts must be positive, max_body_bytes non-negative");
  }
  RECPLAT_ASSIGN_OR_RETURN(auto host_port, metrics::SplitHostPort(options_.listen));
  std::string host = host_port.first;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  auto endpoints = resolver.resolve(host, std::to_string(host_port.second),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("http server: cannot resolve host in '", options_.listen, "': ", ec.message()));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  const auto fail = [&](absl::string_view what) {
    return absl::UnavailableError(absl::StrCat("http server: cannot ", what, " on '",
                                               options_.listen, "': ", ec.message()));
  };
  if (acceptor_.open(endpoint.protocol(), ec)) return fail("open a socket");
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec)) return fail("set options");
  if (acceptor_.bind(endpoint, ec)) return fail("bind");
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
  port_ = acceptor_.local_endpoint().port();
  address_ = absl::StrCat(host_port.first, ":", port_);
  return absl::OkStatus();
}

void Server::Run() {
  work_.emplace(ioc_.get_executor());
  net::dispatch(strand_, [this] {
    Accept();
    ScheduleSweep();
  });
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          RECPLAT_LOG(Error, "http worker caught an exception", {{"error", e.what()}});
        }
      }
    });
  }
  RECPLAT_LOG(Info, "http server listening",
              {{"address", address_}, {"threads", options_.threads}});
}

void Server::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
    OnAccept(ec, std::move(s));
  });
}

void Server::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open()) return;
  if (ec) {
    // E.g. out of descriptors: back off rather than spin; the client will retry.
    RECPLAT_LOG(Warn, "http accept failed", {{"error", ec.message()}});
    accept_retry_timer_.expires_after(std::chrono::milliseconds(50));
    accept_retry_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) Accept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::make_shared<Connection>(*this, std::move(socket))->Start();
  Accept();
}

void Server::ScheduleSweep() {
  sweep_timer_.expires_after(tick_);
  sweep_timer_.async_wait([this](beast::error_code ec) {
    if (ec) return;
    Sweep();
    ScheduleSweep();
  });
}

void Server::Sweep() {
  const int64_t now = NowNanos();
  const bool all = shutting_down_;
  // Collected under the lock, posted after it: a reference dropped here may be the last one, and
  // the destructor takes mu_.
  std::vector<std::shared_ptr<Connection>> due;
  {
    absl::MutexLock lock(&mu_);
    for (Connection* conn : conns_) {
      const int64_t deadline = conn->deadline();
      if (!all && (deadline == 0 || now < deadline)) continue;
      // Null while the connection is being constructed or destroyed.
      if (auto self = conn->weak_from_this().lock()) due.push_back(std::move(self));
    }
  }
  for (std::shared_ptr<Connection>& conn : due) {
    const net::any_io_executor executor = conn->executor();
    net::post(executor, [conn = std::move(conn), now] { conn->OnSweep(now); });
  }
}

void Server::Shutdown(absl::Duration grace) {
  if (threads_.empty() || shutting_down_.exchange(true)) return;
  net::post(strand_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_timer_.cancel();
    Sweep();  // closes idle connections now
  });
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(
        absl::Condition(+[](std::list<Connection*>* conns) { return conns->empty(); }, &conns_),
        grace);
  }
  work_.reset();
  ioc_.stop();
  for (std::thread& thread : threads_) thread.join();
  {
    // The workers are gone, so connections left after `grace` can be closed off their strands.
    absl::MutexLock lock(&mu_);
    for (Connection* conn : conns_) conn->Close();
  }
  RECPLAT_LOG(Info, "http server stopped", {{"address", address_}});
}

}  // namespace

struct HttpServer::Impl : Server {
  using Server::Server;
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              const Router* router,
                                                              prometheus::Registry* metrics) {
  if (router == nullptr) return absl::InvalidArgumentError("http server: no router");
  auto impl = std::make_unique<Impl>(std::move(options), *router, metrics);
  RECPLAT_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Shutdown(absl::Seconds(5)); }

const std::string& HttpServer::address() const { return impl_->address(); }
int HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(absl::Duration grace) { impl_->Shutdown(grace); }

}  // namespace recplat::http
