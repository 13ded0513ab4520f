// BuildSessionDataset and the SR-GNN style split (SplitSessionsByDays) on hand-made sessions.
#include "core/eval/session_dataset.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::eval {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A session of `items` on `day`, clicks one second apart from the day's midnight.
RawSession S(std::string id, int64_t day, std::vector<std::string> items) {
  RawSession s;
  s.id = std::move(id);
  s.day = day;
  s.items = std::move(items);
  for (size_t i = 0; i < s.items.size(); ++i) {
    s.timestamps_ms.push_back(day * 86400000 + static_cast<int64_t>(i) * 1000);
  }
  return s;
}

std::vector<std::string> Ids(const std::vector<RawSession>& sessions) {
  std::vector<std::string> out;
  for (const RawSession& s : sessions) {
    out.push_back(s.id);
  }
  return out;
}

TEST(SessionDatasetTest, SessionsBecomeUsersItemsByFirstAppearance) {
  const std::vector<RawSession> train = {S("s1", 10, {"b", "a", "b"}), S("s2", 11, {"c", "a"})};
  const std::vector<RawSession> test = {S("t1", 12, {"a", "z", "c"}), S("t2", 12, {"b"})};
  ASSERT_OK_AND_ASSIGN(SessionDataset ds, BuildSessionDataset(train, test));
  const models::TrainingData& d = ds.train;
  EXPECT_EQ(d.num_users, 2u);
  EXPECT_EQ(d.num_items, 3u);
  EXPECT_THAT(d.item_ids, ElementsAre("b", "a", "c"));
  EXPECT_THAT(d.user_ids, ElementsAre("s1", "s2"));
  EXPECT_THAT(d.event_types, ElementsAre("interaction"));
  EXPECT_THAT(d.event_type_weights, ElementsAre(1.0f));
  ASSERT_EQ(d.interactions.size(), 5u);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (const models::Interaction& x : d.interactions) {
    pairs.emplace_back(x.user, x.item);
    EXPECT_EQ(x.type, 0);
    EXPECT_EQ(x.value, 1.0f);
  }
  EXPECT_THAT(pairs, ElementsAre(std::pair{0u, 0u}, std::pair{0u, 1u}, std::pair{0u, 0u},
                                 std::pair{1u, 2u}, std::pair{1u, 1u}));
  EXPECT_EQ(d.now_ms, 11 * 86400000 + 1000);
  ASSERT_EQ(d.items.size(), 3u);
  EXPECT_EQ(d.items[1].published_at_ms, 10 * 86400000 + 1000);  // "a": its first click.
  ASSERT_EQ(ds.test.size(), 2u);
  EXPECT_EQ(ds.test[0].id, "t1");
  EXPECT_THAT(ds.test[0].items, ElementsAre(1u, kNotInTrain, 2u));
  EXPECT_THAT(ds.test[1].items, ElementsAre(0u));
  EXPECT_EQ(ds.test_clicks, 4);
  EXPECT_THAT(BuildSessionDataset({}, test), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SessionDatasetTest, SplitByDaysFollowsTheDocumentedSteps) {
  // Step 1 drops s2 (length 1). Click counts then: a 6, b 3, c 3, e 3, d 1, r 1.
  // Step 2 (support 2) removes d and r: s5 -> a b e, s6 -> a (dropped).
  // Step 3: last day 13, 2 test days -> split day 11: train s1 s3, test s4 s5 s7 s8.
  // Step 4: train items a b c; e leaves s5 (a b), s7 (c, dropped) and s8 (c, dropped).
  std::vector<RawSession> sessions = {S("s1", 10, {"a", "b", "a"}),      S("s2", 10, {"x"}),
                                      S("s3", 11, {"a", "c"}),           S("s4", 12, {"b", "a"}),
                                      S("s5", 13, {"a", "b", "d", "e"}), S("s6", 11, {"r", "a"}),
                                      S("s7", 13, {"c", "e"}),           S("s8", 12, {"e", "c"})};
  SessionSplitOptions o;
  o.test_days = 2;
  o.min_item_support = 2;
  ASSERT_OK_AND_ASSIGN(SessionSplit split, SplitSessionsByDays(sessions, o));
  EXPECT_THAT(Ids(split.train), ElementsAre("s1", "s3"));
  EXPECT_THAT(Ids(split.test), ElementsAre("s4", "s5"));
  EXPECT_THAT(split.test[1].items, ElementsAre("a", "b"));
  EXPECT_EQ(split.test[1].timestamps_ms.size(), 2u);
  EXPECT_EQ(split.test[1].timestamps_ms[1], 13 * 86400000 + 1000);  // b's own time.
  const SessionSplitStats& st = split.stats;
  EXPECT_EQ(st.sessions_read, 8);
  EXPECT_EQ(st.sessions_length_one, 1);
  EXPECT_EQ(st.rare_items, 2);
  EXPECT_EQ(st.sessions_short_after_item_filter, 1);
  EXPECT_EQ(st.last_day, 13);
  EXPECT_EQ(st.split_day, 11);
  EXPECT_EQ(st.test_clicks_not_in_train, 3);
  EXPECT_EQ(st.test_sessions_dropped, 2);

  // Support 4 keeps only a: s1 -> a a, every other session is left with at most one click.
  // The last day is then s1's (10), so s1 is a test session and there is no train.
  o.min_item_support = 4;
  EXPECT_THAT(SplitSessionsByDays(sessions, o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaves no train session (all 1 sessions")));
  // Without b on the train side and e only on day 13: with 1 test day (support 2 removes b, d
  // and r) the test sessions s5 (a e), s7 (c e) and s8 (e c) each keep one click: no test.
  sessions[0] = S("s1", 10, {"a", "c", "a"});
  sessions[3] = S("s4", 12, {"c", "a"});
  sessions[7] = S("s8", 13, {"e", "c"});
  o.min_item_support = 2;
  o.test_days = 1;
  EXPECT_THAT(SplitSessionsByDays(sessions, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leaves no test session")));
}

TEST(SessionDatasetTest, SplitNeedsBothSidesAndValidOptions) {
  std::vector<RawSession> sessions = {S("s1", 10, {"a", "b"}), S("s2", 12, {"a", "b"})};
  SessionSplitOptions o;
  o.min_item_support = 1;
  o.test_days = 7;  // Both sessions are within the last 7 days: no train.
  EXPECT_THAT(SplitSessionsByDays(sessions, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leaves no train session")));
  o.test_days = 2;  // Split day 10: s1 is train (day 10 is not within the last 2 days).
  ASSERT_OK_AND_ASSIGN(SessionSplit split, SplitSessionsByDays(sessions, o));
  EXPECT_THAT(Ids(split.train), ElementsAre("s1"));
  EXPECT_THAT(Ids(split.test), ElementsAre("s2"));
  o.test_days = 0;
  EXPECT_THAT(SplitSessionsByDays(sessions, o), StatusIs(absl::StatusCode::kInvalidArgument));
  o.test_days = 1;
  o.min_item_support = 0;
  EXPECT_THAT(SplitSessionsByDays(sessions, o), StatusIs(absl::StatusCode::kInvalidArgument));
  o.min_item_support = 5;  // Nothing survives.
  EXPECT_THAT(SplitSessionsByDays(sessions, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no session is left")));
}

}  // namespace
}  // namespace recplat::eval
