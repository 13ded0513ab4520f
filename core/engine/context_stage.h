// File: context_stage.h
//
// Stage 1 of Engine::Recommend: the context of the request.
//
// ReadHistories runs before the catalog lock is taken: the user's and the session's most recent
// interactions (surface history_length) and, when the surface excludes already recommended
// items, the items served to the user.
//
// BuildContext runs under the catalog lock and fills the context part of a RequestState:
//   - the cascades in force (the request's overrides, else the surface's);
//   - what models see of the histories (history event types with value >= 0) and what only
//     counts as seen (exposures, dislikes);
//   - the anchors: unknown ids are ignored (NOT_FOUND "no known anchor among [...]" when
//     require_known_anchor is set and anchors were given but none is known); anchor_choice
//     ANCHORS_RANDOM_FIRST swaps a uniformly chosen one to the front, ANCHORS_RANDOM_ONE keeps
//     only a uniformly chosen one (draws from the request's Rng);
//   - the RequestFilter: every given anchor, seen items (filters.exclude_seen), served items,
//     exclude_item_ids, and the candidate restriction: candidate_item_ids and the catalog
//     `query` (live matching items), intersected when both are given; a query without clauses
//     restricts nothing;
//   - the models' RecommendContext and the RequestFacts of the serving gates.
//
// Thread-safety: called on the request thread; the state store is thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/config/config.h"
#include "core/engine/request_state.h"
#include "core/state/state_store.h"
#include "recplat/v1/recommend.pb.h"

namespace recplat::engine {

struct RequestHistories {
  std::vector<state::HistoryEntry> user;
  std::vector<state::HistoryEntry> session;
  // Items served to the user (only read when the surface excludes them).
  std::vector<uint32_t> served;
};

// Errors of the state store pass through.
absl::StatusOr<RequestHistories> ReadHistories(const state::StateStore& state,
                                               const v1::RecommendRequest& request,
                                               const config::SurfaceConfig& surface);

// `hidden_types`: state ids of the event types that are not history (EngineOptions
// non_history_event_types). `seen_types`: state ids of the event types that count as seen for
// filters.exclude_seen (filters.exclude_seen_types), or null when every type does. NOT_FOUND for
// require_known_anchor without a known anchor.
// NOT_FOUND "no known anchor among [<anchor_item_ids>]".
absl::Status NoKnownAnchorError(const v1::RecommendRequest& request);

absl::Status BuildContext(const RequestHistories& histories, const std::vector<int>& hidden_types,
                          const std::vector<int>* seen_types, int64_t now_ms, RequestState* st);

}  // namespace recplat::engine
