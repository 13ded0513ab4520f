// The article_rec model families (article_rec_families.h).
#include "trainers/article_rec/article_rec_families.h"

#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "trainers/article_rec/article_recs.h"
#include "trainers/article_rec/article_als.h"
#include "trainers/article_rec/stored_recs_model.h"

namespace recplat::article_rec {

namespace {

constexpr char kPopularity[] = "article_popularity";
constexpr char kAls[] = "article_als";

struct CommonParams {
  std::string event_type = "dwell";
  int64_t days_of_data = 28;
  size_t max_recs = 20;
  double publish_half_life_days = 10;
};

absl::StatusOr<CommonParams> ParseCommon(const models::ModelParams& params) {
  CommonParams p;
  p.event_type = params.GetString("event_type", p.event_type);
  RECPLAT_ASSIGN_OR_RETURN(p.days_of_data, params.GetInt("days_of_data", 28, 0, 100000));
  RECPLAT_ASSIGN_OR_RETURN(int64_t max_recs, params.GetInt("max_recs", 20, 1, 1000));
  p.max_recs = static_cast<size_t>(max_recs);
  RECPLAT_ASSIGN_OR_RETURN(p.publish_half_life_days,
                           params.GetDouble("publish_half_life_days", 10, 1e-6, 1e9));
  return p;
}

absl::StatusOr<als::IalsOptions> ParseAls(const models::ModelParams& params,
                                          double* dwell_half_life) {
  als::IalsOptions o = JobAlsOptions();
  RECPLAT_ASSIGN_OR_RETURN(int64_t factors, params.GetInt("factors", o.factors, 1, 4096));
  o.factors = static_cast<uint32_t>(factors);
  o.init_stddev = std::sqrt(static_cast<double>(o.factors));  // N(0, 1) item factors
  RECPLAT_ASSIGN_OR_RETURN(o.l2, params.GetDouble("regularization", o.l2, 1e-12, 1e9));
  RECPLAT_ASSIGN_OR_RETURN(int64_t iterations, params.GetInt("iterations", o.epochs, 0, 1000));
  o.epochs = static_cast<int>(iterations);
  const std::string solver = params.GetString("solver", "cg");
  if (solver != "cg" && solver != "cholesky") {
    return absl::InvalidArgumentError(
        absl::StrCat("solver must be \"cg\" or \"cholesky\", got \"", solver, "\""));
  }
  RECPLAT_ASSIGN_OR_RETURN(int64_t cg_steps, params.GetInt("cg_steps", o.cg_steps, 1, 100));
  o.cg_steps = solver == "cg" ? static_cast<int>(cg_steps) : 0;
  RECPLAT_ASSIGN_OR_RETURN(int64_t seed, params.GetInt("seed", 42, 0));
  o.seed = static_cast<uint64_t>(seed);
  RECPLAT_ASSIGN_OR_RETURN(int64_t threads, params.GetInt("threads", 0, 0, 1024));
  o.threads = static_cast<int>(threads);
  RECPLAT_ASSIGN_OR_RETURN(*dwell_half_life,
                           params.GetDouble("dwell_half_life_days", 59.631698, 1e-6, 1e9));
  return o;
}

// The dwell reads of the window and the items' publication times.
absl::StatusOr<std::vector<TimedRead>> Reads(const models::TrainingData& data,
                                             const CommonParams& p) {
  int type = -1;
  for (size_t t = 0; t < data.event_types.size(); ++t) {
    if (data.event_types[t] == p.event_type) {
      type = static_cast<int>(t);
    }
  }
  std::vector<TimedRead> reads;
  const int64_t since = p.days_of_data > 0 ? data.now_ms - p.days_of_data * kMsPerDay : INT64_MIN;
  for (const models::Interaction& x : data.interactions) {
    if (static_cast<int>(x.type) == type && x.timestamp_ms >= since && x.value > 0) {
      reads.push_back({x.user, x.item, x.timestamp_ms, static_cast<double>(x.value)});
    }
  }
  if (reads.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no `", p.event_type, "` interaction in the last ", p.days_of_data, " days to train on"));
  }
  return reads;
}

std::vector<int64_t> PublishedAt(const models::TrainingData& data) {
  std::vector<int64_t> out(data.num_items, 0);
  for (size_t i = 0; i < data.items.size() && i < out.size(); ++i) {
    out[i] = data.items[i].published_at_ms;
  }
  return out;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class PopularityFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return kPopularity; }
  absl::Status ValidateParams(const models::ModelParams& params) const override {
    RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
        {"event_type", "days_of_data", "max_recs", "publish_half_life_days", "recent_reads"}));
    RECPLAT_RETURN_IF_ERROR(ParseCommon(params).status());
    return params.GetInt("recent_reads", 5000, 1, 100'000'000).status();
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override {
    RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
    RECPLAT_ASSIGN_OR_RETURN(CommonParams p, ParseCommon(params));
    RECPLAT_ASSIGN_OR_RETURN(int64_t recent, params.GetInt("recent_reads", 5000, 1));
    RECPLAT_ASSIGN_OR_RETURN(std::vector<TimedRead> reads, Reads(data, p));
    DefaultRecsOptions o;
    o.recent_reads = static_cast<size_t>(recent);
    o.max_recs = p.max_recs;
    o.half_life_days = p.publish_half_life_days;
    const std::vector<int64_t> published = PublishedAt(data);
    absl::flat_hash_map<uint32_t, std::vector<ScoredArticle>> lists;
    lists[kDefaultSource] = DefaultRecs(reads, published, data.now_ms, o);
    StoredRecsModel::MetricList metrics = {{"reads", static_cast<double>(reads.size())},
                                        {"recs", static_cast<double>(lists[kDefaultSource].size())}};
    return std::make_unique<StoredRecsModel>(kPopularity, std::move(lists), std::move(metrics));
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override {
    return StoredRecsModel::Load(dir, kPopularity);
  }
};

class AlsFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return kAls; }
  absl::Status ValidateParams(const models::ModelParams& params) const override {
    RECPLAT_RETURN_IF_ERROR(params.CheckKnown(
        {"event_type", "days_of_data", "max_recs", "publish_half_life_days", "factors",
         "regularization", "iterations", "solver", "cg_steps", "seed", "threads",
         "dwell_half_life_days"}));
    RECPLAT_RETURN_IF_ERROR(ParseCommon(params).status());
    double unused = 0;
    return ParseAls(params, &unused).status();
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override {
    RECPLAT_RETURN_IF_ERROR(ValidateParams(params));
    RECPLAT_ASSIGN_OR_RETURN(CommonParams p, ParseCommon(params));
    double dwell_half_life = 0;
    RECPLAT_ASSIGN_OR_RETURN(als::IalsOptions als, ParseAls(params, &dwell_half_life));
    RECPLAT_ASSIGN_OR_RETURN(std::vector<TimedRead> reads, Reads(data, p));
    // Columns: only the items read in the window (an item without reads has no factors).
    std::vector<uint32_t> column_of(data.num_items, UINT32_MAX);
    std::vector<uint32_t> item_of_column;
    for (TimedRead& r : reads) {
      if (column_of[r.item] == UINT32_MAX) {
        column_of[r.item] = static_cast<uint32_t>(item_of_column.size());
        item_of_column.push_back(r.item);
      }
      r.item = column_of[r.item];
    }
    const std::vector<int64_t> published_by_item = PublishedAt(data);
    std::vector<int64_t> published(item_of_column.size());
    for (size_t c = 0; c < item_of_column.size(); ++c) {
      published[c] = published_by_item[item_of_column[c]];
    }
    const auto start = std::chrono::steady_clock::now();
    const DecayedMatrix matrix = BuildDecayedMatrix(
        reads, static_cast<uint32_t>(item_of_column.size()), data.now_ms, dwell_half_life);
    RECPLAT_ASSIGN_OR_RETURN(const als::IalsFactors factors,
                             als::FitIals(ToSparseRows(Confidence(matrix.values)), als));
    const double als_seconds = SecondsSince(start);
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> items =
        Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            factors.item.data(), static_cast<Eigen::Index>(item_of_column.size()), factors.dim);
    NearestOptions n;
    n.max_recs = p.max_recs;
    n.half_life_days = p.publish_half_life_days;
    const auto nearest = NearestArticles(items, published, data.now_ms, n);
    absl::flat_hash_map<uint32_t, std::vector<ScoredArticle>> lists;
    size_t recs = 0;
    for (size_t c = 0; c < nearest.size(); ++c) {
      if (nearest[c].empty()) {
        continue;
      }
      auto& list = lists[item_of_column[c]];
      for (const ScoredArticle& a : nearest[c]) {
        list.push_back({item_of_column[a.item], a.score});
      }
      recs += list.size();
    }
    StoredRecsModel::MetricList metrics = {
        {"reads", static_cast<double>(reads.size())},
        {"matrix_rows", static_cast<double>(matrix.values.rows())},
        {"articles", static_cast<double>(item_of_column.size())},
        {"recs", static_cast<double>(recs)},
        {"als_seconds", als_seconds},
        {"rec_seconds", SecondsSince(start) - als_seconds}};
    return std::make_unique<StoredRecsModel>(kAls, std::move(lists), std::move(metrics));
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override {
    return StoredRecsModel::Load(dir, kAls);
  }
};

}  // namespace

absl::Status RegisterArticleRecFamilies(models::ModelFamilyRegistry* registry) {
  RECPLAT_RETURN_IF_ERROR(registry->Register(std::make_unique<PopularityFamily>()));
  return registry->Register(std::make_unique<AlsFamily>());
}

}  // namespace recplat::article_rec
