#include "trainers/torch_simplex/simplex_model.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/models/serving_util.h"

namespace recplat::simplex {
namespace {

using models::ScoredItem;
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMat>;
using Vec = Eigen::VectorXf;

ConstMap MapOf(const Matrix& m) { return ConstMap(m.data.data(), m.rows, m.cols); }

bool Fits(const Matrix& m, int64_t rows, int64_t cols) {
  return m.rows == rows && m.cols == cols &&
         m.data.size() == static_cast<size_t>(rows) * static_cast<size_t>(cols) &&
         std::all_of(m.data.begin(), m.data.end(), [](float f) { return std::isfinite(f); });
}

}  // namespace

// The item table with unit-length rows (zero rows stay zero).
struct SimplexModel::Normalised {
  RowMat items;
};

SimplexModel::SimplexModel(SimplexWeights weights, std::vector<uint32_t> known,
                           MetricList metrics)
    : w_(std::move(weights)), known_(std::move(known)), metrics_(std::move(metrics)) {}
SimplexModel::~SimplexModel() = default;

absl::StatusOr<std::unique_ptr<SimplexModel>> SimplexModel::Create(SimplexWeights w,
                                                                   std::vector<uint32_t> known,
                                                                   MetricList metrics) {
  const int64_t n = w.items.rows, d = w.dim;
  if (d < 1 || n < 1 || n > UINT32_MAX || !Fits(w.items, n, d) || !Fits(w.aggregation, d, d)) {
    return absl::InvalidArgumentError(absl::StrCat("simplex: item table ", w.items.rows, "x",
                                                   w.items.cols, " or aggregation ",
                                                   w.aggregation.rows, "x", w.aggregation.cols,
                                                   " does not fit dim ", d));
  }
  if (!w.history.data.empty() && !Fits(w.history, n, d)) {
    return absl::InvalidArgumentError(absl::StrCat("simplex: history table ", w.history.rows,
                                                   "x", w.history.cols, " does not fit"));
  }
  if (!(w.gamma >= 0 && w.gamma < 1)) {
    return absl::InvalidArgumentError("simplex: gamma out of [0, 1)");
  }
  for (size_t a = 0; a < known.size(); ++a) {
    if (known[a] >= n || (a > 0 && known[a] <= known[a - 1])) {
      return absl::InvalidArgumentError(
          absl::StrCat("simplex: known item ", a, " out of order or range"));
    }
  }
  auto model = std::unique_ptr<SimplexModel>(
      new SimplexModel(std::move(w), std::move(known), std::move(metrics)));
  model->is_known_.assign(static_cast<size_t>(n), 0);
  for (uint32_t i : model->known_) model->is_known_[i] = 1;
  auto norm = std::make_unique<Normalised>();
  norm->items = MapOf(model->w_.items);
  for (Eigen::Index i = 0; i < norm->items.rows(); ++i) {
    const float len = norm->items.row(i).norm();
    if (len > 0) norm->items.row(i) /= len;
  }
  model->norm_ = std::move(norm);
  return model;
}

std::vector<uint32_t> SimplexModel::Sources(const models::RecommendContext& ctx) const {
  std::vector<uint32_t> sources;
  for (auto list : {ctx.user_history, ctx.session_items, ctx.anchors}) {
    for (uint32_t i : list) {
      if (Known(i)) sources.push_back(i);
    }
  }
  std::sort(sources.begin(), sources.end());
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  return sources;
}

std::vector<float> SimplexModel::UserVector(const models::RecommendContext& ctx) const {
  const int64_t d = w_.dim;
  std::vector<float> out(static_cast<size_t>(d), 0.0f);
  const std::vector<uint32_t> sources = Sources(ctx);
  if (sources.empty()) return out;
  const ConstMap items = MapOf(w_.history.data.empty() ? w_.items : w_.history);
  Vec mean = Vec::Zero(d);
  for (uint32_t j : sources) mean += items.row(j).transpose();
  mean /= static_cast<float>(sources.size());
  Eigen::Map<Vec> p(out.data(), d);
  p = MapOf(w_.aggregation) * mean;
  const float len = p.norm();
  if (len > 0) p /= len;
  return out;
}

double SimplexModel::Cosine(const std::vector<float>& user, uint32_t item) const {
  const Eigen::Map<const Vec> p(user.data(), static_cast<Eigen::Index>(user.size()));
  return static_cast<double>(norm_->items.row(item).dot(p.transpose()));
}

bool SimplexModel::Ready(const models::RecommendContext& ctx) const {
  for (auto list : {ctx.user_history, ctx.session_items, ctx.anchors}) {
    for (uint32_t i : list) {
      if (Known(i)) return true;
    }
  }
  return false;
}

absl::Status SimplexModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                    std::vector<ScoredItem>* out) const {
  const std::vector<float> user = UserVector(ctx);
  const Eigen::Map<const Vec> p(user.data(), static_cast<Eigen::Index>(user.size()));
  const Vec all = norm_->items * p;
  std::vector<ScoredItem> got;
  got.reserve(known_.size());
  for (uint32_t i : known_) {
    if (!models::Excluded(ctx, i)) got.push_back({i, static_cast<double>(all[i])});
  }
  models::KeepTop(&got, n);
  out->insert(out->end(), got.begin(), got.end());
  return absl::OkStatus();
}

absl::Status SimplexModel::Score(const models::RecommendContext& ctx,
                                 std::span<ScoredItem> items) const {
  const std::vector<float> user = UserVector(ctx);
  for (ScoredItem& s : items) {
    s.score = Known(s.item) ? Cosine(user, s.item) : models::kUnknownScore;
  }
  return absl::OkStatus();
}

absl::Status SimplexModel::Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                                   std::vector<ScoredItem>* out) const {
  if (!Known(item)) return absl::OkStatus();
  const Vec all = norm_->items * norm_->items.row(item).transpose();
  std::vector<ScoredItem> got;
  for (uint32_t i : known_) {
    if (i == item || (filter != nullptr && filter->Excluded(i))) continue;
    got.push_back({i, static_cast<double>(all[i])});
  }
  models::KeepTop(&got, n);
  out->insert(out->end(), got.begin(), got.end());
  return absl::OkStatus();
}

}  // namespace recplat::simplex
