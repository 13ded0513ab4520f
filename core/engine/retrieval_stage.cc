#include "core/engine/retrieval_stage.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/common/logging.h"

namespace recplat::engine {
namespace {

// The items already chosen by the retrieval cascade: a bitmap over the catalog's dense item
// indices when that is small next to the candidates (e.g. 10,000 services retrieved whole),
// otherwise a hash set (a few candidates of a large catalog).
class ChosenItems {
 public:
  ChosenItems(size_t catalog_size, size_t expected) {
    if (catalog_size / 64 <= 4 * expected + 64) {
      bits_.assign(catalog_size / 64 + 1, 0);
    } else {
      set_.reserve(expected);
    }
  }
  // True when `item` was not chosen before (it is now).
  bool Insert(uint32_t item) {
    if (bits_.empty()) return set_.insert(item).second;
    const size_t word = item / 64;
    if (word >= bits_.size()) bits_.resize(word + 1, 0);  // An item newer than the snapshot size.
    const uint64_t bit = uint64_t{1} << (item % 64);
    if ((bits_[word] & bit) != 0) return false;
    bits_[word] |= bit;
    return true;
  }

 private:
  std::vector<uint64_t> bits_;
  absl::flat_hash_set<uint32_t> set_;
};

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
  ChosenItems chosen(st->catalog.size(), want);
  auto add_from = [&](const registry::ModelHandle& h, std::vector<models::ScoredItem>& got) {
    // Later models only fill up: their items rank below everything already chosen.
    double floor = std::numeric_limits<double>::infinity();
    for (const Candidate& c : st->candidates) floor = std::min(floor, c.scored.score);
    const bool shift = !st->candidates.empty();
    double top = got.empty() ? 0 : got.front().score;
    for (const auto& s : got) top = std::max(top, s.score);
    st->candidates.reserve(st->candidates.size() + got.size());
    for (models::ScoredItem s : got) {
      if (st->filter.Excluded(s.item) || !chosen.Insert(s.item)) continue;
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
