// The session-based protocol: the position loop and HR/MRR with a fake model whose rankings the
// test sets, then RunSessionEval end to end on tiny files (both formats), its errors and JSON.
#include "core/eval/session_eval.h"

#include <fstream>
#include <map>
#include <mutex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::eval {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Ranks by a table keyed by the most recent session item; not Ready when the table has no
// entry. Records every context it is asked about.
class TableModel final : public models::Model {
 public:
  explicit TableModel(std::map<uint32_t, std::vector<uint32_t>> table) : table_(std::move(table)) {}

  struct Seen {
    std::vector<uint32_t> session;
    int64_t now_ms;
    bool history_and_anchors_empty;
    bool filter_keeps_train_items;
  };

  bool Ready(const models::RecommendContext& ctx) const override {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back({std::vector<uint32_t>(ctx.session_items.begin(), ctx.session_items.end()),
                     ctx.now_ms, ctx.user_history.empty() && ctx.anchors.empty(),
                     ctx.filter != nullptr && !ctx.filter->Excluded(0) &&
                         !ctx.filter->Excluded(3) && ctx.filter->Excluded(4)});
    return !ctx.session_items.empty() && table_.contains(ctx.session_items[0]);
  }
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override {
    const std::vector<uint32_t>& ranking = table_.at(ctx.session_items[0]);
    for (size_t r = 0; r < ranking.size() && r < n; ++r) {
      out->push_back({ranking[r], -static_cast<double>(r)});
    }
    return absl::OkStatus();
  }
  absl::Status Score(const models::RecommendContext&,
                     std::span<models::ScoredItem>) const override {
    return absl::UnimplementedError("not used");
  }
  absl::Status Save(const std::filesystem::path&) const override {
    return absl::UnimplementedError("not used");
  }

  std::vector<Seen> seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  const std::map<uint32_t, std::vector<uint32_t>> table_;
  mutable std::mutex mu_;
  mutable std::vector<Seen> seen_;
};

RawSession S(std::string id, std::vector<std::string> items) {
  RawSession s;
  s.id = std::move(id);
  s.items = std::move(items);
  for (size_t i = 0; i < s.items.size(); ++i) {
    s.timestamps_ms.push_back(static_cast<int64_t>(1000 + 10 * i));
  }
  return s;
}

// Train items A B C D = 0 1 2 3. Test sessions:
//   s1: A B C   -> [A] -> B,  [B A] -> C
//   s2: B Z D   -> [B] -> Z (not in train: a miss, the model is not asked),  [B] -> D
//   s3: D       -> no prediction
//   s4: C A     -> [C] -> A (the model is not Ready for C: a miss)
// Rankings: after A: B C D; after B: D A C. So at K = 3 the hits are B (rank 1), C (rank 3) and
// D (rank 1): HR = 3/5, MRR = (1 + 1/3 + 1) / 5 = 7/15.
SessionDataset Dataset() {
  absl::StatusOr<SessionDataset> ds = BuildSessionDataset(
      {S("t", {"A", "B", "C", "D"})},
      {S("s1", {"A", "B", "C"}), S("s2", {"B", "Z", "D"}), S("s3", {"D"}), S("s4", {"C", "A"})});
  EXPECT_TRUE(ds.ok());
  return *std::move(ds);
}

const std::map<uint32_t, std::vector<uint32_t>> kTable = {{0, {1, 2, 3}}, {1, {3, 0, 2}}};

TEST(SessionEvalTest, PositionLoopAndMetricsByHand) {
  const SessionDataset ds = Dataset();
  TableModel model(kTable);
  ASSERT_OK_AND_ASSIGN(SessionEvalReport r, EvaluateSessionModel(model, ds, 3, 1, 42));
  EXPECT_EQ(r.predictions, 5);
  EXPECT_EQ(r.sessions, 3);
  EXPECT_EQ(r.targets_not_in_train, 1);
  EXPECT_EQ(r.predictions_not_ready, 1);
  EXPECT_DOUBLE_EQ(r.hr, 3.0 / 5);
  EXPECT_DOUBLE_EQ(r.mrr, 7.0 / 15);
  EXPECT_DOUBLE_EQ(r.coverage, 1.0);
  EXPECT_EQ(r.k, 3);
  // The contexts, most recent first, without the unseen Z; the request time is click t's.
  const std::vector<TableModel::Seen> seen = model.seen();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_THAT(seen[0].session, ElementsAre(0u));
  EXPECT_THAT(seen[1].session, ElementsAre(1u, 0u));
  EXPECT_THAT(seen[2].session, ElementsAre(1u));
  EXPECT_THAT(seen[3].session, ElementsAre(2u));
  EXPECT_EQ(seen[0].now_ms, 1000);
  EXPECT_EQ(seen[1].now_ms, 1010);
  EXPECT_EQ(seen[2].now_ms, 1010);  // s2 at Z's time: the context is still [B].
  for (const TableModel::Seen& s : seen) {
    EXPECT_TRUE(s.history_and_anchors_empty);
    EXPECT_TRUE(s.filter_keeps_train_items);
  }
}

TEST(SessionEvalTest, CutOffChangesHitsAndCoverage) {
  const SessionDataset ds = Dataset();
  TableModel model(kTable);
  // K = 2: C at rank 3 is now a miss. K = 1: only B and D are ever recommended.
  ASSERT_OK_AND_ASSIGN(SessionEvalReport k2, EvaluateSessionModel(model, ds, 2, 1, 42));
  EXPECT_DOUBLE_EQ(k2.hr, 2.0 / 5);
  EXPECT_DOUBLE_EQ(k2.mrr, 2.0 / 5);
  ASSERT_OK_AND_ASSIGN(SessionEvalReport k1, EvaluateSessionModel(model, ds, 1, 1, 42));
  EXPECT_DOUBLE_EQ(k1.hr, 2.0 / 5);
  EXPECT_DOUBLE_EQ(k1.coverage, 2.0 / 4);
  EXPECT_THAT(EvaluateSessionModel(model, ds, 0, 1, 42),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SessionEvalTest, ThreadsDoNotChangeTheFigures) {
  // 200 copies of the test sessions, spread over 4 threads.
  std::vector<RawSession> test;
  for (int i = 0; i < 200; ++i) {
    test.push_back(S("s1", {"A", "B", "C"}));
    test.push_back(S("s4", {"C", "A"}));
  }
  ASSERT_OK_AND_ASSIGN(SessionDataset ds,
                       BuildSessionDataset({S("t", {"A", "B", "C", "D"})}, test));
  TableModel model(kTable);
  ASSERT_OK_AND_ASSIGN(SessionEvalReport r, EvaluateSessionModel(model, ds, 3, 4, 42));
  EXPECT_EQ(r.predictions, 600);
  EXPECT_EQ(r.sessions, 400);
  EXPECT_EQ(r.predictions_not_ready, 200);
  EXPECT_DOUBLE_EQ(r.hr, 400.0 / 600);
  EXPECT_NEAR(r.mrr, (200.0 + 200.0 / 3) / 600, 1e-12);  // Summed in another order.
}

class RunSessionEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(models::RegisterBuiltinFamilies(&families_).ok());
    options_.clock = &clock_;
    options_.k = 2;
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (tmp_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }

  recplat::testing::TempDir tmp_;
  recplat::testing::FakeClock clock_;
  models::ModelFamilyRegistry families_;
  SessionEvalOptions options_;
};

// Train: 1 = A B C, 2 = A B, 3 = C C A. Items A B C = 0 1 2; clicks A 3, B 2, C 3.
// Rules: A->B 2, B->C 1, C->C 1, C->A 1. Popularity order: A, C (tie, lower index), B.
// Test: 9 = A B C, 8 = C A Q (Q unseen).
constexpr char kTrain[] =
    "SessionId\tItemId\tTime\n1\tA\t100\n1\tB\t101\n1\tC\t102\n2\tA\t200\n2\tB\t201\n"
    "3\tC\t300\n3\tC\t301\n3\tA\t302\n";
constexpr char kTest[] =
    "SessionId\tItemId\tTime\n9\tA\t400\n9\tB\t401\n9\tC\t402\n"
    "8\tC\t500\n8\tA\t501\n8\tQ\t502\n";

TEST_F(RunSessionEvalTest, PopularityAndSessionRulesByHand) {
  options_.train_path = Write("train.txt", kTrain);
  options_.test_path = Write("test.txt", kTest);
  // Popularity at K = 2 always says [A, C]: B miss, C rank 2, A rank 1, Q miss.
  options_.family = "popularity";
  ASSERT_OK_AND_ASSIGN(SessionEvalReport pop, RunSessionEval(options_, families_));
  EXPECT_DOUBLE_EQ(pop.hr, 0.5);
  EXPECT_DOUBLE_EQ(pop.mrr, 1.5 / 4);
  EXPECT_EQ(pop.predictions, 4);
  EXPECT_EQ(pop.sessions, 2);
  EXPECT_EQ(pop.targets_not_in_train, 1);
  EXPECT_EQ(pop.predictions_not_ready, 0);
  EXPECT_EQ(pop.train_sessions, 3);
  EXPECT_EQ(pop.train_clicks, 8);
  EXPECT_EQ(pop.test_clicks, 6);
  EXPECT_EQ(pop.num_items, 3);
  EXPECT_DOUBLE_EQ(pop.coverage, 2.0 / 3);
  EXPECT_EQ(pop.model, "popularity");
  EXPECT_FALSE(pop.split);
  // session_rules: after A [B, A], after B [C, A], after C [A, C] (tie by index): B, C and A at
  // rank 1, Q a miss.
  options_.family = "session_rules";
  ASSERT_OK_AND_ASSIGN(SessionEvalReport sr, RunSessionEval(options_, families_));
  EXPECT_DOUBLE_EQ(sr.hr, 0.75);
  EXPECT_DOUBLE_EQ(sr.mrr, 0.75);
  EXPECT_DOUBLE_EQ(sr.coverage, 1.0);
  const std::string json = SessionEvalReportToJson(sr);
  EXPECT_THAT(json, HasSubstr("{\"protocol\":\"session\",\"model\":\"session_rules\",\"k\":2,"
                              "\"hr\":0.750000,\"mrr\":0.750000,"));
  EXPECT_THAT(json, HasSubstr("\"predictions\":4,\"sessions\":2,\"predictions_not_ready\":0,"
                              "\"targets_not_in_train\":1,\"train_sessions\":3,"
                              "\"train_clicks\":8,\"test_clicks\":6,\"num_items\":3}"));
  EXPECT_THAT(json, ::testing::Not(HasSubstr("split")));
}

TEST_F(RunSessionEvalTest, DigineticaFileSplitByDays) {
  // Session 3 has length 1; session 4's lines are out of timeframe order (10 then 11).
  // Last day 2016-05-03, 1 test day: train 1 and 2 (10 -> 11 twice), test 4 = [10, 11].
  options_.train_path = Write("d.csv",
                              "session_id;user_id;item_id;timeframe;eventdate\n"
                              "1;NA;10;0;2016-05-01\n1;NA;11;500;2016-05-01\n"
                              "2;NA;10;0;2016-05-02\n2;NA;11;10;2016-05-02\n"
                              "3;NA;12;0;2016-05-03\n"
                              "4;5;11;30;2016-05-03\n4;5;10;20;2016-05-03");
  options_.split.test_days = 1;
  options_.split.min_item_support = 1;
  options_.family = "session_rules";
  ASSERT_OK_AND_ASSIGN(SessionEvalReport r, RunSessionEval(options_, families_));
  EXPECT_EQ(r.predictions, 1);
  EXPECT_DOUBLE_EQ(r.hr, 1.0);
  EXPECT_DOUBLE_EQ(r.mrr, 1.0);
  EXPECT_EQ(r.train_sessions, 2);
  EXPECT_EQ(r.num_items, 2);
  EXPECT_TRUE(r.split);
  EXPECT_EQ(r.split_stats.sessions_read, 4);
  EXPECT_EQ(r.split_stats.sessions_length_one, 1);
  EXPECT_THAT(SessionEvalReportToJson(r),
              HasSubstr(",\"split\":{\"test_days\":1,\"min_item_support\":1,\"sessions_read\":4,"
                        "\"sessions_length_one\":1,"));
}

TEST_F(RunSessionEvalTest, Errors) {
  options_.train_path = Write("train.txt", kTrain);
  options_.test_path = Write("test.txt", kTest);
  options_.family = "nope";
  EXPECT_THAT(RunSessionEval(options_, families_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown model family")));
  options_.family = "session_rules";
  options_.params = models::ModelParams(std::map<std::string, std::string>{{"window", "0"}});
  EXPECT_THAT(RunSessionEval(options_, families_), StatusIs(absl::StatusCode::kInvalidArgument));
  options_.params = models::ModelParams();
  options_.k = 0;
  EXPECT_THAT(RunSessionEval(options_, families_), StatusIs(absl::StatusCode::kInvalidArgument));
  options_.k = 20;
  options_.test_path = Write("bad.txt", "SessionId\tItemId\tTime\n1\tA\n");
  EXPECT_THAT(RunSessionEval(options_, families_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad.txt:2:")));
  options_.test_path = (tmp_.path() / "missing.txt").string();
  EXPECT_THAT(RunSessionEval(options_, families_), StatusIs(absl::StatusCode::kNotFound));
  // Splitting kTrain: no item has the default support of 5 clicks.
  options_.test_path.clear();
  EXPECT_THAT(RunSessionEval(options_, families_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no session is left")));
  // With support 1: all three sessions are on 1970-01-01, within the last 7 days.
  options_.split.min_item_support = 1;
  EXPECT_THAT(
      RunSessionEval(options_, families_),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leaves no train session (all 3")));
}

}  // namespace
}  // namespace recplat::eval
