// File: cluster_coordination.h
//
// What the replicas of a JetStream cluster (log.backend jetstream) coordinate over NATS besides
// the log, wired for the runtime:
//   - the training lease: a KvTrainingLease (core/training/kv_training_lease.h) in bucket
//     `nats.lease_bucket` (default "<stream>-leases"), expiry `training.lease_seconds`;
//   - promotion announcements: a promotion published to the model store (registry.store s3) is
//     announced on "<stream>.promotions" as {"tenant","model","version","origin"}, and every
//     other replica that hears it re-reads that model's CURRENT at once
//     (ModelRegistry::SyncModelFromSource) instead of at its next registry.poll_seconds poll.
//     Announcements are plain NATS messages (at most once): one that is lost (a replica
//     disconnected at that moment) is made up for by the poll.
//
// Lifetime: create before the registry (its RegistryOptions hook), Listen once the registry
// exists, destroy after the trainer and before the registry (Stop() first ends listening).
//
// Thread-safety: thread-safe; the listener calls the registry on a thread of its own.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/config/config.h"
#include "core/log/nats_coordination.h"
#include "core/registry/model_registry.h"
#include "core/training/training_lease.h"

namespace recplat::app {

class ClusterCoordination {
 public:
  // Connects to `config.nats.servers` (unreachable servers are not an error). INVALID_ARGUMENT
  // for unusable nats.* settings.
  static absl::StatusOr<std::unique_ptr<ClusterCoordination>> Create(const config::Config& config);
  ~ClusterCoordination();

  // The training lease (shared with the trainer).
  std::shared_ptr<training::TrainingLease> lease() const { return lease_; }

  // Sets `options->on_published_current` to announce this process's promotions.
  void AnnouncePromotions(registry::RegistryOptions* options);
  // Starts following other replicas' announcements into `registry` (must outlive Stop()).
  void FollowPromotions(registry::ModelRegistry& registry);
  // Stops following. Idempotent.
  void Stop();

  const std::string& promotions_subject() const { return subject_; }
  bool connected() const { return nats_->Connected(); }

 private:
  ClusterCoordination() = default;
  std::unique_ptr<log::NatsCoordination> nats_;
  std::shared_ptr<training::TrainingLease> lease_;
  std::string subject_;
  // This process's id in announcements (its own are ignored).
  std::string origin_;
  std::unique_ptr<log::NatsCoordination::Listener> listener_;
};

}  // namespace recplat::app
