// Tests of the `news` family: each signal of the blend on a hand-made corpus, the appeal
// formula against hand-computed values, filters, Score/Retrieve agreement, save/load and errors.
#include "trainers/news/news_model.h"

#include <fstream>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "core/models/artifact_io.h"
#include "trainers/news/news_family.h"

namespace recplat::news {
namespace {

using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kHour = 3'600'000;

models::ModelParams Params(std::map<std::string, std::string> values) {
  return models::ModelParams(std::move(values));
}

class SetFilter final : public models::CandidateFilter {
 public:
  explicit SetFilter(std::set<uint32_t> excluded) : excluded_(std::move(excluded)) {}
  bool Excluded(uint32_t item) const override { return excluded_.contains(item); }

 private:
  std::set<uint32_t> excluded_;
};

// Six articles, two per topic; all published at kNow unless a test changes it.
models::TrainingData Corpus() {
  models::TrainingData d;
  const std::vector<std::pair<std::string, std::string>> articles = {
      {"Storm floods the coast", "weather"},   {"Heatwave breaks records", "weather"},
      {"Team wins the final", "sports"},       {"Striker signs contract", "sports"},
      {"Election results are in", "politics"}, {"Parliament vote delayed", "politics"}};
  for (const auto& [title, keyword] : articles) {
    models::ItemInfo info;
    info.title = title;
    info.categories = {keyword};
    info.published_at_ms = kNow;
    d.items.push_back(info);
  }
  d.num_items = static_cast<uint32_t>(d.items.size());
  d.event_types = {"click", "recommended"};
  d.event_type_weights = {1.0f, 0.0f};
  d.now_ms = kNow;
  return d;
}

void Add(models::TrainingData* d, uint32_t user, uint32_t item, uint16_t type, int times = 1) {
  for (int i = 0; i < times; ++i) d->interactions.push_back({user, item, type, 1.0f, kNow});
  d->num_users = std::max(d->num_users, user + 1);
}

std::unique_ptr<models::Model> Fit(const models::TrainingData& d,
                                   std::map<std::string, std::string> params) {
  NewsFamily family;
  auto model = family.Fit(d, models::ModelParams(std::move(params)));
  EXPECT_OK(model.status());
  return model.ok() ? std::move(*model) : nullptr;
}

std::vector<models::ScoredItem> Retrieve(const models::Model& m, std::vector<uint32_t> history,
                                         size_t n, std::set<uint32_t> excluded = {}) {
  SetFilter filter(std::move(excluded));
  models::RecommendContext ctx;
  ctx.user_history = history;
  ctx.filter = &filter;
  ctx.now_ms = kNow;
  std::vector<models::ScoredItem> out;
  EXPECT_OK(m.Retrieve(ctx, n, &out));
  return out;
}

TEST(NewsModelTest, ContentRanksTheSameTopicFirst) {
  auto m = Fit(Corpus(), {{"w_coclick", "0"}, {"w_popularity", "0"}, {"w_freshness", "0"}});
  ASSERT_NE(m, nullptr);
  for (uint32_t clicked : {0u, 2u, 4u}) {
    auto got = Retrieve(*m, {clicked}, 3, {clicked});
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].item, clicked + 1) << "after clicking " << clicked;
    EXPECT_GT(got[0].score, got[1].score);
  }
}

TEST(NewsModelTest, RecentHistoryWeighsMore) {
  auto m = Fit(Corpus(), {{"w_coclick", "0"}, {"w_popularity", "0"}, {"w_freshness", "0"},
                          {"history_decay", "0.5"}});
  // Most recent first: sports (2) now, weather (0) before.
  auto got = Retrieve(*m, {2, 0}, 2, {0, 2});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].item, 3u);
  EXPECT_EQ(got[1].item, 1u);
}

TEST(NewsModelTest, AppealIsAnEmpiricalBayesClickRate) {
  models::TrainingData d = Corpus();
  Add(&d, 0, 0, /*recommended*/ 1, 10);
  Add(&d, 0, 0, /*click*/ 0, 1);
  Add(&d, 1, 1, 1, 1);
  Add(&d, 1, 1, 0, 1);
  std::sort(d.interactions.begin(), d.interactions.end(),
            [](const auto& a, const auto& b) { return a.user < b.user; });
  NewsFamily family;
  ASSERT_OK_AND_ASSIGN(auto model, family.Fit(d, Params({{"prior_exposures", "20"}})));
  const auto& appeal = static_cast<const NewsModel&>(*model).data().appeal;
  // ρ = 2 clicks / 11 exposures; raw(i) = (clicks + 20ρ) / (exposures + 20).
  const double rho = 2.0 / 11, a0 = (1 + 20 * rho) / 30, a1 = (1 + 20 * rho) / 21,
               rest = 20 * rho / 20;
  ASSERT_EQ(appeal.size(), 6u);
  EXPECT_NEAR(appeal[1], 1.0, 1e-6);
  EXPECT_NEAR(appeal[0], a0 / a1, 1e-6);
  EXPECT_NEAR(appeal[4], rest / a1, 1e-6);  // Never shown: the prior rate.
}

TEST(NewsModelTest, ColdUsersGetPopularityAndFreshness) {
  models::TrainingData d = Corpus();
  Add(&d, 0, 4, 0, 5);  // Clicks without exposures: appeal = click mass.
  Add(&d, 1, 2, 0, 1);
  d.items[5].published_at_ms = kNow + 0;          // Fresh.
  d.items[4].published_at_ms = kNow - 48 * kHour;  // Two half-lives old.
  d.items[2].published_at_ms = kNow - 480 * kHour;
  for (int i : {0, 1, 3}) d.items[i].published_at_ms = kNow - 480 * kHour;
  auto pop_only = Fit(d, {{"w_freshness", "0"}});
  auto got = Retrieve(*pop_only, {}, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].item, 4u);
  EXPECT_EQ(got[1].item, 2u);
  EXPECT_NEAR(got[0].score, 0.5, 1e-6);  // w_popularity × 1.
  EXPECT_NEAR(got[1].score, 0.5 * 0.2, 1e-6);
  auto fresh_only = Fit(d, {{"w_popularity", "0"}, {"w_freshness", "1"}});
  got = Retrieve(*fresh_only, {}, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].item, 5u);
  EXPECT_NEAR(got[0].score, 1.0, 1e-6);
  EXPECT_EQ(got[1].item, 4u);
  EXPECT_NEAR(got[1].score, 0.25, 1e-6);
}

TEST(NewsModelTest, ASkewedBackendClockDoesNotAgeEverything) {
  // The backend's times are years behind ours (a simulated or wrong clock).
  constexpr int64_t kSkew = 5 * 365 * 24 * kHour;
  models::TrainingData d = Corpus();
  for (auto& info : d.items) info.published_at_ms = kNow - kSkew - 480 * kHour;
  d.items[3].published_at_ms = kNow - kSkew;                // The newest article.
  d.items[1].published_at_ms = kNow - kSkew - 24 * kHour;  // One half-life older.
  d.interactions.push_back({0, 4, 0, 1.0f, kNow - kSkew});
  d.interactions.push_back({0, 4, 0, 1.0f, kNow - kSkew - 24 * kHour});
  d.interactions.push_back({1, 2, 0, 1.0f, kNow - kSkew - 24 * kHour});
  d.num_users = 2;
  auto fresh = Fit(d, {{"w_popularity", "0"}, {"w_freshness", "1"}});
  auto got = Retrieve(*fresh, {}, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].item, 3u);
  EXPECT_NEAR(got[0].score, 1.0, 1e-6);
  EXPECT_EQ(got[1].item, 1u);
  EXPECT_NEAR(got[1].score, 0.5, 1e-6);
  // Appeal decays from the newest interaction: item 4 has 1 + 0.5, item 2 has 0.5.
  NewsFamily family;
  ASSERT_OK_AND_ASSIGN(auto model, family.Fit(d, models::ModelParams()));
  const auto& appeal = static_cast<const NewsModel&>(*model).data().appeal;
  EXPECT_NEAR(appeal[4], 1.0, 1e-6);
  EXPECT_NEAR(appeal[2], 0.5 / 1.5, 1e-6);
}

TEST(NewsModelTest, CoClicksFollowOtherUsers) {
  models::TrainingData d = Corpus();
  // Users who read the weather story 0 went on to the election story 4, never 1.
  for (uint32_t u = 0; u < 3; ++u) {
    Add(&d, u, 0, 0);
    Add(&d, u, 4, 0);
  }
  auto m = Fit(d, {{"w_content", "0"}, {"w_popularity", "0"}, {"w_freshness", "0"}});
  auto got = Retrieve(*m, {0}, 1, {0});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].item, 4u);
  EXPECT_NEAR(got[0].score, 0.5, 1e-6);  // w_coclick × (its sim / the largest) = 0.5 × 1.
}

TEST(NewsModelTest, FilterIsHonouredAndScoreAgreesWithRetrieve) {
  models::TrainingData d = Corpus();
  Add(&d, 0, 0, 0);
  Add(&d, 0, 3, 0);
  auto m = Fit(d, {});
  auto got = Retrieve(*m, {0}, 10, {0, 1});
  ASSERT_EQ(got.size(), 4u);
  std::vector<models::ScoredItem> scored;
  for (const auto& s : got) {
    EXPECT_NE(s.item, 0u);
    EXPECT_NE(s.item, 1u);
    scored.push_back({s.item, 0});
  }
  SetFilter none({});
  models::RecommendContext ctx;
  std::vector<uint32_t> history = {0};
  ctx.user_history = history;
  ctx.filter = &none;
  ctx.now_ms = kNow;
  ASSERT_OK(m->Score(ctx, scored));
  for (size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(scored[i].score, got[i].score);
}

TEST(NewsModelTest, SaveLoadRoundTripServesTheSame) {
  models::TrainingData d = Corpus();
  Add(&d, 0, 0, 1, 3);
  Add(&d, 0, 0, 0);
  Add(&d, 0, 2, 0);
  Add(&d, 1, 2, 0);
  Add(&d, 1, 5, 0);
  auto m = Fit(d, {});
  TempDir dir;
  ASSERT_OK(m->Save(dir.path()));
  NewsFamily family;
  ASSERT_OK_AND_ASSIGN(auto loaded, family.Load(dir.path(), models::ModelParams()));
  for (std::vector<uint32_t> history : {std::vector<uint32_t>{}, {2}, {0, 5}}) {
    auto a = Retrieve(*m, history, 6);
    auto b = Retrieve(*loaded, history, 6);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].item, b[i].item);
      EXPECT_DOUBLE_EQ(a[i].score, b[i].score);
    }
  }
  EXPECT_EQ(loaded->Metrics(), m->Metrics());
  // A flipped byte fails the checksum.
  const auto file = dir.path() / models::kModelArtifactFile;
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(40);
  f.put('\x7f');
  f.close();
  EXPECT_THAT(family.Load(dir.path(), models::ModelParams()).status(),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(family.Load(dir.path() / "missing", models::ModelParams()).status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(NewsModelTest, SimilarIsByContent) {
  auto m = Fit(Corpus(), {});
  std::vector<models::ScoredItem> out;
  ASSERT_OK(m->Similar(2, 1, nullptr, &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].item, 3u);
}

TEST(NewsFamilyTest, ErrorsNameTheProblem) {
  NewsFamily family;
  EXPECT_THAT(family.ValidateParams(Params({{"w_contnet", "1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("w_contnet")));
  EXPECT_THAT(family.ValidateParams(Params({{"history_decay", "1.5"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("history_decay")));
  models::TrainingData empty;
  EXPECT_THAT(family.Fit(empty, models::ModelParams()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // No interactions at all is fine: content and freshness still serve.
  ASSERT_OK_AND_ASSIGN(auto model, family.Fit(Corpus(), models::ModelParams()));
  EXPECT_TRUE(model->Ready(models::RecommendContext{}));
}

}  // namespace
}  // namespace recplat::news
