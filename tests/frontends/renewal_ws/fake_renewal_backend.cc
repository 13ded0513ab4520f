#include "tests/frontends/renewal_ws/fake_renewal_backend.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "boost/beast/websocket.hpp"
#include "boost/beast/websocket/ssl.hpp"
#include "frontends/renewal_ws/jsonrpc_codec.h"

namespace recplat::renewal_ws::renewal_test {
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

struct FakeRenewalBackend::Impl {
  FakeBackendOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::shared_ptr<asio::ssl::context> tls;
  std::thread thread;
  std::promise<void> finished;
  uint16_t port = 0;
  bool stopped = false;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<json> articles;
  json assignments = json::array();
  std::vector<std::string> rest_requests;
  int unauthorized = 0;
  int tls_failures = 0;
  std::deque<std::shared_ptr<FakeSession>> new_sessions;
  std::vector<std::weak_ptr<FakeSession>> all_sessions;

  // Closes each live connection's socket on Stop (I/O thread only).
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

  json Route(const std::string& target, unsigned* status) {
    std::vector<std::string> parts = absl::StrSplit(target, absl::MaxSplits('?', 1));
    std::map<std::string, std::string> query;
    if (parts.size() > 1) {
      for (absl::string_view kv : absl::StrSplit(parts[1], '&', absl::SkipEmpty())) {
        std::vector<std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
        query[p[0]] = p.size() > 1 ? p[1] : "";
      }
    }
    auto number = [&](const char* key, int64_t fallback) {
      int64_t v = fallback;
      if (auto it = query.find(key); it != query.end() && !absl::SimpleAtoi(it->second, &v)) {
        v = fallback;
      }
      return v;
    };
    std::lock_guard<std::mutex> lock(mu);
    rest_requests.push_back(target);
    *status = 200;
    if (parts[0] == "/v1/articles") {
      const int64_t limit = std::max<int64_t>(1, number("limit", 1000));
      const int64_t since = number("since_id", INT64_MIN);
      const int64_t max = number("max_id", INT64_MAX);
      std::vector<json> out;
      for (const json& a : articles) {
        const int64_t id = a.at("article_id").get<int64_t>();
        if (id > since && id < max) out.push_back(a);
      }
      std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
        return a.at("article_id").get<int64_t>() > b.at("article_id").get<int64_t>();
      });
      if (static_cast<int64_t>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
      return json(std::move(out));
    }
    if (parts[0] == "/v1/user_assignments") return assignments;
    if (parts[0] == "/v1" || parts[0] == "/v1/") return json{{"version", 1}};
    *status = 404;
    return json{{"error", "not found"}};
  }

  template <typename Stream>
  awaitable<void> Respond(Stream& stream, unsigned status, const json& body, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump();
    res.keep_alive(keep_alive);
    res.prepare_payload();
    beast::error_code ec;
    co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
  }

  template <typename Stream>
  awaitable<void> ServeWs(std::unique_ptr<Stream> stream,
                          std::unique_ptr<http::request<http::string_body>> req) {
    auto state = std::make_shared<WsState<Stream>>(std::move(*stream));
    CloserGuard guard(this, [state] { beast::get_lowest_layer(state->ws).close(); });
    beast::error_code ec;
    co_await state->ws.async_accept(*req, redirect_error(use_awaitable, ec));
    if (ec) co_return;
    auto session = std::make_shared<FakeSession>();
    std::weak_ptr<WsState<Stream>> weak = state;
    session->Attach([this, weak](std::string frame) {
      asio::post(ioc, [weak, frame = std::move(frame)]() mutable {
        if (auto s = weak.lock()) s->Send(std::move(frame));
      });
    });
    {
      std::lock_guard<std::mutex> lock(mu);
      new_sessions.push_back(session);
      all_sessions.push_back(session);
    }
    cv.notify_all();
    beast::flat_buffer buffer;
    while (true) {
      co_await state->ws.async_read(buffer, redirect_error(use_awaitable, ec));
      if (ec) break;
      session->OnFrame(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
    }
    session->MarkClosed();
  }

  template <typename Stream>
  awaitable<void> Serve(std::unique_ptr<Stream> owned) {
    Stream& stream = *owned;
    CloserGuard guard(this, [&stream] { beast::get_lowest_layer(stream).close(); });
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      beast::error_code ec;
      co_await http::async_read(stream, buffer, req, redirect_error(use_awaitable, ec));
      if (ec) co_return;
      const bool authorized = req[http::field::authorization] == "Bearer " + options.token;
      const std::string target(req.target());
      if (!authorized) {
        {
          std::lock_guard<std::mutex> lock(mu);
          ++unauthorized;
        }
        // Built outside the co_await: GCC 12 rejects a braced json of string literals inside
        // one ("array used as initializer").
        const json refused = {{"error", "unauthorized"}};
        co_await Respond(stream, 401, refused, false);
        co_return;
      }
      if (websocket::is_upgrade(req)) {
        if (target != "/v1/event_stream") {
          const json not_found = {{"error", "not found"}};
          co_await Respond(stream, 404, not_found, false);
          co_return;
        }
        co_await ServeWs(std::move(owned),
                         std::make_unique<http::request<http::string_body>>(std::move(req)));
        co_return;
      }
      unsigned status = 200;
      json body = Route(target, &status);
      co_await Respond(stream, status, body, req.keep_alive());
      if (!req.keep_alive()) co_return;
    }
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
      if (tls != nullptr) {
        asio::co_spawn(ioc, ServeTls(std::make_unique<tcp::socket>(std::move(socket))),
                       asio::detached);
      } else {
        asio::co_spawn(ioc, Serve(std::make_unique<TcpStream>(std::move(socket))), asio::detached);
      }
    }
  }
};

FakeRenewalBackend::FakeRenewalBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FakeRenewalBackend::~FakeRenewalBackend() { Stop(); }

absl::StatusOr<std::unique_ptr<FakeRenewalBackend>> FakeRenewalBackend::Start(
    FakeBackendOptions options) {
  auto impl = std::make_unique<Impl>();
  try {
    if (!options.cert_pem.empty()) {
      impl->tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
      impl->tls->use_certificate_chain(asio::buffer(options.cert_pem));
      impl->tls->use_private_key(asio::buffer(options.key_pem), asio::ssl::context::pem);
    }
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), options.port);
    impl->acceptor.open(endpoint.protocol());
    impl->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl->acceptor.bind(endpoint);
    impl->acceptor.listen();
    impl->port = impl->acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    return absl::UnavailableError(e.what());
  }
  impl->options = std::move(options);
  Impl* s = impl.get();
  asio::co_spawn(s->ioc, s->Accept(), asio::detached);
  s->thread = std::thread([s] {
    s->ioc.run();
    s->finished.set_value();
  });
  return std::unique_ptr<FakeRenewalBackend>(new FakeRenewalBackend(std::move(impl)));
}

void FakeRenewalBackend::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  std::vector<std::weak_ptr<FakeSession>> sessions;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    sessions = impl_->all_sessions;
  }
  for (auto& weak : sessions) {
    if (auto s = weak.lock()) s->MarkClosed();  // No more posts from the test thread.
  }
  Impl* s = impl_.get();
  asio::post(s->ioc, [s] {
    beast::error_code ec;
    s->acceptor.close(ec);
    auto closers = s->closers;
    for (auto& [id, close] : closers) close();
  });
  std::future<void> done = s->finished.get_future();
  if (done.wait_for(std::chrono::seconds(3)) != std::future_status::ready) s->ioc.stop();
  s->thread.join();
}

uint16_t FakeRenewalBackend::port() const { return impl_->port; }

std::string FakeRenewalBackend::base_uri() const {
  return std::string(impl_->tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->port) + "/v1/";
}

void FakeRenewalBackend::SetArticles(std::vector<json> articles) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->articles = std::move(articles);
}

void FakeRenewalBackend::AddArticle(json article) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->articles.push_back(std::move(article));
}

void FakeRenewalBackend::SetAssignments(json assignments) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->assignments = std::move(assignments);
}

std::vector<std::string> FakeRenewalBackend::rest_requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->rest_requests;
}

int FakeRenewalBackend::unauthorized() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->unauthorized;
}

int FakeRenewalBackend::tls_failures() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->tls_failures;
}

std::shared_ptr<FakeSession> FakeRenewalBackend::WaitForSession(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  if (!impl_->cv.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                          [&] { return !impl_->new_sessions.empty(); })) {
    return nullptr;
  }
  std::shared_ptr<FakeSession> session = impl_->new_sessions.front();
  impl_->new_sessions.pop_front();
  return session;
}

// FakeSession.

absl::StatusOr<json> FakeSession::Call(const std::string& method, json params,
                                       absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return absl::UnavailableError("session closed");
  const int64_t id = next_id_++;
  send_(Serialize(RequestMessage(id, method, std::move(params))));
  if (!cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                    [&] { return closed_ || responses_.contains(id); })) {
    return absl::DeadlineExceededError("no response");
  }
  auto it = responses_.find(id);
  if (it == responses_.end()) return absl::UnavailableError("session closed");
  json result = std::move(it->second);
  responses_.erase(it);
  return result;
}

void FakeSession::Notify(const std::string& method, json params) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_) send_(Serialize(NotificationMessage(method, std::move(params))));
}

bool FakeSession::WaitClosed(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return closed_; });
}

std::vector<std::string> FakeSession::unexpected_frames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unexpected_;
}

void FakeSession::Attach(std::function<void(std::string)> send) {
  std::lock_guard<std::mutex> lock(mu_);
  send_ = std::move(send);
}

void FakeSession::OnFrame(const std::string& frame) {
  json message = json::parse(frame, nullptr, /*allow_exceptions=*/false);
  std::lock_guard<std::mutex> lock(mu_);
  if (message.is_object() && message.contains("id") && message["id"].is_number_integer() &&
      (message.contains("result") || message.contains("error"))) {
    const int64_t id = message["id"].get<int64_t>();
    responses_[id] =
        message.contains("error") ? json{{"error", message["error"]}} : message["result"];
    cv_.notify_all();
    return;
  }
  unexpected_.push_back(frame);
}

void FakeSession::MarkClosed() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  send_ = nullptr;
  cv_.notify_all();
}

}  // namespace recplat::renewal_ws::renewal_test
