#include "trainers/ials/ials_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::ials {
namespace {

using models::ScoredItem;

constexpr char kFamily[] = "ials";

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("ials artifact: ", what));
}

float Dot(const float* a, const float* b, uint32_t d) {
  float s = 0;
  for (uint32_t k = 0; k < d; ++k) {
    s += a[k] * b[k];
  }
  return s;
}

}  // namespace

IalsModel::IalsModel(uint32_t num_items, uint32_t dim, std::vector<uint32_t> known,
                     std::vector<float> item_factors, const als::IalsOptions& options,
                     MetricList metrics)
    : num_items_(num_items),
      dim_(dim),
      known_(std::move(known)),
      item_factors_(std::move(item_factors)),
      options_(options),
      metrics_(std::move(metrics)),
      is_known_(num_items, 0),
      gramian_(als::Gramian(item_factors_, dim)) {
  for (uint32_t i : known_) {
    is_known_[i] = 1;
  }
}

std::vector<uint32_t> IalsModel::Sources(const models::RecommendContext& ctx) const {
  std::vector<uint32_t> sources;
  for (auto list : {ctx.user_history, ctx.session_items, ctx.anchors}) {
    for (uint32_t i : list) {
      if (Known(i)) {
        sources.push_back(i);
      }
    }
  }
  std::sort(sources.begin(), sources.end());
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  return sources;
}

std::vector<float> IalsModel::UserVector(const models::RecommendContext& ctx) const {
  std::vector<float> w(dim_, 0.0f);
  const std::vector<uint32_t> sources = Sources(ctx);
  als::SolveRow(item_factors_, gramian_, dim_, sources, {}, options_, w);
  return w;
}

bool IalsModel::Ready(const models::RecommendContext& ctx) const {
  for (auto list : {ctx.user_history, ctx.session_items, ctx.anchors}) {
    for (uint32_t i : list) {
      if (Known(i)) return true;
    }
  }
  return false;
}

absl::Status IalsModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                 std::vector<ScoredItem>* out) const {
  const std::vector<float> w = UserVector(ctx);
  std::vector<ScoredItem> got;
  got.reserve(known_.size());
  for (uint32_t i : known_) {
    if (!models::Excluded(ctx, i)) {
      got.push_back({i, Dot(item_factors_.data() + static_cast<size_t>(i) * dim_, w.data(), dim_)});
    }
  }
  models::KeepTop(&got, n);
  out->insert(out->end(), got.begin(), got.end());
  return absl::OkStatus();
}

absl::Status IalsModel::Score(const models::RecommendContext& ctx,
                              std::span<ScoredItem> items) const {
  const std::vector<float> w = UserVector(ctx);
  for (ScoredItem& s : items) {
    s.score = Known(s.item)
                  ? Dot(item_factors_.data() + static_cast<size_t>(s.item) * dim_, w.data(), dim_)
                  : models::kUnknownScore;
  }
  return absl::OkStatus();
}

absl::Status IalsModel::Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                                std::vector<ScoredItem>* out) const {
  if (!Known(item)) {
    return absl::OkStatus();
  }
  const float* const a = item_factors_.data() + static_cast<size_t>(item) * dim_;
  const float na = std::sqrt(Dot(a, a, dim_));
  std::vector<ScoredItem> got;
  for (uint32_t i : known_) {
    if (i == item || (filter != nullptr && filter->Excluded(i))) continue;
    const float* const b = item_factors_.data() + static_cast<size_t>(i) * dim_;
    const float denom = na * std::sqrt(Dot(b, b, dim_));
    got.push_back({i, denom > 0 ? Dot(a, b, dim_) / denom : 0.0});
  }
  models::KeepTop(&got, n);
  out->insert(out->end(), got.begin(), got.end());
  return absl::OkStatus();
}

absl::Status IalsModel::Save(const std::filesystem::path& dir) const {
  models::ArtifactWriter w(kFamily);
  const int64_t num_items[] = {num_items_};
  const int64_t dim[] = {dim_};
  const double options[] = {options_.l2, options_.unobserved_weight, options_.nu};
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, value] : metrics_) {
    names.push_back(name);
    values.push_back(value);
  }
  w.AddI64("num_items", num_items);
  w.AddI64("dim", dim);
  w.AddU32("known", known_);
  w.AddF32("item_factors", item_factors_);
  w.AddF64("options", options);
  w.AddString("metric_names", absl::StrJoin(names, "\n"));
  w.AddF64("metric_values", values);
  return w.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<IalsModel>> IalsModel::Load(const std::filesystem::path& dir) {
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, kFamily));
  RECPLAT_ASSIGN_OR_RETURN(int64_t num_items, r.I64Scalar("num_items"));
  RECPLAT_ASSIGN_OR_RETURN(int64_t dim, r.I64Scalar("dim"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<uint32_t> known, r.U32("known"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<float> factors, r.F32("item_factors"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> opts, r.F64("options"));
  RECPLAT_ASSIGN_OR_RETURN(std::string names, r.String("metric_names"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<double> values, r.F64("metric_values"));
  if (num_items < 0 || num_items > UINT32_MAX || dim < 1 || dim > 4096) {
    return Bad(absl::StrCat("num_items ", num_items, " or dim ", dim, " out of range"));
  }
  if (factors.size() != static_cast<uint64_t>(num_items) * static_cast<uint64_t>(dim) ||
      !std::all_of(factors.begin(), factors.end(), [](float f) { return std::isfinite(f); })) {
    return Bad("item factors of the wrong size or not finite");
  }
  for (size_t a = 0; a < known.size(); ++a) {
    if (known[a] >= num_items || (a > 0 && known[a] <= known[a - 1])) {
      return Bad(absl::StrCat("known item ", a, " out of order or range"));
    }
  }
  als::IalsOptions options;
  if (opts.size() != 3) {
    return Bad("options must hold l2, unobserved_weight, nu");
  }
  options.l2 = opts[0];
  options.unobserved_weight = opts[1];
  options.nu = opts[2];
  if (!als::CheckIalsOptions(options).ok()) {
    return Bad("options out of range");
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
  return std::make_unique<IalsModel>(static_cast<uint32_t>(num_items), static_cast<uint32_t>(dim),
                                     std::move(known), std::move(factors), options,
                                     std::move(metrics));
}

}  // namespace recplat::ials
