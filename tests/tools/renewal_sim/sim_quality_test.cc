// The simulated users on the real MIND sample (../shared/datasets/mind-small-sample; skipped
// when missing): the documented calibration of user_model.h — a random list gets a CTR near
// the sample's own, a list of the user's favourite subcategory several times more, and
// freshness and position matter.
#include <algorithm>
#include <iostream>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "tools/renewal_sim/mind_data.h"
#include "tools/renewal_sim/user_model.h"

namespace recplat::renewal_sim {
namespace {

TEST(SimQualityTest, UserModelCalibrationOnTheMindSample) {
  const std::filesystem::path dir = recplat::testing::DatasetPath("mind-small-sample");
  if (dir.empty()) {
    GTEST_SKIP() << "mind-small-sample not found under " << recplat::testing::DatasetsDir();
  }
  MindLoadOptions options;
  options.max_users = 200;
  ASSERT_OK_AND_ASSIGN(MindData data, LoadMind(dir.string(), options));
  ASSERT_EQ(data.articles.size(), 2000u);
  ASSERT_EQ(data.users.size(), 200u);
  const double mind_ctr = static_cast<double>(data.impression_clicks) / data.impressions;
  EXPECT_NEAR(mind_ctr, 7542.0 / 189359, 1e-9);  // the sample's README figures
  UserModel model(data, {});
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<size_t> any(0, data.articles.size() - 1);
  double random_clicks = 0, favourite_clicks = 0, stale_clicks = 0;
  int64_t lists = 0;
  for (const SimUser& user : data.users) {
    // The user's favourite subcategory, as the model sees it.
    std::vector<const MindArticle*> ranked;
    for (const MindArticle& a : data.articles) ranked.push_back(&a);
    std::sort(ranked.begin(), ranked.end(), [&](const MindArticle* x, const MindArticle* y) {
      return model.Interest(user, *x) > model.Interest(user, *y);
    });
    for (int t = 0; t < 20; ++t, ++lists) {
      std::vector<UserModel::Shown> random, favourite, stale;
      for (size_t r = 0; r < 10; ++r) {
        random.push_back({&data.articles[any(rng)], absl::Hours(6), false});
        favourite.push_back({ranked[r + 10 * (t % 5)], absl::Hours(6), false});
        stale.push_back({favourite.back().article, absl::Hours(96), false});
      }
      random_clicks += model.React(user, random, rng).size();
      favourite_clicks += model.React(user, favourite, rng).size();
      stale_clicks += model.React(user, stale, rng).size();
    }
  }
  const double random_ctr = random_clicks / (10.0 * lists);
  const double favourite_ctr = favourite_clicks / (10.0 * lists);
  const double stale_ctr = stale_clicks / (10.0 * lists);
  std::cout << "MIND ctr " << mind_ctr << ", simulated ctr: random " << random_ctr << ", favourite "
            << favourite_ctr << ", favourite 4 days old " << stale_ctr << "\n";
  EXPECT_GT(random_ctr, 0.5 * mind_ctr);
  EXPECT_LT(random_ctr, 2.0 * mind_ctr);
  EXPECT_GT(favourite_ctr, 3 * random_ctr);
  // 96 h against 6 h at a 24 h half-life: 2^-3.75 of the attraction.
  EXPECT_LT(stale_ctr, 0.2 * favourite_ctr);
}

}  // namespace
}  // namespace recplat::renewal_sim
