#include "apps/recplat/cluster_coordination.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/training/kv_training_lease.h"
#include "nlohmann/json.hpp"

namespace recplat::app {

absl::StatusOr<std::unique_ptr<ClusterCoordination>> ClusterCoordination::Create(
    const config::Config& config) {
  const config::NatsConfig& nats = config.nats;
  log::NatsCoordinationOptions o;
  o.servers = nats.servers;
  o.credentials_file = nats.credentials_file;
  o.tls_ca_file = nats.tls.ca_file;
  o.tls_cert_file = nats.tls.cert_file;
  o.tls_key_file = nats.tls.key_file;
  o.connect_timeout = absl::Milliseconds(nats.connect_timeout_ms);
  // An announcement is published under the registry's per-model lock: keep its flush short.
  o.request_timeout = absl::Seconds(1);
  o.client_name = "recplat-coordination";
  auto c = std::unique_ptr<ClusterCoordination>(new ClusterCoordination());
  absl::StatusOr<std::unique_ptr<log::NatsCoordination>> connected =
      log::NatsCoordination::Connect(o);
  if (!connected.ok()) return connected.status();
  c->nats_ = *std::move(connected);
  training::KvTrainingLeaseOptions lo;
  lo.bucket = c->nats_->Bucket(
      nats.lease_bucket.empty() ? absl::StrCat(nats.stream, "-leases") : nats.lease_bucket,
      nats.replicas);
  lo.lease_duration = absl::Seconds(config.training.lease_seconds);
  c->lease_ = training::NewKvTrainingLease(std::move(lo));
  c->origin_ = c->lease_->holder_id();
  c->subject_ = absl::StrCat(nats.stream, ".promotions");
  return c;
}

ClusterCoordination::~ClusterCoordination() { Stop(); }

void ClusterCoordination::AnnouncePromotions(registry::RegistryOptions* options) {
  options->on_published_current = [this](const std::string& tenant, const std::string& model,
                                         int64_t version) {
    nlohmann::json j = {
        {"tenant", tenant}, {"model", model}, {"version", version}, {"origin", origin_}};
    absl::Status s = nats_->Publish(subject_, j.dump());
    if (!s.ok()) {
      RECPLAT_LOG(Warn, "promotion not announced (replicas see it at their next poll)",
                  {{"tenant", tenant}, {"model", model}, {"version", version},
                   {"error", s.ToString()}});
    }
  };
}

void ClusterCoordination::FollowPromotions(registry::ModelRegistry& registry) {
  listener_ = nats_->Listen(subject_, [this, &registry](const std::string& body) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("tenant") || !j["tenant"].is_string() ||
        !j.contains("model") || !j["model"].is_string()) {
      RECPLAT_LOG(Warn, "ignoring a malformed promotion announcement", {{"body", body}});
      return;
    }
    if (j.contains("origin") && j["origin"] == origin_) return;
    const std::string tenant = j["tenant"];
    const std::string model = j["model"];
    const bool swapped = registry.SyncModelFromSource(tenant, model);
    RECPLAT_LOG(Debug, "promotion announced by another replica",
                {{"tenant", tenant}, {"model", model}, {"swapped", swapped}});
  });
}

void ClusterCoordination::Stop() { listener_.reset(); }

}  // namespace recplat::app
