#include "core/models/recent_family.h"

#include <cmath>

#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"
#include "core/models/serving_util.h"

namespace recplat::models {
namespace {

constexpr char kFamily[] = "recent";

class RecentModel final : public Model {
 public:
  explicit RecentModel(double max_age_hours) : max_age_hours_(max_age_hours) {}

  bool Ready(const RecommendContext& ctx) const override {
    return ctx.catalog != nullptr && ctx.catalog->recommendable_count() > 0;
  }

  absl::Status Retrieve(const RecommendContext& ctx, size_t n,
                        std::vector<ScoredItem>* out) const override {
    if (ctx.catalog == nullptr) {
      return absl::OkStatus();
    }
    const bool limited = max_age_hours_ > 0;
    const int64_t oldest_ms =
        limited ? ctx.now_ms - static_cast<int64_t>(std::llround(max_age_hours_ * 3600e3)) : 0;
    size_t added = 0;
    for (const auto& [published_ms, item] : ctx.catalog->NewestFirst()) {
      if (added >= n || (limited && published_ms < oldest_ms)) {
        break;
      }
      if (!ctx.catalog->Recommendable(item) || Excluded(ctx, item)) {
        continue;
      }
      out->push_back({item, static_cast<double>(published_ms)});
      ++added;
    }
    return absl::OkStatus();
  }

  absl::Status Score(const RecommendContext& ctx, std::span<ScoredItem> items) const override {
    for (ScoredItem& s : items) {
      const bool known =
          ctx.catalog != nullptr && s.item < ctx.catalog->size() && ctx.catalog->Meta(s.item).live;
      s.score = known ? static_cast<double>(ctx.catalog->Meta(s.item).published_at_ms)
                      : kUnknownScore;
    }
    return absl::OkStatus();
  }

  absl::Status Save(const std::filesystem::path& dir) const override {
    ArtifactWriter w(kFamily);
    const double max_age[] = {max_age_hours_};
    w.AddF64("max_age_hours", max_age);
    return w.WriteFile(dir / kModelArtifactFile);
  }

 private:
  const double max_age_hours_;
};

}  // namespace

absl::Status RecentFamily::ValidateParams(const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(params.CheckKnown({"max_age_hours"}));
  return params.GetDouble("max_age_hours", 0.0, 0.0).status();
}

absl::StatusOr<std::unique_ptr<Model>> RecentFamily::Fit(const TrainingData& data,
                                                         const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(double max_age, params.GetDouble("max_age_hours", 0.0, 0.0));
  return std::make_unique<RecentModel>(max_age);
}

absl::StatusOr<std::unique_ptr<Model>> RecentFamily::Load(const std::filesystem::path& dir,
                                                          const ModelParams& params) const {
  RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
  RECPLAT_ASSIGN_OR_RETURN(ArtifactReader r,
                           ArtifactReader::ReadFile(dir / kModelArtifactFile, kFamily));
  RECPLAT_ASSIGN_OR_RETURN(double max_age, r.F64Scalar("max_age_hours"));
  if (!(max_age >= 0)) {
    return absl::DataLossError("recent artifact: negative max_age_hours");
  }
  return std::make_unique<RecentModel>(max_age);
}

}  // namespace recplat::models
