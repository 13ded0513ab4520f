#include "core/models/catalog_rule_families.h"

#include <algorithm>

#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::models {
namespace {

constexpr char kCatalogOrder[] = "catalog_order";
constexpr char kWeightedRandom[] = "weighted_random";

bool Eligible(const RecommendContext& ctx, uint32_t item) {
  return ctx.catalog->Recommendable(item) && !Excluded(ctx, item);
}

class CatalogOrderModel final : public Model {
 public:
  bool Ready(const RecommendContext&) const override { return true; }

  absl::Status Retrieve(const RecommendContext& ctx, size_t n,
                        std::vector<ScoredItem>* out) const override {
    if (ctx.catalog == nullptr) return absl::OkStatus();
    const uint32_t size = ctx.catalog->size();
    size_t added = 0;
    for (uint32_t item = 0; item < size && added < n; ++item) {
      if (!Eligible(ctx, item)) continue;
      out->push_back({item, -static_cast<double>(item)});
      ++added;
    }
    return absl::OkStatus();
  }

  absl::Status Score(const RecommendContext&, std::span<ScoredItem> items) const override {
    for (ScoredItem& s : items) s.score = -static_cast<double>(s.item);
    return absl::OkStatus();
  }

  absl::Status Save(const std::filesystem::path& dir) const override {
    return ArtifactWriter(kCatalogOrder).WriteFile(dir / kModelArtifactFile);
  }
};

class WeightedRandomModel final : public Model {
 public:
  bool Ready(const RecommendContext&) const override { return true; }

  absl::Status Retrieve(const RecommendContext& ctx, size_t n,
                        std::vector<ScoredItem>* out) const override {
    if (ctx.catalog == nullptr || n == 0) return absl::OkStatus();
    common::Rng& rng = ctx.rng != nullptr ? *ctx.rng : common::ThreadLocalRng();
    const uint32_t size = ctx.catalog->size();
    std::vector<ScoredItem> got;
    got.reserve(std::min<size_t>(size, 4 * n));
    for (uint32_t item = 0; item < size; ++item) {
      if (!Eligible(ctx, item)) continue;
      got.push_back({item, rng.UniformDouble() * ctx.catalog->Meta(item).weight});
    }
    KeepTop(&got, n);
    out->insert(out->end(), got.begin(), got.end());
    return absl::OkStatus();
  }

  absl::Status Score(const RecommendContext& ctx, std::span<ScoredItem> items) const override {
    for (ScoredItem& s : items) {
      s.score = ctx.catalog != nullptr && s.item < ctx.catalog->size()
                    ? ctx.catalog->Meta(s.item).weight
                    : kUnknownScore;
    }
    return absl::OkStatus();
  }

  absl::Status Save(const std::filesystem::path& dir) const override {
    return ArtifactWriter(kWeightedRandom).WriteFile(dir / kModelArtifactFile);
  }
};

}  // namespace

absl::Status CatalogOrderFamily::ValidateParams(const ModelParams& params) const {
  return params.CheckKnown({});
}

absl::StatusOr<std::unique_ptr<Model>> CatalogOrderFamily::Fit(const TrainingData&,
                                                               const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  return std::make_unique<CatalogOrderModel>();
}

absl::StatusOr<std::unique_ptr<Model>> CatalogOrderFamily::Load(const std::filesystem::path& dir,
                                                                const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_RETURN_IF_ERROR(
      ArtifactReader::ReadFile(dir / kModelArtifactFile, kCatalogOrder).status());
  return std::make_unique<CatalogOrderModel>();
}

absl::Status WeightedRandomFamily::ValidateParams(const ModelParams& params) const {
  return params.CheckKnown({});
}

absl::StatusOr<std::unique_ptr<Model>> WeightedRandomFamily::Fit(const TrainingData&,
                                                                 const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  return std::make_unique<WeightedRandomModel>();
}

absl::StatusOr<std::unique_ptr<Model>> WeightedRandomFamily::Load(
    const std::filesystem::path& dir, const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_RETURN_IF_ERROR(
      ArtifactReader::ReadFile(dir / kModelArtifactFile, kWeightedRandom).status());
  return std::make_unique<WeightedRandomModel>();
}

}  // namespace recplat::models
