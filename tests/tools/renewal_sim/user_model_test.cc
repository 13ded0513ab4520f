// The simulated users' click model (tools/renewal_sim/user_model.h) on the MIND fixture.
#include "tools/renewal_sim/user_model.h"

#include <cmath>
#include <random>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/tools/renewal_sim/mind_fixture.h"
#include "tools/renewal_sim/mind_data.h"

namespace recplat::renewal_sim {
namespace {

class UserModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MindLoadOptions options;
    options.max_users = 0;
    options.min_clicks = 1;
    auto data = LoadMind(testing::MindFixtureDir(), options);
    ASSERT_OK(data);
    data_ = *std::move(data);
  }

  const MindArticle& Article(int64_t id) const { return data_.articles[id - 1]; }
  const SimUser& U0() const { return data_.users[0]; }

  // `n` shown copies of `article`, fresh, never clicked.
  std::vector<UserModel::Shown> Copies(int64_t article, size_t n) const {
    return std::vector<UserModel::Shown>(n, {&Article(article), absl::ZeroDuration(), false});
  }

  MindData data_;
};

TEST_F(UserModelTest, ExaminationIsOneOverLog2OfRankPlusOne) {
  EXPECT_DOUBLE_EQ(UserModel::Examination(1), 1.0);
  EXPECT_DOUBLE_EQ(UserModel::Examination(3), 0.5);
  EXPECT_DOUBLE_EQ(UserModel::Examination(7), 1.0 / 3.0);
  EXPECT_NEAR(UserModel::Examination(2), 0.6309, 1e-4);
}

TEST_F(UserModelTest, InterestAppealAndFreshnessByHand) {
  UserModel model(data_, {});
  // U0 on news-a article 13: Pc = (6 + 2 * 31/186) / 11, Ps = (6 + 2 * 25/192) / 11
  // (population: 30 of 180 clicks in news over 6 categories, 24 in news-a over 12).
  const double pc = (6 + 2 * 31.0 / 186) / 11, ps = (6 + 2 * 25.0 / 192) / 11;
  EXPECT_NEAR(model.Interest(U0(), Article(13)), 0.5 * pc + 0.5 * ps, 1e-9);
  // A category U0 never clicked: only the prior.
  const MindArticle& music = Article(6);  // N1005: music, music-a
  EXPECT_LT(model.Interest(U0(), music), 0.05);
  // Appeal: smoothed CTR over 20 pseudo-impressions at the overall CTR 0.5, relative to 0.5.
  EXPECT_NEAR(model.Appeal(Article(1)), (0 + 10.0) / 40 / 0.5, 1e-9);   // never clicked: 0.5
  EXPECT_NEAR(model.Appeal(Article(2)), (20 + 10.0) / 40 / 0.5, 1e-9);  // always: 1.5
  EXPECT_DOUBLE_EQ(model.Appeal(Article(13)), 1.0);                     // never shown
  // Freshness halves every 24 h; off with a zero half-life.
  EXPECT_DOUBLE_EQ(model.Freshness(absl::ZeroDuration()), 1.0);
  EXPECT_DOUBLE_EQ(model.Freshness(absl::Hours(24)), 0.5);
  EXPECT_DOUBLE_EQ(model.Freshness(absl::Hours(72)), 0.125);
  UserModelOptions stale;
  stale.freshness_half_life = absl::ZeroDuration();
  EXPECT_DOUBLE_EQ(UserModel(data_, stale).Freshness(absl::Hours(500)), 1.0);
  // Attraction = min(1, 1.0 * interest * appeal * freshness); click = examination * that.
  const double a = 1.0 * model.Interest(U0(), Article(13)) * 0.5;
  EXPECT_NEAR(model.Attraction(U0(), Article(13), absl::Hours(24)), a, 1e-12);
  EXPECT_NEAR(model.ClickProbability(U0(), Article(13), absl::Hours(24), 3), a * 0.5, 1e-12);
  UserModelOptions eager;
  eager.click_scale = 100;
  EXPECT_DOUBLE_EQ(UserModel(data_, eager).Attraction(U0(), Article(13), absl::ZeroDuration()),
                   1.0);
}

TEST_F(UserModelTest, PositionBiasMatchesTheExaminationCurve) {
  UserModel model(data_, {});
  // Ten articles of equal attraction so that only the rank differs (the "no second click"
  // rule is tested separately).
  std::mt19937_64 rng(7);
  const double attraction = model.Attraction(U0(), Article(13), absl::ZeroDuration());
  constexpr int kTrials = 20000;
  // News-a articles never shown in the MIND rows (73 and 205 were): the same attraction.
  const int64_t kIds[] = {13, 25, 37, 49, 61, 85, 97, 109, 121, 133};
  for (int64_t id : kIds) ASSERT_DOUBLE_EQ(model.Attraction(U0(), Article(id), {}), attraction);
  std::vector<int> clicks(10, 0);
  for (int t = 0; t < kTrials; ++t) {
    std::vector<UserModel::Shown> shown;
    for (int64_t id : kIds) shown.push_back({&Article(id), {}, false});
    for (const UserModel::Reaction& x : model.React(U0(), shown, rng)) ++clicks[x.position];
  }
  for (size_t r = 0; r < 10; ++r) {
    const double p = UserModel::Examination(r + 1) * attraction;
    const double sigma = std::sqrt(p * (1 - p) / kTrials);
    EXPECT_NEAR(static_cast<double>(clicks[r]) / kTrials, p, 4 * sigma) << "rank " << r + 1;
  }
  // Top beats rank 2 by about log2(3) and rank 10 by about log2(11).
  EXPECT_NEAR(static_cast<double>(clicks[0]) / clicks[1], std::log2(3.0), 0.1);
  EXPECT_GT(clicks[0], 3 * clicks[9]);
}

TEST_F(UserModelTest, SameSeedSameReactionsAndNoSecondClick) {
  UserModel model(data_, {});
  std::vector<UserModel::Shown> shown;
  for (int64_t id = 1; id <= 60; ++id) shown.push_back({&Article(id), absl::Hours(id), false});
  auto run = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<size_t> positions;
    for (int t = 0; t < 50; ++t) {
      for (const auto& r : model.React(U0(), shown, rng)) positions.push_back(r.position);
    }
    return positions;
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
  EXPECT_FALSE(run(11).empty());

  // Already clicked: never again; the same article twice in one list: at most one click.
  UserModelOptions eager;
  eager.click_scale = 100;  // attraction 1
  UserModel always(data_, eager);
  std::mt19937_64 rng(3);
  std::vector<UserModel::Shown> twice = Copies(13, 2);
  for (int t = 0; t < 200; ++t) {
    EXPECT_LE(always.React(U0(), twice, rng).size(), 1u);
    EXPECT_EQ(always.React(U0(), {{&Article(13), {}, true}}, rng).size(), 0u);
  }
  std::vector<UserModel::Reaction> top = always.React(U0(), Copies(13, 1), rng);
  ASSERT_EQ(top.size(), 1u);  // rank 1 is always examined
  EXPECT_EQ(top[0].position, 0u);
}

TEST_F(UserModelTest, RatingsAndBookmarksFollowInterest) {
  UserModelOptions options;
  options.click_scale = 100;
  options.rate_probability = 1.0;
  options.bookmark_probability = 0.5;
  UserModel model(data_, options);
  std::mt19937_64 rng(5);
  auto rates = [&](int64_t article) {
    int likes = 0, ratings = 0, bookmarks = 0;
    for (int t = 0; t < 4000; ++t) {
      for (const auto& r : model.React(U0(), Copies(article, 1), rng)) {
        ratings += r.rating != 0;
        likes += r.rating > 0;
        bookmarks += r.bookmarked;
      }
    }
    EXPECT_EQ(ratings, 4000);  // rank 1, attraction 1, rate probability 1
    return std::pair<double, double>{likes / 4000.0, bookmarks / 4000.0};
  };
  const double i_fav = model.Interest(U0(), Article(13)), i_off = model.Interest(U0(), Article(6));
  auto [like_fav, bm_fav] = rates(13);
  auto [like_off, bm_off] = rates(6);
  EXPECT_NEAR(like_fav, std::min(1.0, 0.2 + 1.2 * i_fav), 0.03);
  EXPECT_NEAR(like_off, 0.2 + 1.2 * i_off, 0.03);
  EXPECT_NEAR(bm_fav, 0.5 * (0.5 + i_fav), 0.03);
  EXPECT_NEAR(bm_off, 0.5 * (0.5 + i_off), 0.03);
  EXPECT_GT(like_fav, like_off + 0.4);
}

}  // namespace
}  // namespace recplat::renewal_sim
