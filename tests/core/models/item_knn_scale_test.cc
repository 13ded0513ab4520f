// item_knn fitting at scale (LABELS slow): 100k items x 1M interactions with skewed item
// popularity and user activity must fit in bounded memory. Measured on the 2-core development
// machine: about 5 s and 210 MB peak RSS for the whole process (the time is printed, not
// asserted: it belongs to bench/similarity_fit_bench, and a sanitized build on a loaded machine
// takes minutes). The memory bound leaves room for sanitizers while still catching an
// O(items^2) regression (a dense 100k x 100k similarity matrix alone would need 40 GB).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/common/random.h"
#include "core/models/item_knn_family.h"
#include "gtest/gtest.h"
#include "tests/core/models/models_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::models {
namespace {

TEST(ItemKnnScaleTest, FitsOneMillionInteractionsOverOneHundredThousandItems) {
  constexpr uint32_t kItems = 100000;
  constexpr uint32_t kUsers = 50000;
  constexpr size_t kInteractions = 1000000;
  TrainingData d;
  d.num_items = kItems;
  d.num_users = kUsers;
  d.event_types = {"view"};
  d.event_type_weights = {1.0f};
  d.interactions.reserve(kInteractions);
  common::Rng rng(1);
  // Users take turns; a turn adds a Pareto-like number of items (most 5..10, a few hundreds);
  // item i is drawn with density ~ i^(-0.6) (a long tail, item 0 the most popular).
  for (uint32_t u = 0; d.interactions.size() < kInteractions; u = (u + 1) % kUsers) {
    const int n = 1 + static_cast<int>(5 * std::pow(rng.UniformDouble() + 1e-9, -0.7));
    for (int k = 0; k < n && d.interactions.size() < kInteractions; ++k) {
      const auto item = static_cast<uint32_t>(std::pow(rng.UniformDouble(), 2.5) * kItems);
      d.interactions.push_back(
          {u, std::min(item, kItems - 1), 0, 1.0f, static_cast<int64_t>(d.interactions.size())});
    }
  }
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(auto model, ItemKnnFamily().Fit(d, ModelParams()));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  std::printf("item_knn fit: %.2f s, peak RSS %.0f MB\n", seconds, peak_mb);
  EXPECT_LT(peak_mb, 2048.0);

  // Most items have neighbours, each capped at the default 100.
  double with_neighbors = 0;
  double pairs = 0;
  for (const auto& [name, value] : model->Metrics()) {
    if (name == "items_with_neighbors") with_neighbors = value;
    if (name == "neighbor_pairs") pairs = value;
  }
  EXPECT_GT(with_neighbors, 0.9 * kItems);
  EXPECT_LE(pairs, 100.0 * kItems);
  std::vector<ScoredItem> similar;
  ASSERT_OK(model->Similar(0, 100, nullptr, &similar));
  EXPECT_EQ(similar.size(), 100u);
}

}  // namespace
}  // namespace recplat::models
