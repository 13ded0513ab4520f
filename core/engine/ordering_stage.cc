#include "core/engine/ordering_stage.h"

#include <algorithm>

#include "core/common/logging.h"
#include "core/engine/reranker.h"

namespace recplat::engine {
namespace {

void Diversity(const StageEnv& env, RequestState* st) {
  Rerank(st->surface.diversity, st->catalog, &st->ordered);
  const std::string model = DiversityModel(st->request, st->surface);
  if (model.empty() || !env.gates.Allows(st->request.tenant(), model, st->facts)) return;
  registry::ModelHandle h = env.registry.Current(st->request.tenant(), model);
  if (h == nullptr) return;
  const size_t head =
      static_cast<size_t>(st->request.diversity_head() > 0 ? st->request.diversity_head()
                                                           : st->surface.diversity.ordering_size);
  absl::Status s = h->model->Diversify(head, &st->ordered);
  if (!s.ok() && s.code() != absl::StatusCode::kUnimplemented) {
    env.metrics.model_errors.Add({{"model", model}}).Increment();
    RECPLAT_LOG(Warn, "diversity re-rank failed", {{"model", model}, {"error", s.ToString()}});
  }
  st->handles.push_back(std::move(h));
}

}  // namespace

std::string DiversityModel(const v1::RecommendRequest& request,
                           const config::SurfaceConfig& surface) {
  if (!request.diversity_model().empty()) return request.diversity_model();
  return surface.diversity.method == "model" ? surface.diversity.model : std::string();
}

void AvailableFirst(const catalog::Catalog::Reader& catalog,
                    std::vector<models::ScoredItem>* items) {
  std::stable_partition(items->begin(), items->end(),
                        [&](const models::ScoredItem& s) { return catalog.Recommendable(s.item); });
}

void RunOrdering(const StageEnv& env, RequestState* st) {
  st->ordered.reserve(st->candidates.size());
  for (const Candidate& c : st->candidates) st->ordered.push_back(c.scored);
  // Without a scorer, each item of the answer names the model that retrieved it.
  if (st->scorer == nullptr) {
    st->origin.reserve(st->candidates.size());
    for (const Candidate& c : st->candidates) st->origin[c.scored.item] = c.origin;
  }
  for (const std::string& stage : st->surface.ordering) {
    if (stage == "diversity") {
      Diversity(env, st);
    } else if (stage == "available_first") {
      AvailableFirst(st->catalog, &st->ordered);
    }
  }
}

}  // namespace recplat::engine
