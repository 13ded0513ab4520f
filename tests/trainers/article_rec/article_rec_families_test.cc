// The article_rec families inside the core's model interface: fit on dwell interactions, the
// stored lists served through Similar / Retrieve, the artifact round trip, params checked.
#include "trainers/article_rec/article_rec_families.h"

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/article_rec/article_recs.h"

namespace recplat::article_rec {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

// Two groups of readers: users 0-5 read items 0-2, users 6-11 items 3-5 (item 6 is never
// read; one read of type "view" and one too old are ignored).
models::TrainingData Data() {
  models::TrainingData d;
  d.num_users = 12;
  d.num_items = 7;
  d.event_types = {"view", "dwell"};
  d.event_type_weights = {1, 1};
  d.now_ms = kNow;
  d.items.resize(7);
  for (uint32_t u = 0; u < 12; ++u) {
    for (uint32_t k = 0; k < 3; ++k) {
      const uint32_t item = (u < 6 ? 0 : 3) + k;
      d.interactions.push_back({u, item, 1, static_cast<float>(30 + 10 * ((u + k) % 4)),
                                kNow - kMsPerDay * (u % 3) - 1000 * k});
    }
  }
  d.interactions.push_back({0, 5, 0, 999, kNow});
  d.interactions.push_back({1, 6, 1, 999, kNow - 40 * kMsPerDay});
  return d;
}

models::ModelParams Params(std::map<std::string, std::string> values) {
  return models::ModelParams(std::move(values));
}

class FamiliesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(RegisterArticleRecFamilies(&registry_)); }
  models::ModelFamilyRegistry registry_;
};

TEST_F(FamiliesTest, AlsStoresNearestArticlesWithinEachGroup) {
  const models::ModelFamily* f = registry_.Find("article_als");
  ASSERT_NE(f, nullptr);
  const models::ModelParams params = Params({{"factors", "4"}, {"regularization", "0.1"},
                                            {"iterations", "10"}, {"max_recs", "2"},
                                            {"threads", "2"}});
  ASSERT_OK(f->ValidateParams(params));
  ASSERT_OK_AND_ASSIGN(auto model, f->Fit(Data(), params));
  std::vector<models::ScoredItem> out;
  ASSERT_OK(model->Similar(0, 10, nullptr, &out));
  ASSERT_EQ(out.size(), 2u);
  for (const auto& s : out) {
    EXPECT_TRUE(s.item == 1 || s.item == 2) << s.item;
    EXPECT_GE(s.score, 0);
    EXPECT_LE(s.score, 1);
  }
  out.clear();
  ASSERT_OK(model->Similar(6, 10, nullptr, &out));  // never read in the window
  EXPECT_TRUE(out.empty());

  testing::TempDir dir;
  ASSERT_OK(model->Save(dir.path()));
  ASSERT_OK_AND_ASSIGN(auto loaded, f->Load(dir.path(), params));
  std::vector<models::ScoredItem> again;
  ASSERT_OK(loaded->Similar(0, 10, nullptr, &again));
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].item, model->Similar(0, 1, nullptr, &out).ok() ? out[0].item : 99);
  EXPECT_EQ(loaded->Metrics().size(), model->Metrics().size());
}

TEST_F(FamiliesTest, PopularityServesTheDefaultList) {
  const models::ModelFamily* f = registry_.Find("article_popularity");
  ASSERT_NE(f, nullptr);
  ASSERT_OK_AND_ASSIGN(auto model, f->Fit(Data(), Params({{"max_recs", "3"}})));
  models::RecommendContext ctx;
  ASSERT_TRUE(model->Ready(ctx));
  std::vector<models::ScoredItem> out;
  ASSERT_OK(model->Retrieve(ctx, 10, &out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_DOUBLE_EQ(out[0].score, 1.0);
  EXPECT_GE(out[0].score, out[1].score);
}

TEST_F(FamiliesTest, NoDwellFailsAndBadParamsAreNamed) {
  models::TrainingData empty = Data();
  empty.interactions.clear();
  for (const char* name : {"article_als", "article_popularity"}) {
    EXPECT_THAT(registry_.Find(name)->Fit(empty, {}),
                testing::StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(registry_.Find(name)->ValidateParams(Params({{"typo", "1"}})),
                testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                  ::testing::HasSubstr("typo")));
  }
  EXPECT_THAT(registry_.Find("article_als")
                  ->ValidateParams(Params({{"solver", "magic"}})),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::article_rec
