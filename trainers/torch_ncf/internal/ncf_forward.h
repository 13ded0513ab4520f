// File: internal/ncf_forward.h
//
// NcfForward: the serving forward of the ncf network (ncf_weights.h), arranged so that a request
// costs one user half and then a few small GEMMs over the candidates.
//
// Built once per model (load time), from the weights and the item features:
//   - per service, the service half of the first MLP layer (qm(i) · W_itemᵀ + b0) and of the
//     first content layer (f(i) · C_item + c0), and the user-side content sum (f(i) · C_user,
//     averaged over a history per request); qg stays as it is;
//   - every BatchNorm (y = relu(z) * scale + shift) folded into the layer after it (weights
//     scaled by `scale`, `shift` pushed through into the bias) and the last one into the head,
//     so the per-candidate work is: add the user half, relu, then GEMM -> relu per layer, a dot
//     with the head, and the GMF term as one dot qg(i) · (head_g ⊙ pg(u)).
// The first layers cannot be computed per service alone: the user half is added before the
// relu. What is per service (everything above) is.
//
// Per request: candidates are taken in blocks of kBlock rows (contiguous row-major float32
// scratch, thread-local, grown once per thread), so no allocation per candidate or per request
// once warm.
//
// Equal to the plain per-candidate evaluation of ncf_weights.h up to float rounding (the sums
// are reassociated): ncf_test checks 1e-5 on probabilities.
//
// Thread-safety: immutable after Create; Probabilities may run on any number of threads.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "trainers/torch_ncf/ncf_weights.h"

namespace recplat::ncf::internal {

class NcfForward {
 public:
  using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Vec = Eigen::RowVectorXf;

  // Candidates per block of the per-request GEMMs.
  static constexpr Eigen::Index kBlock = 256;

  // `w` must have passed NcfModel's shape checks; `f` too. Both are read, not kept.
  static std::unique_ptr<NcfForward> Create(const NcfWeights& w, const ItemFeatures& f);

  // The probabilities of `items` for a user with `history` into `out` (same length as items;
  // when not, only the first min(items, out) are scored); unknown items (>= num_items) get -1,
  // unknown history entries are ignored, repeated ones count once.
  void Probabilities(std::span<const uint32_t> history, std::span<const uint32_t> items,
                     std::span<float> out) const;

 private:
  // One tower after its first layer: per layer, wt = (W diag(scale_prev))ᵀ [in, out] and
  // bias = b + W shift_prev; then the head slice times the last scale, and the constant
  // head_slice · last shift (added to the logit).
  struct Tower {
    std::vector<RowMat> wt;
    std::vector<Vec> bias;
    Eigen::VectorXf head;
    float head_const = 0;
  };
  struct User {
    Vec pg, pm;  // means over the history [dim]
    Vec gmf;     // head_g ⊙ mean pg  [dim]
    Vec mlp;     // mean pm · W_userᵀ [mlp0]
    Vec cont;    // mean user content sum [content0]
  };

  NcfForward() = default;
  void UserOf(std::span<const uint32_t> history, User* u) const;
  // The tower's logit contribution of the first-layer rows `x` (relu applied) into `logits`.
  void RunTower(const Tower& t, Eigen::Map<RowMat> x, float* scratch,
                Eigen::Map<Eigen::VectorXf> logits) const;

  int64_t num_items_ = 0;
  RowMat qg_;            // [num_items, dim]
  RowMat pg_, pm_;       // [num_items, dim]
  RowMat mlp_user_t_;    // [dim, mlp0]
  RowMat mlp_item_;      // [num_items, mlp0], bias included
  RowMat content_item_;  // [num_items, content0], bias included
  RowMat content_user_;  // [num_items, content0]
  Vec head_gmf_;         // [dim]
  Tower mlp_, content_;
  float bias_ = 0;           // head_bias and both towers' head_const
  Eigen::Index widest_ = 1;  // the widest layer after a first one
  size_t scratch_floats_ = 0;
};

}  // namespace recplat::ncf::internal
