// File: engine.h
//
// Engine: answers recommendation requests by running the requested surface's pipeline, one
// named stage per file (request_state.h lists them):
//   context (histories, served items, anchors and the anchor choice, the RequestFilter with the
//   candidate restriction and the catalog query) -> retrieval (cascade with fill-up to min_k)
//   -> scoring (cascade, item weights) -> ordering chain (surfaces.<s>.ordering: diversity,
//   available_first) -> truncation to k and the answer.
// Around the pipeline:
//   - serving gates (serving_gates.h): a model whose serve_gate or serve_requires fails is not
//     ready for any stage;
//   - the response cache of surfaces with `cache` (response_cache.h; never on surfaces with
//     exclude_recommended): an answer is reused for the same request while the models it could
//     use keep their versions and gate states and nothing was promoted, with `cached = true`
//     and a fresh recommendation id;
//   - on surfaces with filters.exclude_recommended, non-dry-run requests of one (tenant, user)
//     are serialised (striped locks) from reading the served items to recording the answer, so
//     two concurrent calls never return the same item;
//   - every non-dry-run answer (cache hits included) is recorded: its items as served to the
//     user (the "already recommended" filter, attribution), and a ServedList for monitoring
//     (served_recorder.h, read back by ScanServed).
//
// The engine reads the state store and the registry's current snapshots; it writes only the
// served bookkeeping. Randomness comes from an RngFactory seeded by EngineOptions::rng_seed.
//
// Thread-safety: Recommend, SimilarItems, FlushServedLists and Stop may be called concurrently
// from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/common/clock.h"
#include "core/common/random.h"
#include "core/config/config.h"
#include "core/engine/engine_metrics.h"
#include "core/engine/response_cache.h"
#include "core/engine/served_recorder.h"
#include "core/engine/serving_gates.h"
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
  // The configured models, for their serving gates (serve_gate, serve_requires). Models not
  // listed have none.
  std::map<std::string, config::ModelConfig> models;
  // Seed of the per-request generators (recommendation ids, anchor choice, the models' Rng).
  // Unset: seeded from the clock's microseconds at construction.
  std::optional<uint64_t> rng_seed;
  // Served lists are deleted after this many days (config state.served_lists_days); 0 keeps
  // them forever.
  int32_t served_lists_days = 30;
  // Served lists queued for writing at most (more are dropped and counted).
  size_t served_queue = 10000;
};

// The engine's options of a validated profile.
EngineOptions EngineOptionsFromConfig(const config::Config& config);

class Engine {
 public:
  // `state`, `registry`, `clock` and `metrics` are not owned and must outlive the engine.
  Engine(EngineOptions options, state::StateStore& state, const registry::ModelRegistry& registry,
         const common::Clock& clock, prometheus::Registry& metrics);
  // Stop().
  ~Engine();

  // REQUIRES: the request's tenant is resolved (non-empty) and its fields validated by the
  // service (sizes, k >= 1, anchor_choice, query). INVALID_ARGUMENT for an unknown surface or k
  // above the surface's max_k; NOT_FOUND ("no known anchor among [...]") for
  // require_known_anchor when anchors are given and none is known. An unknown tenant or user
  // is not an error (cold start).
  absl::StatusOr<v1::RecommendResponse> Recommend(const v1::RecommendRequest& request);

  // NOT_FOUND when the item does not exist; INVALID_ARGUMENT for an unknown model or surface.
  // Models whose serve_gate fails are skipped.
  absl::StatusOr<v1::SimilarItemsResponse> SimilarItems(const v1::SimilarItemsRequest& request);

  // Writes the served lists queued so far (they are written every 100 ms anyway).
  absl::Status FlushServedLists();

  // Writes the queued served lists and stops the background writer (call before the state
  // store shuts down). Answers after Stop are still recorded, by FlushServedLists or the
  // destructor. Idempotent.
  void Stop();

 private:
  // One computed answer and what it served.
  struct Answer {
    v1::RecommendResponse response;
    std::vector<state::ServedItem> served;
  };

  const config::SurfaceConfig* FindSurface(const std::string& name) const;
  // State ids of options_.non_history_event_types that have been used so far.
  std::vector<int> NonHistoryTypeIds() const;
  // The pipeline (context -> retrieval -> scoring -> ordering -> answer).
  absl::StatusOr<Answer> Compute(const v1::RecommendRequest& request,
                                 const config::SurfaceConfig& surface,
                                 const std::string& surface_name, common::Rng& rng);
  // The gate states of the models `request` could use, and the newest event of its user and
  // session: what its cache key adds to the request (model versions are covered by the
  // registry's serving generation).
  std::string ModelStates(const v1::RecommendRequest& request,
                          const config::SurfaceConfig& surface) const;
  // Records a non-dry-run answer: served items (when there is a user) and its ServedList.
  void RecordAnswer(const v1::RecommendRequest& request, const std::string& surface_name,
                    const v1::RecommendResponse& response,
                    std::span<const state::ServedItem> served);
  // The served items of a cached answer, resolved against the current catalog.
  std::vector<state::ServedItem> ServedOf(const std::string& tenant,
                                          const v1::RecommendResponse& response) const;
  std::mutex& UserLock(const std::string& tenant, const std::string& user);

  const EngineOptions options_;
  state::StateStore& state_;
  const registry::ModelRegistry& registry_;
  const common::Clock& clock_;
  std::unique_ptr<EngineMetrics> metrics_;
  const ServingGates gates_;
  common::RngFactory rngs_;
  // The response cache of a surface with cache.size > 0, and its counters.
  struct SurfaceCache {
    std::unique_ptr<ResponseCache> cache;
    prometheus::Counter* hits = nullptr;
    prometheus::Counter* misses = nullptr;
  };
  // By surface name.
  absl::flat_hash_map<std::string, SurfaceCache> caches_;
  // Per configured surface; read-only after construction.
  absl::flat_hash_map<std::string, EngineMetrics::StageTimers> stage_timers_;
  std::unique_ptr<ServedRecorder> recorder_;
  // Striped locks that serialise the requests of one (tenant, user) on surfaces with
  // filters.exclude_recommended.
  std::array<std::mutex, 64> user_locks_;
};

}  // namespace recplat::engine
