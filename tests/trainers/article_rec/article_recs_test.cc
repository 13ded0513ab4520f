// The article_rec computations: the default-recs test vector of §4.4 and both QUIRKs fixed,
// the decayed dwell matrix, the confidence transform and the nearest articles.
#include "trainers/article_rec/article_recs.h"

#include <cmath>

#include "gtest/gtest.h"

namespace recplat::article_rec {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

// tests/test_save_defaults.py of the original: two clients, article 123 read 2 min by each,
// article 456 read 1 min by one and 30 s by the other -> [123, 456].
TEST(DefaultRecsTest, TestVectorOfTheOriginal) {
  const uint32_t a123 = 0, a456 = 1;
  const std::vector<TimedRead> reads = {{0, a123, kNow - 4000, 120}, {1, a123, kNow - 3000, 120},
                                        {0, a456, kNow - 2000, 60}, {1, a456, kNow - 1000, 30}};
  const std::vector<int64_t> published = {kNow - kMsPerDay, kNow - kMsPerDay};
  const std::vector<ScoredArticle> recs = DefaultRecs(reads, published, kNow, {});
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].item, a123);
  EXPECT_EQ(recs[1].item, a456);
  const double w = std::exp2(-1.0 / 10);  // one day old, half-life 10 days
  EXPECT_NEAR(recs[0].score, w, 1e-12);
  EXPECT_NEAR(recs[1].score, w * 45.0 / 120.0, 1e-12);
}

// QUIRK 1 fixed: an article 10 days old weighs 1/2 (the original's 60-day unit gave 0.989).
TEST(DefaultRecsTest, HalfLifeIsInDays) {
  EXPECT_NEAR(PublishWeight(kNow - 10 * kMsPerDay, kNow, 10), 0.5, 1e-12);
  EXPECT_NEAR(PublishWeight(kNow - 20 * kMsPerDay, kNow, 10), 0.25, 1e-12);
  EXPECT_EQ(PublishWeight(0, kNow, 10), 1.0);             // unknown
  EXPECT_EQ(PublishWeight(kNow + 1000, kNow, 10), 1.0);   // in the future
}

// QUIRK 2 fixed: every score stays with its own article. Item 0 has the highest time per view
// but is old; item 1 is fresh; the sorted order differs from the items' order.
TEST(DefaultRecsTest, ScoresArePairedWithTheirOwnArticles) {
  const std::vector<TimedRead> reads = {{0, 0, kNow - 10, 600}, {0, 1, kNow - 20, 300},
                                        {0, 2, kNow - 30, 100}};
  const std::vector<int64_t> published = {kNow - 30 * kMsPerDay, kNow, kNow};
  const std::vector<ScoredArticle> recs = DefaultRecs(reads, published, kNow, {});
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].item, 1u);
  EXPECT_NEAR(recs[0].score, 0.5, 1e-12);
  EXPECT_EQ(recs[1].item, 2u);
  EXPECT_NEAR(recs[1].score, 1.0 / 6, 1e-12);
  EXPECT_EQ(recs[2].item, 0u);
  EXPECT_NEAR(recs[2].score, 0.125, 1e-12);
}

TEST(DefaultRecsTest, UsesOnlyTheMostRecentReadsAndKeepsMaxRecs) {
  std::vector<TimedRead> reads;
  for (uint32_t i = 0; i < 30; ++i) {
    reads.push_back({i, i, kNow - 1000 * (30 - i), 10.0 + i});  // item 29 is the newest
  }
  DefaultRecsOptions options;
  options.recent_reads = 5;
  options.max_recs = 3;
  const std::vector<ScoredArticle> recs = DefaultRecs(reads, {}, kNow, options);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].item, 29u);
  EXPECT_EQ(recs[1].item, 28u);
  EXPECT_EQ(recs[2].item, 27u);
  EXPECT_TRUE(DefaultRecs({}, {}, kNow, {}).empty());
}

TEST(DecayedMatrixTest, AccumulatesPerUserWithHalfLifeAndAddsToday) {
  const int64_t today = (kNow / kMsPerDay) * kMsPerDay;
  const std::vector<TimedRead> reads = {
      {0, 0, today - 2 * kMsPerDay + 5, 100}, {0, 0, today - 2 * kMsPerDay + 9, 20},
      {0, 1, today, 50},                       {1, 1, today - kMsPerDay, 10}};
  const DecayedMatrix m = BuildDecayedMatrix(reads, 2, kNow, /*half_life_days=*/2);
  // user 0: day -2, today; user 1: day -1, today.
  ASSERT_EQ(m.row_user, (std::vector<uint32_t>{0, 0, 1, 1}));
  EXPECT_EQ(m.row_day[1], kNow / kMsPerDay);
  const Eigen::MatrixXf d = Eigen::MatrixXf(m.values);
  EXPECT_FLOAT_EQ(d(0, 0), 120);
  EXPECT_FLOAT_EQ(d(1, 0), 60);  // two days at half-life 2
  EXPECT_FLOAT_EQ(d(1, 1), 50);
  EXPECT_FLOAT_EQ(d(2, 1), 10);
  EXPECT_NEAR(d(3, 1), 10 * std::exp2(-0.5), 1e-5);
  EXPECT_EQ(d(2, 0), 0);
}

TEST(ConfidenceTest, LogThenMinMaxPerColumn) {
  Eigen::SparseMatrix<float, Eigen::RowMajor> x(3, 2);
  x.insert(0, 0) = 1;
  x.insert(1, 0) = 3;
  x.insert(0, 1) = 5;  // column 1: one value and two implicit zeros
  x.makeCompressed();
  const Eigen::MatrixXf c = Eigen::MatrixXf(Confidence(x));
  EXPECT_NEAR(c(0, 0), std::log(2.0) / std::log(4.0), 1e-6);
  EXPECT_NEAR(c(1, 0), 1.0, 1e-6);
  EXPECT_EQ(c(2, 0), 0);
  EXPECT_NEAR(c(0, 1), 1.0, 1e-6);
}

TEST(NearestArticlesTest, WeightsCandidatesAndStoresUnweightedCosine) {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> v(4, 2);
  v << 1, 0,      // 0
      1, 0.1f,    // 1: close to 0, but old
      1, 0.5f,    // 2: less close, fresh
      0, 0;       // 3: no vector
  const std::vector<int64_t> published = {kNow, kNow - 30 * kMsPerDay, kNow, kNow};
  NearestOptions options;
  options.max_recs = 2;
  const auto recs = NearestArticles(v, published, kNow, options);
  ASSERT_EQ(recs.size(), 4u);
  ASSERT_EQ(recs[0].size(), 2u);
  EXPECT_EQ(recs[0][0].item, 2u);  // 0.894 * 1 beats 0.995 * 0.125
  EXPECT_EQ(recs[0][0].score, RoundScore(1 / std::sqrt(1.25)));
  EXPECT_EQ(recs[0][1].item, 1u);
  EXPECT_EQ(recs[0][1].score, RoundScore(1 / std::sqrt(1.01)));
  EXPECT_TRUE(recs[3].empty());
  for (const auto& list : recs) {
    for (const ScoredArticle& a : list) {
      EXPECT_GE(a.score, 0);
      EXPECT_LE(a.score, 1);
    }
  }
}

}  // namespace
}  // namespace recplat::article_rec
