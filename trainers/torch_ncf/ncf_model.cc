#include "trainers/torch_ncf/ncf_model.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"

namespace recplat::ncf {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMat>;
using Vec = Eigen::RowVectorXf;

ConstMap MapOf(const Matrix& m) { return ConstMap(m.data.data(), m.rows, m.cols); }
Eigen::Map<const Vec> VecOf(const std::vector<float>& v) {
  return Eigen::Map<const Vec>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// relu then the folded BatchNorm, in place, on every row of `x`.
void ReluBn(const Dense& d, RowMat* x) {
  *x = x->cwiseMax(0.0f);
  x->array().rowwise() *= VecOf(d.scale).array();
  x->array().rowwise() += VecOf(d.shift).array();
}

absl::Status CheckMatrix(const Matrix& m, int64_t rows, int64_t cols, const char* name) {
  if (m.rows != rows || m.cols != cols ||
      m.data.size() != static_cast<size_t>(rows) * static_cast<size_t>(cols)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ncf: ", name, " is ", m.rows, "x", m.cols, ", expected ", rows, "x", cols));
  }
  return absl::OkStatus();
}

absl::Status CheckTower(const std::vector<Dense>& layers, int64_t first, const char* name) {
  if (layers.empty()) return absl::InvalidArgumentError(absl::StrCat("ncf: empty ", name));
  int64_t in = first;
  for (size_t l = 0; l < layers.size(); ++l) {
    const Dense& d = layers[l];
    const int64_t out = l == 0 ? first : d.w.rows;
    if (l > 0) RECPLAT_RETURN_IF_ERROR(CheckMatrix(d.w, out, in, name));
    if (static_cast<int64_t>(d.b.size()) != out || static_cast<int64_t>(d.scale.size()) != out ||
        static_cast<int64_t>(d.shift.size()) != out) {
      return absl::InvalidArgumentError(absl::StrCat("ncf: ", name, " layer ", l, " vectors"));
    }
    in = out;
  }
  return absl::OkStatus();
}

int64_t LastSize(const std::vector<Dense>& layers) {
  return static_cast<int64_t>(layers.back().b.size());
}

}  // namespace

struct NcfModel::Precomputed {
  // [num_items, mlp0]: qm · mlp_itemᵀ + b0.
  RowMat mlp_item;
  // [num_items, content0]: the service's content half (with the bias), and its user-side sum.
  RowMat content_item;
  RowMat content_user;
};

NcfModel::NcfModel(NcfWeights weights, ItemFeatures features,
                   std::vector<std::pair<std::string, double>> metrics)
    : w_(std::move(weights)), features_(std::move(features)), metrics_(std::move(metrics)) {}
NcfModel::~NcfModel() = default;

absl::StatusOr<std::unique_ptr<NcfModel>> NcfModel::Create(
    NcfWeights w, ItemFeatures f, std::vector<std::pair<std::string, double>> metrics) {
  const int64_t n = w.num_items, d = w.dim;
  if (n <= 0 || d <= 0 || w.num_features <= 0 || w.mlp.empty() || w.content.empty()) {
    return absl::InvalidArgumentError("ncf: empty model");
  }
  for (const auto* m : {&w.pg, &w.pm, &w.qg, &w.qm}) {
    RECPLAT_RETURN_IF_ERROR(CheckMatrix(*m, n, d, "item table"));
  }
  const int64_t m0 = static_cast<int64_t>(w.mlp[0].b.size());
  const int64_t c0 = static_cast<int64_t>(w.content[0].b.size());
  RECPLAT_RETURN_IF_ERROR(CheckMatrix(w.mlp_user, m0, d, "mlp_user"));
  RECPLAT_RETURN_IF_ERROR(CheckMatrix(w.mlp_item, m0, d, "mlp_item"));
  RECPLAT_RETURN_IF_ERROR(CheckMatrix(w.content_user, w.num_features, c0, "content_user"));
  RECPLAT_RETURN_IF_ERROR(CheckMatrix(w.content_item, w.num_features, c0, "content_item"));
  RECPLAT_RETURN_IF_ERROR(CheckTower(w.mlp, m0, "mlp"));
  RECPLAT_RETURN_IF_ERROR(CheckTower(w.content, c0, "content"));
  if (static_cast<int64_t>(w.head.size()) != d + LastSize(w.mlp) + LastSize(w.content)) {
    return absl::InvalidArgumentError("ncf: head size");
  }
  if (static_cast<int64_t>(f.offsets.size()) != n + 1 || f.offsets.front() != 0 ||
      f.offsets.back() != static_cast<int64_t>(f.ids.size()) ||
      !std::is_sorted(f.offsets.begin(), f.offsets.end())) {
    return absl::InvalidArgumentError("ncf: item features");
  }
  for (int64_t id : f.ids) {
    if (id < 0 || id >= w.num_features) return absl::InvalidArgumentError("ncf: feature id");
  }
  auto model =
      std::unique_ptr<NcfModel>(new NcfModel(std::move(w), std::move(f), std::move(metrics)));
  auto pre = std::make_unique<Precomputed>();
  const NcfWeights& ww = model->w_;
  pre->mlp_item = MapOf(ww.qm) * MapOf(ww.mlp_item).transpose();
  pre->mlp_item.rowwise() += VecOf(ww.mlp[0].b);
  pre->content_item = RowMat::Zero(n, c0);
  pre->content_user = RowMat::Zero(n, c0);
  const ConstMap cu = MapOf(ww.content_user), ci = MapOf(ww.content_item);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = model->features_.offsets[i]; k < model->features_.offsets[i + 1]; ++k) {
      const int64_t feature = model->features_.ids[k];
      pre->content_item.row(i) += ci.row(feature);
      pre->content_user.row(i) += cu.row(feature);
    }
  }
  pre->content_item.rowwise() += VecOf(ww.content[0].b);
  model->pre_ = std::move(pre);
  return model;
}

std::vector<float> NcfModel::Probabilities(std::span<const uint32_t> history,
                                           std::span<const uint32_t> items) const {
  const int64_t n = w_.num_items, d = w_.dim;
  std::vector<uint32_t> h;
  for (uint32_t j : history) {
    if (j < n && std::find(h.begin(), h.end(), j) == h.end()) h.push_back(j);
  }
  Vec ug = Vec::Zero(d), um = Vec::Zero(d), fu = Vec::Zero(pre_->content_user.cols());
  const ConstMap pg = MapOf(w_.pg), pm = MapOf(w_.pm);
  for (uint32_t j : h) {
    ug += pg.row(j);
    um += pm.row(j);
    fu += pre_->content_user.row(j);
  }
  if (!h.empty()) {
    const float inv = 1.0f / static_cast<float>(h.size());
    ug *= inv;
    um *= inv;
    fu *= inv;
  }
  const Vec mu = um * MapOf(w_.mlp_user).transpose();

  std::vector<float> out(items.size(), -1.0f);
  std::vector<Eigen::Index> rows;
  std::vector<size_t> where;
  for (size_t k = 0; k < items.size(); ++k) {
    if (items[k] < n) {
      rows.push_back(items[k]);
      where.push_back(k);
    }
  }
  if (rows.empty()) return out;
  const Eigen::Index m = static_cast<Eigen::Index>(rows.size());
  RowMat x(m, pre_->mlp_item.cols()), c(m, pre_->content_item.cols()), g(m, d);
  const ConstMap qg = MapOf(w_.qg);
  for (Eigen::Index r = 0; r < m; ++r) {
    x.row(r) = pre_->mlp_item.row(rows[r]) + mu;
    c.row(r) = pre_->content_item.row(rows[r]) + fu;
    g.row(r) = qg.row(rows[r]).cwiseProduct(ug);
  }
  ReluBn(w_.mlp[0], &x);
  for (size_t l = 1; l < w_.mlp.size(); ++l) {
    RowMat next = x * MapOf(w_.mlp[l].w).transpose();
    next.rowwise() += VecOf(w_.mlp[l].b);
    ReluBn(w_.mlp[l], &next);
    x = std::move(next);
  }
  ReluBn(w_.content[0], &c);
  for (size_t l = 1; l < w_.content.size(); ++l) {
    RowMat next = c * MapOf(w_.content[l].w).transpose();
    next.rowwise() += VecOf(w_.content[l].b);
    ReluBn(w_.content[l], &next);
    c = std::move(next);
  }
  const Eigen::Map<const Eigen::VectorXf> head(w_.head.data(),
                                               static_cast<Eigen::Index>(w_.head.size()));
  const Eigen::VectorXf logits =
      g * head.head(d) + x * head.segment(d, x.cols()) + c * head.tail(c.cols());
  for (Eigen::Index r = 0; r < m; ++r) {
    out[where[r]] = 1.0f / (1.0f + std::exp(-(logits[r] + w_.head_bias)));
  }
  return out;
}

absl::Status NcfModel::Score(const models::RecommendContext& ctx,
                             std::span<models::ScoredItem> items) const {
  std::vector<uint32_t> ids(items.size());
  for (size_t k = 0; k < items.size(); ++k) ids[k] = items[k].item;
  const std::vector<float> p = Probabilities(ctx.user_history, ids);
  for (size_t k = 0; k < items.size(); ++k) items[k].score = p[k];
  return absl::OkStatus();
}

absl::Status NcfModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                std::vector<models::ScoredItem>* out) const {
  std::vector<uint32_t> ids;
  for (uint32_t i = 0; i < w_.num_items; ++i) {
    if (ctx.catalog != nullptr && !ctx.catalog->Recommendable(i)) continue;
    if (ctx.filter != nullptr && ctx.filter->Excluded(i)) continue;
    ids.push_back(i);
  }
  const std::vector<float> p = Probabilities(ctx.user_history, ids);
  std::vector<models::ScoredItem> scored(ids.size());
  for (size_t k = 0; k < ids.size(); ++k) scored[k] = {ids[k], p[k]};
  n = std::min(n, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + n, scored.end(),
                    [](const auto& a, const auto& b) { return a.score > b.score; });
  out->insert(out->end(), scored.begin(), scored.begin() + n);
  return absl::OkStatus();
}

absl::Status NcfModel::Save(const std::filesystem::path& dir) const {
  return SaveNcf(w_, features_, metrics_, dir);
}

}  // namespace recplat::ncf
