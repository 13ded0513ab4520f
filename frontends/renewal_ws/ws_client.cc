#include "frontends/renewal_ws/ws_client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <exception>
#include <future>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core/buffers_to_string.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/websocket.hpp"
#include "boost/beast/websocket/ssl.hpp"
#include "core/common/logging.h"
#include "core/common/random.h"
#include "frontends/renewal_ws/internal/transport.h"

namespace recplat::renewal_ws {
namespace {

namespace asio = internal::asio;
namespace beast = internal::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

// One connection attempt and, once upgraded, the connection. Lives on the I/O thread.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  // Queues a text frame (dropped once the connection is closing or gone).
  virtual void Send(std::string frame) = 0;
  // Aborts the attempt, or starts the closing handshake of an upgraded connection.
  virtual void Close() = 0;
};

template <typename Ws>
class Session final : public Connection {
 public:
  template <typename... Args>
  explicit Session(Args&&... args) : ws_(std::forward<Args>(args)...) {}

  Ws& ws() { return ws_; }
  void set_upgraded() { upgraded_ = true; }
  void set_gone() { open_ = false; }

  void Send(std::string frame) override {
    if (!open_ || closing_) return;
    queue_.push_back(std::move(frame));
    if (!writing_) {
      writing_ = true;
      asio::co_spawn(ws_.get_executor(), Drain(Self()), [](std::exception_ptr) {});
    }
  }

  void Close() override {
    if (closing_ || !open_) return;
    closing_ = true;
    if (!upgraded_) {
      beast::get_lowest_layer(ws_).close();
      return;
    }
    asio::co_spawn(ws_.get_executor(), CloseHandshake(Self()), [](std::exception_ptr) {});
  }

 private:
  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }

  static awaitable<void> Drain(std::shared_ptr<Session> self) {
    beast::error_code ec;
    while (!self->queue_.empty() && self->open_) {
      std::string frame = std::move(self->queue_.front());
      self->queue_.pop_front();
      self->ws_.text(true);
      co_await self->ws_.async_write(asio::buffer(frame), redirect_error(use_awaitable, ec));
      if (ec) {
        self->open_ = false;  // The read loop sees the same failure and ends the connection.
      }
    }
    self->queue_.clear();
    self->writing_ = false;
  }

  static awaitable<void> CloseHandshake(std::shared_ptr<Session> self) {
    beast::error_code ec;
    co_await self->ws_.async_close(websocket::close_code::normal,
                                   redirect_error(use_awaitable, ec));
    if (ec) beast::get_lowest_layer(self->ws_).close();
  }

  Ws ws_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool open_ = true;
  bool closing_ = false;
  bool upgraded_ = false;
};

using PlainWs = websocket::stream<internal::TcpStream>;
using TlsWs = websocket::stream<internal::TlsStream>;

}  // namespace

struct WsClient::Impl : std::enable_shared_from_this<Impl> {
  WsClientOptions options;
  Callbacks callbacks;
  internal::Endpoint endpoint;
  std::string url;
  std::shared_ptr<asio::ssl::context> tls;
  asio::io_context ioc;
  asio::steady_timer timer{ioc};
  std::thread thread;
  std::promise<void> finished;
  common::Rng rng{0};
  std::shared_ptr<Connection> current;  // I/O thread only
  std::atomic<bool> stopping{false};
  std::atomic<bool> connected{false};
  std::atomic<int64_t> connections{0};
  std::atomic<bool> stopped{false};

  // Posts `frame` to the connection's queue, if it is still there.
  SendFn MakeSend(std::weak_ptr<Connection> connection) {
    return [self = shared_from_this(), connection](std::string frame) {
      asio::post(self->ioc, [connection, frame = std::move(frame)]() mutable {
        if (auto c = connection.lock()) c->Send(std::move(frame));
      });
    };
  }

  asio::steady_timer::duration Backoff(int failures) {
    double seconds = absl::ToDoubleSeconds(options.reconnect_base) *
                     std::pow(2.0, std::min(std::max(failures - 1, 0), 30));
    seconds = std::min(seconds, absl::ToDoubleSeconds(options.reconnect_max));
    seconds += seconds * options.reconnect_jitter * rng.UniformDouble();
    return std::chrono::duration_cast<asio::steady_timer::duration>(
        std::chrono::duration<double>(seconds));
  }

  // One connection: returns whether the upgrade succeeded.
  template <typename Ws>
  awaitable<bool> RunSession(std::shared_ptr<Session<Ws>> session) {
    const auto timeout = absl::ToChronoNanoseconds(options.connect_timeout);
    Ws& ws = session->ws();
    auto& tcp = beast::get_lowest_layer(ws);
    beast::error_code ec = co_await internal::Connect(tcp, endpoint, timeout);
    if (!ec && !stopping) {
      if constexpr (std::is_same_v<Ws, TlsWs>) {
        ec = co_await internal::TlsHandshake(ws.next_layer(), endpoint,
                                             !options.insecure_skip_verify, timeout);
        if (ec) {
          RECPLAT_LOG(Warn, "renewal: TLS handshake with the backend failed",
                      {{"url", url}, {"error", ec.message()}});
          co_return false;
        }
      }
    }
    if (ec || stopping) {
      if (!stopping) {
        RECPLAT_LOG(Warn, "renewal: cannot connect to the backend",
                    {{"url", url}, {"error", ec.message()}});
      }
      co_return false;
    }
    tcp.expires_never();  // The WebSocket layer's own timeouts take over.
    websocket::stream_base::timeout limits{};
    limits.handshake_timeout = timeout;
    limits.idle_timeout = options.idle_timeout > absl::ZeroDuration()
                              ? absl::ToChronoNanoseconds(options.idle_timeout)
                              : websocket::stream_base::none();
    limits.keep_alive_pings = options.idle_timeout > absl::ZeroDuration();
    ws.set_option(limits);
    ws.set_option(websocket::stream_base::decorator(
        [token = options.token, agent = options.user_agent](websocket::request_type& req) {
          req.set(beast::http::field::authorization, absl::StrCat("Bearer ", token));
          req.set(beast::http::field::user_agent, agent);
        }));
    ws.read_message_max(options.max_message_bytes);
    websocket::response_type response;
    co_await ws.async_handshake(response, endpoint.HostHeader(),
                                internal::Target(endpoint, "event_stream"),
                                redirect_error(use_awaitable, ec));
    if (ec) {
      if (!stopping) {
        RECPLAT_LOG(Warn, "renewal: the backend refused the event stream",
                    {{"url", url}, {"status", response.result_int()}, {"error", ec.message()}});
      }
      co_return false;
    }
    session->set_upgraded();
    connected = true;
    ++connections;
    RECPLAT_LOG(Info, "renewal: connected to the backend", {{"url", url}});
    if (callbacks.on_connection) callbacks.on_connection(true);
    SendFn send = MakeSend(session);
    beast::flat_buffer buffer;
    while (true) {
      co_await ws.async_read(buffer, redirect_error(use_awaitable, ec));
      if (ec) break;
      if (ws.got_text()) {
        const std::string frame = beast::buffers_to_string(buffer.data());
        callbacks.on_frame(frame, send);
      }
      buffer.consume(buffer.size());
    }
    session->set_gone();
    connected = false;
    if (callbacks.on_connection) callbacks.on_connection(false);
    if (!stopping) {
      RECPLAT_LOG(Warn, "renewal: lost connection to the backend; trying to re-establish...",
                  {{"url", url}, {"error", ec.message()}});
    }
    co_return true;
  }

  // Runs until `stopping`. Captures no owner: Stop() joins the I/O thread before Impl goes.
  awaitable<void> Loop() {
    auto ex = co_await asio::this_coro::executor;
    int failures = 0;
    while (!stopping) {
      absl::Status synced = absl::OkStatus();
      if (callbacks.before_connect) {
        try {
          synced = callbacks.before_connect();
        } catch (const std::exception& e) {
          synced = absl::InternalError(e.what());
        }
      }
      bool upgraded = false;
      if (stopping) break;
      if (!synced.ok()) {
        RECPLAT_LOG(Warn, "renewal: sync with the backend failed", {{"error", synced.ToString()}});
      } else if (tls != nullptr) {
        auto session = std::make_shared<Session<TlsWs>>(ex, *tls);
        current = session;
        upgraded = co_await RunSession(session);
      } else {
        auto session = std::make_shared<Session<PlainWs>>(ex);
        current = session;
        upgraded = co_await RunSession(session);
      }
      current.reset();
      if (stopping) break;
      failures = upgraded ? 1 : failures + 1;
      timer.expires_after(Backoff(failures));
      beast::error_code ec;
      co_await timer.async_wait(redirect_error(use_awaitable, ec));
    }
  }
};

WsClient::WsClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

WsClient::~WsClient() { Stop(); }

absl::StatusOr<std::unique_ptr<WsClient>> WsClient::Start(WsClientOptions options,
                                                          Callbacks callbacks) {
  if (!callbacks.on_frame) return absl::InvalidArgumentError("ws client: on_frame is required");
  if (options.token.empty()) return absl::InvalidArgumentError("ws client: empty token");
  auto impl = std::make_shared<Impl>();
  absl::StatusOr<internal::Endpoint> endpoint = internal::ParseUri(options.api_base_uri);
  if (!endpoint.ok()) return endpoint.status();
  impl->endpoint = *std::move(endpoint);
  impl->url = internal::Url(impl->endpoint, "event_stream", /*websocket=*/true);
  if (impl->endpoint.tls) {
    auto tls = internal::MakeTlsContext({options.ca_file, options.insecure_skip_verify});
    if (!tls.ok()) return tls.status();
    impl->tls = *std::move(tls);
  }
  impl->rng.Seed(options.seed);
  impl->options = std::move(options);
  impl->callbacks = std::move(callbacks);
  asio::co_spawn(impl->ioc, impl->Loop(), [](std::exception_ptr e) {
    if (e) RECPLAT_LOG(Error, "renewal: the connection loop failed");
  });
  impl->thread = std::thread([impl = impl.get()] {
    try {
      impl->ioc.run();
    } catch (const std::exception& e) {
      RECPLAT_LOG(Error, "renewal: the I/O thread failed", {{"error", e.what()}});
    }
    impl->finished.set_value();
  });
  return std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
}

void WsClient::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->stopping = true;
  asio::post(impl_->ioc, [impl = impl_.get()] {
    impl->timer.cancel();
    if (impl->current != nullptr) impl->current->Close();
  });
  // The close handshake is bounded by the WebSocket timeout; this bounds everything else.
  std::future<void> done = impl_->finished.get_future();
  const auto grace =
      absl::ToChronoNanoseconds(impl_->options.connect_timeout) + std::chrono::seconds(1);
  if (done.wait_for(grace) != std::future_status::ready) impl_->ioc.stop();
  impl_->thread.join();
  // Frames posted later by SendFns still held elsewhere never run; ~io_context drops them.
}

bool WsClient::connected() const { return impl_->connected; }
int64_t WsClient::connections() const { return impl_->connections; }
const std::string& WsClient::url() const { return impl_->url; }

}  // namespace recplat::renewal_ws
