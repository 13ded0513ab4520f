// MetricsExposer (metrics.h): GET /metrics over Boost.Beast.
//
// Two I/O threads run an io_context; each connection is a Session (over TCP, or over TLS when
// MetricsServerOptions::tls is set) that reads one request at a time (8 KiB of header, no
// body), answers it and keeps the connection while the client asks for keep-alive. Collection
// and serialisation run on the I/O threads, which have the default thread stack.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "core/common/metrics/metrics.h"
#include "core/common/metrics/process_metrics.h"
#include "core/common/status_macros.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace recplat::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr int kThreads = 2;
constexpr std::chrono::seconds kRequestDeadline(10);
constexpr uint32_t kHeaderLimit = 8 * 1024;

}  // namespace

class MetricsExposer::Listener {
 public:
  Listener(std::shared_ptr<prometheus::Registry> registry, MetricsServerOptions options)
      : options_(std::move(options)),
        registry_(std::move(registry)),
        process_(std::make_shared<ProcessCollector>()),
        ioc_(kThreads),
        acceptor_(asio::make_strand(ioc_)) {}

  ~Listener() {
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
  }

  // Loads the TLS material; OK without TLS.
  absl::Status LoadTls() {
    if (!options_.tls.enabled()) return absl::OkStatus();
    RECPLAT_RETURN_IF_ERROR(common::CheckServerTls(options_.tls));
    ssl_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    const auto fail = [](absl::string_view what, const beast::error_code& ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics listener: TLS: cannot load the ", what, ": ", ec.message()));
    };
    beast::error_code ec;
    // TLS 1.2 and 1.3 only, no compression, no client renegotiation (as the HTTP listener).
    ssl_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::no_compression,
                      ec);
    if (ec) return fail("options", ec);
    SSL_CTX_set_options(ssl_->native_handle(), SSL_OP_NO_RENEGOTIATION);
    if (ssl_->use_certificate_chain(asio::buffer(options_.tls.cert_chain_pem), ec)) {
      return fail("certificate chain", ec);
    }
    if (ssl_->use_private_key(asio::buffer(options_.tls.private_key_pem), ssl::context::pem, ec)) {
      return fail("private key", ec);
    }
    if (options_.tls.require_client_cert()) {
      if (ssl_->add_certificate_authority(asio::buffer(options_.tls.client_ca_pem), ec)) {
        return fail("client CA", ec);
      }
      ssl_->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
      if (ec) return fail("client verification mode", ec);
    }
    return absl::OkStatus();
  }

  // Binds and listens; returns the port bound.
  absl::StatusOr<int> Bind(const std::string& host, int port) {
    beast::error_code ec;
    const asio::ip::address address = asio::ip::make_address(
        std::string(absl::StripSuffix(absl::StripPrefix(host, "["), "]")), ec);
    if (ec)
      return absl::InvalidArgumentError(absl::StrCat("bad host '", host, "': ", ec.message()));
    const tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
    if (acceptor_.open(endpoint.protocol(), ec); ec) return Unavailable("open", ec);
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
      return Unavailable("set_option", ec);
    }
    if (acceptor_.bind(endpoint, ec); ec) return Unavailable("bind", ec);
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
      return Unavailable("listen", ec);
    }
    return acceptor_.local_endpoint().port();
  }

  void Run() {
    Accept();
    for (int i = 0; i < kThreads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  void Register(const std::weak_ptr<prometheus::Collectable>& collectable) {
    absl::MutexLock lock(&mu_);
    collectables_.push_back(collectable);
  }

  // Whether a request with this Authorization value may read the metrics.
  bool Authorized(beast::string_view authorization) const {
    return !options_.authorize ||
           options_.authorize(std::string_view(authorization.data(), authorization.size()));
  }

  // The exposition text of everything served.
  std::string Render() {
    std::vector<std::shared_ptr<prometheus::Collectable>> live = {registry_, process_};
    {
      absl::MutexLock lock(&mu_);
      std::vector<std::weak_ptr<prometheus::Collectable>> kept;
      for (const auto& weak : collectables_) {
        if (std::shared_ptr<prometheus::Collectable> c = weak.lock()) {
          live.push_back(std::move(c));
          kept.push_back(weak);
        }
      }
      collectables_ = std::move(kept);
    }
    std::vector<prometheus::MetricFamily> families;
    for (const auto& c : live) {
      std::vector<prometheus::MetricFamily> got = c->Collect();
      families.insert(families.end(), std::make_move_iterator(got.begin()),
                      std::make_move_iterator(got.end()));
    }
    return prometheus::TextSerializer().Serialize(families);
  }

 private:
  template <typename Stream>
  class Session;

  static absl::Status Unavailable(const char* step, const beast::error_code& ec) {
    return absl::UnavailableError(absl::StrCat("metrics listener: ", step, ": ", ec.message()));
  }

  void Accept();

  const MetricsServerOptions options_;
  // Set when serving over TLS.
  std::unique_ptr<ssl::context> ssl_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> process_;
  absl::Mutex mu_;
  std::vector<std::weak_ptr<prometheus::Collectable>> collectables_ ABSL_GUARDED_BY(mu_);
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

// One connection over `Stream` (PlainStream or TlsStream). Owned by the handlers in flight
// (shared_from_this).
template <typename Stream>
class MetricsExposer::Listener::Session
    : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... Args>
  Session(Listener* listener, tcp::socket socket, Args&... args)
      : stream_(std::move(socket), args...), listener_(listener) {}

  // Shakes hands (TLS), then reads the first request.
  void Start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kRequestDeadline);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->Read();
                              });
    } else {
      Read();
    }
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(0);
    beast::get_lowest_layer(stream_).expires_after(kRequestDeadline);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->Answer(self->parser_->release());
                     });
  }

  void Answer(const http::request<http::empty_body>& request) {
    auto response = std::make_shared<http::response<http::string_body>>();
    response->version(request.version());
    response->keep_alive(request.keep_alive());
    response->set(http::field::server, "recplat");
    const beast::string_view target = request.target();
    const beast::string_view path = target.substr(0, target.find('?'));
    const auto authorization = request.find(http::field::authorization);
    if (!listener_->Authorized(authorization == request.end() ? beast::string_view()
                                                              : authorization->value())) {
      response->result(http::status::unauthorized);
      response->set(http::field::www_authenticate, "Bearer realm=\"recplat metrics\"");
      response->set(http::field::content_type, "text/plain; charset=utf-8");
      response->body() = "unauthorized: send the metrics bearer token\n";
    } else if (request.method() != http::verb::get) {
      response->result(http::status::method_not_allowed);
      response->set(http::field::allow, "GET");
      response->set(http::field::content_type, "text/plain; charset=utf-8");
      response->body() = "method not allowed: use GET /metrics\n";
    } else if (path != "/metrics") {
      response->result(http::status::not_found);
      response->set(http::field::content_type, "text/plain; charset=utf-8");
      response->body() = "not found: metrics are at /metrics\n";
    } else {
      response->result(http::status::ok);
      response->set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response->body() = listener_->Render();
    }
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response](beast::error_code ec, size_t) {
                        if (ec || !response->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kRequestDeadline);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_send,
                                                                  ignored);
      });
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  Listener* listener_;
};

void MetricsExposer::Listener::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (!ec && ssl_ != nullptr) {
      std::make_shared<Session<TlsStream>>(this, std::move(socket), *ssl_)->Start();
    } else if (!ec) {
      std::make_shared<Session<PlainStream>>(this, std::move(socket))->Start();
    }
    if (acceptor_.is_open()) Accept();
  });
}

absl::StatusOr<std::unique_ptr<MetricsExposer>> MetricsExposer::Start(
    const std::string& listen, std::shared_ptr<prometheus::Registry> registry,
    MetricsServerOptions options) {
  absl::StatusOr<std::pair<std::string, int>> host_port = SplitHostPort(listen);
  if (!host_port.ok()) return host_port.status();
  std::unique_ptr<MetricsExposer> out(new MetricsExposer());
  out->listener_ = std::make_unique<Listener>(std::move(registry), std::move(options));
  RECPLAT_RETURN_IF_ERROR(out->listener_->LoadTls());
  absl::StatusOr<int> port = out->listener_->Bind(host_port->first, host_port->second);
  if (!port.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on '", listen, "': ", port.status().message()));
  }
  out->bound_address_ = absl::StrCat(host_port->first, ":", *port);
  out->listener_->Run();
  return out;
}

MetricsExposer::~MetricsExposer() = default;

void MetricsExposer::Register(const std::weak_ptr<prometheus::Collectable>& collectable) {
  listener_->Register(collectable);
}

}  // namespace recplat::metrics
