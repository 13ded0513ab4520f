#include "core/models/item_knn_family.h"

#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/item_similarity.h"
#include "core/models/serving_util.h"

namespace recplat::models {
namespace {

constexpr char kFamily[] = "item_knn";

struct KnnParams {
  SimilarityOptions similarity;
  double history_decay = 1.0;
  int64_t max_history = 200;
};

absl::StatusOr<KnnParams> ParseParams(const ModelParams& params) {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
      {"neighbors", "shrink", "weighting", "history_decay", "max_history", "threads"}));
  KnnParams p;
  RECPLAT_ASSIGN_OR_RETURN(int64_t neighbors, params.GetInt("neighbors", 100, 1, 100000));
  p.similarity.neighbors = static_cast<uint32_t>(neighbors);
  RECPLAT_ASSIGN_OR_RETURN(p.similarity.shrink, params.GetDouble("shrink", 10.0, 0.0));
  const std::string weighting = params.GetString("weighting", "binary");
  if (weighting != "binary" && weighting != "weighted") {
    return absl::InvalidArgumentError(
        absl::StrCat("param 'weighting': expected binary or weighted, got '", weighting, "'"));
  }
  p.similarity.weighted = weighting == "weighted";
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", 0, 0, 1024));
  p.similarity.threads = static_cast<int>(threads);
  RECPLAT_ASSIGN_OR_RETURN(p.history_decay, params.GetDouble("history_decay", 1.0, 1e-9, 1.0));
  RECPLAT_ASSIGN_OR_RETURN(p.max_history, params.GetInt("max_history", 200, 1));
  return p;
}

// Per-thread dense accumulator of neighbour scores: `score` and `seen` are indexed by item and
// all-zero between uses; `touched` lists the items set by the current use. Dense arrays beat a
// hash map here (a few thousand updates per request over a catalogue-sized index space).
struct Accumulator {
  std::vector<double> score;
  std::vector<uint8_t> seen;
  std::vector<uint32_t> touched;

  void Reserve(size_t num_items) {
    if (score.size() < num_items) {
      score.resize(num_items, 0.0);
      seen.resize(num_items, 0);
    }
  }
  void Add(uint32_t item, double value) {
    if (!seen[item]) {
      seen[item] = 1;
      touched.push_back(item);
    }
    score[item] += value;
  }
  void Clear() {
    for (uint32_t item : touched) {
      score[item] = 0.0;
      seen[item] = 0;
    }
    touched.clear();
  }
};

Accumulator& ThreadAccumulator() {
  thread_local Accumulator acc;
  return acc;
}

class ItemKnnModel final : public Model {
 public:
  ItemKnnModel(NeighborLists lists, double history_decay, int64_t max_history)
      : lists_(std::move(lists)), history_decay_(history_decay), max_history_(max_history) {}

  bool Ready(const RecommendContext& ctx) const override {
    auto any_known = [&](std::span<const uint32_t> items, size_t limit) {
      for (size_t p = 0; p < items.size() && p < limit; ++p) {
        if (Known(items[p])) {
          return true;
        }
      }
      return false;
    };
    return any_known(ctx.user_history, static_cast<size_t>(max_history_)) ||
           any_known(ctx.session_items, SIZE_MAX) || any_known(ctx.anchors, SIZE_MAX);
  }

  absl::Status Retrieve(const RecommendContext& ctx, size_t n,
                        std::vector<ScoredItem>* out) const override {
    Accumulator& acc = Accumulate(ctx);
    std::vector<ScoredItem> got;
    got.reserve(acc.touched.size());
    for (uint32_t item : acc.touched) {
      if (!Excluded(ctx, item)) {
        got.push_back({item, acc.score[item]});
      }
    }
    acc.Clear();
    KeepTop(&got, n);
    out->insert(out->end(), got.begin(), got.end());
    return absl::OkStatus();
  }

  absl::Status Score(const RecommendContext& ctx, std::span<ScoredItem> items) const override {
    Accumulator& acc = Accumulate(ctx);
    for (ScoredItem& s : items) {
      const bool seen = s.item < acc.seen.size() && acc.seen[s.item];
      s.score = seen ? acc.score[s.item] : Known(s.item) ? 0.0 : kUnknownScore;
    }
    acc.Clear();
    return absl::OkStatus();
  }

  absl::Status Similar(uint32_t item, size_t n, const CandidateFilter* filter,
                       std::vector<ScoredItem>* out) const override {
    if (item >= lists_.num_items()) {
      return absl::OkStatus();
    }
    const std::span<const uint32_t> items = lists_.ItemsOf(item);
    const std::span<const float> sims = lists_.SimsOf(item);
    size_t added = 0;
    for (size_t k = 0; k < items.size() && added < n; ++k) {
      if (filter == nullptr || !filter->Excluded(items[k])) {
        out->push_back({items[k], sims[k]});
        ++added;
      }
    }
    return absl::OkStatus();
  }

  absl::Status Save(const std::filesystem::path& dir) const override {
    ArtifactWriter w(kFamily);
    std::vector<int64_t> offsets(lists_.offsets.begin(), lists_.offsets.end());
    const double decay[] = {history_decay_};
    const int64_t max_history[] = {max_history_};
    w.AddI64("offsets", offsets);
    w.AddU32("neighbors", lists_.items);
    w.AddF32("sims", lists_.sims);
    w.AddF64("history_decay", decay);
    w.AddI64("max_history", max_history);
    return w.WriteFile(dir / kModelArtifactFile);
  }

  std::vector<std::pair<std::string, double>> Metrics() const override {
    uint32_t with_neighbors = 0;
    for (uint32_t i = 0; i < lists_.num_items(); ++i) {
      with_neighbors += lists_.offsets[i + 1] > lists_.offsets[i] ? 1 : 0;
    }
    return {{"items_with_neighbors", static_cast<double>(with_neighbors)},
            {"neighbor_pairs", static_cast<double>(lists_.items.size())}};
  }

 private:
  bool Known(uint32_t item) const {
    return item < lists_.num_items() && lists_.offsets[item + 1] > lists_.offsets[item];
  }

  // Item -> summed similarity to the request's source items.
  // Fills the calling thread's accumulator; the caller reads it and calls Clear().
  Accumulator& Accumulate(const RecommendContext& ctx) const {
    absl::flat_hash_map<uint32_t, double> source;
    auto add_source = [&](uint32_t item, double weight) {
      if (Known(item)) {
        double& w = source[item];
        w = std::max(w, weight);
      }
    };
    double weight = 1.0;
    for (size_t p = 0; p < ctx.user_history.size() && p < static_cast<size_t>(max_history_); ++p) {
      add_source(ctx.user_history[p], weight);
      weight *= history_decay_;
    }
    for (uint32_t item : ctx.session_items) {
      add_source(item, 1.0);
    }
    for (uint32_t item : ctx.anchors) {
      add_source(item, 1.0);
    }
    // Summed in item order so that results do not depend on hash iteration order.
    std::vector<std::pair<uint32_t, double>> sources(source.begin(), source.end());
    std::sort(sources.begin(), sources.end());
    Accumulator& acc = ThreadAccumulator();
    acc.Clear();
    acc.Reserve(lists_.num_items());
    for (const auto& [h, w] : sources) {
      const std::span<const uint32_t> items = lists_.ItemsOf(h);
      const std::span<const float> sims = lists_.SimsOf(h);
      for (size_t k = 0; k < items.size(); ++k) {
        acc.Add(items[k], w * sims[k]);
      }
    }
    return acc;
  }

  const NeighborLists lists_;
  const double history_decay_;
  const int64_t max_history_;
};

}  // namespace

SearchSpace ItemKnnFamily::TuningSpace() const {
  SearchSpace space;
  space.dimensions.push_back({.name = "neighbors",
                              .scale = ParamDimension::Scale::kLog,
                              .min = 10,
                              .max = 1000,
                              .integer = true,
                              .grid = {"50", "100", "200", "400"}});
  space.dimensions.push_back({.name = "shrink",
                              .scale = ParamDimension::Scale::kLinear,
                              .min = 0,
                              .max = 100,
                              .grid = {"0", "5", "10", "20", "50"}});
  return space;
}

absl::Status ItemKnnFamily::ValidateParams(const ModelParams& params) const {
  return ParseParams(params).status();
}

absl::StatusOr<std::unique_ptr<Model>> ItemKnnFamily::Fit(const TrainingData& data,
                                                          const ModelParams& params) const {
  RECPLAT_ASSIGN_OR_RETURN(KnnParams p, ParseParams(params));
  if (data.interactions.empty()) {
    return absl::FailedPreconditionError("item_knn: no interactions to train on");
  }
  RECPLAT_ASSIGN_OR_RETURN(NeighborLists lists,
                           ComputeItemNeighbors(data, p.similarity));
  return std::make_unique<ItemKnnModel>(std::move(lists), p.history_decay, p.max_history);
}

absl::StatusOr<std::unique_ptr<Model>> ItemKnnFamily::Load(const std::filesystem::path& dir,
                                                           const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(ArtifactReader r,
                           ArtifactReader::ReadFile(dir / kModelArtifactFile, kFamily));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> offsets, r.I64("offsets"));
  NeighborLists lists;
  RECPLAT_ASSIGN_OR_RETURN(lists.items, r.U32("neighbors"));
  RECPLAT_ASSIGN_OR_RETURN(lists.sims, r.F32("sims"));
  RECPLAT_ASSIGN_OR_RETURN(double decay, r.F64Scalar("history_decay"));
  RECPLAT_ASSIGN_OR_RETURN(int64_t max_history, r.I64Scalar("max_history"));
  auto bad = [](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("item_knn artifact: ", what));
  };
  if (offsets.empty() || offsets.size() - 1 > UINT32_MAX || offsets.front() != 0 ||
      static_cast<uint64_t>(offsets.back()) != lists.items.size() ||
      lists.sims.size() != lists.items.size()) {
    return bad("inconsistent sizes");
  }
  if (!(decay > 0 && decay <= 1) || max_history < 1) {
    return bad("bad serving parameters");
  }
  for (size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) {
      return bad(absl::StrCat("offsets decrease at item ", i - 1));
    }
  }
  const size_t num_items = offsets.size() - 1;
  for (size_t k = 0; k < lists.items.size(); ++k) {
    if (lists.items[k] >= num_items || !std::isfinite(lists.sims[k])) {
      return bad(absl::StrCat("bad neighbour entry ", k));
    }
  }
  lists.offsets.assign(offsets.begin(), offsets.end());
  return std::make_unique<ItemKnnModel>(std::move(lists), decay, max_history);
}

}  // namespace recplat::models
