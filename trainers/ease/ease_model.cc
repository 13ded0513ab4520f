#include "trainers/ease/ease_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::ease {
namespace {

using models::ScoredItem;


absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("ease artifact: ", what));
}

}  // namespace

EaseModel::EaseModel(uint32_t num_items, std::vector<uint32_t> kept_items,
                     std::vector<float> weights, double l2, MetricList metrics,
                     std::string family)
    : family_(std::move(family)),
      num_items_(num_items),
      kept_items_(std::move(kept_items)),
      weights_(std::move(weights)),
      l2_(l2),
      metrics_(std::move(metrics)),
      kept_index_(num_items, -1) {
  for (size_t a = 0; a < kept_items_.size(); ++a) {
    kept_index_[kept_items_[a]] = static_cast<int32_t>(a);
  }
}

bool EaseModel::Ready(const models::RecommendContext& ctx) const {
  for (std::span<const uint32_t> items : {ctx.user_history, ctx.session_items, ctx.anchors}) {
    for (uint32_t item : items) {
      if (KeptIndex(item) >= 0) {
        return true;
      }
    }
  }
  return false;
}

const std::vector<float>& EaseModel::Accumulate(const models::RecommendContext& ctx,
                                                size_t* sources) const {
  thread_local std::vector<uint32_t> source;
  thread_local std::vector<float> acc;
  source.clear();
  for (std::span<const uint32_t> items : {ctx.user_history, ctx.session_items, ctx.anchors}) {
    for (uint32_t item : items) {
      if (const int64_t a = KeptIndex(item); a >= 0) {
        source.push_back(static_cast<uint32_t>(a));
      }
    }
  }
  std::sort(source.begin(), source.end());
  source.erase(std::unique(source.begin(), source.end()), source.end());
  const size_t n = kept_items_.size();
  acc.assign(n, 0.0f);
  float* const out = acc.data();
  for (uint32_t a : source) {
    const float* const row = weights_.data() + static_cast<uint64_t>(a) * n;
    for (size_t b = 0; b < n; ++b) {
      out[b] += row[b];
    }
  }
  *sources = source.size();
  return acc;
}

absl::Status EaseModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                 std::vector<ScoredItem>* out) const {
  size_t sources = 0;
  const std::vector<float>& acc = Accumulate(ctx, &sources);
  if (sources == 0) {
    return absl::OkStatus();
  }
  std::vector<ScoredItem> got;
  got.reserve(kept_items_.size());
  for (size_t b = 0; b < kept_items_.size(); ++b) {
    if (!models::Excluded(ctx, kept_items_[b])) {
      got.push_back({kept_items_[b], acc[b]});
    }
  }
  models::KeepTop(&got, n);
  out->insert(out->end(), got.begin(), got.end());
  return absl::OkStatus();
}

absl::Status EaseModel::Score(const models::RecommendContext& ctx,
                              std::span<ScoredItem> items) const {
  size_t sources = 0;
  const std::vector<float>& acc = Accumulate(ctx, &sources);
  for (ScoredItem& s : items) {
    const int64_t b = KeptIndex(s.item);
    s.score = b >= 0 ? acc[static_cast<size_t>(b)] : models::kUnknownScore;
  }
  return absl::OkStatus();
}

absl::Status EaseModel::Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                                std::vector<ScoredItem>* out) const {
  const int64_t a = KeptIndex(item);
  if (a < 0) {
    return absl::OkStatus();
  }
  const size_t k = kept_items_.size();
  const float* const row = weights_.data() + static_cast<uint64_t>(a) * k;
  std::vector<ScoredItem> got;
  for (size_t b = 0; b < k; ++b) {
    const uint32_t other = kept_items_[b];
    if (row[b] > 0.0f && other != item && (filter == nullptr || !filter->Excluded(other))) {
      got.push_back({other, row[b]});
    }
  }
  models::KeepTop(&got, n);
  out->insert(out->end(), got.begin(), got.end());
  return absl::OkStatus();
}

absl::Status EaseModel::Save(const std::filesystem::path& dir) const {
  models::ArtifactWriter w(family_);
  const int64_t num_items[] = {num_items_};
  const double l2[] = {l2_};
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : metrics_) {
    names.push_back(name);
    values.push_back(value);
  }
  w.AddI64("num_items", num_items);
  w.AddU32("kept_items", kept_items_);
  w.AddF32("weights", weights_);
  w.AddF64("l2", l2);
  w.AddString("metric_names", absl::StrJoin(names, "\n"));
  w.AddF64("metric_values", values);
  return w.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<EaseModel>> EaseModel::Load(const std::filesystem::path& dir,
                                                           const std::string& family) {
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, family));
  RECPLAT_ASSIGN_OR_RETURN(int64_t num_items, r.I64Scalar("num_items"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<uint32_t> kept, r.U32("kept_items"));
  RECPLAT_ASSIGN_OR_RETURN(double l2, r.F64Scalar("l2"));
  RECPLAT_ASSIGN_OR_RETURN(std::string names, r.String("metric_names"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> values, r.F64("metric_values"));
  if (num_items < 0 || num_items > UINT32_MAX) {
    return Bad(absl::StrCat("num_items ", num_items, " out of range"));
  }
  if (!(l2 > 0) || !std::isfinite(l2)) {
    return Bad(absl::StrCat("bad l2 ", l2));
  }
  for (size_t a = 0; a < kept.size(); ++a) {
    if (kept[a] >= num_items || (a > 0 && kept[a] <= kept[a - 1])) {
      return Bad(absl::StrCat("kept item ", a, " out of order or range"));
    }
  }
  RECPLAT_ASSIGN_OR_RETURN(std::vector<float> weights, r.F32("weights"));
  const uint64_t n = kept.size();
  if (weights.size() != n * n) {
    return Bad(absl::StrCat(weights.size(), " weights for ", n, " kept items"));
  }
  for (uint64_t a = 0; a < n; ++a) {
    if (weights[a * n + a] != 0.0f) {
      return Bad(absl::StrCat("nonzero diagonal weight ", a));
    }
  }
  if (!std::all_of(weights.begin(), weights.end(), [](float w) { return std::isfinite(w); })) {
    return Bad("non-finite weight");
  }
  MetricList metrics;
  if (!names.empty() || !values.empty()) {
    std::vector<std::string> split = absl::StrSplit(names, '\n');
    if (split.size() != values.size()) {
      return Bad("metric names and values differ in count");
    }
    for (size_t m = 0; m < split.size(); ++m) {
      metrics.emplace_back(std::move(split[m]), values[m]);
    }
  }
  return std::make_unique<EaseModel>(static_cast<uint32_t>(num_items), std::move(kept),
                                     std::move(weights), l2, std::move(metrics), family);
}

}  // namespace recplat::ease
