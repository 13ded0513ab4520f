#include "core/engine/retrieval_stage.h"

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/common/logging.h"

namespace recplat::engine {
namespace {

// The request's own candidates: the allowed items that pass the filter.
void RestrictedCandidates(RequestState* st) {
  for (uint32_t item : st->filter.allowed()) {
    if (!st->filter.Excluded(item)) st->candidates.push_back({{item, 0.0}, nullptr});
  }
}

}  // namespace

void RunRetrieval(const StageEnv& env, RequestState* st, v1::RecommendResponse* response) {
  if (st->filter.restricted()) {
    // The request names the candidates; the scoring cascade (or, without one, the retrieval
    // cascade's models as scorers) ranks them.
    RestrictedCandidates(st);
    response->set_retrieval_model("request");
    env.metrics.stage
        .Add({{"surface", st->surface_name},
              {"stage", "retrieval"},
              {"model", "request"},
              {"version", "0"}})
        .Increment();
    return;
  }
  const size_t k = static_cast<size_t>(st->request.k());
  const size_t min_k = static_cast<size_t>(std::max(0, st->request.min_k()));
  const size_t want = std::max<size_t>(k, static_cast<size_t>(st->surface.candidates));
  absl::flat_hash_set<uint32_t> chosen;
  auto add_from = [&](const registry::ModelHandle& h, std::vector<models::ScoredItem>& got) {
    // Later models only fill up: their items rank below everything already chosen.
    double floor = std::numeric_limits<double>::infinity();
    for (const Candidate& c : st->candidates) floor = std::min(floor, c.scored.score);
    const bool shift = !st->candidates.empty();
    double top = got.empty() ? 0 : got.front().score;
    for (const auto& s : got) top = std::max(top, s.score);
    for (models::ScoredItem s : got) {
      if (st->filter.Excluded(s.item) || !chosen.insert(s.item).second) continue;
      if (shift) s.score = floor - 1.0 - (top - s.score);
      st->candidates.push_back({s, h.get()});
    }
  };
  for (const std::string& name : st->retrieval_cascade) {
    if (!st->candidates.empty() && st->candidates.size() >= std::max<size_t>(min_k, 1)) break;
    registry::ModelHandle h;
    if (!st->Usable(env, name, &h)) continue;
    std::vector<models::ScoredItem> got;
    if (absl::Status s = h->model->Retrieve(st->model_ctx, want, &got); !s.ok()) {
      env.metrics.model_errors.Add({{"model", name}}).Increment();
      RECPLAT_LOG(Warn, "retrieval failed", {{"model", name}, {"error", s.ToString()}});
      continue;
    }
    if (got.empty()) continue;
    if (response->retrieval_model().empty()) {
      response->set_retrieval_model(h->name);
      response->set_retrieval_model_version(h->version);
    }
    add_from(h, got);
    st->handles.push_back(std::move(h));
  }
  if (!response->retrieval_model().empty()) {
    env.metrics.stage
        .Add({{"surface", st->surface_name},
              {"stage", "retrieval"},
              {"model", response->retrieval_model()},
              {"version", absl::StrCat(response->retrieval_model_version())}})
        .Increment();
  }
}

}  // namespace recplat::engine
