// Sessions from training data, the session-parallel mini-batch iterator and the negative
// sampler, on hand-made data.
#include <map>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trainers/torch_gru4rec/negative_sampler.h"
#include "trainers/torch_gru4rec/session_data.h"

namespace recplat::gru4rec {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kMinute = 60 * 1000;

std::vector<std::vector<uint32_t>> AllSessions(const SessionSet& s) {
  std::vector<std::vector<uint32_t>> out;
  for (size_t k = 0; k < s.size(); ++k) {
    out.emplace_back(s.Items(k).begin(), s.Items(k).end());
  }
  return out;
}

models::TrainingData GapData() {
  models::TrainingData d;
  d.num_users = 3;
  d.num_items = 8;
  d.event_types = {"view", "buy"};
  d.event_type_weights = {1, 1};
  // user 0: 1 @0, 2 @1min, (39 min idle) 3 @40min, 4 (a buy) @41min.
  // user 1: one view (a session of one item is dropped).
  // user 2: 6 @2min, 7 @3min.
  d.interactions = {{0, 1, 0, 1, 0},           {0, 2, 0, 1, 1 * kMinute},
                    {0, 3, 0, 1, 40 * kMinute}, {0, 4, 1, 1, 41 * kMinute},
                    {1, 5, 0, 1, 5 * kMinute},  {2, 6, 0, 1, 2 * kMinute},
                    {2, 7, 0, 1, 3 * kMinute}};
  return d;
}

TEST(BuildSessionsTest, SplitsUsersAtIdleGapsAndOrdersByStart) {
  SessionOptions o;
  o.gap_ms = 30 * kMinute;
  const SessionSet s = BuildSessions(GapData(), o);
  EXPECT_THAT(AllSessions(s), ElementsAre(ElementsAre(1, 2), ElementsAre(6, 7),
                                          ElementsAre(3, 4)));
  EXPECT_THAT(s.times, ElementsAre(0, kMinute, 2 * kMinute, 3 * kMinute, 40 * kMinute,
                                   41 * kMinute));
}

TEST(BuildSessionsTest, ZeroGapKeepsAUserWhole) {
  SessionOptions o;
  o.gap_ms = 0;
  EXPECT_THAT(AllSessions(BuildSessions(GapData(), o)),
              ElementsAre(ElementsAre(1, 2, 3, 4), ElementsAre(6, 7)));
}

TEST(BuildSessionsTest, SinceKeepsWholeSessionsWithNewInteractions) {
  SessionOptions o;
  o.gap_ms = 0;
  o.since_ms = 40 * kMinute;  // Only user 0 has a later interaction; all of it is kept.
  EXPECT_THAT(AllSessions(BuildSessions(GapData(), o)), ElementsAre(ElementsAre(1, 2, 3, 4)));
}

TEST(BuildSessionsTest, EventTypeFilter) {
  SessionOptions o;
  o.use_type = {true, false};  // Views only: user 0's second session shrinks to one item.
  EXPECT_THAT(AllSessions(BuildSessions(GapData(), o)),
              ElementsAre(ElementsAre(1, 2), ElementsAre(6, 7)));
}

SessionSet HandMade() {
  SessionSet s;
  const std::vector<int64_t> t(4, 0);
  s.Add(std::vector<uint32_t>{10, 11, 12}, std::span(t).first(3));
  s.Add(std::vector<uint32_t>{20, 21}, std::span(t).first(2));
  s.Add(std::vector<uint32_t>{99}, std::span(t).first(1));  // Too short: skipped.
  s.Add(std::vector<uint32_t>{30, 31, 32, 33}, std::span(t).first(4));
  return s;
}

TEST(SessionParallelBatcherTest, StepsResetsAndShrinking) {
  const SessionSet s = HandMade();
  SessionParallelBatcher batcher(s, /*batch_size=*/2, /*min_active=*/1);
  SessionBatch b;
  // Step 1: both slots start a session.
  ASSERT_TRUE(batcher.Next(&b));
  EXPECT_THAT(b.inputs, ElementsAre(10, 20));
  EXPECT_THAT(b.targets, ElementsAre(11, 21));
  EXPECT_THAT(b.starts, ElementsAre(1, 1));
  EXPECT_THAT(b.kept_rows, IsEmpty());
  // Step 2: slot 1's session is over; it takes [30 31 32 33] (skipping [99]) and resets.
  ASSERT_TRUE(batcher.Next(&b));
  EXPECT_THAT(b.inputs, ElementsAre(11, 30));
  EXPECT_THAT(b.targets, ElementsAre(12, 31));
  EXPECT_THAT(b.starts, ElementsAre(0, 1));
  EXPECT_THAT(b.kept_rows, IsEmpty());
  // Step 3: slot 0 is over and nothing is left: it is dropped, row 1 moves to row 0.
  ASSERT_TRUE(batcher.Next(&b));
  EXPECT_THAT(b.inputs, ElementsAre(31));
  EXPECT_THAT(b.targets, ElementsAre(32));
  EXPECT_THAT(b.starts, ElementsAre(0));
  EXPECT_THAT(b.kept_rows, ElementsAre(1));
  ASSERT_TRUE(batcher.Next(&b));
  EXPECT_THAT(b.inputs, ElementsAre(32));
  EXPECT_THAT(b.targets, ElementsAre(33));
  EXPECT_THAT(b.kept_rows, IsEmpty());
  EXPECT_FALSE(batcher.Next(&b));
}

TEST(SessionParallelBatcherTest, StopsBelowMinActive) {
  const SessionSet s = HandMade();
  SessionParallelBatcher batcher(s, 2, /*min_active=*/2);
  SessionBatch b;
  ASSERT_TRUE(batcher.Next(&b));
  ASSERT_TRUE(batcher.Next(&b));
  EXPECT_FALSE(batcher.Next(&b));  // Only one session would be left.
}

TEST(SessionParallelBatcherTest, EveryPairIsVisitedOnce) {
  const SessionSet s = HandMade();
  for (int batch : {1, 2, 3, 8}) {
    SessionParallelBatcher batcher(s, batch, 1);
    SessionBatch b;
    std::multimap<int64_t, int64_t> pairs;
    while (batcher.Next(&b)) {
      for (size_t k = 0; k < b.inputs.size(); ++k) pairs.emplace(b.inputs[k], b.targets[k]);
    }
    EXPECT_EQ(pairs.size(), 6u) << batch;  // 2 + 1 + 3 next-item pairs.
    EXPECT_EQ(pairs.count(99), 0u);
  }
}

TEST(NegativeSamplerTest, PopularityPowerAlpha) {
  // support^0.5 = (1, 2, 3, 0): p = (1/6, 2/6, 3/6, 0).
  const std::vector<double> support = {1, 4, 9, 0};
  NegativeSampler sampler(support, 0.5);
  EXPECT_NEAR(sampler.Probability(0), 1.0 / 6, 1e-12);
  EXPECT_NEAR(sampler.Probability(2), 3.0 / 6, 1e-12);
  EXPECT_EQ(sampler.Probability(3), 0.0);
  common::Rng rng(7);
  std::vector<int64_t> draws(60000);
  sampler.Sample(rng, draws);
  std::vector<int> count(4, 0);
  for (int64_t d : draws) ++count[d];
  EXPECT_NEAR(count[0] / 60000.0, 1.0 / 6, 0.01);
  EXPECT_NEAR(count[1] / 60000.0, 2.0 / 6, 0.01);
  EXPECT_NEAR(count[2] / 60000.0, 3.0 / 6, 0.01);
  EXPECT_EQ(count[3], 0);
}

TEST(NegativeSamplerTest, AlphaZeroIsUniform) {
  const std::vector<double> support = {1, 100, 9, 0};
  NegativeSampler sampler(support, 0.0);
  common::Rng rng(11);
  std::vector<int> count(4, 0);
  for (int k = 0; k < 40000; ++k) ++count[sampler.Sample(rng)];
  for (int c : count) EXPECT_NEAR(c / 40000.0, 0.25, 0.01);
}

}  // namespace
}  // namespace recplat::gru4rec
