// File: internal/losses.h
//
// The GRU4Rec loss functions on LibTorch tensors (private to trainers/torch_gru4rec; exposed
// for the unit tests). Internal: includes torch headers.
//
// Every function takes the score matrix of one mini-batch, shape M × (M + S): row i is the
// i-th active session, column j < M the target item of row j (so (i, i) is row i's positive
// and the other in-batch targets are its negatives), columns M .. M+S-1 the S shared sampled
// negatives. Each returns the SUM over the M rows (the trainer divides by the batch size, as
// GRU4Rec does).
//
//   cross-entropy (scores are logits, final activation softmax):
//     o'_ij = o_ij − logq · log q_j            (q_j: the column's sampling weight; no correction
//                                               when log_q is undefined or logq = 0)
//     L_i = −log softmax(o'_i)_i
//   BPR-max (on scores after the final activation), with s_ij = softmax over j ≠ i of o_ij:
//     L_i = −log Σ_j s_ij σ(o_ii − o_ij) + bpreg · Σ_j s_ij o_ij²
//   TOP1-max:
//     L_i = Σ_j s_ij (σ(o_ij − o_ii) + σ(o_ij²))
// (Hidasi & Karatzoglou, "Recurrent Neural Networks with Top-k Gains for Session-based
// Recommendations", CIKM'18.)
//
// Thread-safety: pure functions. They may throw c10::Error (the trainer catches it).
#pragma once

#include <torch/torch.h>

#include "trainers/torch_gru4rec/gru4rec_params.h"

namespace recplat::gru4rec::internal {

// Softmax of each row over the columns j ≠ i (the row's negatives); (i, i) is 0.
torch::Tensor SoftmaxNeg(const torch::Tensor& scores);

// `log_q`: one entry per column (may be undefined).
torch::Tensor CrossEntropyLoss(const torch::Tensor& scores, const torch::Tensor& log_q,
                               double logq);
torch::Tensor BprMaxLoss(const torch::Tensor& scores, double bpreg);
torch::Tensor Top1MaxLoss(const torch::Tensor& scores);

// The final activation of `params` (softmax is left to the cross-entropy loss: identity here).
torch::Tensor FinalActivate(const torch::Tensor& scores, const Gru4RecParams& params);

// The loss `params` selects, on raw scores (applies FinalActivate first for BPR-max and
// TOP1-max).
torch::Tensor Loss(const torch::Tensor& raw_scores, const torch::Tensor& log_q,
                   const Gru4RecParams& params);

}  // namespace recplat::gru4rec::internal
