#include "core/grpc/grpc_api_client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/api/api_keys.h"
#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/grpc/internal/status_conversion.h"
#include "google/protobuf/empty.pb.h"
#include "google/protobuf/wrappers.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "recplat/v1/admin.grpc.pb.h"
#include "recplat/v1/catalog.grpc.pb.h"
#include "recplat/v1/documents.grpc.pb.h"
#include "recplat/v1/events.grpc.pb.h"
#include "recplat/v1/models.grpc.pb.h"
#include "recplat/v1/recommend.grpc.pb.h"
#include "recplat/v1/write.grpc.pb.h"

namespace recplat::grpc_frontend {
namespace {

// Longest wait of one Ready() for the core's health service.
constexpr absl::Duration kHealthTimeout = absl::Seconds(1);
// Reconnection backoff after the core went away: short, so a restarted core is used again
// within about a second (gRPC's default grows to two minutes).
constexpr int kMinReconnectBackoffMs = 100;
constexpr int kMaxReconnectBackoffMs = 1000;

// "host:port" with a non-empty host (IPv6 in brackets) and a port in 1..65535.
absl::Status CheckAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("address: expected host:port, got '", address, "' (", why, ")"));
  };
  if (colon == std::string::npos) return bad("no port");
  const std::string host = address.substr(0, colon);
  if (host.empty()) return bad("no host");
  for (char c : host) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) ||
        absl::ascii_iscntrl(static_cast<unsigned char>(c))) {
      return bad("space or control character in the host");
    }
  }
  if ((host.front() == '[') != (host.back() == ']')) return bad("unbalanced brackets");
  if (host.front() != '[' && host.find(':') != std::string::npos) {
    return bad("IPv6 hosts go in brackets");
  }
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return bad("port must be 1..65535");
  }
  return absl::OkStatus();
}

absl::Status CheckOptions(const GrpcApiClientOptions& options) {
  if (absl::Status s = CheckAddress(options.address); !s.ok()) return s;
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("timeout: must be > 0");
  }
  if (options.max_message_bytes < 1 || options.max_message_bytes > INT_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("max_message_bytes: must be in [1, ", INT_MAX,
                                                   "], got ", options.max_message_bytes));
  }
  if (options.ready_cache < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("ready_cache: must be >= 0");
  }
  if (!options.api_key.empty()) {
    absl::StatusOr<std::vector<std::string>> keys = api::ParseApiKeys(options.api_key);
    if (!keys.ok() || keys->size() != 1) {
      return absl::InvalidArgumentError(
          "api_key: expected one key of 16 to 256 characters of A-Z a-z 0-9 - . _ ~ + /");
    }
  }
  if (absl::Status tls = common::CheckClientTls(options.tls); !tls.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("tls: ", tls.message()));
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::ChannelCredentials> Credentials(const common::ClientTls& tls) {
  if (!tls.enabled) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls.ca_pem;
  options.pem_private_key = tls.private_key_pem;
  options.pem_cert_chain = tls.cert_chain_pem;
  return grpc::SslCredentials(options);
}

class GrpcApiClient final : public api::Api {
 public:
  GrpcApiClient(const GrpcApiClientOptions& options, std::shared_ptr<grpc::Channel> channel)
      : options_(options),
        authorization_(options.api_key.empty() ? ""
                                               : absl::StrCat("Bearer ", options.api_key)),
        channel_(std::move(channel)),
        catalog_(v1::CatalogService::NewStub(channel_)),
        write_(v1::WriteService::NewStub(channel_)),
        events_(v1::EventService::NewStub(channel_)),
        documents_(v1::DocumentService::NewStub(channel_)),
        recommend_(v1::RecommendService::NewStub(channel_)),
        models_(v1::ModelService::NewStub(channel_)),
        admin_(v1::AdminService::NewStub(channel_)),
        health_(channel_) {}

  absl::StatusOr<v1::UpsertItemsResponse> UpsertItems(const v1::UpsertItemsRequest& r) override {
    return Call(*catalog_, &v1::CatalogService::Stub::UpsertItems, r);
  }
  absl::StatusOr<v1::DeleteItemsResponse> DeleteItems(const v1::DeleteItemsRequest& r) override {
    return Call(*catalog_, &v1::CatalogService::Stub::DeleteItems, r);
  }
  absl::StatusOr<v1::Item> GetItem(const v1::GetItemRequest& r) override {
    return Call(*catalog_, &v1::CatalogService::Stub::GetItem, r);
  }
  absl::StatusOr<v1::ListItemsResponse> ListItems(const v1::ListItemsRequest& r) override {
    return Call(*catalog_, &v1::CatalogService::Stub::ListItems, r);
  }
  absl::StatusOr<v1::UpsertUsersResponse> UpsertUsers(const v1::UpsertUsersRequest& r) override {
    return Call(*catalog_, &v1::CatalogService::Stub::UpsertUsers, r);
  }
  absl::StatusOr<v1::GetUserResponse> GetUser(const v1::GetUserRequest& r) override {
    return Call(*catalog_, &v1::CatalogService::Stub::GetUser, r);
  }
  absl::StatusOr<v1::WriteResponse> Write(const v1::WriteRequest& r) override {
    return Call(*write_, &v1::WriteService::Stub::Write, r);
  }
  absl::StatusOr<v1::AppendEventsResponse> AppendEvents(const v1::AppendEventsRequest& r) override {
    return Call(*events_, &v1::EventService::Stub::AppendEvents, r);
  }
  absl::StatusOr<v1::PutDocumentsResponse> PutDocuments(const v1::PutDocumentsRequest& r) override {
    return Call(*documents_, &v1::DocumentService::Stub::PutDocuments, r);
  }
  absl::StatusOr<v1::GetDocumentsResponse> GetDocuments(const v1::GetDocumentsRequest& r) override {
    return Call(*documents_, &v1::DocumentService::Stub::GetDocuments, r);
  }
  absl::StatusOr<v1::ScanDocumentsResponse> ScanDocuments(
      const v1::ScanDocumentsRequest& r) override {
    return Call(*documents_, &v1::DocumentService::Stub::ScanDocuments, r);
  }
  absl::StatusOr<v1::RecommendResponse> Recommend(const v1::RecommendRequest& r) override {
    return Call(*recommend_, &v1::RecommendService::Stub::Recommend, r);
  }
  absl::StatusOr<v1::SimilarItemsResponse> SimilarItems(const v1::SimilarItemsRequest& r) override {
    return Call(*recommend_, &v1::RecommendService::Stub::SimilarItems, r);
  }
  absl::StatusOr<v1::ScanServedResponse> ScanServed(const v1::ScanServedRequest& r) override {
    return Call(*recommend_, &v1::RecommendService::Stub::ScanServed, r);
  }
  absl::StatusOr<v1::EvaluateServedResponse> EvaluateServed(
      const v1::EvaluateServedRequest& r) override {
    return Call(*recommend_, &v1::RecommendService::Stub::EvaluateServed, r);
  }
  absl::StatusOr<v1::ListModelsResponse> ListModels(const v1::ListModelsRequest& r) override {
    return Call(*models_, &v1::ModelService::Stub::ListModels, r);
  }
  absl::StatusOr<v1::TrainResponse> Train(const v1::TrainRequest& r) override {
    return Call(*models_, &v1::ModelService::Stub::Train, r);
  }
  absl::StatusOr<v1::PromoteResponse> Promote(const v1::PromoteRequest& r) override {
    return Call(*models_, &v1::ModelService::Stub::Promote, r);
  }
  absl::StatusOr<v1::ModelTrainingStatsResponse> ModelTrainingStats(
      const v1::ModelTrainingStatsRequest& r) override {
    return Call(*models_, &v1::ModelService::Stub::ModelTrainingStats, r);
  }
  absl::StatusOr<v1::GetStatsResponse> GetStats(const v1::GetStatsRequest& r) override {
    return Call(*admin_, &v1::AdminService::Stub::GetStats, r);
  }
  absl::StatusOr<v1::GetConfigResponse> GetConfig(const v1::GetConfigRequest& r) override {
    return Call(*admin_, &v1::AdminService::Stub::GetConfig, r);
  }

  // The core's overall health (service ""), trusted for options.ready_cache. Concurrent
  // callers with a stale cache each ask the core; none waits for another.
  bool Ready() const override {
    const double now = common::Clock::Default().MonotonicSeconds();
    {
      absl::MutexLock lock(&ready_mu_);
      if (ready_known_ && now - ready_at_ < absl::ToDoubleSeconds(options_.ready_cache)) {
        return ready_;
      }
    }
    const bool ready = CheckHealth();
    absl::MutexLock lock(&ready_mu_);
    ready_known_ = true;
    ready_at_ = now;
    ready_ = ready;
    return ready;
  }

 private:
  // One blocking call of `method` on `stub` with the per-call deadline.
  template <typename Stub, typename Req, typename Resp>
  absl::StatusOr<Resp> Call(Stub& stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                            const Req& request) const {
    grpc::ClientContext ctx;
    SetDeadline(ctx, options_.timeout);
    if (!authorization_.empty()) ctx.AddMetadata("authorization", authorization_);
    Resp response;
    const grpc::Status status = (stub.*method)(&ctx, request, &response);
    if (!status.ok()) {
      if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
          !logged_unauthenticated_.exchange(true, std::memory_order_relaxed)) {
        RECPLAT_LOG(Error, "the core refused this process's API key (core.api_key_file / "
                           "core.api_key_env); calls fail with UNAUTHENTICATED",
                    {{"core", options_.address}, {"error", status.error_message()}});
      }
      return internal::FromGrpcStatus(status);
    }
    return response;
  }

  static void SetDeadline(grpc::ClientContext& ctx, absl::Duration timeout) {
    if (timeout == absl::InfiniteDuration()) return;
    ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMicroseconds(timeout));
  }

  // grpc.health.v1.Health/Check for service "". Wire-compatible stand-ins for its messages:
  // HealthCheckRequest{service: ""} encodes as an empty message, and HealthCheckResponse's
  // `ServingStatus status = 1` as an Int32Value's `int32 value = 1` (SERVING = 1). The
  // project's protos carry no copy of the health service, so nothing clashes with the copies
  // tests keep.
  bool CheckHealth() const {
    grpc::ClientContext ctx;
    SetDeadline(ctx, std::min(options_.timeout, kHealthTimeout));
    const google::protobuf::Empty request;
    google::protobuf::Int32Value response;
    grpc::Status status;
    absl::Notification done;
    health_.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                      &response, [&](grpc::Status s) {
                        status = std::move(s);
                        done.Notify();
                      });
    done.WaitForNotification();
    constexpr int kServing = 1;
    return status.ok() && response.value() == kServing;
  }

  const GrpcApiClientOptions options_;
  // "Bearer <key>", or empty.
  const std::string authorization_;
  mutable std::atomic<bool> logged_unauthenticated_{false};
  std::shared_ptr<grpc::Channel> channel_;
  // Stubs are thread-safe; one per service, all on channel_.
  std::unique_ptr<v1::CatalogService::Stub> catalog_;
  std::unique_ptr<v1::WriteService::Stub> write_;
  std::unique_ptr<v1::EventService::Stub> events_;
  std::unique_ptr<v1::DocumentService::Stub> documents_;
  std::unique_ptr<v1::RecommendService::Stub> recommend_;
  std::unique_ptr<v1::ModelService::Stub> models_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  mutable grpc::TemplatedGenericStub<google::protobuf::Empty, google::protobuf::Int32Value> health_;

  mutable absl::Mutex ready_mu_;
  mutable bool ready_known_ ABSL_GUARDED_BY(ready_mu_) = false;
  mutable double ready_at_ ABSL_GUARDED_BY(ready_mu_) = 0;
  mutable bool ready_ ABSL_GUARDED_BY(ready_mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<api::Api>> ConnectGrpcApi(const GrpcApiClientOptions& options) {
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(static_cast<int>(options.max_message_bytes));
  args.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kMinReconnectBackoffMs);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kMinReconnectBackoffMs);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  if (options.tls.enabled && !options.tls.server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls.server_name);
  }
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.address, Credentials(options.tls), args);
  if (channel == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("address: gRPC cannot make a channel to '", options.address, "'"));
  }
  return std::unique_ptr<api::Api>(new GrpcApiClient(options, std::move(channel)));
}

}  // namespace recplat::grpc_frontend
