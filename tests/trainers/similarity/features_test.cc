// The content_similarity features and distance (spec 3.7) on hand-computed examples, and the
// fitted neighbour lists against a brute force over RowDistance.
#include "trainers/similarity/internal/features.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/trainers/similarity/similarity_test_util.h"
#include "trainers/similarity/internal/neighbors.h"

namespace recplat::similarity::internal {
namespace {

using ::recplat::similarity::testing::Attrs;
using ::recplat::similarity::testing::MakeItems;
using ::recplat::similarity::testing::RandomItems;
using ::recplat::testing::StatusIs;

constexpr double kEps = 1e-6;  // Distances are rounded to float.

ItemFeatures Build(const models::TrainingData& data, FeatureOptions options = {}) {
  absl::StatusOr<ItemFeatures> f = BuildFeatures(data, options);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *std::move(f) : ItemFeatures{};
}

TEST(MaskWeightTest, UnionOverIntersectionOrUnionWhenDisjoint) {
  EXPECT_EQ(MaskWeight(4, 2), 2.0);
  EXPECT_EQ(MaskWeight(3, 2), 1.5);
  EXPECT_EQ(MaskWeight(2, 2), 1.0);
  EXPECT_EQ(MaskWeight(2, 0), 2.0);
  EXPECT_EQ(MaskWeight(0, 0), 0.0);
}

TEST(FeaturesTest, NumericOnly) {
  // price 10/20/30 -> 0, 0.5, 1; weight 1/3/2 -> 0, 1, 0.5; every mask {price, weight}: w = 1.
  ItemFeatures f = Build(MakeItems({{{{"price", 10}, {"weight", 1}}, {}},
                                    {{{"price", 20}, {"weight", 3}}, {}},
                                    {{{"price", 30}, {"weight", 2}}, {}}}));
  ASSERT_EQ(f.num_numeric(), 2u);
  EXPECT_EQ(f.num_categorical, 0u);
  EXPECT_FLOAT_EQ(f.numeric(1, 0), 0.5);
  EXPECT_FLOAT_EQ(f.numeric(2, 1), 0.5);
  EXPECT_NEAR(RowDistance(f, 0, 1), std::sqrt(0.25 + 1.0), kEps);
  EXPECT_NEAR(RowDistance(f, 0, 2), std::sqrt(1.0 + 0.25), kEps);
  EXPECT_NEAR(RowDistance(f, 1, 2), std::sqrt(0.25 + 0.25), kEps);
  EXPECT_EQ(RowDistance(f, 1, 1), 0.0f);
  EXPECT_EQ(f.num_patterns(), 1u);
}

TEST(FeaturesTest, CategoricalOnly) {
  // colour: red x2 -> 0, blue and green x1 -> 1, 2 (ties by value); size: S x2 -> 0, M -> 1.
  // D has no size: code 0 (= S, the most frequent). No numeric attribute: the numeric term has
  // weight |{} ∪ {}| = 0.
  ItemFeatures f = Build(MakeItems({{{}, {{"colour", "red"}, {"size", "S"}}},
                                    {{}, {{"colour", "red"}, {"size", "M"}}},
                                    {{}, {{"colour", "blue"}, {"size", "S"}}},
                                    {{}, {{"colour", "green"}}}}));
  ASSERT_EQ(f.num_categorical, 2u);
  const size_t rows = f.rows();
  EXPECT_EQ(f.categorical[0 * rows + 2], 1u);          // blue
  EXPECT_EQ(f.categorical[0 * rows + 3], 2u);          // green
  EXPECT_EQ(f.categorical[1 * rows + 1], 1u);          // M
  EXPECT_EQ(f.categorical[1 * rows + 3], 0u);          // missing -> 0
  EXPECT_NEAR(RowDistance(f, 0, 1), 0.5 * 1.0, kEps);  // size differs; w = 2/2
  EXPECT_NEAR(RowDistance(f, 0, 2), 0.5 * 1.0, kEps);  // colour differs
  EXPECT_NEAR(RowDistance(f, 0, 3), 0.5 * 2.0, kEps);  // colour differs; w = 2/1
  EXPECT_NEAR(RowDistance(f, 1, 3), 1.0 * 2.0, kEps);  // both differ (M vs S)
  EXPECT_NEAR(RowDistance(f, 0, 0), 0.0, kEps);
}

TEST(FeaturesTest, MixedWithMissingAttributesAndMaskWeights) {
  // A: price 10, weight 1, colour red. B: price 30, colour blue. C: weight 3, colour red, size L.
  // price 0 / 1 / missing 0.5; weight 0 / missing mean(1, 3) = 2 -> 0.5 / 1.
  // colour red 0, blue 1; size L 0 (A and B: missing -> 0).
  ItemFeatures f = Build(MakeItems({{{{"price", 10}, {"weight", 1}}, {{"colour", "red"}}},
                                    {{{"price", 30}}, {{"colour", "blue"}}},
                                    {{{"weight", 3}}, {{"colour", "red"}, {"size", "L"}}}}));
  EXPECT_FLOAT_EQ(f.numeric(2, 0), 0.5);
  EXPECT_FLOAT_EQ(f.numeric(1, 1), 0.5);
  EXPECT_EQ(f.num_patterns(), 3u);
  // A-B: sqrt(1 + 0.25) * (2 / 1) + (1/2) * (1 / 1)
  EXPECT_NEAR(RowDistance(f, 0, 1), std::sqrt(1.25) * 2 + 0.5, kEps);
  // A-C: sqrt(0.25 + 1) * (2 / 1) + 0 * (2 / 1)
  EXPECT_NEAR(RowDistance(f, 0, 2), std::sqrt(1.25) * 2, kEps);
  // B-C: sqrt(0.25 + 0.25) * |{p, w}| (disjoint) + (1/2) * (2 / 1)
  EXPECT_NEAR(RowDistance(f, 1, 2), std::sqrt(0.5) * 2 + 1.0, kEps);
  EXPECT_EQ(RowDistance(f, 1, 2), RowDistance(f, 2, 1));
}

TEST(FeaturesTest, NormalisationEdgeCases) {
  // "cost" is the price; "size" equal everywhere -> 0.5; "n" 0, 0, 30 and one missing -> mean
  // 10 -> 1/3; a non-finite value counts as missing; a missing price is 0.5.
  ItemFeatures f = Build(MakeItems({{{{"cost", 5}, {"size", 2}, {"n", 0}}, {}},
                                    {{{"cost", 15}, {"size", 2}, {"n", 0}}, {}},
                                    {{{"size", 2}, {"n", 30}}, {}},
                                    {{{"cost", NAN}, {"n", INFINITY}}, {}}}),
                         {.price_attribute = "cost"});
  ASSERT_EQ(f.num_numeric(), 3u);  // cost, n, size (names sorted)
  EXPECT_FLOAT_EQ(f.numeric(0, 0), 0.0);
  EXPECT_FLOAT_EQ(f.numeric(1, 0), 1.0);
  EXPECT_FLOAT_EQ(f.numeric(2, 0), 0.5);
  EXPECT_FLOAT_EQ(f.numeric(3, 0), 0.5);
  EXPECT_FLOAT_EQ(f.numeric(2, 1), 1.0);
  EXPECT_FLOAT_EQ(f.numeric(3, 1), 1.0 / 3);
  for (int r = 0; r < 4; ++r) EXPECT_FLOAT_EQ(f.numeric(r, 2), 0.5);
  // Item 3 has no attribute at all; item 2 lacks the price.
  EXPECT_EQ(f.NumericWeight(f.pattern[3], f.pattern[3]), 0.0);
  EXPECT_EQ(f.NumericWeight(f.pattern[0], f.pattern[2]), 1.5);  // {c,n,s} vs {n,s}: 3/2
  EXPECT_EQ(f.NumericWeight(f.pattern[0], f.pattern[3]), 3.0);  // disjoint: 3
}

TEST(FeaturesTest, OnlyLiveItemsAreFeaturised) {
  ItemFeatures f = Build(MakeItems(
      {{{{"price", 1}}, {}}, {{{"price", 1000}}, {}, /*live=*/false}, {{{"price", 3}}, {}}}));
  EXPECT_EQ(f.items, (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(f.RowOf(1), kNoRow);
  EXPECT_EQ(f.RowOf(2), 1u);
  EXPECT_EQ(f.RowOf(99), kNoRow);
  EXPECT_FLOAT_EQ(f.numeric(1, 0), 1.0);  // min-max over live items: 1..3
}

TEST(FeaturesTest, NothingToFeaturiseIsAFailedPrecondition) {
  EXPECT_THAT(BuildFeatures(MakeItems({{{{"price", 1}}, {}, false}}), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(BuildFeatures(MakeItems({{}, {}}), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  models::TrainingData no_side_info;  // The eval path: all live, no attributes.
  no_side_info.num_items = 5;
  EXPECT_THAT(BuildFeatures(no_side_info, {}), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Brute force: the `k` nearest rows of `row` by (RowDistance, row).
std::vector<uint32_t> BruteForce(const ItemFeatures& f, uint32_t row, uint32_t k) {
  std::vector<std::pair<float, uint32_t>> all;
  for (uint32_t r = 0; r < f.rows(); ++r) {
    if (r != row) all.push_back({RowDistance(f, row, r), r});
  }
  std::sort(all.begin(), all.end());
  std::vector<uint32_t> items;
  for (uint32_t i = 0; i < k && i < all.size(); ++i) items.push_back(f.items[all[i].second]);
  return items;
}

void ExpectExact(const ItemFeatures& f, const NeighborLists& lists, uint32_t k, uint32_t step) {
  ASSERT_EQ(lists.per_row, std::min<uint32_t>(k, f.rows() - 1));
  for (uint32_t row = 0; row < f.rows(); row += step) {
    std::vector<uint32_t> got(lists.ItemsOf(row).begin(), lists.ItemsOf(row).end());
    ASSERT_EQ(got, BruteForce(f, row, k)) << "row " << row;
    for (uint32_t i = 0; i < got.size(); ++i) {
      // Bit for bit: the kernel and RowDistance do the same operations.
      ASSERT_EQ(lists.DistancesOf(row)[i], RowDistance(f, row, f.RowOf(got[i]))) << row;
      if (i > 0) {
        ASSERT_LE(lists.DistancesOf(row)[i - 1], lists.DistancesOf(row)[i]);
      }
    }
  }
}

TEST(NeighborsTest, ListsAreExactSortedAndIndependentOfThreads) {
  // 1500 items (1350 live): several row blocks and column chunks, ties from coarse values.
  ItemFeatures f = Build(RandomItems(1500, 3, 3, 0.7, 1));
  ASSERT_OK_AND_ASSIGN(NeighborLists one, ComputeNeighbors(f, {.neighbors = 15, .threads = 1}));
  ASSERT_OK_AND_ASSIGN(NeighborLists three, ComputeNeighbors(f, {.neighbors = 15, .threads = 3}));
  EXPECT_EQ(one.items, three.items);
  EXPECT_EQ(one.distances, three.distances);
  ExpectExact(f, one, 15, 7);
}

TEST(NeighborsTest, ManyPatternsComputeWeightsPerPair) {
  // 16 optional attributes: far more than 1024 distinct masks, so no weight table.
  ItemFeatures f = Build(RandomItems(1300, 10, 6, 0.5, 2));
  ASSERT_GT(f.num_patterns(), 1024u);
  ASSERT_OK_AND_ASSIGN(NeighborLists lists, ComputeNeighbors(f, {.neighbors = 8, .threads = 2}));
  ExpectExact(f, lists, 8, 11);
}

TEST(NeighborsTest, SmallCataloguesKeepEveryOtherItem) {
  ItemFeatures f =
      Build(MakeItems({{{{"price", 1}}, {}}, {{{"price", 4}}, {}}, {{{"price", 2}}, {}}}));
  ASSERT_OK_AND_ASSIGN(NeighborLists lists, ComputeNeighbors(f, {.neighbors = 100}));
  EXPECT_EQ(lists.per_row, 2u);
  EXPECT_THAT(lists.ItemsOf(0), ::testing::ElementsAre(2, 1));
  EXPECT_THAT(lists.ItemsOf(1), ::testing::ElementsAre(2, 0));
  ItemFeatures single = Build(MakeItems({{{{"price", 1}}, {}}}));
  ASSERT_OK_AND_ASSIGN(NeighborLists none, ComputeNeighbors(single, {}));
  EXPECT_EQ(none.per_row, 0u);
  EXPECT_TRUE(none.items.empty());
}

}  // namespace
}  // namespace recplat::similarity::internal
