// File: http_connection.h (private to frontends/http_rest)
//
// The parts of HttpServer (http_server.h) that connections share: Server (the acceptor, the
// worker threads, the deadline sweep) and Connection<Stream>, one client connection over a
// stream type. http_server.cc instantiates Connection over plain TCP (tcp::socket); http_tls.cc
// instantiates it over TLS (asio::ssl::stream<tcp::socket>) and is the only file that includes
// the OpenSSL headers. Templating on the stream keeps the plain path exactly what it was: no
// virtual call, allocation or lock per request.
//
// Threading: N threads run one io_context, so a slow handler never holds up requests that
// another thread could serve. Each connection runs on its own strand, which makes its handlers
// sequential without a lock. Timeouts are deadlines stored in each connection and checked by
// one periodic sweep (a tick of min(timeouts)/8, clamped to 5..250 ms), so the per-request cost
// is a clock read instead of timer re-arming, and an expired read can still be answered with
// 408 (a beast::tcp_stream timeout would close the socket first). A response write gets
// read_timeout; a TLS handshake gets header_timeout.
#pragma once

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
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "core/common/logging.h"
#include "core/common/tls.h"
#include "frontends/http_rest/http_server.h"
#include "frontends/http_rest/route_metrics.h"

namespace recplat::http::internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

inline constexpr uint32_t kHeaderLimit = 16 * 1024;
inline constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
inline constexpr char kUnmatched[] = "unmatched";

int64_t NowNanos();
// The Date header value, formatted at most once a second per thread.
absl::string_view HttpDate();
// A handler's extra header may not break the framing, which the server owns.
bool IsValidHeader(const std::pair<std::string, std::string>& h);

// Waiting states carry a deadline; the others (handler running, closed) do not.
enum class Phase : uint8_t { kHandshake, kHeader, kIdle, kBody, kHandler, kWrite, kLinger, kClosed };

// The TLS side of a server (http_tls.cc): an asio::ssl::context built from ServerTls.
struct TlsContext;
struct TlsContextDeleter {
  void operator()(TlsContext* context) const;
};
using TlsContextPtr = std::unique_ptr<TlsContext, TlsContextDeleter>;

class ConnectionBase;
template <typename Stream>
class Connection;

// State shared by the connections of one server. Connections read it directly (friends).
class Server {
 public:
  Server(HttpServerOptions options, const Router& router, prometheus::Registry* metrics);
  absl::Status Listen();
  void Run();
  void Shutdown(absl::Duration grace);
  const std::string& address() const { return address_; }
  int port() const { return port_; }

 private:
  friend class ConnectionBase;
  template <typename Stream>
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
  // Set when the listener speaks TLS (options_.tls).
  TlsContextPtr tls_;

  // Declared before ioc_: connections destroyed with the io_context unregister here.
  absl::Mutex mu_;
  std::list<ConnectionBase*> conns_ ABSL_GUARDED_BY(mu_);

  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  net::strand<net::io_context::executor_type> strand_;  // acceptor and sweep
  tcp::acceptor acceptor_;
  net::steady_timer sweep_timer_;
  net::steady_timer accept_retry_timer_;
  std::vector<std::thread> threads_;
};

// http_tls.cc: the TLS context of `tls` (INVALID_ARGUMENT naming what does not load), and a
// TLS connection started on an accepted socket.
absl::StatusOr<TlsContextPtr> MakeTlsContext(const common::ServerTls& tls);
void StartTlsConnection(Server& server, TlsContext& context, tcp::socket socket);

// What the server's registry and sweep see of a connection, whatever its stream.
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  explicit ConnectionBase(Server& server) : server_(server) {
    absl::MutexLock lock(&server_.mu_);
    registration_ = server_.conns_.insert(server_.conns_.end(), this);
  }
  virtual ~ConnectionBase() {
    absl::MutexLock lock(&server_.mu_);
    server_.conns_.erase(registration_);
  }

  // On the strand: acts on an expired deadline, or closes an idle connection while shutting
  // down.
  virtual void OnSweep(int64_t now) = 0;
  virtual void Close() = 0;
  virtual net::any_io_executor executor() = 0;

  int64_t deadline() const { return deadline_.load(std::memory_order_relaxed); }

 protected:
  void SetPhase(Phase phase, int64_t timeout_ns) {
    phase_.store(phase, std::memory_order_relaxed);
    deadline_.store(timeout_ns == 0 ? 0 : NowNanos() + timeout_ns, std::memory_order_relaxed);
  }

  Server& server_;
  std::atomic<Phase> phase_{Phase::kHeader};
  std::atomic<int64_t> deadline_{0};

 private:
  std::list<ConnectionBase*>::iterator registration_;
};

// How a connection starts and ends on its stream. Plain TCP has nothing to do; the TLS stream's
// specialization (http_tls.cc) adds AsyncHandshake(stream, handler) and AsyncShutdown(stream,
// handler).
template <typename Stream>
struct StreamOps {
  static constexpr bool kTls = false;
};

// One client connection: reads requests one at a time (pipelined bytes wait in the buffer),
// dispatches each on the current worker thread, writes the response, and loops while keep-alive
// holds. All its handlers run on its strand.
template <typename Stream>
class Connection final : public ConnectionBase {
 public:
  // `stream_args` construct the stream (the accepted socket; for TLS, also the context).
  template <typename... Args>
  explicit Connection(Server& server, Args&&... stream_args)
      : ConnectionBase(server), stream_(std::forward<Args>(stream_args)...) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = Self()] {
      if constexpr (StreamOps<Stream>::kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  void OnSweep(int64_t now) override {
    const Phase phase = phase_.load(std::memory_order_relaxed);
    if (phase == Phase::kClosed) return;
    if (server_.shutting_down_ &&
        (phase == Phase::kIdle || phase == Phase::kLinger || phase == Phase::kHandshake ||
         (phase == Phase::kHeader && buffer_.size() == 0))) {
      return Close();
    }
    const int64_t deadline = deadline_.load(std::memory_order_relaxed);
    if (deadline == 0 || now < deadline) return;
    if ((phase == Phase::kHeader || phase == Phase::kBody) && !timed_out_) {
      timed_out_ = true;  // the aborted read answers 408
      beast::error_code ignored;
      Socket().cancel(ignored);
    } else if (phase != Phase::kHandler) {
      Close();
    }
  }

  void Close() override {
    SetPhase(Phase::kClosed, 0);
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close(ignored);
  }

  net::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  template <typename View>
  static absl::string_view ToAbsl(const View& v) {
    return absl::string_view(v.data(), v.size());
  }

  std::shared_ptr<Connection> Self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  tcp::socket& Socket() { return beast::get_lowest_layer(stream_); }

  // TLS only: the server side of the handshake, under header_timeout.
  void Handshake() {
    SetPhase(Phase::kHandshake, server_.header_ns_);
    StreamOps<Stream>::AsyncHandshake(stream_, [self = Self()](beast::error_code ec) {
      if (ec) return self->Close();  // e.g. a plaintext client, or no client certificate
      self->ReadHeader();
    });
  }

  // Reads into buffer_ (or, with `discard`, drains) and continues with `next` on success.
  void ReadSome(bool discard, void (Connection::*next)()) {
    stream_.async_read_some(buffer_.prepare(beast::read_size(buffer_, 64 * 1024)),
                            [self = Self(), discard, next](beast::error_code ec, size_t n) {
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
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return Fail(ec);
    timed_out_ = false;
    const auto& msg = parser_->get();
    if (!parser_->is_done() && msg.version() >= 11 &&
        absl::EqualsIgnoreCase(ToAbsl(msg[bhttp::field::expect]), "100-continue")) {
      SetPhase(Phase::kWrite, server_.read_ns_);
      net::async_write(stream_, net::buffer(kContinue, sizeof(kContinue) - 1),
                       [self = Self()](beast::error_code ec, size_t) {
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
    bhttp::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
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
    const bool http_error =
        ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
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
    for (const auto& header : server_.options_.response_headers) {
      const bool present = std::any_of(
          response.headers.begin(), response.headers.end(),
          [&](const auto& h) { return absl::EqualsIgnoreCase(h.first, header.first); });
      if (!present && IsValidHeader(header)) {
        absl::StrAppend(&head_, header.first, ": ", header.second, "\r\n");
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
    net::async_write(stream_, buffers, [self = Self(), close](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      if (close) return self->LingerClose();
      self->ReadNext();
    });
  }

  // Plain TCP: half-closes, then drains what the client still sends (up to the linger time),
  // so that unread request bytes do not turn the close into a reset that loses the response.
  // TLS: sends close_notify and waits (up to the linger time) for the client's.
  void LingerClose() {
    if (server_.shutting_down_) return Close();
    SetPhase(Phase::kLinger, server_.linger_ns_);
    if constexpr (StreamOps<Stream>::kTls) {
      StreamOps<Stream>::AsyncShutdown(stream_,
                                       [self = Self()](beast::error_code) { self->Close(); });
    } else {
      beast::error_code ignored;
      Socket().shutdown(tcp::socket::shutdown_send, ignored);
      Drain();
    }
  }
  void Drain() { ReadSome(/*discard=*/true, &Connection::Drain); }

  Stream stream_;
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
};

}  // namespace recplat::http::internal
