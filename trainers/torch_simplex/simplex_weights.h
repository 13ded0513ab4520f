// File: simplex_weights.h
//
// The parameters, trainer input and exported weights of the `simplex` family (simplex_family.h),
// shared by the torch trainer (internal/simplex_trainer.cc, in the module
// librecplat_simplex_torch.so) and the serving model (simplex_model.h, plain Eigen). No torch
// here.
//
// The model (SimpleX, Mao et al., CIKM 2021), for a user u with training items H(u):
//   user vector  p(u) = gamma · P[u] + (1 - gamma) · V · mean_{j in H(u)} C[j]
//   score        cos(p(u), E[i])
// with E the item table [num_items, dim], C = E (as in the paper) or, with separate_history, a
// second item table of the same shape, P the user table [num_users, dim] (only when
// gamma > 0) and V a linear map [dim, dim] (no bias). Matrices are row-major; V is stored as
// torch's Linear weight, [out, in], so that p = V · h.
//
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <stop_token>
#include <vector>

namespace recplat::simplex {

struct SimplexParams {
  // Embedding size of E, P and V.
  int dim = 64;
  // Negatives sampled uniformly from the known items per mini-batch, shared by its rows.
  int negatives = 500;
  // Cosine margin m and weight w of the negative term: w · mean_j relu(cos(u, j) - m).
  double margin = 0.1;
  double negative_weight = 5;
  // Weight of the user's own embedding in the user vector (0: the aggregation alone).
  double gamma = 0;
  int epochs = 20;
  double learning_rate = 2e-3;
  // L2 penalty on the rows of E and P a mini-batch touches (and V), per positive.
  double l2 = 1e-6;
  // True: the history is aggregated from a second item table C instead of E.
  bool separate_history = false;
  // Dropout rate on the user vector while training.
  double dropout = 0.1;
  int batch_size = 512;
  uint64_t seed = 42;
  int threads = 1;
  // Training stops after the mini-batch that crosses this many seconds (0: no cap).
  double max_seconds = 0;
};

struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;
};

struct SimplexWeights {
  int dim = 0;
  double gamma = 0;
  // [num_items, dim].
  Matrix items;
  // [dim, dim]: V, applied as V · h.
  Matrix aggregation;
  // [num_items, dim] when the history is aggregated from its own table C (separate_history);
  // empty when it is aggregated from `items`.
  Matrix history;
};

// What the trainer fits on.
struct SimplexTrainData {
  int64_t num_items = 0;
  // Per user, the distinct training items (any order). Users without items are allowed.
  std::vector<std::vector<int64_t>> histories;
  // Items negatives are drawn from (the items with a training interaction).
  std::vector<int64_t> item_pool;
  // Checked before every mini-batch: when requested, training ends with CANCELLED.
  std::stop_token stop;
};

struct SimplexTrainStats {
  int epochs_run = 0;
  double final_train_loss = 0;
  double seconds = 0;
  int64_t positives = 0;
  // True when max_seconds ended the training early.
  bool time_capped = false;
};

}  // namespace recplat::simplex
