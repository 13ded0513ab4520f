#include "core/engine/response_stage.h"

namespace recplat::engine {

std::vector<state::ServedItem> BuildAnswer(RequestState* st, v1::RecommendResponse* response) {
  const size_t k = static_cast<size_t>(st->request.k());
  if (st->ordered.size() > k) st->ordered.resize(k);
  std::vector<state::ServedItem> served;
  served.reserve(st->ordered.size());
  for (size_t pos = 0; pos < st->ordered.size(); ++pos) {
    const models::ScoredItem& s = st->ordered[pos];
    const registry::LoadedModel* m = st->scorer != nullptr ? st->scorer.get() : st->origin[s.item];
    v1::RecommendedItem* out = response->add_items();
    out->set_item_id(st->catalog.Id(s.item));
    out->set_score(s.score);
    out->set_model(m != nullptr ? m->name : "request");
    out->set_model_version(m != nullptr ? m->version : 0);
    out->set_position(static_cast<int32_t>(pos));
    served.push_back({s.item, static_cast<int32_t>(pos), out->model(), out->model_version()});
  }
  return served;
}

}  // namespace recplat::engine
