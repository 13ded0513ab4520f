// HttpServer: the Server and Connection of internal/http_connection.h (which says how threads,
// strands and deadlines work), over plain TCP here; over TLS in http_tls.cc.
#include "frontends/http_rest/http_server.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/metrics/metrics.h"
#include "core/common/status_macros.h"
#include "frontends/http_rest/internal/http_connection.h"

namespace recplat::http {
namespace internal {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

bool IsValidHeader(const std::pair<std::string, std::string>& h) {
  for (absl::string_view framing : {"content-length", "transfer-encoding", "connection"}) {
    if (absl::EqualsIgnoreCase(h.first, framing)) return false;
  }
  return !h.first.empty() && h.first.find_first_of(": \t\r\n") == std::string::npos &&
         h.second.find_first_of("\r\n") == std::string::npos;
}

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
  if (options_.tls.enabled()) {
    RECPLAT_ASSIGN_OR_RETURN(tls_, internal::MakeTlsContext(options_.tls));
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
              {{"address", address_},
               {"threads", options_.threads},
               {"tls", !options_.tls.enabled()              ? "off"
                       : options_.tls.require_client_cert() ? "mutual"
                                                            : "on"}});
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
  if (tls_ != nullptr) {
    StartTlsConnection(*this, *tls_, std::move(socket));
  } else {
    std::make_shared<Connection<tcp::socket>>(*this, std::move(socket))->Start();
  }
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
  std::vector<std::shared_ptr<ConnectionBase>> due;
  {
    absl::MutexLock lock(&mu_);
    for (ConnectionBase* conn : conns_) {
      const int64_t deadline = conn->deadline();
      if (!all && (deadline == 0 || now < deadline)) continue;
      // Null while the connection is being constructed or destroyed.
      if (auto self = conn->weak_from_this().lock()) due.push_back(std::move(self));
    }
  }
  for (std::shared_ptr<ConnectionBase>& conn : due) {
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
        absl::Condition(+[](std::list<ConnectionBase*>* conns) { return conns->empty(); },
                        &conns_),
        grace);
  }
  work_.reset();
  ioc_.stop();
  for (std::thread& thread : threads_) thread.join();
  {
    // The workers are gone, so connections left after `grace` can be closed off their strands.
    absl::MutexLock lock(&mu_);
    for (ConnectionBase* conn : conns_) conn->Close();
  }
  RECPLAT_LOG(Info, "http server stopped", {{"address", address_}});
}

}  // namespace internal

struct HttpServer::Impl : internal::Server {
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
