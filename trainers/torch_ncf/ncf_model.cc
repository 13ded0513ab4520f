#include "trainers/torch_ncf/ncf_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "trainers/torch_ncf/internal/ncf_forward.h"

namespace recplat::ncf {
namespace {

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
  model->forward_ = internal::NcfForward::Create(model->w_, model->features_);
  return model;
}

std::vector<float> NcfModel::Probabilities(std::span<const uint32_t> history,
                                           std::span<const uint32_t> items) const {
  std::vector<float> out(items.size());
  forward_->Probabilities(history, items, out);
  return out;
}

void NcfModel::Probabilities(std::span<const uint32_t> history, std::span<const uint32_t> items,
                             std::span<float> out) const {
  forward_->Probabilities(history, items, out);
}

absl::Status NcfModel::Score(const models::RecommendContext& ctx,
                             std::span<models::ScoredItem> items) const {
  // Per-thread buffers: a request allocates nothing once its thread has served one as large.
  thread_local std::vector<uint32_t> ids;
  thread_local std::vector<float> p;
  ids.resize(items.size());
  p.resize(items.size());
  for (size_t k = 0; k < items.size(); ++k) ids[k] = items[k].item;
  forward_->Probabilities(ctx.user_history, ids, p);
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
