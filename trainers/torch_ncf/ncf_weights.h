// File: ncf_weights.h
//
// The parameters and weights of the `ncf` family (ncf_family.h), shared by the torch trainer
// (internal/ncf_trainer.cc, in the module librecplat_ncf_torch.so) and the serving model
// (ncf_model.h, plain Eigen). No torch here.
//
// The network, for a user u with history H (the services they accessed) and a service i:
//   GMF       pg(u) ⊙ qg(i)                      pg(u) = mean of Pg[j], j in H     [dim]
//   MLP       [pm(u) ‖ qm(i)] -> mlp_layers       pm(u) = mean of Pm[j], j in H     [last]
//   content   [fu(u) ‖ f(i)]  -> content_layers   f(i) = the service's one-hot features,
//                                                  fu(u) = mean of f(j), j in H    [last]
//   out       sigmoid(head · [GMF ‖ MLP ‖ content] + head_bias)
// each layer Linear -> ReLU -> BatchNorm (folded into `scale`, `shift` for inference), the first
// layer of MLP and content split into its user and service halves (so serving computes the
// service half once per service and the user half once per request).
//
// Matrices are row-major; a Linear layer's weight is [out, in].
//
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

namespace recplat::ncf {

struct NcfParams {
  // Embedding size of the GMF and MLP tables.
  int dim = 64;
  // Layer sizes of the MLP tower (the first takes [pm ‖ qm]) and of the content tower.
  std::vector<int> mlp_layers = {64, 32, 16, 8};
  std::vector<int> content_layers = {128, 64, 32};
  int epochs = 30;
  int batch_size = 256;
  double learning_rate = 0.005;
  // L2 penalty of Adam (on every weight).
  double weight_decay = 1e-4;
  // Largest gradient norm per step (torch::nn::utils::clip_grad_norm_).
  double grad_clip = 1.0;
  // Sampled negatives per positive (resampled every epoch).
  int negatives = 1;
  // Users with at least this many accessed services hold their last one out for validation.
  int min_validation_history = 3;
  // Evaluate on the validation split every this many epochs (the best is kept).
  int eval_every = 1;
  int threads = 1;
  uint64_t seed = 42;
  // Event types that are accessed services; and item label prefixes that are features.
  std::vector<std::string> event_types = {"order"};
  std::vector<std::string> feature_prefixes = {
      "c:",   "country:",     "provider:",    "platform:", "domain:", "target_user:",
      "org:", "access_mode:", "access_type:", "trl:",      "lcs:",    "research_step:"};
};

struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;
};

// Linear -> ReLU -> BatchNorm (inference form: y = relu(W x + b) * scale + shift).
struct Dense {
  Matrix w;
  std::vector<float> b;
  std::vector<float> scale;
  std::vector<float> shift;
};

struct NcfWeights {
  int64_t num_items = 0;
  int64_t num_features = 0;
  int dim = 0;
  // [num_items, dim]: user-side (averaged over a history) and service-side tables.
  Matrix pg, pm, qg, qm;
  // First MLP layer halves: [mlp_layers[0], dim] each; its bias, scale and shift in mlp[0]
  // (whose `w` is empty). mlp[1..] are whole layers.
  Matrix mlp_user, mlp_item;
  std::vector<Dense> mlp;
  // First content layer halves: [num_features, content_layers[0]] each (rows are features);
  // its bias, scale and shift in content[0] (whose `w` is empty).
  Matrix content_user, content_item;
  std::vector<Dense> content;
  // [dim + mlp_layers.back() + content_layers.back()].
  std::vector<float> head;
  float head_bias = 0;
};

// Item features as CSR: the features of item i are ids[offsets[i] .. offsets[i + 1]).
struct ItemFeatures {
  std::vector<int64_t> offsets;
  std::vector<int64_t> ids;
};

// What the trainer fits on.
struct NcfTrainData {
  int64_t num_items = 0;
  int64_t num_features = 0;
  ItemFeatures features;
  // Per user, the training items (accessed services, distinct, oldest first).
  std::vector<std::vector<int64_t>> histories;
  // Validation: (user index into histories, held-out item); the user's history is its input.
  std::vector<std::pair<int64_t, int64_t>> validation;
  // Items negatives are drawn from (live items).
  std::vector<int64_t> item_pool;
  // Checked before every mini-batch: when requested, training ends with CANCELLED.
  std::stop_token stop;
};

struct NcfTrainStats {
  int epochs_run = 0;
  int best_epoch = 0;
  double best_validation_loss = 0;
  double final_train_loss = 0;
  double seconds = 0;
  int64_t samples = 0;
};

}  // namespace recplat::ncf
