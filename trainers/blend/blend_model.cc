#include "trainers/blend/blend_model.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::blend {

using models::ScoredItem;

BlendModel::BlendModel(uint32_t num_items, std::vector<std::unique_ptr<models::Model>> components,
                       std::vector<double> weights, MetricList metrics)
    : num_items_(num_items),
      components_(std::move(components)),
      weights_(std::move(weights)),
      metrics_(std::move(metrics)) {}

std::vector<float> BlendModel::NormalisedScores(const models::Model& component,
                                                const models::RecommendContext& ctx,
                                                uint32_t num_items, std::vector<uint8_t>* known) {
  std::vector<float> z(num_items, 0.0f);
  known->assign(num_items, 0);
  if (!component.Ready(ctx)) {
    return z;
  }
  std::vector<ScoredItem> items(num_items);
  for (uint32_t i = 0; i < num_items; ++i) items[i].item = i;
  // A scoring failure is treated like "not ready": the component contributes nothing.
  if (!component.Score(ctx, items).ok()) {
    return z;
  }
  double sum = 0, sum2 = 0;
  size_t count = 0;
  for (const ScoredItem& s : items) {
    if (s.score > models::kUnknownScore / 2) {
      sum += s.score;
      sum2 += s.score * s.score;
      ++count;
    }
  }
  if (count == 0) {
    return z;
  }
  const double mean = sum / static_cast<double>(count);
  const double var = std::max(0.0, sum2 / static_cast<double>(count) - mean * mean);
  const double inv_std = var > 0 ? 1.0 / std::sqrt(var) : 0.0;
  float lowest = 0.0f;
  for (uint32_t i = 0; i < num_items; ++i) {
    if (items[i].score > models::kUnknownScore / 2) {
      z[i] = static_cast<float>((items[i].score - mean) * inv_std);
      (*known)[i] = 1;
      lowest = std::min(lowest, z[i]);
    }
  }
  for (uint32_t i = 0; i < num_items; ++i) {
    if (!(*known)[i]) z[i] = lowest;
  }
  return z;
}

std::vector<float> BlendModel::Combined(const models::RecommendContext& ctx,
                                        std::vector<uint8_t>* known) const {
  std::vector<float> total(num_items_, 0.0f);
  known->assign(num_items_, 0);
  std::vector<uint8_t> k;
  for (size_t c = 0; c < components_.size(); ++c) {
    const std::vector<float> z = NormalisedScores(*components_[c], ctx, num_items_, &k);
    for (uint32_t i = 0; i < num_items_; ++i) {
      total[i] += static_cast<float>(weights_[c]) * z[i];
      (*known)[i] |= k[i];
    }
  }
  return total;
}

bool BlendModel::Ready(const models::RecommendContext& ctx) const {
  return std::any_of(components_.begin(), components_.end(),
                     [&](const auto& c) { return c->Ready(ctx); });
}

absl::Status BlendModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                  std::vector<ScoredItem>* out) const {
  std::vector<uint8_t> known;
  const std::vector<float> total = Combined(ctx, &known);
  std::vector<ScoredItem> got;
  for (uint32_t i = 0; i < num_items_; ++i) {
    if (known[i] && !models::Excluded(ctx, i)) got.push_back({i, total[i]});
  }
  models::KeepTop(&got, n);
  out->insert(out->end(), got.begin(), got.end());
  return absl::OkStatus();
}

absl::Status BlendModel::Score(const models::RecommendContext& ctx,
                               std::span<ScoredItem> items) const {
  std::vector<uint8_t> known;
  const std::vector<float> total = Combined(ctx, &known);
  for (ScoredItem& s : items) {
    s.score = s.item < num_items_ && known[s.item] ? total[s.item] : models::kUnknownScore;
  }
  return absl::OkStatus();
}

absl::Status BlendModel::Save(const std::filesystem::path& dir) const {
  for (size_t c = 0; c < components_.size(); ++c) {
    const std::filesystem::path sub = dir / absl::StrCat("component_", c);
    std::error_code ec;
    std::filesystem::create_directory(sub, ec);
    if (ec) {
      return absl::InternalError(absl::StrCat("blend: cannot create ", sub.string(), ": ",
                                              ec.message()));
    }
    RECPLAT_RETURN_IF_ERROR(components_[c]->Save(sub));
  }
  models::ArtifactWriter w("blend");
  const int64_t num_items[] = {num_items_};
  w.AddI64("num_items", num_items);
  w.AddF64("weights", weights_);
  return w.WriteFile(dir / models::kModelArtifactFile);
}

}  // namespace recplat::blend
