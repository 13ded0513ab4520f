// The two evaluation file formats, their detection and their errors; the train/test mapping.
#include "core/eval/interaction_file.h"

#include <fstream>

#include "core/eval/eval_dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::eval {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

std::vector<std::string> Pairs(const InteractionFile& f) {
  std::vector<std::string> out;
  for (const RawInteraction& x : f.interactions) {
    out.push_back(x.user + ":" + x.item + "@" + std::to_string(x.timestamp_ms));
  }
  return out;
}

TEST(InteractionFileTest, TabSeparatedWithRatingAndTimestamp) {
  ASSERT_OK_AND_ASSIGN(InteractionFile f,
                       ParseInteractions("1\t10\t5\t874965758\n2\t20\t3.5\t1\r\n\n", "u.base"));
  EXPECT_EQ(f.format, InteractionFormat::kTabSeparated);
  EXPECT_TRUE(f.has_timestamps);
  EXPECT_THAT(Pairs(f), ElementsAre("1:10@874965758000", "2:20@1000"));
}

TEST(InteractionFileTest, TabSeparatedWithoutTimestampUsesFileOrder) {
  ASSERT_OK_AND_ASSIGN(InteractionFile f, ParseInteractions("a\tx\nb\ty\na\tz\n", "pairs"));
  EXPECT_EQ(f.format, InteractionFormat::kTabSeparated);
  EXPECT_FALSE(f.has_timestamps);
  EXPECT_THAT(Pairs(f), ElementsAre("a:x@0", "b:y@1", "a:z@2"));
}

TEST(InteractionFileTest, UserItemLists) {
  ASSERT_OK_AND_ASSIGN(InteractionFile f, ParseInteractions("0 72 60  1457\n1 5\n2\n", "train"));
  EXPECT_EQ(f.format, InteractionFormat::kUserItems);
  EXPECT_FALSE(f.has_timestamps);
  EXPECT_THAT(Pairs(f), ElementsAre("0:72@0", "0:60@1", "0:1457@2", "1:5@3"));
}

TEST(InteractionFileTest, ErrorsNameFileAndLine) {
  EXPECT_THAT(ParseInteractions("1\t2\t3\t4\n1\t2\t3\n", "f.tsv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f.tsv:2:"), HasSubstr("got 3"))));
  EXPECT_THAT(ParseInteractions("\n1\t2\tfive\n", "f.tsv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f.tsv:2:"), HasSubstr("'five'"))));
  EXPECT_THAT(ParseInteractions("1\t2\t3\t4\n1\t2\t3\t12:00\n", "f.tsv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f.tsv:2:"), HasSubstr("'12:00'"))));
  EXPECT_THAT(ParseInteractions("1\t\n", "f.tsv"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("f.tsv:1: empty")));
}

TEST(InteractionFileTest, EmptyFilesAreErrors) {
  EXPECT_THAT(ParseInteractions("", "empty.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty.txt")));
  EXPECT_THAT(ParseInteractions("\n  \n", "blank.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseInteractions("7\n8\n", "users_only.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(InteractionFileTest, ReadsFilesAndReportsMissingOnes) {
  recplat::testing::TempDir tmp;
  const std::string path = (tmp.path() / "t.txt").string();
  std::ofstream(path) << "u a b\n";
  ASSERT_OK_AND_ASSIGN(InteractionFile f, ReadInteractionFile(path));
  EXPECT_EQ(f.interactions.size(), 2u);
  EXPECT_THAT(ReadInteractionFile(path + ".missing"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("t.txt.missing")));
}

TEST(EvalDatasetTest, MapsIdsOrdersHistoriesAndCountsUnseenTestItems) {
  // Train with timestamps: u1 saw x (t=5 s) then y (t=3 s, earlier); u2 saw y.
  ASSERT_OK_AND_ASSIGN(InteractionFile train,
                       ParseInteractions("u1\tx\t1\t5\nu1\ty\t1\t3\nu2\ty\t1\t9\n", "train"));
  // Test: u1 -> y (a train item), w (unseen), w again; u3 (not in train) -> x.
  ASSERT_OK_AND_ASSIGN(
      InteractionFile test,
      ParseInteractions("u1\ty\t1\t1\nu1\tw\t1\t1\nu1\tw\t1\t2\nu3\tx\t1\t1\n", "test"));
  ASSERT_OK_AND_ASSIGN(EvalDataset ds, BuildEvalDataset(train, test, 2.0f));
  const models::TrainingData& d = ds.train;
  EXPECT_THAT(d.user_ids, ElementsAre("u1", "u2"));
  EXPECT_THAT(d.item_ids, ElementsAre("x", "y"));
  EXPECT_EQ(d.num_items, 2u);
  EXPECT_THAT(d.event_type_weights, ElementsAre(2.0f));
  EXPECT_EQ(d.now_ms, 9000);
  // Sorted by (user, time): u1's y (3 s) before x (5 s).
  ASSERT_EQ(d.interactions.size(), 3u);
  EXPECT_EQ(d.interactions[0].item, 1u);
  EXPECT_EQ(d.interactions[0].timestamp_ms, 3000);
  // Most recent first: x (5 s), then y (3 s).
  EXPECT_THAT(ds.history[0], ElementsAre(0u, 1u));
  EXPECT_EQ(d.items[0].published_at_ms, 5000);
  EXPECT_EQ(d.items[1].published_at_ms, 3000);
  ASSERT_EQ(ds.test_users.size(), 2u);
  EXPECT_EQ(ds.test_users[0].id, "u1");
  EXPECT_THAT(ds.test_users[0].train_user, Optional(0u));
  EXPECT_THAT(ds.test_users[0].relevant, ElementsAre(1u));
  EXPECT_EQ(ds.test_users[0].num_relevant, 2u);  // y and w.
  EXPECT_EQ(ds.test_users[1].train_user, std::nullopt);
  EXPECT_THAT(ds.test_users[1].relevant, ElementsAre(0u));
  EXPECT_EQ(ds.test_interactions, 4);
}

TEST(EvalDatasetTest, TimestamplessHistoryIsFileOrderReversed) {
  ASSERT_OK_AND_ASSIGN(InteractionFile train, ParseInteractions("a p q r\nb q\n", "train"));
  ASSERT_OK_AND_ASSIGN(InteractionFile test, ParseInteractions("a s\n", "test"));
  ASSERT_OK_AND_ASSIGN(EvalDataset ds, BuildEvalDataset(train, test, 1.0f));
  EXPECT_THAT(ds.history[0], ElementsAre(2u, 1u, 0u));  // r, q, p.
  EXPECT_THAT(BuildEvalDataset(train, test, 0.0f), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace recplat::eval
