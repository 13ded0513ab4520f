#include "core/engine/scoring_stage.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>

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
  SortCandidates(OrderedPrefix(st->request, st->surface, st->candidates.size()), &st->candidates);
}

size_t OrderedPrefix(const v1::RecommendRequest& request, const config::SurfaceConfig& surface,
                     size_t n) {
  size_t needed = static_cast<size_t>(std::max(0, request.k()));
  for (const std::string& stage : surface.ordering) {
    if (stage == "diversity") {
      needed = std::max(needed, static_cast<size_t>(std::max(0, surface.diversity.ordering_size)));
      needed = std::max(needed, static_cast<size_t>(std::max(0, request.diversity_head())));
    } else {
      return n;  // available_first (and any stage added later) looks at the whole list.
    }
  }
  return std::min(needed, n);
}

void SortCandidates(size_t prefix, std::vector<Candidate>* candidates) {
  // Sorting (score, position) keys and permuting once is the stable order by score, and moves
  // 16-byte keys instead of candidates; a prefix shorter than the list is a partial sort of the
  // same keys, so it holds exactly what the full sort would put there.
  std::vector<std::pair<double, uint32_t>> keys;
  keys.reserve(candidates->size());
  for (size_t i = 0; i < candidates->size(); ++i) {
    keys.emplace_back((*candidates)[i].scored.score, static_cast<uint32_t>(i));
  }
  auto better = [](const std::pair<double, uint32_t>& a, const std::pair<double, uint32_t>& b) {
    return a.first > b.first || (!(b.first > a.first) && a.second < b.second);
  };
  if (prefix < keys.size()) {
    std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(prefix), keys.end(),
                      better);
    keys.resize(prefix);
  } else {
    std::sort(keys.begin(), keys.end(), better);
  }
  std::vector<Candidate> sorted;
  sorted.reserve(keys.size());
  for (const auto& [score, i] : keys) sorted.push_back((*candidates)[i]);
  candidates->swap(sorted);
}

}  // namespace recplat::engine
