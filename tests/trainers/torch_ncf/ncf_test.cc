// Unit and quality tests of the ncf family: params, training data, the artifact round trip,
// the Eigen serving forward, and the synthetic-marketplace evaluation (docs/eosc.md): NCF beats
// random and popularity on HR@3 of each user's held-out order.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <numeric>

#include "core/models/artifact_io.h"
#include "core/models/model_family.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"
#include "tests/trainers/torch_ncf/ncf_reference.h"
#include "tests/trainers/torch_ncf/synthetic_marketplace.h"
#include "trainers/torch_ncf/ncf_family.h"
#include "trainers/torch_ncf/ncf_model.h"

namespace recplat::ncf {
namespace {

using testing::MakeSyntheticMarketplace;
using testing::SyntheticMarketplace;

models::ModelParams SmallParams(int epochs = 20) {
  const char* wd = std::getenv("NCF_TEST_WEIGHT_DECAY");
  const char* lr = std::getenv("NCF_TEST_LR");
  return models::ModelParams({{"epochs", std::to_string(epochs)},
                              {"weight_decay", wd != nullptr ? wd : "1e-4"},
                              {"learning_rate", lr != nullptr ? lr : "0.005"},
                              {"dim", "32"},
                              {"content_layers", "64,32"},
                              {"batch_size", "128"}});
}

// HR@k of the held-out orders: the share of users whose held-out service is among the k best
// of `score(user, candidates)` over every service they did not order in training.
template <typename ScoreFn>
double HitRate(const SyntheticMarketplace& m, int k, ScoreFn score) {
  int hits = 0;
  for (size_t u = 0; u < m.held_out.size(); ++u) {
    std::vector<uint32_t> candidates;
    for (uint32_t s = 0; s < m.train.num_items; ++s) {
      if (std::find(m.history[u].begin(), m.history[u].end(), s) == m.history[u].end()) {
        candidates.push_back(s);
      }
    }
    std::vector<float> scores = score(u, candidates);
    std::vector<size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    for (int r = 0; r < k; ++r) {
      if (candidates[order[r]] == m.held_out[u]) ++hits;
    }
  }
  return static_cast<double>(hits) / static_cast<double>(m.held_out.size());
}

TEST(NcfParamsTest, DefaultsAndErrors) {
  absl::StatusOr<NcfParams> p = ParseNcfParams(models::ModelParams());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->dim, 64);
  EXPECT_THAT(p->mlp_layers, ::testing::ElementsAre(64, 32, 16, 8));
  EXPECT_FALSE(
      ParseNcfParams(models::ModelParams(std::map<std::string, std::string>{{"dims", "3"}})).ok());
  EXPECT_FALSE(ParseNcfParams(
                   models::ModelParams(std::map<std::string, std::string>{{"mlp_layers", "64,x"}}))
                   .ok());
  EXPECT_FALSE(
      ParseNcfParams(models::ModelParams(std::map<std::string, std::string>{{"epochs", "0"}}))
          .ok());
}

TEST(NcfDataTest, HistoriesFeaturesAndHoldout) {
  SyntheticMarketplace m = MakeSyntheticMarketplace(20, 10, 3, 2, 0.8, 1);
  NcfParams p;
  NcfTrainData d = BuildNcfTrainData(m.train, p);
  EXPECT_EQ(d.num_items, 20);
  EXPECT_EQ(d.features.offsets.size(), 21u);
  EXPECT_EQ(d.item_pool.size(), 20u);
  EXPECT_LE(d.num_features, 3 + 2 + 5);
  size_t with_validation = 0;
  for (size_t u = 0; u < m.history.size(); ++u) {
    if (m.history[u].size() >= 3) ++with_validation;
  }
  EXPECT_EQ(d.validation.size(), with_validation);
  NcfTrainData all = BuildNcfTrainData(m.train, p, /*holdout=*/false);
  EXPECT_TRUE(all.validation.empty());
}

TEST(NcfFamilyTest, NothingToLearnIsAFailedPrecondition) {
  models::TrainingData empty;
  empty.num_items = 3;
  empty.event_types = {"order"};
  NcfFamily family;
  EXPECT_EQ(family.Fit(empty, SmallParams()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(NcfFamilyTest, ArtifactRoundTripKeepsTheScores) {
  SyntheticMarketplace m = MakeSyntheticMarketplace(40, 60, 4, 3, 0.8, 2);
  NcfFamily family;
  auto fitted = family.Fit(m.train, SmallParams(3));
  ASSERT_TRUE(fitted.ok()) << fitted.status();
  testing::TempDir dir;
  ASSERT_TRUE((*fitted)->Save(dir.path()).ok());
  auto loaded = family.Load(dir.path(), SmallParams(3));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const auto& a = dynamic_cast<const NcfModel&>(**fitted);
  const auto& b = dynamic_cast<const NcfModel&>(**loaded);
  std::vector<uint32_t> items(40);
  std::iota(items.begin(), items.end(), 0);
  const std::vector<uint32_t> history = {1, 2};
  std::vector<float> pa = a.Probabilities(history, items), pb = b.Probabilities(history, items);
  EXPECT_EQ(pa, pb);
  for (float p : pa) {
    EXPECT_GT(p, 0.0f);
    EXPECT_LT(p, 1.0f);
  }
  // Unknown items are below every known one.
  EXPECT_EQ(a.Probabilities(history, std::vector<uint32_t>{1000})[0], -1.0f);
  EXPECT_FALSE(a.Metrics().empty());
  std::filesystem::resize_file(dir.path() / models::kModelArtifactFile, 100);
  EXPECT_EQ(family.Load(dir.path(), SmallParams()).status().code(), absl::StatusCode::kDataLoss);
}

// The serving forward (precomputed service halves, folded BatchNorm, blocks of candidates)
// equals the literal per-candidate network of ncf_weights.h on trained models: the seed-like
// deep towers, the profile's, and one-layer towers (BatchNorm folded straight into the head);
// more candidates than one block, unknown ids, repeated and empty histories.
TEST(NcfServingTest, FastForwardEqualsThePerCandidateNetwork) {
  SyntheticMarketplace m = MakeSyntheticMarketplace(700, 120, 6, 4, 0.8, 5);
  const std::vector<std::map<std::string, std::string>> networks = {
      {{"dim", "16"}, {"mlp_layers", "32,16,8"}, {"content_layers", "32,16,8"}},
      {{"dim", "32"}, {"mlp_layers", "16,8"}, {"content_layers", "32,16"}},
      {{"dim", "8"}, {"mlp_layers", "8"}, {"content_layers", "4"}}};
  for (std::map<std::string, std::string> network : networks) {
    network["epochs"] = "2";
    network["batch_size"] = "64";
    NcfFamily family;
    auto fitted = family.Fit(m.train, models::ModelParams(network));
    ASSERT_TRUE(fitted.ok()) << fitted.status();
    const auto& model = dynamic_cast<const NcfModel&>(**fitted);
    std::vector<uint32_t> items(m.train.num_items);
    std::iota(items.begin(), items.end(), 0);
    std::reverse(items.begin(), items.end());
    items.insert(items.begin() + 300, {5000, 3, 3});
    const std::vector<std::vector<uint32_t>> histories = {
        m.history[0], m.history[1], {}, {7, 7, 9, 123456}, {123456}};
    double worst = 0;
    for (const auto& history : histories) {
      const std::vector<float> fast = model.Probabilities(history, items);
      ASSERT_EQ(fast.size(), items.size());
      for (size_t k = 0; k < items.size(); ++k) {
        const double want =
            testing::ReferenceProbability(model.weights(), model.features(), history, items[k]);
        worst = std::max(worst, std::abs(fast[k] - want));
        ASSERT_NEAR(fast[k], want, 1e-5)
            << "item " << items[k] << " network " << network["mlp_layers"];
      }
      // Score (the engine's path) answers the same, item by item.
      std::vector<models::ScoredItem> scored(items.size());
      for (size_t k = 0; k < items.size(); ++k) scored[k].item = items[k];
      models::RecommendContext ctx;
      ctx.user_history = history;
      ASSERT_TRUE(model.Score(ctx, std::span<models::ScoredItem>(scored)).ok());
      for (size_t k = 0; k < items.size(); ++k) EXPECT_EQ(scored[k].score, fast[k]);
    }
    std::cout << "network mlp " << network["mlp_layers"] << ": largest |fast - reference| " << worst
              << "\n";
  }
}

// The synthetic-marketplace evaluation recorded in docs/eosc.md: NCF with `params` against
// popularity, random and the hidden preferences themselves.
void ExpectBeatsBaselines(const models::ModelParams& params, const char* label) {
  SyntheticMarketplace m = MakeSyntheticMarketplace(300, 1500, 12, 8, 0.8, 7);
  NcfFamily family;
  auto fitted = family.Fit(m.train, params);
  ASSERT_TRUE(fitted.ok()) << fitted.status();
  const auto& model = dynamic_cast<const NcfModel&>(**fitted);
  std::vector<float> popularity(m.train.num_items, 0);
  for (const auto& x : m.train.interactions) popularity[x.item] += 1;
  std::mt19937_64 rng(3);
  const double ncf = HitRate(m, 3, [&](size_t u, const std::vector<uint32_t>& c) {
    return model.Probabilities(m.history[u], c);
  });
  const double pop = HitRate(m, 3, [&](size_t, const std::vector<uint32_t>& c) {
    std::vector<float> s;
    for (uint32_t i : c) s.push_back(popularity[i] + 1e-3f * (rng() % 1000));
    return s;
  });
  const double random = HitRate(m, 3, [&](size_t, const std::vector<uint32_t>& c) {
    std::vector<float> s;
    for (size_t k = 0; k < c.size(); ++k) s.push_back(static_cast<float>(rng() % 100000));
    return s;
  });
  // The hidden preferences themselves (the best any model can do, up to ties).
  const double oracle = HitRate(m, 3, [&](size_t u, const std::vector<uint32_t>& c) {
    std::vector<float> s;
    for (uint32_t i : c) {
      s.push_back((m.category[i] == m.favourite_category[u]) +
                  (m.domain[i] == m.favourite_domain[u]) + 1e-4f * (rng() % 1000));
    }
    return s;
  });
  std::cout << label << ": synthetic marketplace HR@3: ncf " << ncf << ", popularity " << pop
            << ", random " << random << ", hidden preferences " << oracle << "\n";
  for (const auto& [name, value] : model.Metrics())
    std::cout << "  " << name << " " << value << "\n";
  EXPECT_GT(ncf, 1.5 * pop);
  EXPECT_GT(ncf, 2 * random);
}

TEST(NcfQualityTest, BeatsRandomAndPopularityOnHeldOutOrders) {
  ExpectBeatsBaselines(SmallParams(20), "dim 32, content 64,32");
}

// The eosc profile's smaller network (served within the latency budget at 10k services).
TEST(NcfQualityTest, TheProfilesNetworkBeatsThemToo) {
  ExpectBeatsBaselines(
      models::ModelParams(std::map<std::string, std::string>{{"epochs", "20"},
                                                             {"dim", "32"},
                                                             {"mlp_layers", "16,8"},
                                                             {"content_layers", "32,16"},
                                                             {"batch_size", "128"}}),
      "profile network");
}

}  // namespace
}  // namespace recplat::ncf
