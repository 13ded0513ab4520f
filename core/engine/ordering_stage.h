// File: ordering_stage.h
//
// Stage 4 of Engine::Recommend: the ordering chain. The scored candidates become
// RequestState::ordered, then the stages listed in surfaces.<s>.ordering run in that order:
//   - `diversity`: the category re-rank of the surface's diversity section (reranker.h), then
//     the diversity model's Diversify of the head (DiversityModel below; head = the request's
//     diversity_head, else the surface's ordering_size). The model is skipped while it has no
//     serving snapshot or its serving gates fail; a failing Diversify is counted and the order
//     kept.
//   - `available_first`: available items before unavailable ones (possible on surfaces that do
//     not filter them out), the order otherwise kept.
// The config validation admits no other stage names. Scores are never changed.
//
// Thread-safety: called on the request thread.
#pragma once

#include <string>
#include <vector>

#include "core/catalog/catalog.h"
#include "core/config/config.h"
#include "core/engine/request_state.h"
#include "core/models/model.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

void RunOrdering(const StageEnv& env, RequestState* st);

// The diversity model a request uses: its diversity_model, else the surface's
// diversity.model when the method is `model`, else "".
std::string DiversityModel(const v1::RecommendRequest& request,
                           const config::SurfaceConfig& surface);

// The `available_first` stage: a stable partition of `items`, available ones first.
void AvailableFirst(const catalog::Catalog::Reader& catalog,
                    std::vector<models::ScoredItem>* items);

}  // namespace recplat::engine
