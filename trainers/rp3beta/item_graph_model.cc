#include "trainers/rp3beta/item_graph_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::rp3beta {
namespace {

using models::ScoredItem;

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("item graph artifact: ", what));
}

}  // namespace

ItemGraphModel::ItemGraphModel(std::string family, ItemGraph graph, MetricList metrics)
    : family_(std::move(family)), graph_(std::move(graph)), metrics_(std::move(metrics)) {}

std::vector<uint32_t> ItemGraphModel::Sources(const models::RecommendContext& ctx) const {
  std::vector<uint32_t> sources;
  for (auto list : {ctx.user_history, ctx.session_items, ctx.anchors}) {
    for (uint32_t i : list) {
      if (HasEdges(i)) sources.push_back(i);
    }
  }
  std::sort(sources.begin(), sources.end());
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  return sources;
}

const std::vector<float>& ItemGraphModel::Accumulate(const models::RecommendContext& ctx,
                                                     std::vector<uint32_t>* touched) const {
  thread_local std::vector<float> acc;
  thread_local std::vector<uint8_t> mark;
  acc.assign(graph_.num_items(), 0.0f);
  mark.assign(graph_.num_items(), 0);
  touched->clear();
  for (uint32_t h : Sources(ctx)) {
    for (int64_t k = graph_.offsets[h]; k < graph_.offsets[h + 1]; ++k) {
      const uint32_t j = graph_.items[k];
      acc[j] += graph_.weights[k];
      if (!mark[j]) {
        mark[j] = 1;
        touched->push_back(j);
      }
    }
  }
  return acc;
}

bool ItemGraphModel::Ready(const models::RecommendContext& ctx) const {
  for (auto list : {ctx.user_history, ctx.session_items, ctx.anchors}) {
    for (uint32_t i : list) {
      if (HasEdges(i)) return true;
    }
  }
  return false;
}

absl::Status ItemGraphModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                      std::vector<ScoredItem>* out) const {
  std::vector<uint32_t> touched;
  const std::vector<float>& acc = Accumulate(ctx, &touched);
  std::vector<ScoredItem> got;
  got.reserve(touched.size());
  for (uint32_t j : touched) {
    if (!models::Excluded(ctx, j)) got.push_back({j, acc[j]});
  }
  models::KeepTop(&got, n);
  out->insert(out->end(), got.begin(), got.end());
  return absl::OkStatus();
}

absl::Status ItemGraphModel::Score(const models::RecommendContext& ctx,
                                   std::span<ScoredItem> items) const {
  std::vector<uint32_t> touched;
  const std::vector<float>& acc = Accumulate(ctx, &touched);
  for (ScoredItem& s : items) {
    s.score = HasEdges(s.item) || (s.item < acc.size() && acc[s.item] != 0)
                  ? acc[s.item]
                  : models::kUnknownScore;
  }
  return absl::OkStatus();
}

absl::Status ItemGraphModel::Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                                     std::vector<ScoredItem>* out) const {
  if (item >= graph_.num_items()) return absl::OkStatus();
  size_t added = 0;
  for (int64_t k = graph_.offsets[item]; k < graph_.offsets[item + 1] && added < n; ++k) {
    const uint32_t j = graph_.items[k];
    if (filter == nullptr || !filter->Excluded(j)) {
      out->push_back({j, graph_.weights[k]});
      ++added;
    }
  }
  return absl::OkStatus();
}

absl::Status ItemGraphModel::Save(const std::filesystem::path& dir) const {
  models::ArtifactWriter w(family_);
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : metrics_) {
    names.push_back(name);
    values.push_back(value);
  }
  w.AddI64("offsets", graph_.offsets);
  w.AddU32("items", graph_.items);
  w.AddF32("weights", graph_.weights);
  w.AddString("metric_names", absl::StrJoin(names, "\n"));
  w.AddF64("metric_values", values);
  return w.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<ItemGraphModel>> ItemGraphModel::Load(
    const std::filesystem::path& dir, const std::string& family) {
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, family));
  ItemGraph g;
  RECPLAT_ASSIGN_OR_RETURN(g.offsets, r.I64("offsets"));
  RECPLAT_ASSIGN_OR_RETURN(g.items, r.U32("items"));
  RECPLAT_ASSIGN_OR_RETURN(g.weights, r.F32("weights"));
  RECPLAT_ASSIGN_OR_RETURN(std::string names, r.String("metric_names"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> values, r.F64("metric_values"));
  if (g.offsets.empty() || g.offsets[0] != 0 ||
      g.offsets.back() != static_cast<int64_t>(g.items.size()) ||
      g.weights.size() != g.items.size()) {
    return Bad("inconsistent offsets");
  }
  for (size_t i = 1; i < g.offsets.size(); ++i) {
    if (g.offsets[i] < g.offsets[i - 1]) return Bad("decreasing offsets");
  }
  for (size_t k = 0; k < g.items.size(); ++k) {
    if (g.items[k] >= g.num_items() || !std::isfinite(g.weights[k])) {
      return Bad(absl::StrCat("edge ", k, " out of range or not finite"));
    }
  }
  MetricList metrics;
  if (!names.empty() || !values.empty()) {
    std::vector<std::string> split = absl::StrSplit(names, '\n');
    if (split.size() != values.size()) return Bad("metric names and values differ in count");
    for (size_t m = 0; m < split.size(); ++m) metrics.emplace_back(std::move(split[m]), values[m]);
  }
  return std::make_unique<ItemGraphModel>(family, std::move(g), std::move(metrics));
}

}  // namespace recplat::rp3beta
