#include "frontends/renewal_ws/renewal_frontend.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <fstream>
#include <sstream>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "boost/asio/post.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/thread_pool.hpp"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "frontends/renewal_ws/jsonrpc_dispatcher.h"
#include "frontends/renewal_ws/renewal_metrics.h"
#include "frontends/renewal_ws/ws_client.h"

namespace recplat::renewal_ws {
namespace {

bool LooksLikeJwt(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  if (parts.size() != 3) return false;
  for (absl::string_view part : parts) {
    if (part.empty()) return false;
    for (char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '=') {
        return false;
      }
    }
  }
  return true;
}

// Frames carry whole articles: allow as much as the WebSocket client reads.
constexpr size_t kMaxFrameBytes = 16 << 20;

CodecOptions Codec() {
  CodecOptions codec;
  codec.max_frame_bytes = kMaxFrameBytes;
  return codec;
}

// Whether every message of the frame is a notification (a request without id).
bool OnlyNotifications(std::string_view frame) {
  Frame parsed = ParseFrame(frame, Codec());
  return !parsed.messages.empty() &&
         std::all_of(parsed.messages.begin(), parsed.messages.end(), [](const Message& m) {
           const Request* r = std::get_if<Request>(&m);
           return r != nullptr && r->is_notification();
         });
}

}  // namespace

struct RenewalFrontend::Impl {
  RenewalOptions options;
  std::unique_ptr<RenewalService> service;
  std::unique_ptr<boost::asio::thread_pool> pool;
  // Frames holding only notifications go to `ordered` (one at a time, in arrival order, so
  // e.g. a rating change and its reversal apply in order); the others to `concurrent`.
  std::unique_ptr<JsonRpcDispatcher> concurrent;
  std::unique_ptr<JsonRpcDispatcher> ordered;
  std::unique_ptr<RestClient> rest;
  std::unique_ptr<WsClient> ws;
  std::atomic<int64_t> syncs{0};
  bool synced_once = false;          // I/O thread only
  bool assignments_missing = false;  // I/O thread only
  size_t synced_articles = 0;        // I/O thread only: of the last sync
  bool shut_down = false;
  // Null when options.metrics is.
  std::unique_ptr<RenewalMetrics> metrics;

  // Runs before each connection attempt, on the WebSocket client's I/O thread.
  absl::Status Sync() {
    synced_articles = 0;
    absl::Status status = SyncOnce();
    if (metrics != nullptr && !absl::IsCancelled(status)) {
      metrics->CountSync(status.ok(), synced_articles);
    }
    return status;
  }

  absl::Status SyncOnce() {
    // The first sync loads the newest articles; later ones catch up from the newest kept.
    std::optional<int64_t> since = synced_once ? service->newest_article_id() : std::nullopt;
    RECPLAT_ASSIGN_OR_RETURN(
        std::vector<nlohmann::json> articles,
        rest->FetchArticles(since, options.service.cache_size, options.page_size));
    const size_t count = articles.size();
    synced_articles = count;
    RECPLAT_RETURN_IF_ERROR(service->AddArticles(std::move(articles)));
    RECPLAT_LOG(Info, "renewal: articles synced",
                {{"articles", count},
                 {"since_id", since.has_value() ? absl::StrCat(*since) : "none"},
                 {"cached", service->article_count()}});
    synced_once = true;
    if (options.sync_assignments) {
      absl::StatusOr<nlohmann::json> users = rest->GetUserAssignments();
      if (users.ok()) {
        if (absl::Status s = service->SetAssignments(*users); !s.ok()) {
          RECPLAT_LOG(Warn, "renewal: bad user assignments", {{"error", s.ToString()}});
        }
      } else if (absl::IsNotFound(users.status())) {
        if (!assignments_missing) {
          RECPLAT_LOG(Warn,
                      "renewal: the backend has no /user_assignments; relying on "
                      "assigned_user notifications");
        }
        assignments_missing = true;
      } else if (absl::IsCancelled(users.status())) {
        return users.status();
      } else {
        RECPLAT_LOG(Warn, "renewal: cannot read the user assignments",
                    {{"error", users.status().ToString()}});
      }
    }
    ++syncs;
    return absl::OkStatus();
  }
};

RenewalFrontend::RenewalFrontend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RenewalFrontend::~RenewalFrontend() { Shutdown(); }

absl::StatusOr<std::unique_ptr<RenewalFrontend>> RenewalFrontend::Start(api::Api* api,
                                                                        RenewalOptions options) {
  if (api == nullptr) return absl::InvalidArgumentError("renewal: no core API");
  if (options.token.empty()) {
    return absl::InvalidArgumentError("renewal: a token is required (--token or RENEWAL_TOKEN)");
  }
  if (options.page_size < 1 || options.threads < 1) {
    return absl::InvalidArgumentError("renewal: page_size and threads must be >= 1");
  }
  auto impl = std::make_unique<Impl>();
  Impl* s = impl.get();
  RECPLAT_ASSIGN_OR_RETURN(s->service, RenewalService::Create(api, options.service));

  RestClientOptions rest;
  rest.api_base_uri = options.api_base_uri;
  rest.token = options.token;
  rest.ca_file = options.ca_file;
  rest.insecure_skip_verify = options.insecure_skip_verify;
  rest.timeout = options.request_timeout;
  RECPLAT_ASSIGN_OR_RETURN(s->rest, RestClient::Create(std::move(rest)));

  s->pool = std::make_unique<boost::asio::thread_pool>(options.threads);
  DispatcherOptions dispatch;
  dispatch.codec = Codec();
  if (options.metrics != nullptr) s->metrics = std::make_unique<RenewalMetrics>(*options.metrics);
  RenewalMetrics* metrics = s->metrics.get();
  dispatch.observer = [metrics](std::string_view method, const absl::Status& status,
                                absl::Duration elapsed) {
    if (metrics != nullptr) metrics->ObserveCall(method, status, elapsed);
    RECPLAT_LOG(
        Debug, "renewal: JSON-RPC call",
        {{"method", std::string(method)}, {"code", absl::StatusCodeToString(status.code())}});
    if (!status.ok()) {
      RECPLAT_LOG(Warn, "renewal: JSON-RPC call failed",
                  {{"method", std::string(method)}, {"error", status.ToString()}});
    }
  };
  boost::asio::thread_pool* pool = s->pool.get();
  s->concurrent = std::make_unique<JsonRpcDispatcher>(
      [pool](std::function<void()> task) { boost::asio::post(*pool, std::move(task)); }, dispatch);
  auto strand = std::make_shared<boost::asio::strand<boost::asio::thread_pool::executor_type>>(
      pool->get_executor());
  s->ordered = std::make_unique<JsonRpcDispatcher>(
      [strand](std::function<void()> task) { boost::asio::post(*strand, std::move(task)); },
      std::move(dispatch));
  RECPLAT_RETURN_IF_ERROR(s->service->RegisterMethods(*s->concurrent));
  RECPLAT_RETURN_IF_ERROR(s->service->RegisterMethods(*s->ordered));

  WsClientOptions ws;
  ws.api_base_uri = options.api_base_uri;
  ws.token = options.token;
  ws.ca_file = options.ca_file;
  ws.insecure_skip_verify = options.insecure_skip_verify;
  ws.reconnect_base = options.reconnect_base;
  ws.reconnect_max = options.reconnect_max;
  ws.reconnect_jitter = options.reconnect_jitter;
  ws.connect_timeout = options.connect_timeout;
  ws.idle_timeout = options.idle_timeout;
  ws.seed = options.seed;
  ws.max_message_bytes = kMaxFrameBytes;
  s->options = std::move(options);
  WsClient::Callbacks callbacks;
  callbacks.on_frame = [s](std::string_view frame, SendFn send) {
    (OnlyNotifications(frame) ? s->ordered : s->concurrent)->HandleFrame(frame, std::move(send));
  };
  callbacks.before_connect = [s] { return s->Sync(); };
  if (metrics != nullptr) {
    callbacks.on_connection = [metrics](bool connected) { metrics->SetConnected(connected); };
  }
  absl::StatusOr<std::unique_ptr<WsClient>> client =
      WsClient::Start(std::move(ws), std::move(callbacks));
  if (!client.ok()) {
    s->pool->join();
    return client.status();
  }
  s->ws = *std::move(client);
  RECPLAT_LOG(Info, "renewal: recsystem started", {{"event_stream", s->ws->url()}});
  return std::unique_ptr<RenewalFrontend>(new RenewalFrontend(std::move(impl)));
}

void RenewalFrontend::Shutdown() {
  if (impl_->shut_down) return;
  impl_->shut_down = true;
  impl_->rest->Cancel();
  impl_->ws->Stop();
  impl_->pool->join();
  RECPLAT_LOG(Info, "renewal: recsystem stopped");
}

RenewalService& RenewalFrontend::service() { return *impl_->service; }
bool RenewalFrontend::connected() const { return impl_->ws->connected(); }
int64_t RenewalFrontend::connections() const { return impl_->ws->connections(); }
int64_t RenewalFrontend::syncs() const { return impl_->syncs; }

absl::StatusOr<RenewalOptions> RenewalOptionsFromSection(const RenewalSection& section,
                                                         int32_t surface_max_k) {
  if (section.token.empty()) {
    return absl::InvalidArgumentError(
        "renewal.token: required (--token/-t, RENEWAL_TOKEN, or renewal.token in the profile)");
  }
  absl::StatusOr<std::string> token = ResolveToken(section.token);
  if (!token.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("renewal.", token.status().message()));
  }
  if (section.max_k > surface_max_k) {
    return absl::InvalidArgumentError(
        absl::StrCat("renewal.max_k: ", section.max_k, " is above the max_k of surface '",
                     section.surface, "' (", surface_max_k, ")"));
  }
  RenewalOptions o;
  o.token = *std::move(token);
  o.api_base_uri = section.api_base_uri;
  o.ca_file = section.ca_file;
  o.insecure_skip_verify = section.insecure_skip_verify;
  o.reconnect_base = absl::Seconds(section.reconnect_base_seconds);
  o.reconnect_max = absl::Seconds(section.reconnect_max_seconds);
  o.service.surface = section.surface;
  o.service.default_limit = section.default_limit;
  o.service.max_k = section.max_k > 0 ? section.max_k : surface_max_k;
  o.service.write_batch = section.write_batch;
  return o;
}

absl::StatusOr<std::string> ResolveToken(std::string_view token_or_path) {
  absl::string_view trimmed =
      absl::StripAsciiWhitespace(absl::string_view(token_or_path.data(), token_or_path.size()));
  if (LooksLikeJwt(trimmed)) return std::string(trimmed);
  std::ifstream file{std::string(token_or_path)};
  if (!file) {
    return absl::InvalidArgumentError("token: neither a JWT nor a readable file");
  }
  std::stringstream contents;
  contents << file.rdbuf();
  std::string token(absl::StripAsciiWhitespace(contents.str()));
  if (token.empty()) return absl::InvalidArgumentError("token: the token file is empty");
  return token;
}

}  // namespace recplat::renewal_ws
