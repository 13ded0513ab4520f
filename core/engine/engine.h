// File: engine.h
//
// Engine: answers recommendation requests by running the requested surface's pipeline:
//   context (user history, session, served items) -> retrieval cascade (first ready model gives
//   candidates; later models and finally `random` fill up to min_k) -> filters (applied inside
//   retrieval) -> scoring cascade (first ready model ranks) -> ordering (diversity re-rank) ->
//   truncation to k -> recording what was served (model, version, position) for attribution and
//   the "already recommended" filter.
//
// The engine reads the state store and the registry's current snapshots; it never writes events.
//
// Thread-safety: Recommend and SimilarItems may be called concurrently from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/common/clock.h"
#include "core/config/config.h"
#include "core/registry/model_registry.h"
#include "core/state/state_store.h"
#include "prometheus/registry.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

struct EngineOptions {
  // Surfaces by name (after config defaults: every retrieval cascade ends with `random`).
  std::map<std::string, config::SurfaceConfig> surfaces;
  // Event types left out of the history models see (config `event_types.<t>.history: false`);
  // their items still count as seen for `exclude_seen`. Events with a negative value (a
  // dislike) are left out of that history too, whatever their type.
  std::vector<std::string> non_history_event_types;
};

// The engine's options of a validated profile.
EngineOptions EngineOptionsFromConfig(const config::Config& config);

class Engine {
 public:
  // `state`, `registry`, `clock` and `metrics` are not owned and must outlive the engine.
  Engine(EngineOptions options, state::StateStore& state, const registry::ModelRegistry& registry,
         const common::Clock& clock, prometheus::Registry& metrics);
  ~Engine();

  // REQUIRES: the request's tenant is resolved (non-empty) and its fields validated by the
  // service (sizes, k >= 1). INVALID_ARGUMENT for an unknown surface or k above the surface's
  // max_k. An unknown tenant or user is not an error (cold start).
  absl::StatusOr<v1::RecommendResponse> Recommend(const v1::RecommendRequest& request);

  // NOT_FOUND when the item does not exist; INVALID_ARGUMENT for an unknown model or surface.
  absl::StatusOr<v1::SimilarItemsResponse> SimilarItems(const v1::SimilarItemsRequest& request);

 private:
  struct Metrics;
  const config::SurfaceConfig* FindSurface(const std::string& name) const;
  // State ids of options_.non_history_event_types that have been used so far.
  std::vector<int> NonHistoryTypeIds() const;

  const EngineOptions options_;
  state::StateStore& state_;
  const registry::ModelRegistry& registry_;
  const common::Clock& clock_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace recplat::engine
