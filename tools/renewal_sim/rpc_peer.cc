#include "tools/renewal_sim/rpc_peer.h"

#include <future>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "frontends/renewal_ws/jsonrpc_codec.h"

namespace recplat::renewal_sim {

using nlohmann::json;

RpcPeer::RpcPeer(std::string principal) : principal_(std::move(principal)) {}

void RpcPeer::CallAsync(const std::string& method, json params, Done done) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_ || send_ == nullptr) {
    lock.unlock();
    done(absl::UnavailableError("event stream closed"));
    return;
  }
  const int64_t id = next_id_++;
  pending_[id] = std::move(done);
  send_(renewal_ws::Serialize(renewal_ws::RequestMessage(id, method, std::move(params))));
}

absl::StatusOr<json> RpcPeer::Call(const std::string& method, json params, absl::Duration timeout) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<json>>>();
  std::future<absl::StatusOr<json>> future = promise->get_future();
  CallAsync(method, std::move(params),
            [promise](absl::StatusOr<json> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(absl::ToChronoNanoseconds(timeout)) != std::future_status::ready) {
    return absl::DeadlineExceededError("no response from the recsystem");
  }
  return future.get();
}

void RpcPeer::Notify(const std::string& method, json params) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_ && send_ != nullptr) {
    send_(renewal_ws::Serialize(renewal_ws::NotificationMessage(method, std::move(params))));
  }
}

void RpcPeer::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (close_ != nullptr) close_();
}

bool RpcPeer::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

bool RpcPeer::WaitClosed(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return closed_; });
}

std::vector<std::string> RpcPeer::unexpected_frames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unexpected_;
}

void RpcPeer::Attach(std::function<void(std::string)> send, std::function<void()> close) {
  std::lock_guard<std::mutex> lock(mu_);
  send_ = std::move(send);
  close_ = std::move(close);
}

void RpcPeer::OnFrame(const std::string& frame) {
  const json message = json::parse(frame, nullptr, /*allow_exceptions=*/false);
  Done done;
  absl::StatusOr<json> answer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const bool response = message.is_object() && message.contains("id") &&
                          message["id"].is_number_integer() &&
                          (message.contains("result") || message.contains("error"));
    if (!response) {
      unexpected_.push_back(frame);
      return;
    }
    auto it = pending_.find(message["id"].get<int64_t>());
    if (it == pending_.end()) return;  // Late (timed out) or unknown: dropped.
    done = std::move(it->second);
    pending_.erase(it);
    answer = message.contains("error") ? json{{"error", message["error"]}} : message["result"];
  }
  done(std::move(answer));
}

void RpcPeer::MarkClosed() {
  std::map<int64_t, Done> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    send_ = nullptr;
    close_ = nullptr;
    pending.swap(pending_);
    cv_.notify_all();
  }
  for (auto& [id, done] : pending) done(absl::UnavailableError("event stream closed"));
}

}  // namespace recplat::renewal_sim
