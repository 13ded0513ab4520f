// The GRU4Rec losses on a tiny score matrix, against values computed by hand.
#include <torch/torch.h>

#include <cmath>

#include "gtest/gtest.h"
#include "trainers/torch_gru4rec/internal/losses.h"

namespace recplat::gru4rec::internal {
namespace {

// M = 2 sessions, S = 1 sampled negative: columns are [target of row 0, target of row 1,
// sample]. Row 0's positive is 1.0, row 1's is 2.0.
torch::Tensor Scores() {
  return torch::tensor({1.0f, 0.5f, -1.0f, 0.2f, 2.0f, 0.0f}).reshape({2, 3});
}

TEST(Gru4RecLossTest, SoftmaxNegSkipsThePositive) {
  const torch::Tensor s = SoftmaxNeg(Scores());
  // Row 0 over {0.5, -1}: e^0.5 / (e^0.5 + e^-1) = 1 / (1 + e^-1.5) = 0.817574.
  EXPECT_NEAR(s[0][0].item<float>(), 0.0, 1e-7);
  EXPECT_NEAR(s[0][1].item<float>(), 0.817574, 1e-5);
  EXPECT_NEAR(s[0][2].item<float>(), 0.182426, 1e-5);
  // Row 1 over {0.2, 0}: 1 / (1 + e^-0.2) = 0.549834.
  EXPECT_NEAR(s[1][0].item<float>(), 0.549834, 1e-5);
  EXPECT_NEAR(s[1][1].item<float>(), 0.0, 1e-7);
}

TEST(Gru4RecLossTest, CrossEntropyWithInBatchAndSampledNegatives) {
  // Row 0: log(1 + e^-0.5 + e^-2) = log(1.741866) = 0.554956.
  // Row 1: log(1 + e^-1.8 + e^-2) = log(1.300636) = 0.262853. Sum 0.817809.
  EXPECT_NEAR(CrossEntropyLoss(Scores(), torch::Tensor(), 0).item<float>(), 0.817809, 1e-5);
}

TEST(Gru4RecLossTest, CrossEntropyLogQCorrection) {
  // q = (2, 1, 4): scores minus log q are row 0 (1 − ln2, 0.5, −1 − ln4), row 1
  // (0.2 − ln2, 2, −ln4); −log softmax at the diagonal summed = 0.934679.
  const torch::Tensor log_q = torch::tensor({std::log(2.0f), 0.0f, std::log(4.0f)});
  EXPECT_NEAR(CrossEntropyLoss(Scores(), log_q, 1.0).item<float>(), 0.934679, 1e-5);
  // logq = 0 turns the correction off.
  EXPECT_NEAR(CrossEntropyLoss(Scores(), log_q, 0.0).item<float>(), 0.817809, 1e-5);
}

TEST(Gru4RecLossTest, BprMaxWithScoreRegularisation) {
  // Row 0: s = (0, 0.817574, 0.182426); Σ s σ(1 − o) = 0.817574·σ(0.5) + 0.182426·σ(2) =
  // 0.669587; −log = 0.401094; reg = 0.5·(0.817574·0.25 + 0.182426·1) = 0.193410.
  // Row 1: s = (0.549834, 0, 0.450166); Σ s σ(2 − o) = 0.549834·σ(1.8) + 0.450166·σ(2) =
  // 0.868344; −log = 0.141167; reg = 0.5·(0.549834·0.04) = 0.010997. Sum 0.746668.
  EXPECT_NEAR(BprMaxLoss(Scores(), 0.5).item<float>(), 0.746668, 1e-5);
}

TEST(Gru4RecLossTest, Top1Max) {
  // Row 0: 0.817574·(σ(−0.5) + σ(0.25)) + 0.182426·(σ(−2) + σ(1)) = 0.923398.
  // Row 1: 0.549834·(σ(−1.8) + σ(0.04)) + 0.450166·(σ(−2) + σ(0)) = 0.637153. Sum 1.560551.
  EXPECT_NEAR(Top1MaxLoss(Scores()).item<float>(), 1.560551, 1e-5);
}

TEST(Gru4RecLossTest, LossAppliesTheFinalActivation) {
  Gru4RecParams p;
  p.loss = GruLoss::kBprMax;
  p.final_act = FinalActivation::kElu;
  p.elu_alpha = 0.5;
  p.bpreg = 1.0;
  // elu-0.5 maps −1 to 0.5·(e^−1 − 1) = −0.316060; the rest is BPR-max as above.
  EXPECT_NEAR(Loss(Scores(), torch::Tensor(), p).item<float>(), 0.762590, 1e-5);
  p.loss = GruLoss::kCrossEntropy;
  p.final_act = FinalActivation::kSoftmax;
  p.logq = 0;
  EXPECT_NEAR(Loss(Scores(), torch::Tensor(), p).item<float>(), 0.817809, 1e-5);
}

TEST(Gru4RecLossTest, GradientsPushThePositiveUp) {
  for (GruLoss loss : {GruLoss::kCrossEntropy, GruLoss::kBprMax, GruLoss::kTop1Max}) {
    Gru4RecParams p;
    p.loss = loss;
    p.final_act = loss == GruLoss::kCrossEntropy ? FinalActivation::kSoftmax
                                                 : FinalActivation::kLinear;
    torch::Tensor scores = Scores().clone().requires_grad_(true);
    Loss(scores, torch::Tensor(), p).backward();
    // Gradient descent raises the positives and lowers the strongest negative.
    EXPECT_LT(scores.grad()[0][0].item<float>(), 0) << LossName(loss);
    EXPECT_LT(scores.grad()[1][1].item<float>(), 0) << LossName(loss);
    EXPECT_GT(scores.grad()[0][1].item<float>(), 0) << LossName(loss);
  }
}

}  // namespace
}  // namespace recplat::gru4rec::internal
