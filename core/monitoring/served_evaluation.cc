// EvaluateServed (served_evaluation.h): clicks first (hits, and the latest click per visit key
// for future hits), then the served lists.
#include "core/monitoring/served_evaluation.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/common/status_macros.h"
#include "core/monitoring/value_summary.h"

namespace recplat::monitoring {
namespace {

// The figures of one set ("general" or one model).
struct ServedAccumulator {
  int64_t predictions = 0;
  int64_t hits = 0;
  int64_t future_hits = 0;
  absl::flat_hash_set<std::string> covered;
  SummaryAccumulator retrieval;
  SummaryAccumulator scoring;

  // A list counted for this set as its scoring model (or for "general").
  void AddScored(const v1::ServedList& list, bool future_hit) {
    ++predictions;
    if (future_hit) ++future_hits;
    covered.insert(list.item_ids().begin(), list.item_ids().end());
    scoring.Add(list.scoring_seconds());
  }

  v1::ServedFigures ToProto(int64_t live_items) const {
    v1::ServedFigures out;
    out.set_predictions(predictions);
    out.set_hits(hits);
    out.set_hit_rate(Ratio(hits, predictions));
    out.set_future_hits(future_hits);
    out.set_future_hit_rate(Ratio(future_hits, predictions));
    out.set_covered_items(static_cast<int64_t>(covered.size()));
    out.set_coverage(
        Ratio(static_cast<int64_t>(covered.size()), std::max<int64_t>(live_items, 1)));
    *out.mutable_retrieval_seconds() = retrieval.ToProto();
    *out.mutable_scoring_seconds() = scoring.ToProto();
    return out;
  }
};

// (session, model, surface, item) of a click, for the future-hit join.
std::string VisitKey(absl::string_view session, absl::string_view model, absl::string_view surface,
                     absl::string_view item) {
  return absl::StrCat(session.size(), ":", session, model.size(), ":", model, surface.size(), ":",
                      surface, item);
}

const std::string* ContextValue(const v1::Event& event, const std::string& key) {
  auto it = event.context().find(key);
  return it == event.context().end() ? nullptr : &it->second;
}

// The per-model sets: fixed when the request names models, else every model seen.
class ModelSets {
 public:
  explicit ModelSets(const v1::EvaluateServedRequest& request) : fixed_(request.models_size() > 0) {
    for (const std::string& model : request.models()) sets_[model];
  }
  ServedAccumulator* Find(const std::string& model) {
    if (!fixed_) return model.empty() ? nullptr : &sets_[model];
    auto it = sets_.find(model);
    return it == sets_.end() ? nullptr : &it->second;
  }
  const absl::flat_hash_map<std::string, ServedAccumulator>& sets() const { return sets_; }

 private:
  const bool fixed_;
  absl::flat_hash_map<std::string, ServedAccumulator> sets_;
};

}  // namespace

absl::StatusOr<v1::EvaluateServedResponse> EvaluateServed(const v1::EvaluateServedRequest& request,
                                                          const RecordScan<v1::Event>& clicks,
                                                          const RecordScan<v1::ServedList>& served,
                                                          int64_t live_items) {
  const v1::ClickAttribution& attribution = request.clicks();
  auto key_or = [](const std::string& key, const char* fallback) {
    return key.empty() ? std::string(fallback) : key;
  };
  const std::string model_key = key_or(attribution.model_key(), "model");
  const std::string surface_key = key_or(attribution.surface_key(), "surface");
  const std::string position_key = key_or(attribution.position_key(), "position");
  const int64_t from = request.from_ms();
  const int64_t to = request.to_ms();
  auto in_range = [from, to](int64_t t) { return from <= t && t <= to; };

  ServedAccumulator general;
  ModelSets models(request);
  // The latest click time per VisitKey: a list is a future hit when some matching click is at
  // or after it, i.e. when the latest one is.
  absl::flat_hash_map<std::string, int64_t> latest_visit;
  RECPLAT_RETURN_IF_ERROR(clicks([&](const v1::Event& event) {
    const std::string* model = ContextValue(event, model_key);
    const std::string* surface = ContextValue(event, surface_key);
    if (!in_range(event.timestamp_ms()) || model == nullptr || surface == nullptr) return;
    const std::string* position = ContextValue(event, position_key);
    int64_t p = 0;
    ServedAccumulator* set = models.Find(*model);
    if (position != nullptr && absl::SimpleAtoi(*position, &p) && p >= 0 && p < request.k()) {
      ++general.hits;
      if (set != nullptr) ++set->hits;
    }
    const std::string* session =
        attribution.session_key().empty() ? &event.session_id()
                                          : ContextValue(event, attribution.session_key());
    auto [it, inserted] = latest_visit.try_emplace(
        VisitKey(session == nullptr ? "" : *session, *model, *surface, event.item_id()),
        event.timestamp_ms());
    if (!inserted) it->second = std::max(it->second, event.timestamp_ms());
  }));

  RECPLAT_RETURN_IF_ERROR(served([&](const v1::ServedList& list) {
    if (!in_range(list.served_at_ms())) return;
    const std::string& scoring_model =
        list.scoring_model().empty() ? list.retrieval_model() : list.scoring_model();
    bool future_hit = false;
    for (const std::string& item : list.item_ids()) {
      auto it = latest_visit.find(VisitKey(list.session_id(), scoring_model, list.surface(), item));
      if (it != latest_visit.end() && it->second >= list.served_at_ms()) {
        future_hit = true;
        break;
      }
    }
    general.AddScored(list, future_hit);
    general.retrieval.Add(list.retrieval_seconds());
    if (ServedAccumulator* set = models.Find(scoring_model)) set->AddScored(list, future_hit);
    if (ServedAccumulator* set = models.Find(list.retrieval_model())) {
      set->retrieval.Add(list.retrieval_seconds());
    }
  }));

  v1::EvaluateServedResponse response;
  *response.mutable_general() = general.ToProto(live_items);
  for (const auto& [name, set] : models.sets()) {
    (*response.mutable_models())[name] = set.ToProto(live_items);
  }
  response.set_live_items(live_items);
  return response;
}

}  // namespace recplat::monitoring
