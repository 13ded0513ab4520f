#include "core/engine/context_stage.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/catalog/catalog_query.h"

namespace recplat::engine {
namespace {

// Resolves the anchors and applies the anchor choice; every given anchor is excluded.
absl::Status ResolveAnchors(RequestState* st) {
  const v1::RecommendRequest& req = st->request;
  std::vector<uint32_t> known;
  for (const std::string& id : req.anchor_item_ids()) {
    if (auto idx = st->catalog.Find(id)) {
      known.push_back(*idx);
      st->filter.Exclude(*idx);
    }
  }
  if (known.empty() && req.require_known_anchor() && req.anchor_item_ids_size() > 0) {
    return NoKnownAnchorError(req);
  }
  if (known.size() > 1) {
    switch (req.anchor_choice()) {
      case v1::ANCHORS_RANDOM_FIRST:
        std::swap(known[0], known[st->rng.Uniform(known.size())]);
        break;
      case v1::ANCHORS_RANDOM_ONE:
        known = {known[st->rng.Uniform(known.size())]};
        break;
      default:  // ANCHORS_ALL (the validation rejects unknown values).
        break;
    }
  }
  st->anchors = std::move(known);
  return absl::OkStatus();
}

// The candidate restriction of the request, if it has one.
void Restrict(RequestState* st) {
  const v1::RecommendRequest& req = st->request;
  const bool by_ids = req.candidate_item_ids_size() > 0;
  const bool by_query = catalog::HasClauses(req.query());
  if (!by_ids && !by_query) return;
  std::vector<uint32_t> allowed;
  if (by_query) allowed = catalog::MatchQuery(st->catalog, req.query());
  if (by_ids) {
    std::vector<uint32_t> named;
    named.reserve(req.candidate_item_ids_size());
    for (const std::string& id : req.candidate_item_ids()) {
      if (auto idx = st->catalog.Find(id)) named.push_back(*idx);
    }
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    if (by_query) {
      std::vector<uint32_t> both;
      std::set_intersection(allowed.begin(), allowed.end(), named.begin(), named.end(),
                            std::back_inserter(both));
      allowed = std::move(both);
    } else {
      allowed = std::move(named);
    }
  }
  st->filter.Restrict(std::move(allowed));
}

}  // namespace

absl::Status NoKnownAnchorError(const v1::RecommendRequest& request) {
  return absl::NotFoundError(
      absl::StrCat("no known anchor among [", absl::StrJoin(request.anchor_item_ids(), ", "), "]"));
}

absl::StatusOr<RequestHistories> ReadHistories(const state::StateStore& state,
                                               const v1::RecommendRequest& req,
                                               const config::SurfaceConfig& surface) {
  RequestHistories h;
  const size_t limit = static_cast<size_t>(surface.history_length);
  if (absl::Status s = state.UserHistory(req.tenant(), req.user_id(), limit, &h.user); !s.ok()) {
    return s;
  }
  if (absl::Status s = state.SessionHistory(req.tenant(), req.session_id(), limit, &h.session);
      !s.ok()) {
    return s;
  }
  if (surface.filters.exclude_recommended) {
    if (absl::Status s = state.ServedItems(req.tenant(), req.user_id(), &h.served); !s.ok()) {
      return s;
    }
  }
  return h;
}

absl::Status BuildContext(const RequestHistories& histories, const std::vector<int>& hidden_types,
                          const std::vector<int>* seen_types, int64_t now_ms, RequestState* st) {
  const v1::RecommendRequest& req = st->request;
  st->retrieval_cascade =
      req.retrieval_models_size() > 0
          ? std::vector<std::string>(req.retrieval_models().begin(), req.retrieval_models().end())
          : st->surface.retrieval;
  st->scoring_cascade =
      req.scoring_models_size() > 0
          ? std::vector<std::string>(req.scoring_models().begin(), req.scoring_models().end())
          : st->surface.scoring;

  // Exposures (non-history types) and negative feedback (value < 0: a dislike, an un-like)
  // are not interests; both still count as seen.
  std::vector<uint32_t> seen_only;
  auto in_history = [&](const state::HistoryEntry& h) {
    return h.value >= 0 && std::find(hidden_types.begin(), hidden_types.end(),
                                     static_cast<int>(h.type)) == hidden_types.end();
  };
  st->user_items.reserve(histories.user.size());
  for (const auto& h : histories.user) {
    (in_history(h) ? st->user_items : seen_only).push_back(h.item);
  }
  for (const auto& h : histories.session) {
    (in_history(h) ? st->session_items : seen_only).push_back(h.item);
  }
  if (absl::Status s = ResolveAnchors(st); !s.ok()) return s;
  if (st->surface.filters.exclude_seen && seen_types == nullptr) {
    for (uint32_t i : st->user_items) st->filter.Exclude(i);
    for (uint32_t i : st->session_items) st->filter.Exclude(i);
    for (uint32_t i : seen_only) st->filter.Exclude(i);
  } else if (st->surface.filters.exclude_seen) {
    // Only the listed event types count as seen (filters.exclude_seen_types).
    auto counts = [&](const state::HistoryEntry& h) {
      return std::find(seen_types->begin(), seen_types->end(), static_cast<int>(h.type)) !=
             seen_types->end();
    };
    for (const auto& h : histories.user) {
      if (counts(h)) st->filter.Exclude(h.item);
    }
    for (const auto& h : histories.session) {
      if (counts(h)) st->filter.Exclude(h.item);
    }
  }
  for (uint32_t i : histories.served) st->filter.Exclude(i);
  for (const std::string& id : req.exclude_item_ids()) {
    if (auto idx = st->catalog.Find(id)) st->filter.Exclude(*idx);
  }
  Restrict(st);

  models::RecommendContext& ctx = st->model_ctx;
  ctx.user_history = st->user_items;
  ctx.session_items = st->session_items;
  ctx.anchors = st->anchors;
  ctx.filter = &st->filter;
  ctx.catalog = &st->catalog;
  ctx.rng = &st->rng;
  ctx.now_ms = now_ms;
  ctx.k = req.k() > 0 ? static_cast<size_t>(req.k()) : 0;
  st->facts.has_user = !req.user_id().empty();
  st->facts.has_session_history = !st->session_items.empty();
  st->facts.has_anchor = !st->anchors.empty();
  return absl::OkStatus();
}

}  // namespace recplat::engine
