// File: gru4rec_weights.h
//
// GruWeights: the parameters of a GRU4Rec network as plain row-major float arrays, shared by the
// LibTorch trainer (internal/torch_trainer.h copies them into tensors and back), the Eigen
// serving forward (gru4rec_model.h) and the artifact. No torch here.
//
// Network (n = model items, H_l = layers[l], gates stacked [candidate | reset | update]):
//   input x of layer 0:
//     one-hot      (embedding = 0, not constrained): none; layer 0 reads row `item` of Wx0
//     embedding    x = E[item]                  E  n × embedding
//     constrained  x = Wy[item]                 (the output table is the input embedding)
//   each layer l (input x of width in_l, state h of width H_l):
//     v  = x·Wx_l + Bh_l                        Wx_l in_l × 3H_l (one-hot layer 0: Wx0[item])
//     r  = σ(v[H:2H] + h·Wrz_l[:, :H])          Wrz_l H_l × 2H_l, Bh_l 1 × 3H_l
//     z  = σ(v[2H:3H] + h·Wrz_l[:, H:])
//     h' = (1 − z) ⊙ h + z ⊙ tanh((r ⊙ h)·Wh_l + v[0:H])     Wh_l H_l × H_l
//     x  = h' (input of the next layer)
//   scores s = Wy·h_last + By                   Wy n × H_last, By n × 1
// as in GRU4Rec (Hidasi et al., ICLR'16 and CIKM'18). The same struct, with the same shapes,
// holds the trainer's Adagrad accumulators, so that incremental training can continue.
//
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/common/random.h"

namespace recplat::gru4rec {

// A row-major float matrix: data.size() == rows * cols.
struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;

  static Matrix Zeros(int64_t rows, int64_t cols) {
    return {rows, cols, std::vector<float>(static_cast<size_t>(rows * cols), 0.0f)};
  }
  float* Row(int64_t r) { return data.data() + r * cols; }
  const float* Row(int64_t r) const { return data.data() + r * cols; }
};

struct GruWeights {
  int64_t num_items = 0;
  std::vector<int> layers;
  int embedding = 0;
  bool constrained = false;

  Matrix e;  // num_items × embedding; empty unless embedding > 0.
  std::vector<Matrix> wx, wrz, wh, bh;
  Matrix wy;
  Matrix by;

  bool one_hot() const { return embedding == 0 && !constrained; }
  // Width of layer 0's input: num_items (one-hot), embedding, or layers.back() (constrained).
  int64_t input_width() const;
};

// One parameter: its name in artifacts ("E", "Wx0", "Wrz0", "Wh0", "Bh0", ..., "Wy", "By"),
// the matrix, and whether its rows are indexed by item (updated sparsely in training).
struct ParamRef {
  std::string name;
  Matrix* matrix = nullptr;
  bool item_rows = false;
};
struct ConstParamRef {
  std::string name;
  const Matrix* matrix = nullptr;
  bool item_rows = false;
};

// Every parameter of `w`, in a fixed order (E, per layer Wx Wrz Wh Bh, Wy, By).
std::vector<ParamRef> Params(GruWeights& w);
std::vector<ConstParamRef> Params(const GruWeights& w);

// Weights of the given architecture with every matrix sized and zero.
GruWeights ZeroWeights(int64_t num_items, const std::vector<int>& layers, int embedding,
                       bool constrained);

// Fills the matrices GRU4Rec's way: uniform in ±sqrt(6 / (rows + cols / blocks)) with blocks =
// gates stacked in the matrix (3 for Wx, 2 for Wrz), biases 0.
void InitWeights(GruWeights* w, common::Rng& rng);

// Appends rows for items num_items .. new_num_items-1 to the item tables (E, one-hot Wx0, Wy,
// By): drawn like InitWeights when `rng` is given (biases 0), zero otherwise (accumulators).
// REQUIRES: new_num_items >= w->num_items.
void GrowItems(GruWeights* w, int64_t new_num_items, common::Rng* rng);

// OK when every matrix has the shape the architecture fields ask for and every value is
// finite; INVALID_ARGUMENT naming the first one that does not.
absl::Status CheckWeights(const GruWeights& w);

}  // namespace recplat::gru4rec
