#include "frontends/renewal_ws/jsonrpc_dispatcher.h"

#include <exception>
#include <optional>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;

// The reply to one frame: one slot per message that must be answered, filled as the messages
// complete (in any order, on any thread). When the last slot is filled the reply is sent: a
// single object, or an array in batch order.
class PendingReply {
 public:
  PendingReply(bool batch, size_t slots, SendFn send)
      : batch_(batch),
        slots_(slots),
        filled_(slots, false),
        missing_(slots),
        send_(std::move(send)) {}

  // Fills `slot` once; later fills of the same slot are ignored (an executor that throws after
  // running a task must not make a batch reply twice).
  void Fill(size_t slot, json response) {
    json reply;
    {
      absl::MutexLock lock(&mu_);
      if (slot >= slots_.size() || filled_[slot]) {
        return;
      }
      slots_[slot] = std::move(response);
      filled_[slot] = true;
      if (--missing_ > 0) {
        return;
      }
      reply = batch_ ? json(std::move(slots_)) : std::move(slots_.front());
    }
    try {
      send_(Serialize(reply));
    } catch (...) {
      // The transport broke its contract; the connection is its problem, not the pool's.
    }
  }

 private:
  const bool batch_;
  absl::Mutex mu_;
  std::vector<json> slots_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> filled_ ABSL_GUARDED_BY(mu_);
  size_t missing_ ABSL_GUARDED_BY(mu_);
  const SendFn send_;
};

// Binds the params and runs the handler; never throws.
absl::StatusOr<json> Invoke(const std::vector<std::string>& param_names,
                            const MethodHandler& handler, const json& params) {
  absl::StatusOr<json> bound = BindParams(params, param_names);
  if (!bound.ok()) {
    return bound.status();
  }
  try {
    return handler(*bound);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("handler threw: ", e.what()));
  } catch (...) {
    return absl::InternalError("handler threw a non-standard exception");
  }
}

json ResponseFor(const json& id, const absl::StatusOr<json>& result) {
  return result.ok() ? ResultResponse(id, *result)
                     : ErrorResponse(id, ErrorFromStatus(result.status()));
}

void Observe(const CallObserver& observer, std::string_view method, const absl::Status& status,
             absl::Duration elapsed = absl::ZeroDuration()) {
  if (!observer) {
    return;
  }
  try {
    observer(method, status, elapsed);
  } catch (...) {
    // Observers must not throw; a broken one must not break the reply.
  }
}

bool NeedsReply(const Message& message) {
  if (const auto* request = std::get_if<Request>(&message)) {
    return !request->is_notification();
  }
  return std::holds_alternative<InvalidMessage>(message);
}

}  // namespace

JsonRpcDispatcher::JsonRpcDispatcher(Executor executor, DispatcherOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

absl::Status JsonRpcDispatcher::Register(std::string name, std::vector<std::string> param_names,
                                         MethodHandler handler) {
  if (name.empty()) {
    return absl::InvalidArgumentError("method name is empty");
  }
  if (!handler) {
    return absl::InvalidArgumentError(absl::StrCat("method '", name, "' has no handler"));
  }
  absl::flat_hash_set<std::string> seen;
  for (const std::string& param : param_names) {
    if (!seen.insert(param).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("method '", name, "' repeats parameter '", param, "'"));
    }
  }
  auto method = std::make_shared<const Method>(Method{std::move(param_names), std::move(handler)});
  absl::MutexLock lock(&mu_);
  if (!methods_.try_emplace(name, std::move(method)).second) {
    return absl::AlreadyExistsError(absl::StrCat("method '", name, "' is already registered"));
  }
  return absl::OkStatus();
}

void JsonRpcDispatcher::SetResponseHandler(ResponseHandler handler) {
  absl::MutexLock lock(&mu_);
  response_handler_ = std::move(handler);
}

std::shared_ptr<const JsonRpcDispatcher::Method> JsonRpcDispatcher::FindMethod(
    const std::string& name) const {
  absl::ReaderMutexLock lock(&mu_);
  const auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : it->second;
}

void JsonRpcDispatcher::HandleFrame(std::string_view text, SendFn send) {
  Frame frame = ParseFrame(text, options_.codec);
  size_t replies = 0;
  for (const Message& message : frame.messages) {
    replies += NeedsReply(message) ? 1 : 0;
  }
  // Every slot is counted before any is filled, so an early completion cannot send a partial
  // batch.
  const auto reply = replies == 0
                         ? nullptr
                         : std::make_shared<PendingReply>(frame.is_batch, replies, std::move(send));
  size_t next_slot = 0;
  for (Message& message : frame.messages) {
    if (auto* invalid = std::get_if<InvalidMessage>(&message)) {
      reply->Fill(next_slot++, ErrorResponse(invalid->id, invalid->error));
      continue;
    }
    if (auto* response = std::get_if<Response>(&message)) {
      ResponseHandler handler;
      {
        absl::ReaderMutexLock lock(&mu_);
        handler = response_handler_;
      }
      if (handler) {
        try {
          handler(std::move(*response));
        } catch (...) {
          // Response handlers must not throw; the frame's other messages still run.
        }
      }
      continue;
    }
    auto* request = std::get_if<Request>(&message);
    if (request == nullptr) {
      continue;  // DroppedMessage: never answered.
    }
    const std::optional<size_t> slot =
        request->is_notification() ? std::nullopt : std::optional<size_t>(next_slot++);
    std::shared_ptr<const Method> method = FindMethod(request->method);
    if (method == nullptr) {
      const absl::Status status =
          absl::UnimplementedError(absl::StrCat("unknown method '", request->method, "'"));
      Observe(options_.observer, request->method, status);
      if (slot) {
        reply->Fill(*slot, ErrorResponse(*request->id, ErrorFromStatus(status)));
      }
      continue;
    }
    const json id = request->id.value_or(json());
    const std::string name = request->method;
    auto task = [method, call = std::move(*request), slot, reply, observer = options_.observer]() {
      const absl::Time start = absl::Now();
      const absl::StatusOr<json> result = Invoke(method->param_names, method->handler, call.params);
      Observe(observer, call.method, result.status(), absl::Now() - start);
      if (slot) {
        reply->Fill(*slot, ResponseFor(*call.id, result));
      }
    };
    try {
      executor_(std::move(task));
    } catch (...) {
      Observe(options_.observer, name, absl::UnavailableError("the executor refused the call"));
      if (slot) {
        reply->Fill(*slot, ErrorResponse(id, MakeError(kInternalError,
                                                       "the server could not schedule the call")));
      }
    }
  }
}

}  // namespace recplat::renewal_ws
