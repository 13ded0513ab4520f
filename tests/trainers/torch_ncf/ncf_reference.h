// File: ncf_reference.h
//
// The ncf network of trainers/torch_ncf/ncf_weights.h evaluated literally, one candidate at a
// time, in double precision: no precomputed service halves, no folded BatchNorm, no blocks.
// The oracle the serving forward (internal/ncf_forward.h) is checked against in ncf_test.
//
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "trainers/torch_ncf/ncf_weights.h"

namespace recplat::testing {

using ncf::Dense;
using ncf::ItemFeatures;
using ncf::NcfWeights;

// relu(z) * scale + shift of one layer, in place.
inline void ReferenceReluBn(const Dense& d, std::vector<double>* z) {
  for (size_t k = 0; k < z->size(); ++k) {
    (*z)[k] = std::max(0.0, (*z)[k]) * d.scale[k] + d.shift[k];
  }
}

// y = W x + b for a whole layer (W [out, in], row-major).
inline std::vector<double> ReferenceLinear(const Dense& d, const std::vector<double>& x) {
  std::vector<double> y(d.b.begin(), d.b.end());
  for (int64_t o = 0; o < d.w.rows; ++o) {
    for (int64_t i = 0; i < d.w.cols; ++i) y[o] += d.w.data[o * d.w.cols + i] * x[i];
  }
  return y;
}

// The probability of `item` for a user with `history` (-1 for an unknown item).
inline double ReferenceProbability(const NcfWeights& w, const ItemFeatures& f,
                                   std::span<const uint32_t> history, uint32_t item) {
  if (item >= w.num_items) return -1;
  std::vector<uint32_t> h;
  for (uint32_t j : history) {
    if (j < w.num_items && std::find(h.begin(), h.end(), j) == h.end()) h.push_back(j);
  }
  const int d = w.dim;
  const double inv = h.empty() ? 0.0 : 1.0 / static_cast<double>(h.size());
  std::vector<double> pg(d, 0), pm(d, 0), fu(w.num_features, 0), fi(w.num_features, 0);
  for (uint32_t j : h) {
    for (int k = 0; k < d; ++k) {
      pg[k] += w.pg.data[j * d + k] * inv;
      pm[k] += w.pm.data[j * d + k] * inv;
    }
    for (int64_t k = f.offsets[j]; k < f.offsets[j + 1]; ++k) fu[f.ids[k]] += inv;
  }
  for (int64_t k = f.offsets[item]; k < f.offsets[item + 1]; ++k) fi[f.ids[k]] += 1;

  std::vector<double> features;  // [GMF ‖ MLP ‖ content]
  for (int k = 0; k < d; ++k) features.push_back(pg[k] * w.qg.data[item * d + k]);

  std::vector<double> x(w.mlp[0].b.begin(), w.mlp[0].b.end());
  for (size_t o = 0; o < x.size(); ++o) {
    for (int k = 0; k < d; ++k) {
      x[o] +=
          w.mlp_user.data[o * d + k] * pm[k] + w.mlp_item.data[o * d + k] * w.qm.data[item * d + k];
    }
  }
  ReferenceReluBn(w.mlp[0], &x);
  for (size_t l = 1; l < w.mlp.size(); ++l) {
    x = ReferenceLinear(w.mlp[l], x);
    ReferenceReluBn(w.mlp[l], &x);
  }
  features.insert(features.end(), x.begin(), x.end());

  const int64_t c0 = static_cast<int64_t>(w.content[0].b.size());
  std::vector<double> c(w.content[0].b.begin(), w.content[0].b.end());
  for (int64_t k = 0; k < w.num_features; ++k) {
    for (int64_t o = 0; o < c0; ++o) {
      c[o] += fu[k] * w.content_user.data[k * c0 + o] + fi[k] * w.content_item.data[k * c0 + o];
    }
  }
  ReferenceReluBn(w.content[0], &c);
  for (size_t l = 1; l < w.content.size(); ++l) {
    c = ReferenceLinear(w.content[l], c);
    ReferenceReluBn(w.content[l], &c);
  }
  features.insert(features.end(), c.begin(), c.end());

  double logit = w.head_bias;
  for (size_t k = 0; k < features.size(); ++k) logit += w.head[k] * features[k];
  return 1.0 / (1.0 + std::exp(-logit));
}

}  // namespace recplat::testing
