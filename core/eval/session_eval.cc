#include "core/eval/session_eval.h"

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
#include "core/eval/internal/eval_common.h"
#include "core/common/json.h"
#include "core/eval/ranking_metrics.h"

namespace recplat::eval {
namespace {

// Excludes nothing among the train items: a session's own items may be recommended again.
// Indices outside the train items are excluded: they are not in the ranking.
class TrainItemsOnlyFilter final : public models::CandidateFilter {
 public:
  explicit TrainItemsOnlyFilter(uint32_t num_items) : num_items_(num_items) {}
  bool Excluded(uint32_t item) const override { return item >= num_items_; }

 private:
  const uint32_t num_items_;
};

// What one prediction thread accumulates.
struct Partial {
  double hr = 0;
  double mrr = 0;
  int64_t predictions = 0;
  int64_t sessions = 0;
  int64_t not_ready = 0;
  int64_t targets_not_in_train = 0;
  std::vector<uint8_t> recommended;  // By item index.
  absl::Status status;
};

// Runs the predictions of the sessions it takes from `next_session` (in chunks) into `out`.
void PredictSessions(const models::Model& model, const SessionDataset& ds,
                     const catalog::Catalog& catalog, int k, uint64_t seed,
                     std::atomic<size_t>* next_session, Partial* out) {
  const uint32_t num_items = ds.train.num_items;
  out->recommended.assign(num_items, 0);
  common::Rng rng(seed);
  const TrainItemsOnlyFilter filter(num_items);
  const catalog::Catalog::Reader reader = catalog.Read();
  std::vector<uint32_t> recent_first;  // The session's known items, most recent first.
  std::vector<models::ScoredItem> got;
  std::vector<uint32_t> ranked;
  constexpr size_t kChunk = 16;
  for (size_t begin = next_session->fetch_add(kChunk); begin < ds.test.size();
       begin = next_session->fetch_add(kChunk)) {
    const size_t end = std::min(ds.test.size(), begin + kChunk);
    for (size_t s = begin; s < end; ++s) {
      const TestSession& session = ds.test[s];
      const size_t n = session.items.size();
      if (n < 2) {
        continue;
      }
      ++out->sessions;
      recent_first.clear();
      for (size_t p = n; p-- > 0;) {
        if (session.items[p] != kNotInTrain) {
          recent_first.push_back(session.items[p]);
        }
      }
      size_t known = 0;  // Known items among positions 0..p.
      for (size_t p = 0; p + 1 < n; ++p) {
        known += session.items[p] != kNotInTrain ? 1 : 0;
        ++out->predictions;
        const uint32_t target = session.items[p + 1];
        if (target == kNotInTrain) {
          ++out->targets_not_in_train;
          continue;
        }
        models::RecommendContext ctx;
        ctx.session_items =
            std::span<const uint32_t>(recent_first).subspan(recent_first.size() - known);
        ctx.filter = &filter;
        ctx.catalog = &reader;
        ctx.rng = &rng;
        ctx.now_ms = session.timestamps_ms[p];
        if (!model.Ready(ctx)) {
          ++out->not_ready;
          continue;
        }
        got.clear();
        if (absl::Status st = model.Retrieve(ctx, static_cast<size_t>(k), &got); !st.ok()) {
          out->status = absl::InternalError(
              absl::StrCat("retrieval failed for session '", session.id, "': ", st.ToString()));
          return;
        }
        ranked.clear();
        for (size_t r = 0; r < got.size() && r < static_cast<size_t>(k); ++r) {
          ranked.push_back(got[r].item);
          if (got[r].item < num_items) {
            out->recommended[got[r].item] = 1;
          }
        }
        const uint32_t relevant[] = {target};
        const RankingMetrics m = ComputeRankingMetrics(ranked, relevant, 1, k);
        out->hr += m.hit_rate;
        out->mrr += m.mrr;
      }
    }
  }
}

}  // namespace

absl::StatusOr<SessionEvalReport> EvaluateSessionModel(const models::Model& model,
                                                       const SessionDataset& ds, int k, int threads,
                                                       uint64_t seed, const common::Clock* clock) {
  if (k < 1) {
    return absl::InvalidArgumentError(absl::StrCat("k must be >= 1, got ", k));
  }
  if (threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat("threads must be >= 0, got ", threads));
  }
  const common::Clock& c = clock != nullptr ? *clock : common::Clock::Default();
  const models::TrainingData& d = ds.train;
  catalog::Catalog catalog;
  for (uint32_t i = 0; i < d.num_items; ++i) {
    catalog.Set(i, i < d.item_ids.size() ? d.item_ids[i] : absl::StrCat(i), /*live=*/true,
                /*available=*/true, /*weight=*/1.0f,
                i < d.items.size() ? d.items[i].published_at_ms : 0, {});
  }

  const double start = c.MonotonicSeconds();
  unsigned n = threads > 0 ? static_cast<unsigned>(threads)
                           : std::max(1u, std::thread::hardware_concurrency());
  n = std::max<unsigned>(1, std::min<size_t>(n, ds.test.size()));
  std::vector<Partial> partials(n);
  std::atomic<size_t> next_session{0};
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) {
    pool.emplace_back(PredictSessions, std::cref(model), std::cref(ds), std::cref(catalog), k,
                      seed + t, &next_session, &partials[t]);
  }
  PredictSessions(model, ds, catalog, k, seed, &next_session, &partials[0]);
  for (std::thread& t : pool) {
    t.join();
  }

  SessionEvalReport report;
  report.k = k;
  report.score_seconds = c.MonotonicSeconds() - start;
  std::vector<uint8_t> recommended(d.num_items, 0);
  double hr = 0;
  double mrr = 0;
  for (const Partial& p : partials) {
    RECPLAT_RETURN_IF_ERROR(p.status);
    hr += p.hr;
    mrr += p.mrr;
    report.predictions += p.predictions;
    report.sessions += p.sessions;
    report.predictions_not_ready += p.not_ready;
    report.targets_not_in_train += p.targets_not_in_train;
    for (size_t i = 0; i < p.recommended.size(); ++i) {
      recommended[i] |= p.recommended[i];
    }
  }
  const double predictions = std::max<double>(1.0, static_cast<double>(report.predictions));
  report.hr = hr / predictions;
  report.mrr = mrr / predictions;
  const auto covered = std::count(recommended.begin(), recommended.end(), 1);
  report.coverage =
      d.num_items == 0 ? 0.0 : static_cast<double>(covered) / static_cast<double>(d.num_items);
  return report;
}

absl::StatusOr<SessionEvalReport> RunSessionEval(const SessionEvalOptions& options,
                                                 const models::ModelFamilyRegistry& families) {
  RECPLAT_ASSIGN_OR_RETURN(
      const models::ModelFamily* family,
      internal::CheckCommonOptions(options.k, options.threads, options.family, options.params,
                                   families));
  const common::Clock& clock = options.clock != nullptr ? *options.clock : common::Clock::Default();

  RECPLAT_ASSIGN_OR_RETURN(SessionFile train, ReadSessionFile(options.train_path));
  SessionDataset ds;
  SessionSplitStats split_stats;
  if (options.test_path.empty()) {
    RECPLAT_ASSIGN_OR_RETURN(SessionSplit split,
                             SplitSessionsByDays(std::move(train.sessions), options.split));
    split_stats = split.stats;
    RECPLAT_ASSIGN_OR_RETURN(ds, BuildSessionDataset(split.train, split.test));
  } else {
    RECPLAT_ASSIGN_OR_RETURN(SessionFile test, ReadSessionFile(options.test_path));
    RECPLAT_ASSIGN_OR_RETURN(ds, BuildSessionDataset(train.sessions, test.sessions));
  }
  train = SessionFile();

  const double fit_start = clock.MonotonicSeconds();
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model,
                           family->Fit(ds.train, options.params));
  const double fit_seconds = clock.MonotonicSeconds() - fit_start;

  RECPLAT_ASSIGN_OR_RETURN(
      SessionEvalReport report,
      EvaluateSessionModel(*model, ds, options.k, options.threads, options.seed, &clock));
  report.fit_seconds = fit_seconds;
  report.model = options.family;
  report.train_sessions = ds.train.num_users;
  report.train_clicks = static_cast<int64_t>(ds.train.interactions.size());
  report.test_clicks = ds.test_clicks;
  report.num_items = ds.train.num_items;
  report.split = options.test_path.empty();
  if (report.split) {
    report.split_options = options.split;
    report.split_stats = split_stats;
  }
  return report;
}

std::string SessionEvalReportToJson(const SessionEvalReport& r) {
  std::string out = absl::StrFormat(
      "{\"protocol\":\"session\",\"model\":%s,\"k\":%d,\"hr\":%.6f,\"mrr\":%.6f,"
      "\"coverage\":%.6f,\"fit_seconds\":%.4f,\"score_seconds\":%.4f,\"predictions\":%d,"
      "\"sessions\":%d,\"predictions_not_ready\":%d,\"targets_not_in_train\":%d,"
      "\"train_sessions\":%d,\"train_clicks\":%d,\"test_clicks\":%d,\"num_items\":%d",
      common::JsonString(r.model), r.k, r.hr, r.mrr, r.coverage, r.fit_seconds, r.score_seconds,
      r.predictions, r.sessions, r.predictions_not_ready, r.targets_not_in_train, r.train_sessions,
      r.train_clicks, r.test_clicks, r.num_items);
  if (r.split) {
    const SessionSplitStats& s = r.split_stats;
    absl::StrAppendFormat(
        &out,
        ",\"split\":{\"test_days\":%d,\"min_item_support\":%d,\"sessions_read\":%d,"
        "\"sessions_length_one\":%d,\"rare_items\":%d,\"sessions_short_after_item_filter\":%d,"
        "\"test_clicks_not_in_train\":%d,\"test_sessions_dropped\":%d}",
        r.split_options.test_days, r.split_options.min_item_support, s.sessions_read,
        s.sessions_length_one, s.rare_items, s.sessions_short_after_item_filter,
        s.test_clicks_not_in_train, s.test_sessions_dropped);
  }
  out += "}";
  return out;
}

}  // namespace recplat::eval
