#include "core/engine/scoring_stage.h"

#include <algorithm>
#include <span>

#include "absl/strings/str_cat.h"
#include "core/common/logging.h"

namespace recplat::engine {

void RunScoring(const StageEnv& env, RequestState* st, v1::RecommendResponse* response) {
  const std::vector<std::string>& scorers = !st->scoring_cascade.empty() || !st->filter.restricted()
                                                ? st->scoring_cascade
                                                : st->retrieval_cascade;
  for (const std::string& name : scorers) {
    registry::ModelHandle h;
    if (!st->Usable(env, name, &h)) continue;
    std::vector<models::ScoredItem> scored;
    scored.reserve(st->candidates.size());
    for (const Candidate& c : st->candidates) scored.push_back(c.scored);
    if (absl::Status s = h->model->Score(st->model_ctx, std::span<models::ScoredItem>(scored));
        !s.ok()) {
      env.metrics.model_errors.Add({{"model", name}}).Increment();
      RECPLAT_LOG(Warn, "scoring failed", {{"model", name}, {"error", s.ToString()}});
      continue;
    }
    for (size_t i = 0; i < st->candidates.size(); ++i) {
      st->candidates[i].scored.score = scored[i].score;
    }
    st->scorer = std::move(h);
    break;
  }
  response->set_scored_candidates(static_cast<int32_t>(st->candidates.size()));
  if (st->scorer != nullptr) {
    response->set_scoring_model(st->scorer->name);
    response->set_scoring_model_version(st->scorer->version);
    env.metrics.stage
        .Add({{"surface", st->surface_name},
              {"stage", "scoring"},
              {"model", st->scorer->name},
              {"version", absl::StrCat(st->scorer->version)}})
        .Increment();
  }
  if (st->surface.apply_item_weight) {
    for (Candidate& c : st->candidates) c.scored.score *= st->catalog.Meta(c.scored.item).weight;
  }
  std::stable_sort(
      st->candidates.begin(), st->candidates.end(),
      [](const Candidate& a, const Candidate& b) { return a.scored.score > b.scored.score; });
}

}  // namespace recplat::engine
