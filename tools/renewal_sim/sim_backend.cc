#include "tools/renewal_sim/sim_backend.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/websocket.hpp"
#include "frontends/renewal_ws/jsonrpc_codec.h"
#include "tools/renewal_sim/jwt.h"

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

constexpr char kDuplicate[] =
    "multiple simultaneous connections from the same recsystem are not currently allowed";

// Built outside co_await expressions: GCC 12 rejects a braced json of string literals inside
// one ("array used as initializer").
json ErrorBody(const char* message) { return json{{"error", message}}; }
json Version() { return json{{"version", 1}}; }

// The server side of one event stream: the WebSocket and its write queue (I/O thread only).
struct WsState : std::enable_shared_from_this<WsState> {
  explicit WsState(beast::tcp_stream stream) : ws(std::move(stream)) {}

  void Send(std::string frame) {
    queue.push_back(std::move(frame));
    if (writing) return;
    writing = true;
    asio::co_spawn(ws.get_executor(), Drain(shared_from_this()), asio::detached);
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

  websocket::stream<beast::tcp_stream> ws;
  std::deque<std::string> queue;
  bool writing = false;
};

// One recsystem's event stream, seen from the backend (JSON-RPC client side).
class Session {
 public:
  explicit Session(std::string sub) : sub_(std::move(sub)) {}

  const std::string& sub() const { return sub_; }

  void Attach(std::function<void(std::string)> send, std::function<void()> close) {
    std::lock_guard<std::mutex> lock(mu_);
    send_ = std::move(send);
    close_ = std::move(close);
  }

  // Sends a request; `done` gets the result, or {"error": ...} (also when the connection goes).
  void CallAsync(const std::string& method, json params, std::function<void(json)> done) {
    std::unique_lock<std::mutex> lock(mu_);
    if (closed_) {
      lock.unlock();
      done(json{{"error", "closed"}});
      return;
    }
    const int64_t id = next_id_++;
    pending_[id] = std::move(done);
    send_(renewal_ws::Serialize(renewal_ws::RequestMessage(id, method, std::move(params))));
  }

  // Blocking request: the result or {"error": ...}; {"error": "timeout"} after `timeout`.
  json Call(const std::string& method, json params, absl::Duration timeout) {
    auto promise = std::make_shared<std::promise<json>>();
    std::future<json> future = promise->get_future();
    CallAsync(method, std::move(params), [promise](json r) { promise->set_value(std::move(r)); });
    if (future.wait_for(absl::ToChronoNanoseconds(timeout)) != std::future_status::ready) {
      return json{{"error", "timeout"}};
    }
    return future.get();
  }

  void Notify(const std::string& method, json params) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      send_(renewal_ws::Serialize(renewal_ws::NotificationMessage(method, std::move(params))));
    }
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    if (close_) close_();
  }

  void OnFrame(const std::string& frame) {
    const json message = json::parse(frame, nullptr, /*allow_exceptions=*/false);
    if (!message.is_object() || !message.contains("id") || !message["id"].is_number_integer()) {
      return;  // Malformed or id-less: ignored, like the real backend.
    }
    std::function<void(json)> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(message["id"].get<int64_t>());
      if (it == pending_.end()) return;
      done = std::move(it->second);
      pending_.erase(it);
    }
    done(message.contains("error") ? json{{"error", message["error"]}}
                                   : message.value("result", json()));
  }

  void MarkClosed() {
    std::map<int64_t, std::function<void(json)>> pending;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      send_ = nullptr;
      close_ = nullptr;
      pending.swap(pending_);
    }
    for (auto& [id, done] : pending) done(json{{"error", "closed"}});
  }

  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

 private:
  const std::string sub_;
  mutable std::mutex mu_;
  std::function<void(std::string)> send_;
  std::function<void()> close_;
  bool closed_ = false;
  int64_t next_id_ = 1;
  std::map<int64_t, std::function<void(json)>> pending_;
};

}  // namespace

struct SimBackend::Impl {
  SimOptions options;
  MindData data;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::promise<void> finished;
  uint16_t port = 0;
  bool stopped = false;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  size_t released = 0;
  // Live event streams by sub (registered before the upgrade), and which answered the ping.
  std::map<std::string, std::shared_ptr<Session>> sessions;
  std::map<std::string, bool> greeted;
  std::map<std::string, RecsystemStats> stats;
  int64_t unauthorized = 0;
  int64_t duplicates = 0;

  std::mutex step_mu;
  std::mt19937_64 rng;

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
    std::string path = parts[0];
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    std::lock_guard<std::mutex> lock(mu);
    *status = 200;
    if (path == "/v1/articles") {
      const int64_t limit = std::max<int64_t>(1, number("limit", 1000));
      const int64_t since = number("since_id", INT64_MIN);
      const int64_t max = number("max_id", INT64_MAX);
      json out = json::array();
      for (size_t i = released; i > 0 && static_cast<int64_t>(out.size()) < limit; --i) {
        const int64_t id = data.articles[i - 1].article_id;
        if (id > since && id < max) out.push_back(data.articles[i - 1].doc);
      }
      return out;
    }
    if (absl::StartsWith(path, "/v1/articles/")) {
      int64_t id = 0;
      if (absl::SimpleAtoi(path.substr(13), &id) && id >= 1 &&
          id <= static_cast<int64_t>(released)) {
        return data.articles[static_cast<size_t>(id - 1)].doc;
      }
      *status = 404;
      return json{{"error", "article not found"}};
    }
    if (path == "/v1/user_assignments") {
      json out = json::array();
      for (const SimUser& u : data.users) {
        out.push_back(json{{"user_id", u.user_id}, {"interactions", json::array()}});
      }
      return out;
    }
    *status = 404;
    return json{{"error", "not found"}};
  }

  awaitable<void> Respond(beast::tcp_stream& stream, unsigned status, json body,
                          bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump();
    res.keep_alive(keep_alive);
    res.prepare_payload();
    beast::error_code ec;
    co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
  }

  void Greet(const std::shared_ptr<Session>& session) {
    std::weak_ptr<Session> weak = session;
    session->CallAsync("ping", nullptr, [this, weak](json result) {
      auto s = weak.lock();
      if (s == nullptr) return;
      if (result != "pong") {
        s->Close();
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        auto it = sessions.find(s->sub());
        if (it != sessions.end() && it->second == s) greeted[s->sub()] = true;
      }
      cv.notify_all();
    });
  }

  awaitable<void> ServeWs(std::unique_ptr<beast::tcp_stream> stream,
                          std::unique_ptr<http::request<http::string_body>> req,
                          std::shared_ptr<Session> session) {
    auto state = std::make_shared<WsState>(std::move(*stream));
    CloserGuard guard(this, [state] { beast::get_lowest_layer(state->ws).close(); });
    beast::error_code ec;
    co_await state->ws.async_accept(*req, redirect_error(use_awaitable, ec));
    if (!ec) {
      std::weak_ptr<WsState> weak = state;
      session->Attach(
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
      Greet(session);
      beast::flat_buffer buffer;
      while (true) {
        co_await state->ws.async_read(buffer, redirect_error(use_awaitable, ec));
        if (ec) break;
        session->OnFrame(beast::buffers_to_string(buffer.data()));
        buffer.consume(buffer.size());
      }
    }
    session->MarkClosed();
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = sessions.find(session->sub());
      if (it != sessions.end() && it->second == session) {
        sessions.erase(it);
        greeted.erase(session->sub());
      }
    }
    cv.notify_all();
  }

  awaitable<void> Serve(std::unique_ptr<beast::tcp_stream> owned) {
    beast::tcp_stream& stream = *owned;
    CloserGuard guard(this, [&stream] { stream.close(); });
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      beast::error_code ec;
      co_await http::async_read(stream, buffer, req, redirect_error(use_awaitable, ec));
      if (ec) co_return;
      const std::string target(req.target());
      if (target == "/v1" || target == "/v1/") {
        const json version = Version();
        co_await Respond(stream, 200, version, req.keep_alive());
        if (!req.keep_alive()) co_return;
        continue;
      }
      const std::string auth(req[http::field::authorization]);
      absl::StatusOr<json> claims = absl::UnauthenticatedError("jwt: no bearer token");
      if (absl::StartsWith(auth, "Bearer ")) {
        claims = VerifyHs256(auth.substr(7), options.secret, absl::Now());
      }
      if (!claims.ok()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          ++unauthorized;
        }
        const json refused = ErrorBody("unauthorized");
        co_await Respond(stream, 401, refused, false);
        co_return;
      }
      if (websocket::is_upgrade(req)) {
        if (target != "/v1/event_stream") {
          const json not_found = ErrorBody("not found");
          co_await Respond(stream, 404, not_found, false);
          co_return;
        }
        const std::string sub = (*claims)["sub"].get<std::string>();
        std::shared_ptr<Session> session;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!sessions.contains(sub)) {
            session = std::make_shared<Session>(sub);
            sessions[sub] = session;
          } else {
            ++duplicates;
          }
        }
        if (session == nullptr) {
          const json duplicate = ErrorBody(kDuplicate);
          co_await Respond(stream, 403, duplicate, false);
          co_return;
        }
        co_await ServeWs(std::move(owned),
                         std::make_unique<http::request<http::string_body>>(std::move(req)),
                         std::move(session));
        co_return;
      }
      unsigned status = 200;
      json body = Route(target, &status);
      co_await Respond(stream, status, std::move(body), req.keep_alive());
      if (!req.keep_alive()) co_return;
    }
  }

  awaitable<void> Accept() {
    while (true) {
      tcp::socket socket(ioc);
      beast::error_code ec;
      co_await acceptor.async_accept(socket, redirect_error(use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(ioc, Serve(std::make_unique<beast::tcp_stream>(std::move(socket))),
                     asio::detached);
    }
  }

  std::vector<std::shared_ptr<Session>> GreetedSessions() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::shared_ptr<Session>> out;
    for (const auto& [sub, ok] : greeted) {
      if (auto it = sessions.find(sub); ok && it != sessions.end()) out.push_back(it->second);
    }
    return out;
  }

  double Affinity(const SimUser& user, const std::string& category) const {
    auto it = user.affinity.find(category);
    return it == user.affinity.end() ? 0.0 : it->second;
  }
};

SimBackend::SimBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SimBackend::~SimBackend() { Stop(); }

absl::StatusOr<std::unique_ptr<SimBackend>> SimBackend::Start(SimOptions options,
                                                              MindData data) {
  auto impl = std::make_unique<Impl>();
  try {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), options.port);
    impl->acceptor.open(endpoint.protocol());
    impl->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl->acceptor.bind(endpoint);
    impl->acceptor.listen();
    impl->port = impl->acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    return absl::UnavailableError(e.what());
  }
  impl->released = std::min(options.initial_articles, data.articles.size());
  impl->rng.seed(options.seed);
  impl->options = std::move(options);
  impl->data = std::move(data);
  Impl* s = impl.get();
  asio::co_spawn(s->ioc, s->Accept(), asio::detached);
  s->thread = std::thread([s] {
    s->ioc.run();
    s->finished.set_value();
  });
  return std::unique_ptr<SimBackend>(new SimBackend(std::move(impl)));
}

void SimBackend::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& [sub, s] : impl_->sessions) sessions.push_back(s);
  }
  for (auto& s : sessions) s->MarkClosed();  // No more posts from other threads.
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

uint16_t SimBackend::port() const { return impl_->port; }

std::string SimBackend::base_uri() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/v1/";
}

std::string SimBackend::TokenFor(const std::string& sub) const {
  return RecsystemToken(sub, impl_->options.secret, absl::Now());
}

size_t SimBackend::ReleaseArticles(size_t n) {
  std::vector<json> fresh;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    const size_t end = std::min(impl_->released + n, impl_->data.articles.size());
    for (size_t i = impl_->released; i < end; ++i) fresh.push_back(impl_->data.articles[i].doc);
    impl_->released = end;
  }
  for (const auto& session : impl_->GreetedSessions()) {
    for (const json& article : fresh) session->Notify("new_article", {{"article", article}});
  }
  return fresh.size();
}

size_t SimBackend::released_articles() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->released;
}

std::vector<std::string> SimBackend::greeted() const {
  std::vector<std::string> out;
  for (const auto& s : impl_->GreetedSessions()) out.push_back(s->sub());
  return out;
}

bool SimBackend::WaitForGreeted(size_t n, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->cv.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] {
    size_t count = 0;
    for (const auto& [sub, ok] : impl_->greeted) count += ok ? 1 : 0;
    return count >= n;
  });
}

void SimBackend::Step() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> step_lock(s.step_mu);
  const std::vector<std::shared_ptr<Session>> sessions = s.GreetedSessions();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (const SimUser& user : s.data.users) {
    for (const auto& session : sessions) {
      const json result =
          session->Call("recommend", {{"user_id", user.user_id}, {"limit", s.options.recommend_limit}},
                        s.options.call_timeout);
      size_t released;
      {
        std::lock_guard<std::mutex> lock(s.mu);
        released = s.released;
      }
      std::vector<const MindArticle*> shown;
      if (result.is_array()) {
        for (const json& id : result) {
          if (!id.is_number_integer()) continue;
          const int64_t v = id.get<int64_t>();
          if (v >= 1 && v <= static_cast<int64_t>(released)) {
            shown.push_back(&s.data.articles[static_cast<size_t>(v - 1)]);
          }
        }
      }
      for (const MindArticle* a : shown) {
        session->Notify("article_interaction",
                        {{"interaction",
                          {{"user_id", user.user_id}, {"article_id", a->article_id},
                           {"recommended", true}}}});
      }
      // The user looks at the list, picks one in proportion to its appeal, and clicks it with
      // that appeal as probability.
      bool clicked = false;
      if (!shown.empty()) {
        std::vector<double> appeal;
        for (const MindArticle* a : shown) {
          appeal.push_back(s.options.click_base + s.options.click_gain * s.Affinity(user, a->category));
        }
        std::discrete_distribution<size_t> pick(appeal.begin(), appeal.end());
        const size_t i = pick(s.rng);
        if (unit(s.rng) < appeal[i]) {
          clicked = true;
          session->Notify("article_interaction",
                          {{"interaction",
                            {{"user_id", user.user_id}, {"article_id", shown[i]->article_id},
                             {"clicked", true}}}});
        }
      }
      std::lock_guard<std::mutex> lock(s.mu);
      RecsystemStats& st = s.stats[session->sub()];
      ++st.recommend_calls;
      if (!result.is_array()) ++st.failed_calls;
      st.recommended += static_cast<int64_t>(shown.size());
      st.clicks += clicked ? 1 : 0;
    }
  }
}

std::map<std::string, RecsystemStats> SimBackend::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

int64_t SimBackend::unauthorized() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->unauthorized;
}

int64_t SimBackend::duplicates_refused() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->duplicates;
}

}  // namespace recplat::renewal_sim
