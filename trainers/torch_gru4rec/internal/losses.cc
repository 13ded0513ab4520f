#include "trainers/torch_gru4rec/internal/losses.h"

namespace recplat::gru4rec::internal {
namespace {

// M × (M + S) boolean mask of the positives (i, i).
torch::Tensor DiagonalMask(const torch::Tensor& scores) {
  const int64_t m = scores.size(0);
  return torch::eye(m, scores.size(1), torch::TensorOptions().dtype(torch::kBool));
}

// The positives o_ii as an M × 1 column.
torch::Tensor Positives(const torch::Tensor& scores) {
  return scores.diagonal().unsqueeze(1);
}

}  // namespace

torch::Tensor SoftmaxNeg(const torch::Tensor& scores) {
  return torch::softmax(scores.masked_fill(DiagonalMask(scores), -INFINITY), 1);
}

torch::Tensor CrossEntropyLoss(const torch::Tensor& scores, const torch::Tensor& log_q,
                               double logq) {
  torch::Tensor o = scores;
  if (log_q.defined() && logq > 0) {
    o = o - logq * log_q.unsqueeze(0);
  }
  return -torch::log_softmax(o, 1).diagonal().sum();
}

torch::Tensor BprMaxLoss(const torch::Tensor& scores, double bpreg) {
  const torch::Tensor s = SoftmaxNeg(scores);
  const torch::Tensor pos = Positives(scores);
  const torch::Tensor rank = (torch::sigmoid(pos - scores) * s).sum(1);
  const torch::Tensor reg = (scores * scores * s).sum(1);
  return (-torch::log(rank + 1e-24) + bpreg * reg).sum();
}

torch::Tensor Top1MaxLoss(const torch::Tensor& scores) {
  const torch::Tensor s = SoftmaxNeg(scores);
  const torch::Tensor pos = Positives(scores);
  return (s * (torch::sigmoid(scores - pos) + torch::sigmoid(scores * scores))).sum();
}

torch::Tensor FinalActivate(const torch::Tensor& scores, const Gru4RecParams& params) {
  switch (params.final_act) {
    case FinalActivation::kSoftmax:
    case FinalActivation::kLinear:
      return scores;
    case FinalActivation::kElu:
      return torch::elu(scores, params.elu_alpha);
    case FinalActivation::kTanh:
      return torch::tanh(scores);
  }
  return scores;
}

torch::Tensor Loss(const torch::Tensor& raw_scores, const torch::Tensor& log_q,
                   const Gru4RecParams& params) {
  switch (params.loss) {
    case GruLoss::kCrossEntropy:
      return CrossEntropyLoss(raw_scores, log_q, params.logq);
    case GruLoss::kBprMax:
      return BprMaxLoss(FinalActivate(raw_scores, params), params.bpreg);
    case GruLoss::kTop1Max:
      return Top1MaxLoss(FinalActivate(raw_scores, params));
  }
  return CrossEntropyLoss(raw_scores, log_q, params.logq);
}

}  // namespace recplat::gru4rec::internal
