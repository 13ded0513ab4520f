// File: response_stage.h
//
// Stage 5 of Engine::Recommend: truncation to k and the answer. Each item of the first k of
// RequestState::ordered becomes a RecommendedItem with its position and the model that ranked
// it (the scoring model when one scored, else the retrieval model that produced it, else
// "request" at version 0). Returns the served items for the "already recommended" bookkeeping
// (StateStore::RecordServed), in answer order.
//
// Thread-safety: called on the request thread.
#pragma once

#include <vector>

#include "core/engine/request_state.h"
#include "core/state/state_store.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

std::vector<state::ServedItem> BuildAnswer(RequestState* st, v1::RecommendResponse* response);

}  // namespace recplat::engine
