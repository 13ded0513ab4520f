// Precomputed recommendation lists (stored_recs_model.h).
#include "trainers/article_rec/stored_recs_model.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::article_rec {

StoredRecsModel::StoredRecsModel(std::string family,
                                 absl::flat_hash_map<uint32_t, std::vector<ScoredArticle>> lists,
                                 MetricList metrics)
    : family_(std::move(family)), lists_(std::move(lists)), metrics_(std::move(metrics)) {}

const std::vector<ScoredArticle>* StoredRecsModel::List(uint32_t source) const {
  const auto it = lists_.find(source);
  return it == lists_.end() ? nullptr : &it->second;
}

const std::vector<ScoredArticle>* StoredRecsModel::ListFor(
    const models::RecommendContext& ctx) const {
  return ctx.anchors.empty() ? List(kDefaultSource) : List(ctx.anchors.front());
}

bool StoredRecsModel::Ready(const models::RecommendContext& ctx) const {
  const auto* list = ListFor(ctx);
  return list != nullptr && !list->empty();
}

absl::Status StoredRecsModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                       std::vector<models::ScoredItem>* out) const {
  const auto* list = ListFor(ctx);
  if (list == nullptr) {
    return absl::OkStatus();
  }
  for (const ScoredArticle& a : *list) {
    if (out->size() >= n) {
      break;
    }
    if (!models::Excluded(ctx, a.item)) {
      out->push_back({a.item, a.score});
    }
  }
  return absl::OkStatus();
}

absl::Status StoredRecsModel::Score(const models::RecommendContext& ctx,
                                    std::span<models::ScoredItem> items) const {
  const auto* list = ListFor(ctx);
  for (models::ScoredItem& s : items) {
    s.score = models::kUnknownScore;
    if (list != nullptr) {
      for (const ScoredArticle& a : *list) {
        if (a.item == s.item) {
          s.score = a.score;
          break;
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status StoredRecsModel::Similar(uint32_t item, size_t n,
                                      const models::CandidateFilter* filter,
                                      std::vector<models::ScoredItem>* out) const {
  const auto* list = List(item);
  if (list == nullptr) {
    return absl::OkStatus();
  }
  for (const ScoredArticle& a : *list) {
    if (out->size() >= n) {
      break;
    }
    if (filter == nullptr || !filter->Excluded(a.item)) {
      out->push_back({a.item, a.score});
    }
  }
  return absl::OkStatus();
}

absl::Status StoredRecsModel::Save(const std::filesystem::path& dir) const {
  std::vector<uint32_t> sources;
  for (const auto& [source, list] : lists_) {
    sources.push_back(source);
  }
  std::sort(sources.begin(), sources.end());
  std::vector<uint32_t> offsets = {0};
  std::vector<uint32_t> items;
  std::vector<double> scores;
  for (uint32_t source : sources) {
    for (const ScoredArticle& a : lists_.at(source)) {
      items.push_back(a.item);
      scores.push_back(a.score);
    }
    offsets.push_back(static_cast<uint32_t>(items.size()));
  }
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : metrics_) {
    names.push_back(name);
    values.push_back(value);
  }
  models::ArtifactWriter w(family_);
  w.AddU32("sources", sources);
  w.AddU32("offsets", offsets);
  w.AddU32("items", items);
  w.AddF64("scores", scores);
  w.AddString("metric_names", absl::StrJoin(names, "\n"));
  w.AddF64("metric_values", values);
  return w.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<StoredRecsModel>> StoredRecsModel::Load(
    const std::filesystem::path& dir, std::string family) {
  RECPLAT_ASSIGN_OR_RETURN(models::ArtifactReader r,
                           models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile,
                                                            family));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<uint32_t> sources, r.U32("sources"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<uint32_t> offsets, r.U32("offsets"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<uint32_t> items, r.U32("items"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> scores, r.F64("scores"));
  RECPLAT_ASSIGN_OR_RETURN(std::string names, r.String("metric_names"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> values, r.F64("metric_values"));
  if (offsets.size() != sources.size() + 1 || items.size() != scores.size() ||
      offsets.front() != 0 || offsets.back() != items.size() ||
      !std::is_sorted(offsets.begin(), offsets.end())) {
    return absl::DataLossError(absl::StrCat(family, " artifact: inconsistent lists"));
  }
  std::vector<std::string> metric_names =
      names.empty() ? std::vector<std::string>{} : absl::StrSplit(names, '\n');
  if (metric_names.size() != values.size()) {
    return absl::DataLossError(absl::StrCat(family, " artifact: inconsistent metrics"));
  }
  absl::flat_hash_map<uint32_t, std::vector<ScoredArticle>> lists;
  for (size_t s = 0; s < sources.size(); ++s) {
    auto& list = lists[sources[s]];
    for (uint32_t k = offsets[s]; k < offsets[s + 1]; ++k) {
      list.push_back({items[k], scores[k]});
    }
  }
  MetricList metrics;
  for (size_t i = 0; i < values.size(); ++i) {
    metrics.emplace_back(metric_names[i], values[i]);
  }
  return std::make_unique<StoredRecsModel>(std::move(family), std::move(lists),
                                           std::move(metrics));
}

}  // namespace recplat::article_rec
