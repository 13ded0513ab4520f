// File: article_recs.h
//
// The computations of the article_rec training job (§4.3 step 9 – §4.6 of the seed spec) as
// pure functions over timed reads (dwell times): default ("popularity") recommendations, the
// decayed user×date dwell matrix, and the nearest articles of item vectors. The implicit ALS
// is trainers/als's, with the job's options (article_als.h). The families that run them inside the core are in
// article_rec_families.h.
//
// Items and users are dense indices (the core's); times are Unix epoch milliseconds.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "Eigen/Core"
#include "Eigen/SparseCore"

namespace recplat::article_rec {

// One timed read: `user` read `item` for `seconds`, starting at `time_ms`.
struct TimedRead {
  uint32_t user = 0;
  uint32_t item = 0;
  int64_t time_ms = 0;
  double seconds = 0.0;
};

struct ScoredArticle {
  uint32_t item = 0;
  double score = 0.0;
};

inline constexpr int64_t kMsPerDay = 86'400'000;

// exp(-ln2 · age_days / half_life_days) with age = now - published, in days (86,400 s: the
// original's 5,184,000-second "day" is QUIRK 1, fixed). A publication time of 0 (unknown) or
// in the future weighs 1.
double PublishWeight(int64_t published_at_ms, int64_t now_ms, double half_life_days);

struct DefaultRecsOptions {
  // The most recent reads considered.
  size_t recent_reads = 5000;
  double half_life_days = 10.0;
  size_t max_recs = 20;
};

// §4.4: over the `recent_reads` most recent reads (ties by user, then item), per item:
// time per view = total seconds / distinct users; score = PublishWeight · tpv / max tpv. The
// best `max_recs` items by score (ties: lower index first), each with its own score (the
// original zips the unsorted items with the sorted scores: QUIRK 2, fixed).
// `published_at_ms` is indexed by item (0 = unknown); items beyond its size count as unknown.
std::vector<ScoredArticle> DefaultRecs(std::span<const TimedRead> reads,
                                       std::span<const int64_t> published_at_ms, int64_t now_ms,
                                       const DefaultRecsOptions& options);

// The decayed dwell matrix of §4.3 step 9: one row per (user, UTC day the user read on) plus
// one per (user, today) when absent; columns are items. A row holds the seconds the user read
// each item that day plus the previous row of the same user decayed by
// exp(-ln2 · Δdays / half_life_days). Rows are grouped by user, days ascending.
struct DecayedMatrix {
  Eigen::SparseMatrix<float, Eigen::RowMajor> values;  // rows × num_items
  std::vector<uint32_t> row_user;
  std::vector<int64_t> row_day;  // days since the epoch
};
DecayedMatrix BuildDecayedMatrix(std::span<const TimedRead> reads, uint32_t num_items,
                                 int64_t now_ms, double half_life_days = 59.631698);

// §4.5's confidence: log(1 + x), then min-max scaling of every column to [0, 1] as sklearn's
// MinMaxScaler does (implicit zeros take part; a constant column becomes x - min).
Eigen::SparseMatrix<float, Eigen::RowMajor> Confidence(
    const Eigen::SparseMatrix<float, Eigen::RowMajor>& dwell);

struct NearestOptions {
  size_t max_recs = 20;
  double half_life_days = 10.0;
};

// §4.6: for every item with a non-zero vector, the cosine similarity to every item, multiplied
// by the candidate's PublishWeight, ordered descending (ties: lower index); of the first
// max_recs + 1, itself skipped, up to max_recs with score = the unweighted cosine clipped at
// 0 and rounded to 6 decimals. `vectors` is items × factors, row-major; result[i] is empty for
// an item without a vector.
std::vector<std::vector<ScoredArticle>> NearestArticles(
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& vectors,
    std::span<const int64_t> published_at_ms, int64_t now_ms, const NearestOptions& options);

// Rounds to 6 decimals, as DECIMAL(7,6) stores a score.
double RoundScore(double score);

}  // namespace recplat::article_rec
