#include "core/engine/engine.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/random.h"
#include "core/engine/request_filter.h"
#include "core/engine/reranker.h"
#include "prometheus/counter.h"

namespace recplat::engine {

struct Engine::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : stage(prometheus::BuildCounter()
                  .Name("recplat_recommend_stage_total")
                  .Help("Which model served each cascade stage, by surface, stage and model")
                  .Register(r)),
        model_errors(prometheus::BuildCounter()
                         .Name("recplat_model_errors_total")
                         .Help("Model calls that failed (the cascade moved on), by model")
                         .Register(r)) {}
  prometheus::Family<prometheus::Counter>& stage;
  prometheus::Family<prometheus::Counter>& model_errors;
};

namespace {

// One candidate and the model that produced it.
struct Candidate {
  models::ScoredItem scored;
  const registry::LoadedModel* origin = nullptr;
};

std::string NewRecommendationId(common::Rng& rng) {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace

EngineOptions EngineOptionsFromConfig(const config::Config& config) {
  EngineOptions options;
  options.surfaces = config.surfaces;
  for (const auto& [name, type] : config.event_types) {
    if (!type.history) options.non_history_event_types.push_back(name);
  }
  return options;
}

Engine::Engine(EngineOptions options, state::StateStore& state,
               const registry::ModelRegistry& registry, const common::Clock& clock,
               prometheus::Registry& metrics)
    : options_(std::move(options)),
      state_(state),
      registry_(registry),
      clock_(clock),
      metrics_(std::make_unique<Metrics>(metrics)) {}

Engine::~Engine() = default;

std::vector<int> Engine::NonHistoryTypeIds() const {
  std::vector<int> ids;
  for (const std::string& name : options_.non_history_event_types) {
    if (int id = state_.EventTypeId(name); id >= 0) ids.push_back(id);
  }
  return ids;
}

const config::SurfaceConfig* Engine::FindSurface(const std::string& name) const {
  auto it = options_.surfaces.find(name.empty() ? "default" : name);
  return it == options_.surfaces.end() ? nullptr : &it->second;
}

absl::StatusOr<v1::RecommendResponse> Engine::Recommend(const v1::RecommendRequest& req) {
  const config::SurfaceConfig* surface = FindSurface(req.surface());
  if (surface == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown surface '", req.surface(), "'"));
  }
  const std::string surface_name = req.surface().empty() ? "default" : req.surface();
  if (req.k() > surface->max_k) {
    return absl::InvalidArgumentError(absl::StrCat("k=", req.k(), " exceeds the surface's max_k=",
                                                   surface->max_k));
  }
  const std::string& tenant = req.tenant();
  const std::vector<std::string> retrieval_cascade =
      req.retrieval_models_size() > 0
          ? std::vector<std::string>(req.retrieval_models().begin(), req.retrieval_models().end())
          : surface->retrieval;
  const std::vector<std::string> scoring_cascade =
      req.scoring_models_size() > 0
          ? std::vector<std::string>(req.scoring_models().begin(), req.scoring_models().end())
          : surface->scoring;
  v1::RecommendResponse response;
  common::Rng& rng = common::ThreadLocalRng();
  response.set_recommendation_id(NewRecommendationId(rng));
  const catalog::Catalog* cat = state_.FindCatalog(tenant);
  if (cat == nullptr) return response;  // No items in this tenant yet.

  // Context from the state store (before taking the catalog lock).
  std::vector<state::HistoryEntry> history;
  std::vector<state::HistoryEntry> session;
  std::vector<uint32_t> served;
  const size_t history_limit = static_cast<size_t>(surface->history_length);
  if (absl::Status s = state_.UserHistory(tenant, req.user_id(), history_limit, &history); !s.ok()) {
    return s;
  }
  if (absl::Status s = state_.SessionHistory(tenant, req.session_id(), history_limit, &session);
      !s.ok()) {
    return s;
  }
  if (surface->filters.exclude_recommended) {
    if (absl::Status s = state_.ServedItems(tenant, req.user_id(), &served); !s.ok()) return s;
  }

  auto reader = cat->Read();
  RequestFilter filter(reader, surface->filters.exclude_unavailable);
  std::vector<uint32_t> user_items, session_items, anchors, seen_only;
  user_items.reserve(history.size());
  const std::vector<int> hidden = NonHistoryTypeIds();
  // Exposures (non-history types) and negative feedback (value < 0: a dislike, an un-like)
  // are not interests; both still count as seen.
  auto in_history = [&](const state::HistoryEntry& h) {
    return h.value >= 0 &&
           std::find(hidden.begin(), hidden.end(), static_cast<int>(h.type)) == hidden.end();
  };
  for (const auto& h : history) (in_history(h) ? user_items : seen_only).push_back(h.item);
  for (const auto& h : session) (in_history(h) ? session_items : seen_only).push_back(h.item);
  for (const std::string& id : req.anchor_item_ids()) {
    if (auto idx = reader.Find(id)) {
      anchors.push_back(*idx);
      filter.Exclude(*idx);
    }
  }
  if (surface->filters.exclude_seen) {
    for (uint32_t i : user_items) filter.Exclude(i);
    for (uint32_t i : session_items) filter.Exclude(i);
    for (uint32_t i : seen_only) filter.Exclude(i);
  }
  for (uint32_t i : served) filter.Exclude(i);
  for (const std::string& id : req.exclude_item_ids()) {
    if (auto idx = reader.Find(id)) filter.Exclude(*idx);
  }
  for (const std::string& id : req.candidate_item_ids()) {
    if (auto idx = reader.Find(id)) filter.Allow(*idx);
  }
  if (req.candidate_item_ids_size() > 0 && !filter.restricted()) return response;

  models::RecommendContext ctx;
  ctx.user_history = user_items;
  ctx.session_items = session_items;
  ctx.anchors = anchors;
  ctx.filter = &filter;
  ctx.catalog = &reader;
  ctx.rng = &rng;
  ctx.now_ms = clock_.NowMs();

  const size_t k = static_cast<size_t>(req.k());
  const size_t min_k = static_cast<size_t>(std::max(0, req.min_k()));
  // Handles stay alive for this request only.
  std::vector<registry::ModelHandle> handles;
  std::vector<Candidate> candidates;
  absl::flat_hash_set<uint32_t> chosen;
  auto add_from = [&](const registry::ModelHandle& h, std::vector<models::ScoredItem>& got) {
    // Later models only fill up: their items rank below everything already chosen.
    double floor = std::numeric_limits<double>::infinity();
    for (const Candidate& c : candidates) floor = std::min(floor, c.scored.score);
    const bool shift = !candidates.empty();
    double top = got.empty() ? 0 : got.front().score;
    for (const auto& s : got) top = std::max(top, s.score);
    for (models::ScoredItem s : got) {
      if (filter.Excluded(s.item) || !chosen.insert(s.item).second) continue;
      if (shift) s.score = floor - 1.0 - (top - s.score);
      candidates.push_back({s, h.get()});
    }
  };

  std::string retrieval_model;
  int64_t retrieval_version = 0;
  double stage_start = clock_.MonotonicSeconds();
  auto end_stage = [&]() {
    const double now = clock_.MonotonicSeconds();
    const double spent = now - stage_start;
    stage_start = now;
    return spent;
  };
  if (filter.restricted()) {
    // The request names the candidates; the scoring cascade (or, without one, the retrieval
    // cascade's models as scorers) ranks them.
    for (uint32_t item : filter.allowed()) {
      if (!filter.Excluded(item)) candidates.push_back({{item, 0.0}, nullptr});
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.scored.item < b.scored.item; });
    retrieval_model = "request";
  } else {
    const size_t want = std::max<size_t>(k, static_cast<size_t>(surface->candidates));
    for (const std::string& name : retrieval_cascade) {
      if (!candidates.empty() && candidates.size() >= std::max<size_t>(min_k, 1)) break;
      registry::ModelHandle h = registry_.Current(tenant, name);
      if (h == nullptr || !h->model->Ready(ctx)) continue;
      std::vector<models::ScoredItem> got;
      if (absl::Status s = h->model->Retrieve(ctx, want, &got); !s.ok()) {
        metrics_->model_errors.Add({{"model", name}}).Increment();
        RECPLAT_LOG(Warn, "retrieval failed", {{"model", name}, {"error", s.ToString()}});
        continue;
      }
      if (got.empty()) continue;
      if (retrieval_model.empty()) {
        retrieval_model = h->name;
        retrieval_version = h->version;
      }
      add_from(h, got);
      handles.push_back(std::move(h));
    }
  }
  response.set_retrieval_model(retrieval_model);
  response.set_retrieval_model_version(retrieval_version);
  response.set_retrieval_seconds(end_stage());
  if (!retrieval_model.empty()) {
    metrics_->stage.Add({{"surface", surface_name}, {"stage", "retrieval"}, {"model", retrieval_model}})
        .Increment();
  }
  if (candidates.empty()) return response;

  // Scoring.
  const std::vector<std::string>& scorers =
      !scoring_cascade.empty() || !filter.restricted() ? scoring_cascade : retrieval_cascade;
  registry::ModelHandle scorer;
  for (const std::string& name : scorers) {
    registry::ModelHandle h = registry_.Current(tenant, name);
    if (h == nullptr || !h->model->Ready(ctx)) continue;
    std::vector<models::ScoredItem> scored;
    scored.reserve(candidates.size());
    for (const Candidate& c : candidates) scored.push_back(c.scored);
    if (absl::Status s = h->model->Score(ctx, std::span<models::ScoredItem>(scored)); !s.ok()) {
      metrics_->model_errors.Add({{"model", name}}).Increment();
      RECPLAT_LOG(Warn, "scoring failed", {{"model", name}, {"error", s.ToString()}});
      continue;
    }
    for (size_t i = 0; i < candidates.size(); ++i) candidates[i].scored.score = scored[i].score;
    scorer = std::move(h);
    break;
  }
  if (scorer != nullptr) {
    response.set_scoring_model(scorer->name);
    response.set_scoring_model_version(scorer->version);
    metrics_->stage.Add({{"surface", surface_name}, {"stage", "scoring"}, {"model", scorer->name}})
        .Increment();
  }
  response.set_scoring_seconds(end_stage());
  if (surface->apply_item_weight) {
    for (Candidate& c : candidates) c.scored.score *= reader.Meta(c.scored.item).weight;
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.scored.score > b.scored.score;
  });

  // Ordering: diversity on the head, then truncation.
  std::vector<models::ScoredItem> ordered;
  ordered.reserve(candidates.size());
  absl::flat_hash_map<uint32_t, const registry::LoadedModel*> origin;
  for (const Candidate& c : candidates) {
    ordered.push_back(c.scored);
    origin[c.scored.item] = c.origin;
  }
  Rerank(surface->diversity, reader, &ordered);
  const std::string& diversity_model =
      !req.diversity_model().empty() ? req.diversity_model()
      : surface->diversity.method == "model" ? surface->diversity.model
                                             : req.diversity_model();
  if (!diversity_model.empty()) {
    registry::ModelHandle h = registry_.Current(tenant, diversity_model);
    const size_t head = static_cast<size_t>(
        req.diversity_head() > 0 ? req.diversity_head() : surface->diversity.ordering_size);
    if (h != nullptr) {
      absl::Status s = h->model->Diversify(head, &ordered);
      if (!s.ok() && s.code() != absl::StatusCode::kUnimplemented) {
        metrics_->model_errors.Add({{"model", diversity_model}}).Increment();
        RECPLAT_LOG(Warn, "diversity re-rank failed",
                    {{"model", diversity_model}, {"error", s.ToString()}});
      }
    }
  }
  if (ordered.size() > k) ordered.resize(k);
  response.set_ordering_seconds(end_stage());

  std::vector<state::ServedItem> served_now;
  served_now.reserve(ordered.size());
  for (size_t pos = 0; pos < ordered.size(); ++pos) {
    const models::ScoredItem& s = ordered[pos];
    const registry::LoadedModel* m = scorer != nullptr ? scorer.get() : origin[s.item];
    v1::RecommendedItem* out = response.add_items();
    out->set_item_id(reader.Id(s.item));
    out->set_score(s.score);
    out->set_model(m != nullptr ? m->name : "request");
    out->set_model_version(m != nullptr ? m->version : 0);
    out->set_position(static_cast<int32_t>(pos));
    served_now.push_back({s.item, static_cast<int32_t>(pos), out->model(), out->model_version()});
  }
  if (!req.dry_run() && !req.user_id().empty()) {
    if (absl::Status s = state_.RecordServed(tenant, req.user_id(), served_now, ctx.now_ms);
        !s.ok()) {
      // Losing this bookkeeping only weakens the "already recommended" filter: serve anyway.
      RECPLAT_LOG(Warn, "could not record served items", {{"error", s.ToString()}});
    }
  }
  return response;
}

absl::StatusOr<v1::SimilarItemsResponse> Engine::SimilarItems(
    const v1::SimilarItemsRequest& req) {
  const config::SurfaceConfig* surface = FindSurface(req.surface());
  if (surface == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown surface '", req.surface(), "'"));
  }
  std::vector<std::string> cascade = surface->similar;
  if (!req.model().empty()) {
    if (registry_.FindConfig(req.model()) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown model '", req.model(), "'"));
    }
    cascade = {req.model()};
  }
  const catalog::Catalog* cat = state_.FindCatalog(req.tenant());
  auto not_found = [&] {
    return absl::NotFoundError(absl::StrCat("item '", req.item_id(), "' not found in tenant '",
                                            req.tenant(), "'"));
  };
  if (cat == nullptr) return not_found();
  auto reader = cat->Read();
  auto idx = reader.Find(req.item_id());
  if (!idx || !reader.Meta(*idx).live) return not_found();
  RequestFilter filter(reader, surface->filters.exclude_unavailable);
  filter.Exclude(*idx);
  for (const std::string& id : req.exclude_item_ids()) {
    if (auto e = reader.Find(id)) filter.Exclude(*e);
  }
  v1::SimilarItemsResponse response;
  for (const std::string& name : cascade) {
    registry::ModelHandle h = registry_.Current(req.tenant(), name);
    if (h == nullptr) continue;
    std::vector<models::ScoredItem> got;
    absl::Status s = h->model->Similar(*idx, static_cast<size_t>(req.k()), &filter, &got);
    if (absl::IsUnimplemented(s)) continue;
    if (!s.ok()) {
      metrics_->model_errors.Add({{"model", name}}).Increment();
      continue;
    }
    if (got.empty()) continue;
    for (size_t pos = 0; pos < got.size() && pos < static_cast<size_t>(req.k()); ++pos) {
      v1::RecommendedItem* out = response.add_items();
      out->set_item_id(reader.Id(got[pos].item));
      out->set_score(got[pos].score);
      out->set_model(h->name);
      out->set_model_version(h->version);
      out->set_position(static_cast<int32_t>(pos));
    }
    break;
  }
  return response;
}

}  // namespace recplat::engine
