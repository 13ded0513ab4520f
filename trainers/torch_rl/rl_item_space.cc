#include "trainers/torch_rl/rl_item_space.h"

#include <cmath>
#include <random>

#include "absl/strings/match.h"

namespace recplat::rl {
namespace {

void AddGaussian(uint64_t seed, int se, float* out) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int d = 0; d < se; ++d) out[d] += normal(rng);
}

// A stable hash (absl::Hash is salted per process).
uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::vector<std::string> DefaultFeaturePrefixes() {
  return {"c:",   "country:",     "provider:",    "platform:", "domain:", "target_user:",
          "org:", "access_mode:", "access_type:", "trl:",      "lcs:",    "research_step:"};
}

RlItemSpace BuildItemSpace(const models::TrainingData& data, int se,
                           const std::vector<std::string>& prefixes) {
  RlItemSpace space;
  space.num_items = data.num_items;
  space.se = se;
  space.vectors.assign(static_cast<size_t>(data.num_items) * se, 0.0f);
  for (uint32_t i = 0; i < data.num_items; ++i) {
    float* row = &space.vectors[static_cast<size_t>(i) * se];
    bool any = false;
    if (i < data.items.size()) {
      for (const std::string& label : data.items[i].categories) {
        for (const std::string& prefix : prefixes) {
          if (absl::StartsWith(label, prefix)) {
            AddGaussian(Fnv1a(label), se, row);
            any = true;
            break;
          }
        }
      }
    }
    if (!any) AddGaussian(0x9e3779b97f4a7c15ull ^ i, se, row);
    double norm = 0;
    for (int d = 0; d < se; ++d) norm += static_cast<double>(row[d]) * row[d];
    norm = std::sqrt(norm);
    if (norm > 0) {
      for (int d = 0; d < se; ++d) row[d] = static_cast<float>(row[d] / norm);
    }
  }
  return space;
}

}  // namespace recplat::rl
