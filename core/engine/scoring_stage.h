// File: scoring_stage.h
//
// Stage 3 of Engine::Recommend: the scores of the candidates. The first usable model of the
// scoring cascade (RequestState::Usable) scores every candidate; with a candidate restriction
// and no scoring cascade, the retrieval cascade's models serve as scorers. A model whose Score
// fails is counted in recplat_model_errors_total and the next one is tried; when none scores,
// the retrieval scores stay. Then, if the surface says apply_item_weight, scores are multiplied
// by the items' recommendation_weight, and the candidates are sorted by score (stable).
// Sets the response's scoring_model and scoring_model_version (empty/0 when none scored) and
// RequestState::scorer.
//
// Thread-safety: called on the request thread.
#pragma once

#include "core/engine/request_state.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

void RunScoring(const StageEnv& env, RequestState* st, v1::RecommendResponse* response);

}  // namespace recplat::engine
