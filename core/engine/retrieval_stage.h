// File: retrieval_stage.h
//
// Stage 2 of Engine::Recommend: the candidates.
//   - With a candidate restriction (context stage), the candidates are the allowed items that
//     pass the filter, in index order, unscored; the retrieval model is reported as "request".
//   - Otherwise the retrieval cascade runs: models that are not usable (no serving snapshot,
//     serving gates, Model::Ready; RequestState::Usable) are skipped; the first usable model
//     that yields items gives the candidates (up to max(k, surface `candidates`)); while there
//     are fewer than max(min_k, 1), the following models of the cascade (ending with `random`
//     for the surface's own cascade) fill up, their items ranked below everything chosen before
//     (scores shifted down, their own order kept). A model whose Retrieve fails is counted in
//     recplat_model_errors_total and skipped.
// Sets the response's retrieval_model and retrieval_model_version.
//
// Thread-safety: called on the request thread.
#pragma once

#include "core/engine/request_state.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

void RunRetrieval(const StageEnv& env, RequestState* st, v1::RecommendResponse* response);

}  // namespace recplat::engine
