// RunEval end to end on a tiny dataset whose metrics are computed by hand, its errors, and the
// JSON report.
#include "core/eval/eval.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::eval {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Items: x = 0, y = 1, z = 2 (first appearance). Counts: x 3, y 3, z 1.
constexpr char kTrain[] = "a x y\nb x y\nc x z\nd y\n";
// d has train {y} and test {x}; c has train {x, z} and test {w}, an item unseen in train.
constexpr char kTest[] = "d x\nc w\n";

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(models::RegisterBuiltinFamilies(&families_).ok());
    Write("train.txt", kTrain);
    Write("test.txt", kTest);
    options_.train_path = Path("train.txt");
    options_.test_path = Path("test.txt");
    options_.clock = &clock_;
  }
  std::string Path(const std::string& name) const { return (tmp_.path() / name).string(); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(Path(name)) << text;
  }

  recplat::testing::TempDir tmp_;
  recplat::testing::FakeClock clock_;
  models::ModelFamilyRegistry families_;
  EvalOptions options_;
};

TEST_F(EvalTest, PopularityByHand) {
  // Popularity ranks x, y (tie, lower index first), z. Train items are excluded:
  //   d: [x, z]  -> x is the test item at rank 1: Recall 1, NDCG 1, Hit 1, MRR 1.
  //   c: [y]     -> miss (w was never trained on): all 0.
  // Averages over the 2 users: 0.5 each. Coverage: x, z, y recommended = 3/3.
  options_.family = "popularity";
  options_.k = 2;
  ASSERT_OK_AND_ASSIGN(EvalReport r, RunEval(options_, families_));
  EXPECT_DOUBLE_EQ(r.recall, 0.5);
  EXPECT_DOUBLE_EQ(r.ndcg, 0.5);
  EXPECT_DOUBLE_EQ(r.hit_rate, 0.5);
  EXPECT_DOUBLE_EQ(r.mrr, 0.5);
  EXPECT_DOUBLE_EQ(r.coverage, 1.0);
  EXPECT_EQ(r.k, 2);
  EXPECT_EQ(r.users_evaluated, 2);
  EXPECT_EQ(r.users_not_ready, 0);
  EXPECT_EQ(r.train_interactions, 7);
  EXPECT_EQ(r.test_interactions, 2);
  EXPECT_EQ(r.num_items, 3);
  EXPECT_EQ(r.num_users, 4);
  EXPECT_EQ(r.model, "popularity");
  // The injected clock did not move.
  EXPECT_EQ(r.fit_seconds, 0.0);
  EXPECT_EQ(r.score_seconds, 0.0);
  // K = 1: d gets [x] (hit), c gets [y]: same averages, coverage 2/3.
  options_.k = 1;
  ASSERT_OK_AND_ASSIGN(EvalReport r1, RunEval(options_, families_));
  EXPECT_DOUBLE_EQ(r1.recall, 0.5);
  EXPECT_NEAR(r1.coverage, 2.0 / 3.0, 1e-12);
}

TEST_F(EvalTest, ItemKnnByHand) {
  // d's history {y}: only x co-occurs with y (users a, b) -> [x], a hit.
  // c's history {z, x}: their neighbours outside c's items are only y -> [y], a miss.
  // Coverage: x and y = 2/3.
  options_.family = "item_knn";
  options_.k = 5;
  ASSERT_OK_AND_ASSIGN(EvalReport r, RunEval(options_, families_));
  EXPECT_DOUBLE_EQ(r.recall, 0.5);
  EXPECT_DOUBLE_EQ(r.ndcg, 0.5);
  EXPECT_DOUBLE_EQ(r.mrr, 0.5);
  EXPECT_NEAR(r.coverage, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(r.users_not_ready, 0);
}

TEST_F(EvalTest, UsersWithoutHistoryAreCountedAsNotReady) {
  // e is unknown in train: item_knn is not ready for it (0 metrics), popularity is.
  Write("test2.txt", "d x\ne x\n");
  options_.test_path = Path("test2.txt");
  options_.family = "item_knn";
  ASSERT_OK_AND_ASSIGN(EvalReport knn, RunEval(options_, families_));
  EXPECT_EQ(knn.users_evaluated, 2);
  EXPECT_EQ(knn.users_not_ready, 1);
  EXPECT_DOUBLE_EQ(knn.hit_rate, 0.5);
  options_.family = "popularity";
  ASSERT_OK_AND_ASSIGN(EvalReport pop, RunEval(options_, families_));
  EXPECT_EQ(pop.users_not_ready, 0);
  EXPECT_DOUBLE_EQ(pop.hit_rate, 1.0);  // x is the most popular item.
}

TEST_F(EvalTest, ThreadCountDoesNotChangeTheFigures) {
  std::string train;
  std::string test;
  for (int u = 0; u < 300; ++u) {
    absl::StrAppend(&train, "u", u);
    for (int k = 0; k < 8; ++k) {
      absl::StrAppend(&train, " i", (u * 3 + k * k) % 97);
    }
    absl::StrAppend(&train, "\n");
    absl::StrAppend(&test, "u", u, " i", (u * 5 + 1) % 97, "\n");
  }
  Write("big_train.txt", train);
  Write("big_test.txt", test);
  options_.train_path = Path("big_train.txt");
  options_.test_path = Path("big_test.txt");
  options_.family = "item_knn";
  options_.k = 10;
  options_.threads = 1;
  ASSERT_OK_AND_ASSIGN(EvalReport one, RunEval(options_, families_));
  options_.threads = 3;
  ASSERT_OK_AND_ASSIGN(EvalReport three, RunEval(options_, families_));
  EXPECT_GT(one.hit_rate, 0.0);
  EXPECT_DOUBLE_EQ(one.recall, three.recall);
  EXPECT_DOUBLE_EQ(one.ndcg, three.ndcg);
  EXPECT_DOUBLE_EQ(one.mrr, three.mrr);
  EXPECT_DOUBLE_EQ(one.coverage, three.coverage);
}

TEST_F(EvalTest, Errors) {
  options_.family = "ease";
  EXPECT_THAT(RunEval(options_, families_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("'ease'"), HasSubstr("popularity"))));
  options_.family = "popularity";
  options_.k = 0;
  EXPECT_THAT(RunEval(options_, families_), StatusIs(absl::StatusCode::kInvalidArgument));
  options_.k = 20;
  options_.params = models::ModelParams(std::map<std::string, std::string>{{"bogus", "1"}});
  EXPECT_THAT(RunEval(options_, families_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'bogus'")));
  options_.params = models::ModelParams();
  options_.event_type_weights = {{"click", 2.0}};
  EXPECT_THAT(RunEval(options_, families_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'click'")));
  options_.event_type_weights.clear();
  Write("bad.tsv", "1\t2\t3\t4\n1\t2\n");
  options_.train_path = Path("bad.tsv");
  EXPECT_THAT(RunEval(options_, families_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad.tsv:2:")));
  options_.train_path = Path("absent.txt");
  EXPECT_THAT(RunEval(options_, families_), StatusIs(absl::StatusCode::kNotFound));
  Write("empty.txt", "");
  options_.train_path = Path("train.txt");
  options_.test_path = Path("empty.txt");
  EXPECT_THAT(RunEval(options_, families_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty.txt")));
}

TEST(EvalReportToJsonTest, OneObjectWithEveryField) {
  EvalReport r;
  r.model = "knn \"v2\"";
  r.k = 20;
  r.recall = 0.25;
  r.ndcg = 0.125;
  r.hit_rate = 1;
  r.mrr = 0.5;
  r.coverage = 0.75;
  r.fit_seconds = 1.5;
  r.score_seconds = 0.25;
  r.users_evaluated = 3;
  r.users_not_ready = 1;
  r.train_interactions = 10;
  r.test_interactions = 4;
  r.num_items = 5;
  r.num_users = 6;
  EXPECT_EQ(EvalReportToJson(r),
            "{\"model\":\"knn \\\"v2\\\"\",\"k\":20,\"recall\":0.250000,\"ndcg\":0.125000,"
            "\"hit_rate\":1.000000,\"mrr\":0.500000,\"coverage\":0.750000,\"fit_seconds\":1.5000,"
            "\"score_seconds\":0.2500,\"users_evaluated\":3,\"users_not_ready\":1,"
            "\"train_interactions\":10,\"test_interactions\":4,\"num_items\":5,\"num_users\":6}");
}

}  // namespace
}  // namespace recplat::eval

namespace recplat::eval {
namespace {

// Metrics are summed in user order, so a report does not depend on the thread count or on how
// the threads happened to share the users (bitwise equal doubles).
TEST(EvalReproducibilityTest, SameReportForAnyThreadCount) {
  recplat::testing::TempDir tmp;
  std::string train, test;
  for (int u = 0; u < 300; ++u) {
    absl::StrAppend(&train, "u", u);
    for (int k = 0; k < 6; ++k) absl::StrAppend(&train, " i", (u * 7 + k * 13) % 50);
    absl::StrAppend(&train, "\n");
    absl::StrAppend(&test, "u", u, " i", (u * 11) % 50, " i", (u * 3 + 1) % 50, "\n");
  }
  std::ofstream(tmp.path() / "train.txt") << train;
  std::ofstream(tmp.path() / "test.txt") << test;
  models::ModelFamilyRegistry families;
  ASSERT_TRUE(models::RegisterBuiltinFamilies(&families).ok());
  EvalOptions o;
  o.train_path = (tmp.path() / "train.txt").string();
  o.test_path = (tmp.path() / "test.txt").string();
  o.family = "item_knn";
  o.threads = 1;
  ASSERT_OK_AND_ASSIGN(EvalReport one, RunEval(o, families));
  for (int threads : {2, 5, 8}) {
    o.threads = threads;
    ASSERT_OK_AND_ASSIGN(EvalReport many, RunEval(o, families));
    EXPECT_EQ(many.ndcg, one.ndcg) << threads;
    EXPECT_EQ(many.recall, one.recall) << threads;
    EXPECT_EQ(many.mrr, one.mrr) << threads;
  }
  EXPECT_GT(one.ndcg, 0.0);
}

}  // namespace
}  // namespace recplat::eval
