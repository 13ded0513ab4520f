#include "tools/renewal_sim/backend_server.h"

// Standard headers first: Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "boost/beast/websocket.hpp"
#include "boost/beast/websocket/ssl.hpp"

namespace recplat::renewal_sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;
using asio::ip::tcp;
using nlohmann::json;
using TcpStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;

// Built outside co_await expressions: GCC 12 rejects a braced json of string literals inside
// one ("array used as initializer").
json ErrorBody(const std::string& message) { return json{{"error", message}}; }

HttpRequest Convert(const Request& req) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  std::vector<std::string> parts = absl::StrSplit(out.target, absl::MaxSplits('?', 1));
  out.path = parts[0];
  if (out.path.size() > 1 && out.path.back() == '/') out.path.pop_back();
  if (parts.size() > 1) {
    for (absl::string_view kv : absl::StrSplit(parts[1], '&', absl::SkipEmpty())) {
      std::vector<std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
      out.query[p[0]] = p.size() > 1 ? p[1] : "";
    }
  }
  out.authorization = std::string(req[http::field::authorization]);
  out.body = req.body();
  return out;
}

// The server side of one event stream: the WebSocket and its write queue (I/O thread only).
template <typename Stream>
struct WsState : std::enable_shared_from_this<WsState<Stream>> {
  explicit WsState(Stream stream) : ws(std::move(stream)) {}

  void Send(std::string frame) {
    queue.push_back(std::move(frame));
    if (writing) return;
    writing = true;
    asio::co_spawn(ws.get_executor(), Drain(this->shared_from_this()), asio::detached);
  }

  static awaitable<void> Drain(std::shared_ptr<WsState> self) {
    beast::error_code ec;
    while (!self->queue.empty()) {
      std::string frame = std::move(self->queue.front());
      self->queue.pop_front();
      self->ws.text(true);
      co_await self->ws.async_write(asio::buffer(frame), redirect_error(use_awaitable, ec));
      if (ec) break;
    }
    self->queue.clear();
    self->writing = false;
  }

  websocket::stream<Stream> ws;
  std::deque<std::string> queue;
  bool writing = false;
};

}  // namespace

struct BackendServer::Impl {
  ServerOptions options;
  BackendHandler* handler = nullptr;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::thread_pool pool{2};
  std::shared_ptr<asio::ssl::context> tls;
  std::thread thread;
  std::promise<void> finished;
  uint16_t port = 0;
  bool stopped = false;
  bool stopping = false;  // I/O thread only

  mutable std::mutex mu;
  int64_t unauthorized = 0;
  int64_t tls_failures = 0;
  std::vector<std::weak_ptr<RpcPeer>> peers;

  // Closes each live connection (or wakes each waiting request) on Stop. I/O thread only.
  std::map<int, std::function<void()>> closers;
  int next_closer = 0;

  struct CloserGuard {
    CloserGuard(Impl* impl, std::function<void()> close) : impl(impl), id(impl->next_closer++) {
      impl->closers[id] = std::move(close);
    }
    ~CloserGuard() { impl->closers.erase(id); }
    Impl* impl;
    int id;
  };

  template <typename Stream>
  awaitable<void> Respond(Stream& stream, unsigned status, const json& body, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    beast::error_code ec;
    co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
  }

  // Runs handler->Serve on the pool and waits for it without blocking the I/O thread.
  awaitable<HttpResponse> Dispatch(std::string principal, HttpRequest request) {
    auto timer = std::make_shared<asio::steady_timer>(ioc, asio::steady_timer::time_point::max());
    auto slot = std::make_shared<std::optional<HttpResponse>>();
    asio::post(pool,
               [this, timer, slot, principal = std::move(principal), request = std::move(request)] {
                 HttpResponse response;
                 try {
                   response = handler->Serve(principal, request);
                 } catch (const std::exception&) {
                   response = {500, ErrorBody("internal error")};
                 }
                 asio::post(ioc, [timer, slot, response = std::move(response)]() mutable {
                   *slot = std::move(response);
                   timer->cancel();
                 });
               });
    CloserGuard guard(this, [timer] { timer->cancel(); });
    beast::error_code ec;
    while (!slot->has_value() && !stopping) {
      co_await timer->async_wait(redirect_error(use_awaitable, ec));
    }
    if (!slot->has_value()) co_return HttpResponse{503, ErrorBody("shutting down")};
    co_return std::move(**slot);
  }

  template <typename Stream>
  awaitable<void> ServeWs(std::unique_ptr<Stream> stream, std::unique_ptr<Request> req,
                          std::shared_ptr<RpcPeer> peer) {
    auto state = std::make_shared<WsState<Stream>>(std::move(*stream));
    CloserGuard guard(this, [state] { beast::get_lowest_layer(state->ws).close(); });
    beast::error_code ec;
    co_await state->ws.async_accept(*req, redirect_error(use_awaitable, ec));
    if (!ec && !stopping) {
      std::weak_ptr<WsState<Stream>> weak = state;
      peer->Attach(
          [this, weak](std::string frame) {
            asio::post(ioc, [weak, frame = std::move(frame)]() mutable {
              if (auto s = weak.lock()) s->Send(std::move(frame));
            });
          },
          [this, weak] {
            asio::post(ioc, [weak] {
              if (auto s = weak.lock()) beast::get_lowest_layer(s->ws).close();
            });
          });
      handler->OnStreamOpen(peer);
      beast::flat_buffer buffer;
      while (true) {
        co_await state->ws.async_read(buffer, redirect_error(use_awaitable, ec));
        if (ec) break;
        peer->OnFrame(beast::buffers_to_string(buffer.data()));
        buffer.consume(buffer.size());
      }
    }
    peer->MarkClosed();
    handler->OnStreamClosed(peer);
  }

  template <typename Stream>
  awaitable<void> Serve(std::unique_ptr<Stream> owned) {
    Stream& stream = *owned;
    std::unique_ptr<Request> upgrade;
    std::shared_ptr<RpcPeer> peer;
    {
      CloserGuard guard(this, [&stream] { beast::get_lowest_layer(stream).close(); });
      beast::flat_buffer buffer;
      while (true) {
        auto req = std::make_unique<Request>();
        beast::error_code ec;
        co_await http::async_read(stream, buffer, *req, redirect_error(use_awaitable, ec));
        if (ec || stopping) co_return;
        HttpRequest request = Convert(*req);
        std::string principal;
        if (handler->RequiresAuth(request)) {
          absl::StatusOr<std::string> who = handler->Authenticate(request);
          if (!who.ok()) {
            {
              std::lock_guard<std::mutex> lock(mu);
              ++unauthorized;
            }
            const json refused = ErrorBody("unauthorized");
            co_await Respond(stream, 401, refused, false);
            co_return;
          }
          principal = *std::move(who);
        }
        if (websocket::is_upgrade(*req)) {
          if (request.path != options.event_stream_path) {
            const json not_found = ErrorBody("not found");
            co_await Respond(stream, 404, not_found, false);
            co_return;
          }
          absl::StatusOr<std::shared_ptr<RpcPeer>> admitted = handler->AdmitStream(principal);
          if (!admitted.ok()) {
            const bool denied = admitted.status().code() == absl::StatusCode::kPermissionDenied;
            const json refused = ErrorBody(std::string(admitted.status().message()));
            co_await Respond(stream, denied ? 403 : 503, refused, false);
            co_return;
          }
          peer = *std::move(admitted);
          {
            std::lock_guard<std::mutex> lock(mu);
            std::erase_if(peers, [](const std::weak_ptr<RpcPeer>& w) { return w.expired(); });
            peers.push_back(peer);
          }
          upgrade = std::move(req);
          break;
        }
        const bool keep_alive = req->keep_alive();
        HttpResponse response = co_await Dispatch(std::move(principal), std::move(request));
        co_await Respond(stream, response.status, response.body, keep_alive);
        if (!keep_alive) co_return;
      }
    }
    co_await ServeWs(std::move(owned), std::move(upgrade), std::move(peer));
  }

  awaitable<void> ServeTls(std::unique_ptr<tcp::socket> socket) {
    auto owned = std::make_unique<TlsStream>(TcpStream(std::move(*socket)), *tls);
    TlsStream& stream = *owned;
    beast::error_code ec;
    {
      CloserGuard guard(this, [&stream] { beast::get_lowest_layer(stream).close(); });
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
      co_await stream.async_handshake(asio::ssl::stream_base::server,
                                      redirect_error(use_awaitable, ec));
    }
    if (ec) {
      std::lock_guard<std::mutex> lock(mu);
      ++tls_failures;
      co_return;
    }
    beast::get_lowest_layer(stream).expires_never();
    co_await Serve(std::move(owned));
  }

  awaitable<void> Accept() {
    while (true) {
      tcp::socket socket(ioc);
      beast::error_code ec;
      co_await acceptor.async_accept(socket, redirect_error(use_awaitable, ec));
      if (ec) co_return;
      // Small JSON-RPC frames both ways: no Nagle delay (with delayed ACKs it costs ~40 ms).
      socket.set_option(tcp::no_delay(true), ec);
      if (tls != nullptr) {
        asio::co_spawn(ioc, ServeTls(std::make_unique<tcp::socket>(std::move(socket))),
                       asio::detached);
      } else {
        asio::co_spawn(ioc, Serve(std::make_unique<TcpStream>(std::move(socket))), asio::detached);
      }
    }
  }
};

BackendServer::BackendServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BackendServer::~BackendServer() { Stop(); }

absl::StatusOr<std::unique_ptr<BackendServer>> BackendServer::Start(ServerOptions options,
                                                                    BackendHandler* handler) {
  auto impl = std::make_unique<Impl>();
  impl->handler = handler;
  if (options.cert_pem.empty() != options.key_pem.empty()) {
    return absl::InvalidArgumentError("tls: give both a certificate and a private key");
  }
  if (!options.cert_pem.empty()) {
    try {
      impl->tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
      impl->tls->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                             asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      impl->tls->use_certificate_chain(asio::buffer(options.cert_pem));
      impl->tls->use_private_key(asio::buffer(options.key_pem), asio::ssl::context::pem);
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(
          absl::StrCat("tls: unusable certificate or key: ", e.what()));
    }
  }
  try {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), options.port);
    impl->acceptor.open(endpoint.protocol());
    impl->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl->acceptor.bind(endpoint);
    impl->acceptor.listen();
    impl->port = impl->acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on 127.0.0.1:", options.port, ": ", e.what()));
  }
  impl->options = std::move(options);
  Impl* s = impl.get();
  asio::co_spawn(s->ioc, s->Accept(), asio::detached);
  s->thread = std::thread([s] {
    s->ioc.run();
    s->finished.set_value();
  });
  return std::unique_ptr<BackendServer>(new BackendServer(std::move(impl)));
}

void BackendServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  std::vector<std::weak_ptr<RpcPeer>> peers;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    peers = impl_->peers;
  }
  for (auto& weak : peers) {
    if (auto p = weak.lock()) p->MarkClosed();  // Wakes blocked calls; no more posts.
  }
  Impl* s = impl_.get();
  asio::post(s->ioc, [s] {
    s->stopping = true;
    beast::error_code ec;
    s->acceptor.close(ec);
    auto closers = s->closers;
    for (auto& [id, close] : closers) close();
  });
  s->pool.join();
  std::future<void> done = s->finished.get_future();
  if (done.wait_for(std::chrono::seconds(3)) != std::future_status::ready) s->ioc.stop();
  s->thread.join();
}

uint16_t BackendServer::port() const { return impl_->port; }

bool BackendServer::tls() const { return impl_->tls != nullptr; }

std::string BackendServer::base_uri() const {
  return absl::StrCat(tls() ? "https" : "http", "://127.0.0.1:", impl_->port, "/v1/");
}

int64_t BackendServer::unauthorized() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->unauthorized;
}

int64_t BackendServer::tls_failures() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->tls_failures;
}

}  // namespace recplat::renewal_sim
