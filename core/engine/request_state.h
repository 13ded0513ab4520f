// File: request_state.h
//
// RequestState: what the stages of one Engine::Recommend call hand to each other, and
// StageEnv: the engine-wide services they use. The stages, in order:
//   context_stage.h    histories, served items, anchors, the RequestFilter, RecommendContext
//   retrieval_stage.h  the candidates (retrieval cascade with fill-up, or the restriction)
//   scoring_stage.h    the scoring cascade, item weights, the sort by score
//   ordering_stage.h   the surface's ordering chain (diversity, available_first)
//   response_stage.h   truncation to k and the response items
//
// Ownership: a RequestState lives on the stack of one Recommend call and borrows the request,
// the surface config and the catalog reader (whose shared lock it must not outlive). Model
// handles taken by the stages are kept in `handles` until the call ends.
//
// Thread-safety: used by the one request thread.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/catalog/catalog.h"
#include "core/common/clock.h"
#include "core/common/random.h"
#include "core/config/config.h"
#include "core/engine/engine_metrics.h"
#include "core/engine/request_filter.h"
#include "core/engine/serving_gates.h"
#include "core/models/model.h"
#include "core/registry/model_registry.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

// The engine-wide services of the stages. None is owned.
struct StageEnv {
  const registry::ModelRegistry& registry;
  const ServingGates& gates;
  EngineMetrics& metrics;
  const common::Clock& clock;
};

// One candidate and the model that produced it (null for the request's own restriction).
struct Candidate {
  models::ScoredItem scored;
  const registry::LoadedModel* origin = nullptr;
};

struct RequestState {
  RequestState(const v1::RecommendRequest& request, const config::SurfaceConfig& surface,
               std::string surface_name, const catalog::Catalog::Reader& catalog, common::Rng& rng)
      : request(request),
        surface(surface),
        surface_name(std::move(surface_name)),
        catalog(catalog),
        rng(rng),
        filter(catalog, surface.filters.exclude_unavailable) {}
  RequestState(const RequestState&) = delete;
  RequestState& operator=(const RequestState&) = delete;

  // --- Inputs (borrowed). ---
  const v1::RecommendRequest& request;
  const config::SurfaceConfig& surface;
  const std::string surface_name;
  const catalog::Catalog::Reader& catalog;
  common::Rng& rng;

  // --- Context stage. ---
  // The cascades in force: the request's overrides or the surface's.
  std::vector<std::string> retrieval_cascade;
  std::vector<std::string> scoring_cascade;
  // Items the models see (RecommendContext spans point here).
  std::vector<uint32_t> user_items;
  std::vector<uint32_t> session_items;
  // Known anchors after the anchor choice, in the order models see them.
  std::vector<uint32_t> anchors;
  RequestFilter filter;
  models::RecommendContext model_ctx;
  RequestFacts facts;

  // The stored versions RecommendRequest.model_versions asks for, by model (instead of Current).
  absl::flat_hash_map<std::string, registry::ModelHandle> pinned_versions;

  // --- Retrieval and scoring stages. ---
  // Keeps every model used by this request alive until it ends.
  std::vector<registry::ModelHandle> handles;
  std::vector<Candidate> candidates;
  registry::ModelHandle scorer;

  // --- Ordering stage: the candidates in answer order, and who produced each. ---
  std::vector<models::ScoredItem> ordered;
  absl::flat_hash_map<uint32_t, const registry::LoadedModel*> origin;

  // Whether `model` may serve this request: it has a serving snapshot (returned in `*handle`),
  // its serving gates hold and Model::Ready says yes.
  bool Usable(const StageEnv& env, const std::string& model, registry::ModelHandle* handle) const {
    auto pinned = pinned_versions.find(model);
    *handle = pinned != pinned_versions.end() ? pinned->second
                                               : env.registry.Current(request.tenant(), model);
    return *handle != nullptr && env.gates.Allows(request.tenant(), model, facts) &&
           (*handle)->model->Ready(model_ctx);
  }
};

}  // namespace recplat::engine
