// File: scoring_stage.h
//
// Stage 3 of Engine::Recommend: the scores of the candidates. The first usable model of the
// scoring cascade (RequestState::Usable) scores every candidate; with a candidate restriction
// and no scoring cascade, the retrieval cascade's models serve as scorers. A model whose Score
// fails is counted in recplat_model_errors_total and the next one is tried; when none scores,
// the retrieval scores stay. Then, if the surface says apply_item_weight, scores are multiplied
// by the items' recommendation_weight, and the candidates are sorted by score (stable) — only as
// far as the ordering stages and the answer look (OrderedPrefix): the candidates past it are
// dropped.
// Sets the response's scoring_model and scoring_model_version (empty/0 when none scored) and
// RequestState::scorer.
//
// Thread-safety: called on the request thread.
#pragma once

#include <cstddef>
#include <vector>

#include "core/config/config.h"
#include "core/engine/request_state.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

void RunScoring(const StageEnv& env, RequestState* st, v1::RecommendResponse* response);

// How many of `n` scored candidates the ordering stages and the answer of `request` on
// `surface` can look at: k, or the diversity head when longer; all of them with
// `available_first` (it moves unavailable items of the whole list back).
size_t OrderedPrefix(const v1::RecommendRequest& request, const config::SurfaceConfig& surface,
                     size_t n);

// Sorts `candidates` best score first, ties in their current order (a stable sort), and keeps
// the first `prefix` of them.
void SortCandidates(size_t prefix, std::vector<Candidate>* candidates);

}  // namespace recplat::engine
