#include "trainers/torch_gru4rec/negative_sampler.h"

#include <cmath>

namespace recplat::gru4rec {

NegativeSampler::NegativeSampler(std::span<const double> support, double alpha) {
  const size_t n = support.size();
  probability_.resize(n);
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    probability_[i] = alpha == 0 ? 1.0 : std::pow(support[i], alpha);  // 0^0 = 1.
    total += probability_[i];
  }
  for (double& p : probability_) p /= total;
  // Vose's construction: slots below 1 are topped up by slots above 1.
  keep_.resize(n);
  alias_.resize(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    keep_[i] = probability_[i] * static_cast<double>(n);
    alias_[i] = static_cast<uint32_t>(i);
    (keep_[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back();
    const uint32_t l = large.back();
    small.pop_back();
    alias_[s] = l;
    keep_[l] -= 1.0 - keep_[s];
    if (keep_[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers are 1 up to rounding; a zero-probability slot left over (rounding emptied
  // `large` first) hands its draws to an item that has a probability.
  for (uint32_t i : large) keep_[i] = 1.0;
  uint32_t fallback = 0;
  while (fallback + 1 < n && probability_[fallback] == 0) ++fallback;
  for (uint32_t i : small) {
    keep_[i] = probability_[i] > 0 ? 1.0 : 0.0;
    if (probability_[i] == 0) alias_[i] = fallback;
  }
}

uint32_t NegativeSampler::Sample(common::Rng& rng) const {
  const uint32_t slot = static_cast<uint32_t>(rng.Uniform(keep_.size()));
  return rng.UniformDouble() < keep_[slot] ? slot : alias_[slot];
}

void NegativeSampler::Sample(common::Rng& rng, std::span<int64_t> out) const {
  for (int64_t& x : out) x = Sample(rng);
}

}  // namespace recplat::gru4rec
