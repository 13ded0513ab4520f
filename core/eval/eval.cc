#include "core/eval/eval.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/catalog/catalog.h"
#include "core/common/random.h"
#include "core/common/status_macros.h"
#include "core/eval/eval_dataset.h"
#include "core/eval/interaction_file.h"
#include "core/eval/internal/eval_common.h"
#include "core/common/json.h"
#include "core/eval/ranking_metrics.h"

namespace recplat::eval {
namespace {

// Excludes the current user's train items. One per scoring thread.
class TrainItemsFilter final : public models::CandidateFilter {
 public:
  explicit TrainItemsFilter(uint32_t num_items) : marked_(num_items, 0) {}

  // Makes `items` (item indices < num_items) the excluded set.
  void SetUser(std::span<const uint32_t> items) {
    for (uint32_t i : current_) {
      marked_[i] = 0;
    }
    current_.assign(items.begin(), items.end());
    for (uint32_t i : current_) {
      marked_[i] = 1;
    }
  }

  // Items outside the train items are excluded too: they are not in the ranking.
  bool Excluded(uint32_t item) const override {
    return item >= marked_.size() || marked_[item] != 0;
  }

 private:
  std::vector<uint8_t> marked_;
  std::vector<uint32_t> current_;
};

// What one scoring thread accumulates.
struct Partial {
  int64_t not_ready = 0;
  std::vector<uint8_t> recommended;  // By item index.
  absl::Status status;
};

void ScoreUsers(const models::Model& model, const EvalDataset& ds, const catalog::Catalog& catalog,
                int k, uint64_t seed, std::atomic<size_t>* next_user,
                std::vector<RankingMetrics>* per_user, Partial* out) {
  const uint32_t num_items = ds.train.num_items;
  out->recommended.assign(num_items, 0);
  common::Rng rng(seed);
  TrainItemsFilter filter(num_items);
  const catalog::Catalog::Reader reader = catalog.Read();
  std::vector<models::ScoredItem> got;
  std::vector<uint32_t> ranked;
  constexpr size_t kChunk = 16;
  for (size_t begin = next_user->fetch_add(kChunk); begin < ds.test_users.size();
       begin = next_user->fetch_add(kChunk)) {
    const size_t end = std::min(ds.test_users.size(), begin + kChunk);
    for (size_t t = begin; t < end; ++t) {
      const EvalTestUser& user = ds.test_users[t];
      std::span<const uint32_t> history;
      if (user.train_user.has_value()) {
        history = ds.history[*user.train_user];
      }
      filter.SetUser(history);
      models::RecommendContext ctx;
      ctx.user_history = history;
      ctx.filter = &filter;
      ctx.catalog = &reader;
      ctx.rng = &rng;
      ctx.now_ms = ds.train.now_ms;
      got.clear();
      if (!model.Ready(ctx)) {
        ++out->not_ready;
      } else if (absl::Status s = model.Retrieve(ctx, static_cast<size_t>(k), &got); !s.ok()) {
        out->status = absl::InternalError(
            absl::StrCat("retrieval failed for user '", user.id, "': ", s.ToString()));
        return;
      }
      ranked.clear();
      for (size_t pos = 0; pos < got.size() && pos < static_cast<size_t>(k); ++pos) {
        ranked.push_back(got[pos].item);
        if (got[pos].item < num_items) {
          out->recommended[got[pos].item] = 1;
        }
      }
      const RankingMetrics m = ComputeRankingMetrics(ranked, user.relevant, user.num_relevant, k);
      (*per_user)[t] = m;  // Summed in user order afterwards: the same result on any schedule.
    }
  }
}

}  // namespace

absl::StatusOr<EvalReport> RunEval(const EvalOptions& options,
                                   const models::ModelFamilyRegistry& families) {
  RECPLAT_ASSIGN_OR_RETURN(
      const models::ModelFamily* family,
      internal::CheckCommonOptions(options.k, options.threads, options.family, options.params,
                                   families));
  double weight = 1.0;
  for (const auto& [type, w] : options.event_type_weights) {
    if (type != "interaction") {
      return absl::InvalidArgumentError(absl::StrCat(
          "event type '", type, "' does not occur in evaluation files (only 'interaction')"));
    }
    weight = w;
  }
  const common::Clock& clock = options.clock != nullptr ? *options.clock : common::Clock::Default();

  RECPLAT_ASSIGN_OR_RETURN(InteractionFile train, ReadInteractionFile(options.train_path));
  RECPLAT_ASSIGN_OR_RETURN(InteractionFile test, ReadInteractionFile(options.test_path));
  RECPLAT_ASSIGN_OR_RETURN(EvalDataset ds,
                           BuildEvalDataset(train, test, static_cast<float>(weight)));
  train = InteractionFile();
  test = InteractionFile();
  RECPLAT_ASSIGN_OR_RETURN(
      EvalReport report,
      EvaluateDataset(ds, *family, options.params, options.k, options.threads, options.seed, clock));
  report.model = options.family;
  return report;
}

absl::StatusOr<EvalReport> EvaluateDataset(const EvalDataset& ds,
                                           const models::ModelFamily& family,
                                           const models::ModelParams& params, int k, int threads_opt,
                                           uint64_t seed, const common::Clock& clock) {
  if (k < 1 || threads_opt < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("k must be >= 1 and threads >= 0, got ", k, " and ", threads_opt));
  }
  catalog::Catalog catalog;
  for (uint32_t i = 0; i < ds.train.num_items; ++i) {
    catalog.Set(i, ds.train.item_ids[i], /*live=*/true, /*available=*/true, /*weight=*/1.0f,
                ds.train.items[i].published_at_ms, {});
  }

  EvalReport report;
  report.k = k;
  report.model = std::string(family.name());
  report.train_interactions = static_cast<int64_t>(ds.train.interactions.size());
  report.test_interactions = ds.test_interactions;
  report.num_items = ds.train.num_items;
  report.num_users = ds.train.num_users;
  report.users_evaluated = static_cast<int64_t>(ds.test_users.size());

  const double fit_start = clock.MonotonicSeconds();
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model, family.Fit(ds.train, params));
  report.fit_seconds = clock.MonotonicSeconds() - fit_start;

  const double score_start = clock.MonotonicSeconds();
  unsigned threads = threads_opt > 0 ? static_cast<unsigned>(threads_opt)
                                     : std::max(1u, std::thread::hardware_concurrency());
  threads = std::max<unsigned>(1, std::min<size_t>(threads, ds.test_users.size()));
  std::vector<Partial> partials(threads);
  std::vector<RankingMetrics> per_user(ds.test_users.size());
  std::atomic<size_t> next_user{0};
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(ScoreUsers, std::cref(*model), std::cref(ds), std::cref(catalog), k,
                      seed + t, &next_user, &per_user, &partials[t]);
  }
  ScoreUsers(*model, ds, catalog, k, seed, &next_user, &per_user, &partials[0]);
  for (std::thread& t : pool) {
    t.join();
  }
  report.score_seconds = clock.MonotonicSeconds() - score_start;

  RankingMetrics sum;
  for (const RankingMetrics& m : per_user) {
    sum.recall += m.recall;
    sum.ndcg += m.ndcg;
    sum.hit_rate += m.hit_rate;
    sum.mrr += m.mrr;
  }
  std::vector<uint8_t> recommended(ds.train.num_items, 0);
  for (const Partial& p : partials) {
    RECPLAT_RETURN_IF_ERROR(p.status);
    report.users_not_ready += p.not_ready;
    for (size_t i = 0; i < p.recommended.size(); ++i) {
      recommended[i] |= p.recommended[i];
    }
  }
  const double users = std::max<double>(1.0, static_cast<double>(report.users_evaluated));
  report.recall = sum.recall / users;
  report.ndcg = sum.ndcg / users;
  report.hit_rate = sum.hit_rate / users;
  report.mrr = sum.mrr / users;
  const auto covered = std::count(recommended.begin(), recommended.end(), 1);
  report.coverage = ds.train.num_items == 0
                        ? 0.0
                        : static_cast<double>(covered) / static_cast<double>(ds.train.num_items);
  return report;
}

std::string EvalReportToJson(const EvalReport& r) {
  return absl::StrFormat(
      "{\"model\":%s,\"k\":%d,\"recall\":%.6f,\"ndcg\":%.6f,\"hit_rate\":%.6f,\"mrr\":%.6f,"
      "\"coverage\":%.6f,\"fit_seconds\":%.4f,\"score_seconds\":%.4f,\"users_evaluated\":%d,"
      "\"users_not_ready\":%d,\"train_interactions\":%d,\"test_interactions\":%d,"
      "\"num_items\":%d,\"num_users\":%d}",
      common::JsonString(r.model), r.k, r.recall, r.ndcg, r.hit_rate, r.mrr, r.coverage,
      r.fit_seconds, r.score_seconds, r.users_evaluated, r.users_not_ready, r.train_interactions,
      r.test_interactions, r.num_items, r.num_users);
}

}  // namespace recplat::eval
