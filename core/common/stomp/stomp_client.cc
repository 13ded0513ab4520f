#include "core/common/stomp/stomp_client.h"

// Standard headers first: Boost 1.74's asio/awaitable.hpp uses std::exchange without
// including <utility>.
#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/connect.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "core/common/logging.h"
#include "core/common/stomp/internal/stomp_connection.h"

namespace recplat::stomp {

using internal::Connection;
using internal::ErrorCode;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct StompClient::Impl {
  StompOptions options;
  MessageHandler on_message;
  StateHandler on_state;
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> ssl;
  // I/O thread only.
  asio::steady_timer backoff{io};
  std::shared_ptr<Connection> conn;
  std::thread thread;

  absl::Mutex mu;
  std::deque<Frame> queue ABSL_GUARDED_BY(mu);
  // With options.receipts: SEND frames written and not confirmed yet, by receipt number, in
  // the order written.
  std::deque<std::pair<uint64_t, Frame>> unconfirmed ABSL_GUARDED_BY(mu);
  uint64_t next_receipt ABSL_GUARDED_BY(mu) = 1;
  bool stopping ABSL_GUARDED_BY(mu) = false;

  std::atomic<bool> is_connected{false};
  mutable absl::Mutex error_mu;
  std::string last_error ABSL_GUARDED_BY(error_mu);
  std::atomic<uint64_t> connects{0}, disconnects{0}, sent{0}, dropped{0}, messages{0}, errors{0},
      receipts{0}, resent{0};

  bool Stopping() {
    absl::MutexLock lock(&mu);
    return stopping;
  }
  // The next frame to send, with its receipt header when receipts are on (the frame then
  // stays in `unconfirmed` until its RECEIPT or the connection's loss).
  std::optional<Frame> PopQueued() {
    absl::MutexLock lock(&mu);
    if (queue.empty()) return std::nullopt;
    Frame f = std::move(queue.front());
    queue.pop_front();
    if (options.receipts) {
      const uint64_t n = next_receipt++;
      f.headers.emplace_back("receipt", absl::StrCat("p", n));
      unconfirmed.emplace_back(n, f);
    }
    return f;
  }
  // A RECEIPT for `receipt_id` ("p<n>"): forgets that frame. False when it names none.
  bool Confirm(absl::string_view receipt_id) {
    uint64_t n = 0;
    if (!absl::ConsumePrefix(&receipt_id, "p") || !absl::SimpleAtoi(receipt_id, &n)) return false;
    absl::MutexLock lock(&mu);
    auto it = std::find_if(unconfirmed.begin(), unconfirmed.end(),
                           [n](const auto& e) { return e.first == n; });
    if (it == unconfirmed.end()) return false;
    unconfirmed.erase(it);
    return true;
  }
  // After a lost connection: the unconfirmed frames go back to the front of the queue, in the
  // order they were written, without their receipt header (a new one is added when sent).
  void RequeueUnconfirmed() {
    absl::MutexLock lock(&mu);
    for (auto it = unconfirmed.rbegin(); it != unconfirmed.rend(); ++it) {
      Frame f = std::move(it->second);
      f.headers.pop_back();
      queue.push_front(std::move(f));
      ++resent;
    }
    unconfirmed.clear();
  }
  void SetState(bool up, const std::string& error) {
    is_connected = up;
    {
      absl::MutexLock lock(&error_mu);
      last_error = error;
    }
    if (on_state) {
      try {
        on_state(up, error);
      } catch (const std::exception& e) {
        RECPLAT_LOG(Warn, "stomp: the state handler threw", {{"error", e.what()}});
      }
    }
  }

  asio::awaitable<void> Run();
  asio::awaitable<absl::Status> Session(bool* reached_connected);
  asio::awaitable<absl::StatusOr<Frame>> ReadFrame(Connection& c, FrameParser& parser);
  asio::awaitable<void> Writer(std::shared_ptr<Connection> c, int64_t out_ms, int64_t in_ms);
  void Dispatch(Connection& c, const Frame& frame);
};

asio::awaitable<void> StompClient::Impl::Run() {
  int64_t delay = options.reconnect_base_ms;
  const std::string where = absl::StrCat(options.host, ":", options.port);
  while (!Stopping()) {
    bool reached = false;
    absl::Status s = co_await Session(&reached);
    if (conn != nullptr) conn->Close();
    conn = nullptr;
    ++disconnects;
    RequeueUnconfirmed();
    if (reached) delay = options.reconnect_base_ms;
    const std::string error = s.ok() ? "connection closed" : std::string(s.message());
    SetState(false, error);
    if (Stopping()) break;
    RECPLAT_LOG(Warn, "stomp: broker connection lost; reconnecting",
                {{"broker", where}, {"error", error}, {"delay_ms", delay}});
    ErrorCode ec;
    backoff.expires_after(milliseconds(delay));
    co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    delay = std::min(delay * 2, options.reconnect_max_ms);
  }
}

asio::awaitable<absl::StatusOr<Frame>> StompClient::Impl::ReadFrame(Connection& c,
                                                                    FrameParser& parser) {
  char chunk[16 * 1024];
  while (true) {
    absl::StatusOr<std::optional<Frame>> next = parser.Next();
    if (!next.ok())
      co_return absl::DataLossError(absl::StrCat("bad frame: ", next.status().message()));
    if (next->has_value()) co_return std::move(**next);
    ErrorCode ec;
    const size_t n = co_await c.ReadSome(asio::buffer(chunk), ec);
    if (ec) co_return absl::UnavailableError(absl::StrCat("read: ", ec.message()));
    c.last_read = Clock::now();
    parser.Feed(absl::string_view(chunk, n));
  }
}

asio::awaitable<absl::Status> StompClient::Impl::Session(bool* reached_connected) {
  auto c = std::make_shared<Connection>(io, *ssl, options.tls.enabled);
  conn = c;
  if (Stopping()) co_return absl::CancelledError("stopped");
  // Connect, handshake and CONNECTED within the timeout: the timer closes the socket.
  asio::steady_timer deadline(io);
  deadline.expires_after(milliseconds(options.connect_timeout_ms));
  deadline.async_wait([c](const ErrorCode& ec) {
    if (!ec) c->Close();
  });
  const std::string server_name =
      options.tls.server_name.empty() ? options.host : options.tls.server_name;
  if (absl::Status s = co_await c->Connect(options.host, options.port, server_name); !s.ok()) {
    co_return s;
  }
  Frame connect{
      "CONNECT",
      {{"accept-version", "1.2"},
       {"host", options.virtual_host.empty() ? options.host : options.virtual_host},
       {"heart-beat", absl::StrCat(options.heartbeat_send_ms, ",", options.heartbeat_receive_ms)}},
      ""};
  if (!options.login.empty()) connect.headers.emplace_back("login", options.login);
  if (!options.passcode.empty()) connect.headers.emplace_back("passcode", options.passcode);
  ErrorCode ec;
  co_await c->Write(EncodeFrame(connect), ec);
  if (ec) co_return absl::UnavailableError(absl::StrCat("write CONNECT: ", ec.message()));
  FrameParser parser(options.limits);
  absl::StatusOr<Frame> first = co_await ReadFrame(*c, parser);
  if (!first.ok()) co_return first.status();
  if (first->command == "ERROR") {
    ++errors;
    co_return absl::PermissionDeniedError(
        absl::StrCat("broker ERROR on CONNECT: ", first->Header("message").value_or(""),
                     first->body.empty() ? "" : ": ", first->body.substr(0, 512)));
  }
  if (first->command != "CONNECTED") {
    co_return absl::DataLossError(absl::StrCat("expected CONNECTED, got ", first->command));
  }
  deadline.cancel();
  // Heart-beats: each side's interval is the larger of what one offers and the other wants.
  int64_t sx = 0, sy = 0;
  if (auto hb = first->Header("heart-beat"); hb.has_value()) {
    std::vector<std::string> parts = absl::StrSplit(*hb, ',');
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &sx) || !absl::SimpleAtoi(parts[1], &sy) ||
        sx < 0 || sy < 0) {
      co_return absl::DataLossError(absl::StrCat("bad heart-beat header: ", *hb));
    }
  }
  const int64_t out_ms =
      options.heartbeat_send_ms == 0 || sy == 0 ? 0 : std::max(options.heartbeat_send_ms, sy);
  const int64_t in_ms =
      options.heartbeat_receive_ms == 0 || sx == 0 ? 0 : std::max(options.heartbeat_receive_ms, sx);
  if (!options.subscription.empty()) {
    Frame sub{"SUBSCRIBE",
              {{"id", "0"}, {"destination", options.subscription}, {"ack", options.ack}},
              ""};
    co_await c->Write(EncodeFrame(sub), ec);
    if (ec) co_return absl::UnavailableError(absl::StrCat("write SUBSCRIBE: ", ec.message()));
  }
  *reached_connected = true;
  ++connects;
  RECPLAT_LOG(Info, "stomp: connected",
              {{"broker", absl::StrCat(options.host, ":", options.port)},
               {"heartbeat_out_ms", out_ms},
               {"heartbeat_in_ms", in_ms}});
  SetState(true, "");
  c->last_read = Clock::now();
  asio::co_spawn(io, Writer(c, out_ms, in_ms), asio::detached);
  absl::Status end;
  while (!c->closed) {
    absl::StatusOr<Frame> frame = co_await ReadFrame(*c, parser);
    if (!frame.ok()) {
      end = c->error.ok() ? frame.status() : c->error;
      break;
    }
    if (frame->command == "ERROR") {
      ++errors;
      end = absl::FailedPreconditionError(
          absl::StrCat("broker ERROR: ", frame->Header("message").value_or(""),
                       frame->body.empty() ? "" : ": ", frame->body.substr(0, 512)));
      RECPLAT_LOG(Error, "stomp: ERROR frame from the broker", {{"error", end.message()}});
      break;
    }
    Dispatch(*c, *frame);
  }
  c->Close();
  co_return end;
}

void StompClient::Impl::Dispatch(Connection& c, const Frame& frame) {
  if (frame.command == "RECEIPT") {
    ++receipts;
    const std::optional<std::string> id = frame.Header("receipt-id");
    if (!id.has_value() || !Confirm(*id)) {
      RECPLAT_LOG(Warn, "stomp: RECEIPT for no frame sent", {{"receipt_id", id.value_or("")}});
    }
    return;
  }
  if (frame.command != "MESSAGE") {
    RECPLAT_LOG(Warn, "stomp: ignoring a frame from the broker", {{"command", frame.command}});
    return;
  }
  ++messages;
  try {
    if (on_message) on_message(frame);
  } catch (const std::exception& e) {
    RECPLAT_LOG(Error, "stomp: the message handler threw", {{"error", e.what()}});
  }
  if (options.ack == "client-individual") {
    if (auto id = frame.Header("ack"); id.has_value()) {
      c.control.push_back(EncodeFrame(Frame{"ACK", {{"id", *id}}, ""}));
      c.wake.cancel();
    }
  }
}

asio::awaitable<void> StompClient::Impl::Writer(std::shared_ptr<Connection> c, int64_t out_ms,
                                                int64_t in_ms) {
  Clock::time_point last_write = Clock::now();
  ErrorCode ec;
  while (!c->closed) {
    std::optional<std::string> bytes;
    bool is_send = false;
    if (!c->control.empty()) {
      bytes = std::move(c->control.front());
      c->control.pop_front();
    } else if (std::optional<Frame> f = PopQueued(); f.has_value()) {
      bytes = EncodeFrame(*f);
      is_send = true;
    }
    const Clock::time_point now = Clock::now();
    if (!bytes.has_value() && out_ms > 0 && now - last_write >= milliseconds(out_ms)) {
      bytes = std::string("\n");
    }
    if (bytes.has_value()) {
      co_await c->Write(*bytes, ec);
      if (ec) {
        c->error = absl::UnavailableError(absl::StrCat("write: ", ec.message()));
        c->Close();
        co_return;
      }
      if (is_send) ++sent;
      last_write = Clock::now();
      continue;
    }
    if (in_ms > 0 && now - c->last_read > milliseconds(2 * in_ms)) {
      c->error = absl::DeadlineExceededError(
          absl::StrCat("no heart-beat from the broker for ", 2 * in_ms, " ms"));
      c->Close();
      co_return;
    }
    Clock::time_point next = now + milliseconds(1000);
    if (out_ms > 0) next = std::min(next, last_write + milliseconds(out_ms));
    if (in_ms > 0) next = std::min(next, c->last_read + milliseconds(2 * in_ms) + milliseconds(1));
    c->wake.expires_at(next);
    co_await c->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

absl::StatusOr<std::unique_ptr<StompClient>> StompClient::Start(StompOptions options,
                                                                MessageHandler on_message,
                                                                StateHandler on_state) {
  if (options.host.empty()) return absl::InvalidArgumentError("stomp: empty host");
  if (options.port == 0) return absl::InvalidArgumentError("stomp: port 0");
  if (options.ack != "auto" && options.ack != "client-individual") {
    return absl::InvalidArgumentError(
        absl::StrCat("stomp: ack must be auto or client-individual, got '", options.ack, "'"));
  }
  if (options.reconnect_base_ms <= 0 || options.reconnect_max_ms < options.reconnect_base_ms ||
      options.heartbeat_send_ms < 0 || options.heartbeat_receive_ms < 0 ||
      options.connect_timeout_ms <= 0 || options.max_queue == 0) {
    return absl::InvalidArgumentError("stomp: bad timing or queue options");
  }
  auto impl = std::make_unique<Impl>();
  absl::StatusOr<std::unique_ptr<asio::ssl::context>> ssl =
      internal::MakeClientContext(options.tls);
  if (!ssl.ok()) return ssl.status();
  impl->ssl = *std::move(ssl);
  impl->options = std::move(options);
  impl->on_message = std::move(on_message);
  impl->on_state = std::move(on_state);
  Impl* raw = impl.get();
  // When the run loop ends (Stop), stop the context: pending waits are abandoned.
  asio::co_spawn(raw->io, raw->Run(), [raw](std::exception_ptr) { raw->io.stop(); });
  raw->thread = std::thread([raw] {
    try {
      raw->io.run();
    } catch (const std::exception& e) {
      RECPLAT_LOG(Error, "stomp: the I/O thread stopped", {{"error", e.what()}});
    }
  });
  return std::unique_ptr<StompClient>(new StompClient(std::move(impl)));
}

StompClient::StompClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StompClient::~StompClient() { Stop(); }

bool StompClient::Publish(std::string destination, std::string body, std::string content_type) {
  Impl* s = impl_.get();
  {
    absl::MutexLock lock(&s->mu);
    if (s->stopping || s->queue.size() + s->unconfirmed.size() >= s->options.max_queue) {
      ++s->dropped;
      return false;
    }
    const std::string length = absl::StrCat(body.size());
    s->queue.push_back(Frame{"SEND",
                             {{"destination", std::move(destination)},
                              {"content-type", std::move(content_type)},
                              {"content-length", length}},
                             std::move(body)});
  }
  asio::post(s->io, [s] {
    if (s->conn != nullptr) s->conn->wake.cancel();
  });
  return true;
}

bool StompClient::connected() const { return impl_->is_connected; }

std::string StompClient::last_error() const {
  absl::MutexLock lock(&impl_->error_mu);
  return impl_->last_error;
}

StompStats StompClient::stats() const {
  Impl& s = *impl_;
  uint64_t unconfirmed = 0;
  {
    absl::MutexLock lock(&s.mu);
    unconfirmed = s.unconfirmed.size();
  }
  return StompStats{s.connects, s.disconnects, s.sent,   s.dropped,  s.messages,
                    s.errors,   s.receipts,    s.resent, unconfirmed};
}

void StompClient::Stop() {
  Impl* s = impl_.get();
  {
    absl::MutexLock lock(&s->mu);
    if (s->stopping && !s->thread.joinable()) return;
    s->stopping = true;
  }
  asio::post(s->io, [s] {
    s->backoff.cancel();
    if (s->conn != nullptr) s->conn->Close();
  });
  if (s->thread.joinable()) s->thread.join();
  s->is_connected = false;
}

}  // namespace recplat::stomp
