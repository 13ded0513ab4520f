#include "tests/tools/renewal_sim/scripted_recsystem.h"

// Standard headers first: Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
#include <map>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/websocket.hpp"

namespace recplat::renewal_sim::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using nlohmann::json;

struct ScriptedRecsystem::Impl {
  RecommendFn recommend;
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  std::thread thread;
  bool joined = false;

  mutable std::mutex mu;
  bool closed = false;
  std::vector<std::pair<std::string, json>> notifications;
  std::vector<std::pair<std::string, json>> requests;

  // The reply to one frame ("" for none).
  std::string Handle(const std::string& frame) {
    const json message = json::parse(frame, nullptr, /*allow_exceptions=*/false);
    if (!message.is_object() || !message.contains("method")) return "";
    const std::string method = message.value("method", "");
    const json params = message.value("params", json());
    if (!message.contains("id")) {
      std::lock_guard<std::mutex> lock(mu);
      notifications.emplace_back(method, params);
      return "";
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      requests.emplace_back(method, params);
    }
    json result = nullptr;
    if (method == "ping") result = "pong";
    if (method == "recommend" && recommend) result = recommend(params);
    return json{{"jsonrpc", "2.0"}, {"result", result}, {"id", message["id"]}}.dump();
  }

  asio::awaitable<void> Loop() {
    beast::error_code ec;
    beast::flat_buffer buffer;
    while (true) {
      co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      const std::string reply = Handle(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      if (reply.empty()) continue;
      ws.text(true);
      co_await ws.async_write(asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    std::lock_guard<std::mutex> lock(mu);
    closed = true;
  }

  std::vector<json> Params(const std::vector<std::pair<std::string, json>>& all,
                           const std::string& method) const {
    std::vector<json> out;
    for (const auto& [m, p] : all) {
      if (m == method) out.push_back(p);
    }
    return out;
  }
};

absl::StatusOr<std::unique_ptr<ScriptedRecsystem>> ScriptedRecsystem::Connect(
    uint16_t port, const std::string& token, RecommendFn recommend) {
  auto impl = std::make_unique<Impl>();
  impl->recommend = std::move(recommend);
  beast::error_code ec;
  beast::get_lowest_layer(impl->ws).expires_after(std::chrono::seconds(5));
  beast::get_lowest_layer(impl->ws).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
  beast::get_lowest_layer(impl->ws).socket().set_option(asio::ip::tcp::no_delay(true), ec);
  impl->ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& req) {
    req.set(http::field::authorization, "Bearer " + token);
  }));
  impl->ws.handshake(absl::StrCat("127.0.0.1:", port), "/v1/event_stream", ec);
  if (ec == websocket::error::upgrade_declined) {
    return absl::PermissionDeniedError("upgrade declined");
  }
  if (ec) return absl::UnavailableError(absl::StrCat("handshake: ", ec.message()));
  beast::get_lowest_layer(impl->ws).expires_never();
  Impl* s = impl.get();
  asio::co_spawn(s->ioc, s->Loop(), asio::detached);
  s->thread = std::thread([s] { s->ioc.run(); });
  return std::unique_ptr<ScriptedRecsystem>(new ScriptedRecsystem(std::move(impl)));
}

ScriptedRecsystem::ScriptedRecsystem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScriptedRecsystem::~ScriptedRecsystem() { Close(); }

void ScriptedRecsystem::Close() {
  if (impl_->joined) return;
  impl_->joined = true;
  Impl* s = impl_.get();
  asio::post(s->ioc, [s] { beast::get_lowest_layer(s->ws).close(); });
  s->thread.join();
}

bool ScriptedRecsystem::closed() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->closed;
}

std::vector<json> ScriptedRecsystem::Notifications(const std::string& method) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Params(impl_->notifications, method);
}

std::vector<json> ScriptedRecsystem::Requests(const std::string& method) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Params(impl_->requests, method);
}

std::vector<std::string> ScriptedRecsystem::RequestMethods() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [m, p] : impl_->requests) out.push_back(m);
  return out;
}

bool ScriptedRecsystem::WaitUntil(const std::function<bool()>& done, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return done();
}

}  // namespace recplat::renewal_sim::testing
