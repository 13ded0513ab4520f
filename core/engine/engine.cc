#include "core/engine/engine.h"

#include <cstdio>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/engine/context_stage.h"
#include "core/engine/ordering_stage.h"
#include "core/engine/request_filter.h"
#include "core/engine/request_state.h"
#include "core/engine/response_stage.h"
#include "core/engine/retrieval_stage.h"
#include "core/engine/scoring_stage.h"

namespace recplat::engine {
namespace {

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
  options.models = config.models;
  options.served_lists_days = config.state.served_lists_days;
  return options;
}

Engine::Engine(EngineOptions options, state::StateStore& state,
               const registry::ModelRegistry& registry, const common::Clock& clock,
               prometheus::Registry& metrics)
    : options_(std::move(options)),
      state_(state),
      registry_(registry),
      clock_(clock),
      metrics_(std::make_unique<EngineMetrics>(metrics)),
      gates_(options_.models, state),
      rngs_(options_.rng_seed.value_or(static_cast<uint64_t>(clock.NowMicros()))) {
  for (const auto& [name, surface] : options_.surfaces) {
    // The config validation forbids a cache where every call must give a fresh list; options
    // built by hand get none there either.
    if (surface.cache.size > 0 && !surface.filters.exclude_recommended) {
      caches_.emplace(name,
                      SurfaceCache{std::make_unique<ResponseCache>(surface.cache, clock_),
                                   &metrics_->cache_hits.Add({{"surface", name}}),
                                   &metrics_->cache_misses.Add({{"surface", name}})});
    }
    stage_timers_.emplace(name, EngineMetrics::StageTimers(metrics_->stage_latency, name));
  }
  ServedRecorderOptions ro;
  ro.max_queue = options_.served_queue;
  ro.retention_days = options_.served_lists_days;
  recorder_ = std::make_unique<ServedRecorder>(ro, state_, clock_, metrics);
}

Engine::~Engine() { Stop(); }

void Engine::Stop() { recorder_->Stop(); }

absl::Status Engine::FlushServedLists() { return recorder_->Flush(); }

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

std::mutex& Engine::UserLock(const std::string& tenant, const std::string& user) {
  return user_locks_[absl::HashOf(tenant, user) % user_locks_.size()];
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
  common::Rng rng = rngs_.Make();

  ResponseCache* cache = nullptr;
  std::string cache_key;
  uint64_t generation = 0;
  if (auto it = caches_.find(surface_name); it != caches_.end()) {
    cache = it->second.cache.get();
    // Read before the model versions: an entry is never newer than its generation says.
    generation = registry_.ServingGeneration();
    cache_key = ResponseCacheKey(req, surface_name, ModelStates(req, *surface));
    if (std::shared_ptr<const v1::RecommendResponse> hit = cache->Lookup(cache_key, generation)) {
      it->second.hits->Increment();
      v1::RecommendResponse response = *hit;
      response.set_recommendation_id(NewRecommendationId(rng));
      response.set_cached(true);
      if (!req.dry_run()) {
        RecordAnswer(req, surface_name, response, ServedOf(req.tenant(), response));
      }
      return response;
    }
    it->second.misses->Increment();
  }

  // From reading the served items to recording the answer, one request per (tenant, user).
  std::unique_lock<std::mutex> user_lock;
  if (surface->filters.exclude_recommended && !req.dry_run() && !req.user_id().empty()) {
    user_lock = std::unique_lock<std::mutex>(UserLock(req.tenant(), req.user_id()));
  }
  RECPLAT_ASSIGN_OR_RETURN(Answer answer, Compute(req, *surface, surface_name, rng));
  if (cache != nullptr) cache->Insert(cache_key, answer.response, generation);
  if (!req.dry_run()) RecordAnswer(req, surface_name, answer.response, answer.served);
  return std::move(answer.response);
}

absl::StatusOr<Engine::Answer> Engine::Compute(const v1::RecommendRequest& req,
                                               const config::SurfaceConfig& surface,
                                               const std::string& surface_name,
                                               common::Rng& rng) {
  const double compute_start = clock_.MonotonicSeconds();
  Answer answer;
  v1::RecommendResponse& response = answer.response;
  response.set_recommendation_id(NewRecommendationId(rng));
  const catalog::Catalog* cat = state_.FindCatalog(req.tenant());
  if (cat == nullptr) {
    // No items in this tenant yet: no anchor can be known.
    if (req.require_known_anchor() && req.anchor_item_ids_size() > 0) {
      return NoKnownAnchorError(req);
    }
    return answer;
  }

  // Context: histories from the state store before taking the catalog lock.
  RECPLAT_ASSIGN_OR_RETURN(RequestHistories histories, ReadHistories(state_, req, surface));
  // Stored versions asked for, loaded (or found) before the catalog lock.
  absl::flat_hash_map<std::string, registry::ModelHandle> pinned;
  for (const auto& [model, version] : req.model_versions()) {
    RECPLAT_ASSIGN_OR_RETURN(pinned[model], registry_.Stored(req.tenant(), model, version));
  }
  auto reader = cat->Read();
  RequestState st(req, surface, surface_name, reader, rng);
  st.pinned_versions = std::move(pinned);
  std::vector<int> seen_types;
  for (const std::string& name : surface.filters.exclude_seen_types) {
    // A type never applied yet has no id: nothing of it can be in a history.
    if (int id = state_.EventTypeId(name); id >= 0) seen_types.push_back(id);
  }
  RECPLAT_RETURN_IF_ERROR(BuildContext(
      histories, NonHistoryTypeIds(),
      surface.filters.exclude_seen_types.empty() ? nullptr : &seen_types, clock_.NowMs(), &st));
  if (st.filter.restricted() && st.filter.allowed().empty()) return answer;

  const StageEnv env{registry_, gates_, *metrics_, clock_};
  double stage_start = clock_.MonotonicSeconds();
  // Configured surfaces all have timers; a surface built by hand may not.
  const auto timers = stage_timers_.find(surface_name);
  const EngineMetrics::StageTimers* t = timers == stage_timers_.end() ? nullptr : &timers->second;
  if (t != nullptr) t->context->Observe(stage_start - compute_start);
  auto end_stage = [&]() {
    const double now = clock_.MonotonicSeconds();
    const double spent = now - stage_start;
    stage_start = now;
    return spent;
  };
  RunRetrieval(env, &st, &response);
  response.set_retrieval_seconds(end_stage());
  if (t != nullptr) t->retrieval->Observe(response.retrieval_seconds());
  if (st.candidates.empty()) return answer;
  RunScoring(env, &st, &response);
  response.set_scoring_seconds(end_stage());
  RunOrdering(env, &st);
  answer.served = BuildAnswer(&st, &response);
  response.set_ordering_seconds(end_stage());
  if (t != nullptr) {
    t->scoring->Observe(response.scoring_seconds());
    t->ordering->Observe(response.ordering_seconds());
  }
  return answer;
}

std::string Engine::ModelStates(const v1::RecommendRequest& req,
                                const config::SurfaceConfig& surface) const {
  std::string states;
  // Model versions need no place in the key: every swap of a serving snapshot bumps the
  // registry's ServingGeneration, and the cache drops the entries of older generations. Gates
  // can change with every applied event, so their states are part of the key.
  auto add = [&](const std::string& name) {
    if (!gates_.GateHolds(req.tenant(), name)) absl::StrAppend(&states, name, "!;");
  };
  auto add_all = [&](const auto& names) {
    for (const std::string& name : names) add(name);
  };
  if (req.retrieval_models_size() > 0) {
    add_all(req.retrieval_models());
  } else {
    add_all(surface.retrieval);
  }
  states.push_back('|');
  if (req.scoring_models_size() > 0) {
    add_all(req.scoring_models());
  } else {
    add_all(surface.scoring);
  }
  states.push_back('|');
  if (std::string diversity = DiversityModel(req, surface); !diversity.empty()) add(diversity);
  // The activity stamps of the user and of the session: an answer is never reused across the
  // requester's own new activity (a click changes what session and user models answer).
  absl::StrAppend(&states, "|u", state_.ActivityStamp(req.tenant(), req.user_id()), "|s",
                  state_.ActivityStamp(req.tenant(), req.session_id()));
  return states;
}

std::vector<state::ServedItem> Engine::ServedOf(const std::string& tenant,
                                                const v1::RecommendResponse& response) const {
  std::vector<state::ServedItem> served;
  const catalog::Catalog* cat = state_.FindCatalog(tenant);
  if (cat == nullptr) return served;
  auto reader = cat->Read();
  for (const v1::RecommendedItem& item : response.items()) {
    if (auto idx = reader.Find(item.item_id())) {
      served.push_back({*idx, item.position(), item.model(), item.model_version()});
    }
  }
  return served;
}

void Engine::RecordAnswer(const v1::RecommendRequest& req, const std::string& surface_name,
                          const v1::RecommendResponse& response,
                          std::span<const state::ServedItem> served) {
  const int64_t now = clock_.NowMs();
  if (!req.user_id().empty() && !served.empty()) {
    if (absl::Status s = state_.RecordServed(req.tenant(), req.user_id(), served, now); !s.ok()) {
      // Losing this bookkeeping only weakens the "already recommended" filter: serve anyway.
      RECPLAT_LOG(Warn, "could not record served items", {{"error", s.ToString()}});
    }
  }
  v1::ServedList list;
  list.set_recommendation_id(response.recommendation_id());
  list.set_tenant(req.tenant());
  list.set_surface(surface_name);
  list.set_user_id(req.user_id());
  list.set_session_id(req.session_id());
  list.set_served_at_ms(now);
  list.set_retrieval_model(response.retrieval_model());
  list.set_retrieval_model_version(response.retrieval_model_version());
  list.set_scoring_model(response.scoring_model());
  list.set_scoring_model_version(response.scoring_model_version());
  list.set_retrieval_seconds(response.retrieval_seconds());
  list.set_scoring_seconds(response.scoring_seconds());
  list.set_ordering_seconds(response.ordering_seconds());
  for (const v1::RecommendedItem& item : response.items()) list.add_item_ids(item.item_id());
  list.set_cached(response.cached());
  list.mutable_context()->insert(req.context().begin(), req.context().end());
  recorder_->Record(std::move(list));
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
    registry::ModelHandle h;
    if (req.model_version() != 0) {
      // An explicit stored version: read-only, its errors are the answer.
      RECPLAT_ASSIGN_OR_RETURN(h, registry_.Stored(req.tenant(), name, req.model_version()));
    } else {
      h = registry_.Current(req.tenant(), name);
      if (h == nullptr || !gates_.GateHolds(req.tenant(), name)) continue;
    }
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
