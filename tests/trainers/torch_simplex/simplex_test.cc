// Tests of the simplex family: param validation, planted structure on synthetic data (two user
// groups, each consuming one item cluster), the serving contracts (unknown items, filters,
// readiness), the artifact round trip and reproducibility. Trains through the dlopen'ed module.
#include <algorithm>
#include <iostream>
#include <map>
#include <numeric>
#include <random>
#include <string>

#include "core/models/artifact_io.h"
#include "core/models/model_family.h"
#include "core/models/serving_util.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"
#include "trainers/torch_simplex/simplex_family.h"
#include "trainers/torch_simplex/simplex_model.h"

namespace recplat::simplex {
namespace {

using Params = std::map<std::string, std::string>;

constexpr uint32_t kClusterItems = 40;
// Items 2 · kClusterItems .. kNumItems - 1 never get an interaction.
constexpr uint32_t kNumItems = 2 * kClusterItems + 4;

// Users alternate between two groups; a user of group g has 12 distinct items of cluster g
// (items [g · 40, g · 40 + 40)) and one item of the other cluster.
struct Planted {
  models::TrainingData data;
  std::vector<std::vector<uint32_t>> history;
};

Planted MakePlanted(uint32_t users, uint64_t seed) {
  Planted p;
  p.data.num_users = users;
  p.data.num_items = kNumItems;
  p.data.event_types = {"view"};
  p.data.event_type_weights = {1.0f};
  p.history.resize(users);
  std::mt19937_64 rng(seed);
  for (uint32_t u = 0; u < users; ++u) {
    const uint32_t own = (u % 2) * kClusterItems, other = kClusterItems - own;
    std::vector<uint32_t> pick(kClusterItems);
    std::iota(pick.begin(), pick.end(), own);
    std::shuffle(pick.begin(), pick.end(), rng);
    pick.resize(12);
    pick.push_back(other + static_cast<uint32_t>(rng() % kClusterItems));
    for (size_t k = 0; k < pick.size(); ++k) {
      p.data.interactions.push_back({u, pick[k], 0, 1.0f, static_cast<int64_t>(k)});
    }
    p.history[u] = pick;
  }
  return p;
}

models::ModelParams SmallParams(Params extra = {}) {
  Params p = {{"dim", "16"},    {"negatives", "40"}, {"batch_size", "64"},
              {"epochs", "20"}, {"lr", "0.01"},      {"margin", "0.2"},
              {"negative_weight", "10"}, {"threads", "1"}};
  for (auto& [k, v] : extra) p[k] = v;
  return models::ModelParams(p);
}

class HistoryFilter final : public models::CandidateFilter {
 public:
  explicit HistoryFilter(const std::vector<uint32_t>& items) : items_(items) {}
  bool Excluded(uint32_t item) const override {
    return std::find(items_.begin(), items_.end(), item) != items_.end();
  }

 private:
  const std::vector<uint32_t>& items_;
};

// The share of each user's top 10 (their items excluded) that is in their group's cluster.
double OwnClusterShare(const models::Model& model, const Planted& p) {
  int own = 0, total = 0;
  for (uint32_t u = 0; u < p.history.size(); ++u) {
    HistoryFilter filter(p.history[u]);
    models::RecommendContext ctx;
    ctx.user_history = p.history[u];
    ctx.filter = &filter;
    std::vector<models::ScoredItem> got;
    EXPECT_TRUE(model.Retrieve(ctx, 10, &got).ok());
    EXPECT_EQ(got.size(), 10u);
    for (const models::ScoredItem& s : got) {
      EXPECT_FALSE(filter.Excluded(s.item));
      EXPECT_LT(s.item, 2 * kClusterItems);  // Never an item without interactions.
      own += (s.item / kClusterItems) == (u % 2);
      ++total;
    }
  }
  return static_cast<double>(own) / total;
}

// A model with random weights and V = I: what the training starts from.
std::unique_ptr<SimplexModel> Untrained(int dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0, 0.1f);
  SimplexWeights w;
  w.dim = dim;
  w.items = {kNumItems, dim, std::vector<float>(kNumItems * dim)};
  for (float& f : w.items.data) f = normal(rng);
  w.aggregation = {dim, dim, std::vector<float>(dim * dim, 0.0f)};
  for (int k = 0; k < dim; ++k) w.aggregation.data[k * dim + k] = 1;
  std::vector<uint32_t> known(2 * kClusterItems);
  std::iota(known.begin(), known.end(), 0);
  auto model = SimplexModel::Create(std::move(w), std::move(known), {});
  EXPECT_TRUE(model.ok()) << model.status();
  return std::move(*model);
}

std::unique_ptr<models::Model> FitOrDie(const Planted& p, const models::ModelParams& params) {
  SimplexFamily family;
  auto fitted = family.Fit(p.data, params);
  EXPECT_TRUE(fitted.ok()) << fitted.status();
  return fitted.ok() ? std::move(*fitted) : nullptr;
}

TEST(SimplexParamsTest, DefaultsAndErrors) {
  absl::StatusOr<SimplexParams> p = ParseSimplexParams(models::ModelParams());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->dim, 64);
  EXPECT_EQ(p->negatives, 500);
  EXPECT_EQ(p->gamma, 0);
  const std::vector<Params> bad = {
      {{"dims", "3"}},        {{"epochs", "0"}},          {{"negatives", "0"}},
      {{"margin", "1.5"}},    {{"gamma", "1"}},           {{"lr", "0"}},
      {{"l2", "-1"}},         {{"dropout", "0.99"}},      {{"batch_size", "x"}},
      {{"threads", "0"}},     {{"max_seconds", "-1"}},    {{"negative_weight", "-2"}}};
  SimplexFamily family;
  for (const Params& b : bad) {
    const absl::Status s = family.ValidateParams(models::ModelParams(b));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << b.begin()->first;
    EXPECT_NE(s.message().find(b.begin()->first), std::string::npos) << s;
  }
  EXPECT_TRUE(family.ValidateParams(SmallParams({{"gamma", "0.5"}, {"max_seconds", "3"}})).ok());
}

TEST(SimplexParamsTest, TheSearchSpaceValidates) {
  SimplexFamily family;
  const models::SearchSpace space = family.TuningSpace();
  ASSERT_FALSE(space.dimensions.empty());
  for (const models::ParamDimension& d : space.dimensions) {
    for (const std::string& value : d.grid) {
      Params p = space.fixed;
      p[d.name] = value;
      p[space.budget_param] = std::to_string(space.budget_max);
      EXPECT_TRUE(family.ValidateParams(models::ModelParams(p)).ok()) << d.name << "=" << value;
    }
  }
}

TEST(SimplexFamilyTest, NothingToLearnIsAFailedPrecondition) {
  Planted p = MakePlanted(4, 1);
  p.data.interactions.clear();
  SimplexFamily family;
  EXPECT_EQ(family.Fit(p.data, SmallParams()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SimplexQualityTest, LearnsThePlantedClusters) {
  const Planted p = MakePlanted(120, 3);
  std::unique_ptr<models::Model> model = FitOrDie(p, SmallParams());
  ASSERT_NE(model, nullptr);
  const double trained = OwnClusterShare(*model, p);
  const double untrained = OwnClusterShare(*Untrained(16, 5), p);
  EXPECT_GT(trained, 0.95);
  EXPECT_GT(trained, untrained + 0.3);
  std::cout << "own-cluster share of the top 10: trained " << trained << ", untrained "
            << untrained << "\n";
  // With the user's own embedding (gamma > 0) the aggregation still learns the clusters, less
  // well: serving folds the items in and never sees the user table (simplex_model.h).
  std::unique_ptr<models::Model> with_user = FitOrDie(p, SmallParams({{"gamma", "0.5"}}));
  ASSERT_NE(with_user, nullptr);
  const double gamma_share = OwnClusterShare(*with_user, p);
  std::cout << "with gamma 0.5: " << gamma_share << "\n";
  EXPECT_GT(gamma_share, untrained + 0.1);
}

TEST(SimplexServingTest, UnknownItemsReadinessAndSessions) {
  const Planted p = MakePlanted(60, 4);
  std::unique_ptr<models::Model> model = FitOrDie(p, SmallParams({{"epochs", "5"}}));
  ASSERT_NE(model, nullptr);
  models::RecommendContext empty;
  EXPECT_FALSE(model->Ready(empty));
  const std::vector<uint32_t> unknown_only = {kNumItems - 1, 5000};
  models::RecommendContext unknown;
  unknown.user_history = unknown_only;
  EXPECT_FALSE(model->Ready(unknown));
  // A session alone is enough, and gives the same vector as the same items as a history.
  const std::vector<uint32_t> items = {1, 2, 3};
  models::RecommendContext session, history;
  session.session_items = items;
  history.user_history = items;
  EXPECT_TRUE(model->Ready(session));
  const auto& simplex = dynamic_cast<const SimplexModel&>(*model);
  EXPECT_EQ(simplex.UserVector(session), simplex.UserVector(history));
  std::vector<models::ScoredItem> scored = {{4, 0}, {kNumItems - 1, 0}, {7000, 0}, {50, 0}};
  ASSERT_TRUE(model->Score(history, scored).ok());
  EXPECT_EQ(scored[1].score, models::kUnknownScore);
  EXPECT_EQ(scored[2].score, models::kUnknownScore);
  for (size_t k : {0u, 3u}) {
    EXPECT_GE(scored[k].score, -1.0001);
    EXPECT_LE(scored[k].score, 1.0001);
  }
  // Retrieve agrees with Score, best first.
  std::vector<models::ScoredItem> top;
  ASSERT_TRUE(model->Retrieve(history, 5, &top).ok());
  ASSERT_EQ(top.size(), 5u);
  for (size_t k = 1; k < top.size(); ++k) EXPECT_GE(top[k - 1].score, top[k].score);
  std::vector<models::ScoredItem> again = {{top[0].item, 0}};
  ASSERT_TRUE(model->Score(history, again).ok());
  EXPECT_NEAR(again[0].score, top[0].score, 1e-5);
  // Similar items of a cluster-0 item come from cluster 0.
  std::vector<models::ScoredItem> similar;
  ASSERT_TRUE(model->Similar(3, 5, nullptr, &similar).ok());
  ASSERT_EQ(similar.size(), 5u);
  for (const auto& s : similar) EXPECT_NE(s.item, 3u);
}

class SimplexArtifactTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SimplexArtifactTest, RoundTripKeepsTheScores) {
  const Planted p = MakePlanted(60, 6);
  std::unique_ptr<models::Model> model =
      FitOrDie(p, SmallParams({{"epochs", "3"}, {"separate_history", GetParam()}}));
  ASSERT_NE(model, nullptr);
  testing::TempDir dir;
  ASSERT_TRUE(model->Save(dir.path()).ok());
  SimplexFamily family;
  auto loaded = family.Load(dir.path(), SmallParams());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  models::RecommendContext ctx;
  ctx.user_history = p.history[7];
  std::vector<models::ScoredItem> a(kNumItems + 2), b(kNumItems + 2);
  for (uint32_t i = 0; i < a.size(); ++i) a[i].item = b[i].item = i;
  ASSERT_TRUE(model->Score(ctx, a).ok());
  ASSERT_TRUE((*loaded)->Score(ctx, b).ok());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].score, b[i].score) << i;
  EXPECT_EQ(model->Metrics(), (*loaded)->Metrics());
  EXPECT_FALSE(model->Metrics().empty());
  std::filesystem::resize_file(dir.path() / models::kModelArtifactFile, 100);
  EXPECT_EQ(family.Load(dir.path(), SmallParams()).status().code(), absl::StatusCode::kDataLoss);
}

// With the history aggregated from E (the paper) and from its own table.
INSTANTIATE_TEST_SUITE_P(HistoryTables, SimplexArtifactTest, ::testing::Values("false", "true"));

TEST(SimplexFamilyTest, AFixedSeedIsReproducible) {
  const Planted p = MakePlanted(60, 8);
  auto a = FitOrDie(p, SmallParams({{"epochs", "3"}, {"seed", "11"}}));
  auto b = FitOrDie(p, SmallParams({{"epochs", "3"}, {"seed", "11"}}));
  auto c = FitOrDie(p, SmallParams({{"epochs", "3"}, {"seed", "12"}}));
  ASSERT_TRUE(a && b && c);
  const auto& wa = dynamic_cast<const SimplexModel&>(*a).weights();
  const auto& wb = dynamic_cast<const SimplexModel&>(*b).weights();
  const auto& wc = dynamic_cast<const SimplexModel&>(*c).weights();
  EXPECT_EQ(wa.items.data, wb.items.data);
  EXPECT_EQ(wa.aggregation.data, wb.aggregation.data);
  EXPECT_NE(wa.items.data, wc.items.data);
}

TEST(SimplexFamilyTest, MaxSecondsCapsTheTraining) {
  const Planted p = MakePlanted(60, 9);
  auto model = FitOrDie(p, SmallParams({{"epochs", "100000"}, {"max_seconds", "0.5"}}));
  ASSERT_NE(model, nullptr);
  const SimplexModel::MetricList metrics = model->Metrics();
  std::map<std::string, double> m(metrics.begin(), metrics.end());
  EXPECT_EQ(m["time_capped"], 1.0);
  EXPECT_LT(m["epochs"], 100000);
  EXPECT_LT(m["train_seconds"], 30);
}

}  // namespace
}  // namespace recplat::simplex
