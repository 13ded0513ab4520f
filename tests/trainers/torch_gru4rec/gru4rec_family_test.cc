// The gru4rec family end to end on synthetic sessions: learning, serving, the Eigen forward
// against the torch forward, artifacts, params and incremental updates.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/models/artifact_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "tests/trainers/torch_gru4rec/gru4rec_test_util.h"
#include "trainers/torch_gru4rec/gru4rec_family.h"
#include "trainers/torch_gru4rec/gru4rec_model.h"
#include "trainers/torch_gru4rec/internal/torch_trainer.h"

namespace recplat::gru4rec {
namespace {

using ::recplat::testing::StatusIs;
using ::recplat::testing::TempDir;
using ::testing::HasSubstr;
using models::ModelParams;
using models::RecommendContext;
using models::ScoredItem;

// Small and quick; learns the chain in well under a second.
std::map<std::string, std::string> SmallParams() {
  return {{"layers", "16"},        {"batch_size", "8"},      {"n_sample", "16"},
          {"epochs", "8"},         {"learning_rate", "0.1"}, {"momentum", "0.1"},
          {"dropout_p_hidden", "0"}, {"dropout_p_embed", "0"}, {"session_gap_minutes", "0"}};
}

class ExcludeSet final : public models::CandidateFilter {
 public:
  explicit ExcludeSet(std::vector<uint32_t> items) : items_(std::move(items)) {}
  bool Excluded(uint32_t item) const override {
    return std::find(items_.begin(), items_.end(), item) != items_.end();
  }

 private:
  std::vector<uint32_t> items_;
};

std::vector<ScoredItem> Top(const models::Model& model, std::vector<uint32_t> session, size_t n,
                            const models::CandidateFilter* filter = nullptr) {
  RecommendContext ctx;
  ctx.session_items = session;
  ctx.filter = filter;
  std::vector<ScoredItem> out;
  EXPECT_OK(model.Retrieve(ctx, n, &out));
  return out;
}

class Gru4RecFamilyTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::AddChainSessions(&data_, 0, 10, 300, 1, 0); }

  std::unique_ptr<models::Model> FitOrDie(std::map<std::string, std::string> params) {
    auto fitted = family_.Fit(data_, ModelParams(std::move(params)));
    EXPECT_OK(fitted.status());
    return fitted.ok() ? std::move(fitted).value() : nullptr;
  }

  Gru4RecFamily family_;
  models::TrainingData data_;
};

TEST_F(Gru4RecFamilyTest, LearnsTheSuccessorForEveryLoss) {
  for (const char* loss : {"cross-entropy", "bpr-max", "top1-max"}) {
    auto params = SmallParams();
    params["loss"] = loss;
    std::unique_ptr<models::Model> model = FitOrDie(params);
    ASSERT_NE(model, nullptr);
    for (uint32_t a = 0; a < 10; ++a) {
      const std::vector<ScoredItem> top = Top(*model, {a}, 3);
      ASSERT_EQ(top.size(), 3u);
      EXPECT_EQ(top[0].item, (a + 1) % 10) << loss << " after " << a;
    }
    // Two items of session: the most recent decides ([5, 4]: 5 is the latest).
    EXPECT_EQ(Top(*model, {5, 4}, 1)[0].item, 6u) << loss;
  }
}

TEST_F(Gru4RecFamilyTest, ScoreAgreesWithRetrieveAndTheFilterIsHonoured) {
  std::unique_ptr<models::Model> model = FitOrDie(SmallParams());
  ASSERT_NE(model, nullptr);
  const std::vector<ScoredItem> top = Top(*model, {3}, 10);
  ASSERT_EQ(top.size(), 10u);
  std::vector<ScoredItem> scored = top;
  RecommendContext ctx;
  const std::vector<uint32_t> session = {3};
  ctx.session_items = session;
  ASSERT_OK(model->Score(ctx, scored));
  for (size_t k = 0; k < top.size(); ++k) {
    EXPECT_NEAR(scored[k].score, top[k].score, 1e-4);
    if (k > 0) {
      EXPECT_GE(top[k - 1].score, top[k].score);
    }
  }
  ScoredItem unknown{12345, 0};
  ASSERT_OK(model->Score(ctx, std::span(&unknown, 1)));
  EXPECT_LT(unknown.score, -1e299);
  const ExcludeSet filter({4, 7});
  const std::vector<ScoredItem> filtered = Top(*model, {3}, 10, &filter);
  ASSERT_EQ(filtered.size(), 8u);
  EXPECT_EQ(filtered[0].item, top[1].item);
  for (const ScoredItem& s : filtered) EXPECT_TRUE(s.item != 4 && s.item != 7);
}

TEST_F(Gru4RecFamilyTest, ReadyNeedsAKnownItemAndFallsBackToHistory) {
  std::unique_ptr<models::Model> model = FitOrDie(SmallParams());
  ASSERT_NE(model, nullptr);
  RecommendContext ctx;
  EXPECT_FALSE(model->Ready(ctx));
  const std::vector<uint32_t> unknown = {500};
  ctx.session_items = unknown;
  EXPECT_FALSE(model->Ready(ctx));
  const std::vector<uint32_t> history = {2, 9};  // Most recent first: 2.
  ctx.session_items = {};
  ctx.user_history = history;
  ASSERT_TRUE(model->Ready(ctx));
  std::vector<ScoredItem> out;
  ASSERT_OK(model->Retrieve(ctx, 1, &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].item, 3u);
}

// Random weights of every architecture, then trained ones: the Eigen forward of the serving
// model equals the torch forward of the trainer.
TEST(Gru4RecForwardTest, EigenServingEqualsTorch) {
  struct Arch {
    std::vector<int> layers;
    int embedding;
    bool constrained;
  };
  for (const Arch& arch : {Arch{{8}, 0, false}, Arch{{8, 6}, 0, false}, Arch{{8}, 5, false},
                           Arch{{7, 8}, 4, false}, Arch{{8}, 0, true}, Arch{{6, 8}, 0, true}}) {
    Gru4RecModel::Parts parts;
    parts.catalog_size = 30;
    for (uint32_t i = 0; i < 12; ++i) parts.items.push_back(29 - 2 * i);
    parts.support.assign(12, 1.0);
    parts.weights = ZeroWeights(12, arch.layers, arch.embedding, arch.constrained);
    parts.adagrad = ZeroWeights(12, arch.layers, arch.embedding, arch.constrained);
    common::Rng rng(5);
    InitWeights(&parts.weights, rng);
    for (Matrix* bias : {&parts.weights.by, &parts.weights.bh[0]}) {
      for (float& b : bias->data) b = static_cast<float>(rng.UniformDouble() - 0.5);
    }
    const Gru4RecModel model(parts, 50);
    const std::vector<uint32_t> catalog_session = {29, 27, 9, 29};
    const std::vector<uint32_t> model_session = {0, 1, 10, 0};
    const std::vector<float> eigen = model.ScoresOf(catalog_session);
    ASSERT_OK_AND_ASSIGN(std::vector<float> torch,
                         internal::TorchScoresForTest(parts.weights, model_session));
    ASSERT_EQ(eigen.size(), 12u);
    ASSERT_EQ(torch.size(), 12u);
    for (size_t k = 0; k < eigen.size(); ++k) EXPECT_NEAR(eigen[k], torch[k], 1e-4);
  }
}

TEST_F(Gru4RecFamilyTest, EigenServingEqualsTorchOnTrainedWeights) {
  auto params = SmallParams();
  params["layers"] = "12,16";
  params["constrained_embedding"] = "false";
  params["embedding"] = "8";
  std::unique_ptr<models::Model> model = FitOrDie(params);
  ASSERT_NE(model, nullptr);
  const auto& gru = dynamic_cast<const Gru4RecModel&>(*model);
  const std::vector<uint32_t> session = {4, 5, 6};
  std::vector<uint32_t> model_session;
  for (uint32_t item : session) model_session.push_back(gru.ModelIndex(item));
  const std::vector<float> eigen = gru.ScoresOf(session);
  ASSERT_OK_AND_ASSIGN(std::vector<float> torch,
                       internal::TorchScoresForTest(gru.parts().weights, model_session));
  ASSERT_EQ(eigen.size(), torch.size());
  for (size_t k = 0; k < eigen.size(); ++k) EXPECT_NEAR(eigen[k], torch[k], 1e-4);
}

TEST_F(Gru4RecFamilyTest, SaveLoadRoundTripGivesIdenticalScores) {
  std::unique_ptr<models::Model> model = FitOrDie(SmallParams());
  ASSERT_NE(model, nullptr);
  TempDir dir;
  ASSERT_OK(model->Save(dir.path()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<models::Model> loaded,
                       family_.Load(dir.path(), ModelParams(SmallParams())));
  for (uint32_t a : {0u, 4u, 9u}) {
    const std::vector<ScoredItem> x = Top(*model, {a, 2}, 10);
    const std::vector<ScoredItem> y = Top(*loaded, {a, 2}, 10);
    ASSERT_EQ(x.size(), y.size());
    for (size_t k = 0; k < x.size(); ++k) {
      EXPECT_EQ(x[k].item, y[k].item);
      EXPECT_EQ(x[k].score, y[k].score);
    }
  }
  EXPECT_EQ(loaded->Metrics(), model->Metrics());
}

TEST_F(Gru4RecFamilyTest, CorruptArtifactIsDataLoss) {
  std::unique_ptr<models::Model> model = FitOrDie(SmallParams());
  ASSERT_NE(model, nullptr);
  TempDir dir;
  ASSERT_OK(model->Save(dir.path()));
  const std::filesystem::path file = dir.path() / models::kModelArtifactFile;
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() / 2] ^= 0x5a;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_THAT(family_.Load(dir.path(), ModelParams(SmallParams())),
              StatusIs(absl::StatusCode::kDataLoss));
  std::filesystem::resize_file(file, 20);
  EXPECT_THAT(family_.Load(dir.path(), ModelParams(SmallParams())),
              StatusIs(absl::StatusCode::kDataLoss));
  TempDir empty;
  EXPECT_THAT(family_.Load(empty.path(), ModelParams(SmallParams())),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(Gru4RecFamilyTest, BadParamsNameTheKey) {
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"loss", "bpr"}}, "'loss'"},
      {{{"layers", "100,0"}}, "'layers'"},
      {{{"layerz", "100"}}, "layerz"},
      {{{"loss", "bpr-max"}, {"final_act", "softmax"}}, "'final_act'"},
      {{{"final_act", "elu-x"}}, "'final_act'"},
      {{{"embedding", "16"}}, "'embedding'"},  // With constrained_embedding (the default).
      {{{"batch_size", "0"}}, "'batch_size'"},
      {{{"sample_alpha", "1.5"}}, "'sample_alpha'"},
      {{{"learning_rate", "x"}}, "'learning_rate'"},
      {{{"constrained_embedding", "maybe"}}, "'constrained_embedding'"},
      {{{"full_retrain_every", "-1"}}, "'full_retrain_every'"},
  };
  for (const auto& [params, key] : cases) {
    EXPECT_THAT(family_.ValidateParams(ModelParams(params)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(key)))
        << key;
  }
  EXPECT_OK(family_.ValidateParams(ModelParams({{"embedding", "16"},
                                                {"constrained_embedding", "false"},
                                                {"loss", "bpr-max"}})));
}

TEST_F(Gru4RecFamilyTest, NoSessionIsFailedPrecondition) {
  models::TrainingData one;
  one.num_users = 1;
  one.num_items = 2;
  one.event_types = {"view"};
  one.interactions = {{0, 1, 0, 1, 0}};
  EXPECT_THAT(family_.Fit(one, ModelParams(SmallParams())),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(Gru4RecFamilyTest, UpdateLearnsNewItemsAndKeepsTheOldOnes) {
  std::unique_ptr<models::Model> first = FitOrDie(SmallParams());
  ASSERT_NE(first, nullptr);
  // Later sessions: a new cycle over items 20..23, and more of the old one.
  const int64_t since = 400 * int64_t{3600000};
  testing::AddChainSessions(&data_, 20, 4, 150, 2, since + 1);
  testing::AddChainSessions(&data_, 0, 10, 50, 3, since + 1);
  auto params = SmallParams();
  params["incremental_epochs"] = "4";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<models::Model> updated,
                       family_.Update(*first, data_, ModelParams(params), since));
  const auto& gru = dynamic_cast<const Gru4RecModel&>(*updated);
  EXPECT_EQ(gru.parts().items.size(), 14u);
  for (uint32_t a = 20; a < 24; ++a) {
    EXPECT_EQ(Top(*updated, {a}, 1)[0].item, 20 + (a - 20 + 1) % 4) << a;
  }
  for (uint32_t a = 0; a < 10; ++a) {
    EXPECT_EQ(Top(*updated, {a}, 1)[0].item, (a + 1) % 10) << a;
  }
  const auto metric_list = gru.Metrics();
  std::map<std::string, double> metrics(metric_list.begin(), metric_list.end());
  EXPECT_EQ(metrics["incremental"], 1.0);
  EXPECT_EQ(metrics["new_items"], 4.0);
  EXPECT_EQ(metrics["sessions"], 200.0);
  // The previous model is untouched.
  EXPECT_EQ(dynamic_cast<const Gru4RecModel&>(*first).parts().items.size(), 10u);
}

TEST_F(Gru4RecFamilyTest, UpdateRefusesOtherArchitecturesAndModels) {
  std::unique_ptr<models::Model> first = FitOrDie(SmallParams());
  ASSERT_NE(first, nullptr);
  auto params = SmallParams();
  params["layers"] = "32";
  EXPECT_THAT(family_.Update(*first, data_, ModelParams(params), 0),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // Nothing new since the last interaction: the same model back.
  ASSERT_OK_AND_ASSIGN(auto same,
                       family_.Update(*first, data_, ModelParams(SmallParams()), INT64_MAX / 2));
  EXPECT_EQ(Top(*same, {1}, 5)[0].score, Top(*first, {1}, 5)[0].score);
}

}  // namespace
}  // namespace recplat::gru4rec
