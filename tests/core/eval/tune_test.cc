// The validation carve, the candidate generators and RunTune: the tuner reads the train file
// and nothing else, the same seed gives the same trials, successive halving promotes by rung,
// the time budget stops the search, and bad input is a clear INVALID_ARGUMENT.
#include "core/eval/tune.h"

#include <fstream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/common/random.h"
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
using ::testing::Not;

// Two planted taste groups: users 0..39 pick 8 of items a0..a19, users 40..79 8 of b0..b19.
std::string PlantedTrainFile() {
  common::Rng rng(7);
  std::string text;
  for (int u = 0; u < 80; ++u) {
    const char group = u < 40 ? 'a' : 'b';
    std::set<int> items;
    while (items.size() < 8) items.insert(static_cast<int>(rng.Uniform(20)));
    absl::StrAppend(&text, "u", u);
    for (int i : items) absl::StrAppend(&text, " ", std::string(1, group), i);
    text += "\n";
  }
  return text;
}

TEST(CarveValidationTest, HoldsOutAShareOfEachUsersItemsReproducibly) {
  ASSERT_OK_AND_ASSIGN(InteractionFile train,
                       ParseInteractions("u a b c d e f g h i j\nv a b\nw a\n", "t"));
  ASSERT_OK_AND_ASSIGN(HoldoutSplit s, CarveValidation(train, {.fraction = 0.2, .seed = 1}));
  EXPECT_EQ(s.validation_users, 2);  // w has one item and keeps it.
  std::map<std::string, int> held;
  for (const RawInteraction& x : s.validation.interactions) ++held[x.user];
  EXPECT_EQ(held["u"], 2);  // round(0.2 * 10)
  EXPECT_EQ(held["v"], 1);  // at least one, at most all but one
  EXPECT_EQ(held.count("w"), 0u);
  EXPECT_EQ(s.fit.interactions.size() + s.validation.interactions.size(), 13u);
  ASSERT_OK_AND_ASSIGN(HoldoutSplit again, CarveValidation(train, {.fraction = 0.2, .seed = 1}));
  ASSERT_EQ(again.validation.interactions.size(), s.validation.interactions.size());
  for (size_t i = 0; i < s.validation.interactions.size(); ++i) {
    EXPECT_EQ(again.validation.interactions[i].item, s.validation.interactions[i].item);
  }
  // Another seed holds out other items for at least one of 20 draws.
  bool differs = false;
  for (uint64_t seed = 2; seed < 22 && !differs; ++seed) {
    ASSERT_OK_AND_ASSIGN(HoldoutSplit o, CarveValidation(train, {.fraction = 0.2, .seed = seed}));
    differs = o.validation.interactions[0].item != s.validation.interactions[0].item;
  }
  EXPECT_TRUE(differs);
}

TEST(CarveValidationTest, RejectsBadFractionsAndSingleItemUsers) {
  ASSERT_OK_AND_ASSIGN(InteractionFile train, ParseInteractions("u a\nv b\n", "t"));
  EXPECT_THAT(CarveValidation(train, {.fraction = 0.2}).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("two distinct items")));
  EXPECT_THAT(CarveValidation(train, {.fraction = 1.0}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(0, 1)")));
}

models::SearchSpace TwoBy3Space() {
  models::SearchSpace space;
  space.dimensions.push_back({.name = "a", .scale = models::ParamDimension::Scale::kLog,
                              .min = 1, .max = 1000, .grid = {"1", "10"}});
  space.dimensions.push_back({.name = "b", .scale = models::ParamDimension::Scale::kLinear,
                              .min = 2, .max = 5, .integer = true, .grid = {"x", "y", "z"}});
  space.fixed = {{"f", "on"}};
  return space;
}

TEST(ParamSearchTest, GridRandomAndHalvingSchedules) {
  const models::SearchSpace space = TwoBy3Space();
  ASSERT_OK(CheckSearchSpace(space));
  EXPECT_EQ(GridSize(space), 6u);
  const std::vector<ParamSet> grid = GridParams(space);
  ASSERT_EQ(grid.size(), 6u);
  EXPECT_EQ(grid[0], (ParamSet{{"a", "1"}, {"b", "x"}, {"f", "on"}}));
  EXPECT_EQ(grid[5], (ParamSet{{"a", "10"}, {"b", "z"}, {"f", "on"}}));
  common::Rng rng(3);
  common::Rng same(3);
  for (int i = 0; i < 50; ++i) {
    const ParamSet p = RandomParams(space, rng);
    EXPECT_EQ(p, RandomParams(space, same));
    double a = 0;
    int64_t b = 0;
    ASSERT_TRUE(absl::SimpleAtod(p.at("a"), &a));
    ASSERT_TRUE(absl::SimpleAtoi(p.at("b"), &b)) << p.at("b");
    EXPECT_GE(a, 0.999);
    EXPECT_LE(a, 1000.5);
    EXPECT_GE(b, 2);
    EXPECT_LE(b, 5);
    EXPECT_EQ(p.at("f"), "on");
  }
  models::SearchSpace budgeted = space;
  budgeted.budget_param = "epochs";
  budgeted.budget_min = 2;
  budgeted.budget_max = 20;
  EXPECT_THAT(HalvingBudgets(budgeted, 3), ElementsAre(2, 6, 18, 20));
  budgeted.budget_min = 0;
  EXPECT_THAT(CheckSearchSpace(budgeted), StatusIs(absl::StatusCode::kInvalidArgument));
  models::SearchSpace bad = space;
  bad.dimensions[0].min = 0;  // log scale
  EXPECT_THAT(CheckSearchSpace(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a'")));
}

TEST(ParamSearchTest, ParamsJsonRoundTripAndErrors) {
  const ParamSet p = {{"l2", "200"}, {"weighting", "binary"}, {"x", "0.125"}};
  const std::string json = ParamSetToJson(p);
  EXPECT_EQ(json, R"({"l2":200,"weighting":"binary","x":0.125})");
  ASSERT_OK_AND_ASSIGN(ParamSet back, ParseParamSetJson(json));
  EXPECT_EQ(back, p);
  ASSERT_OK_AND_ASSIGN(ParamSet b, ParseParamSetJson(R"({"use_value": true})"));
  EXPECT_EQ(b.at("use_value"), "true");
  EXPECT_THAT(ParseParamSetJson("{l2: 1").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not valid JSON")));
  EXPECT_THAT(ParseParamSetJson("[1]").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseParamSetJson(R"({"a": null})").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a'")));
}

// item_knn with a budget param ("epochs", ignored by the fit) so successive halving has
// something to halve; each fit advances the fake clock by one second.
class BudgetedKnnFamily final : public models::ModelFamily {
 public:
  BudgetedKnnFamily(const models::ModelFamily& knn, recplat::testing::FakeClock* clock)
      : knn_(knn), clock_(clock) {}
  absl::string_view name() const override { return "budgeted_knn"; }
  models::SearchSpace TuningSpace() const override {
    models::SearchSpace space = knn_.TuningSpace();
    space.budget_param = "epochs";
    space.budget_min = 1;
    space.budget_max = 9;
    return space;
  }
  absl::Status ValidateParams(const models::ModelParams& params) const override {
    return knn_.ValidateParams(Strip(params));
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override {
    clock_->AdvanceMs(1000);
    return knn_.Fit(data, Strip(params));
  }
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override {
    return knn_.Load(dir, Strip(params));
  }

 private:
  static models::ModelParams Strip(const models::ModelParams& params) {
    std::map<std::string, std::string> v = params.values();
    v.erase("epochs");
    return models::ModelParams(std::move(v));
  }
  const models::ModelFamily& knn_;
  recplat::testing::FakeClock* clock_;
};

class RunTuneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(models::RegisterBuiltinFamilies(&families_));
    ASSERT_OK(families_.Register(
        std::make_unique<BudgetedKnnFamily>(*families_.Find("item_knn"), &clock_)));
    options_.train_path = "planted/train.txt";
    options_.clock = &clock_;
    options_.read_file = [this](const std::string& path) -> absl::StatusOr<std::string> {
      opened_.push_back(path);
      if (path != "planted/train.txt") return absl::NotFoundError(path);
      return PlantedTrainFile();
    };
  }

  absl::StatusOr<std::pair<TuneResult, std::vector<std::string>>> Tune() {
    std::vector<std::string> lines;
    absl::StatusOr<TuneResult> r = RunTune(
        options_, families_, [&](const TrialResult& t) { lines.push_back(TrialToJson(t)); });
    if (!r.ok()) return r.status();
    return std::make_pair(*r, lines);
  }

  recplat::testing::FakeClock clock_;
  models::ModelFamilyRegistry families_;
  TuneOptions options_;
  std::vector<std::string> opened_;
};

TEST_F(RunTuneTest, GridOnTrainOnlyIsReproducible) {
  options_.family = "item_knn";
  ASSERT_OK_AND_ASSIGN(auto first, Tune());
  // The tuner opened the train file once and nothing else: it has no way to a test file.
  EXPECT_THAT(opened_, ElementsAre("planted/train.txt"));
  opened_.clear();
  EXPECT_EQ(first.first.method, SearchMethod::kGrid);
  EXPECT_EQ(first.first.trials, 20);  // 4 neighbors x 5 shrink
  EXPECT_EQ(first.second.size(), 20u);
  EXPECT_EQ(first.first.validation_users, 80);
  // The planted groups are easy: the best item_knn finds held-out items far better than
  // popularity, which ignores them, does on the same validation split.
  options_.family = "popularity";
  ASSERT_OK_AND_ASSIGN(auto pop, Tune());
  EXPECT_GT(first.first.validation_ndcg, 1.3 * pop.first.validation_ndcg)
      << first.first.validation_ndcg << " vs " << pop.first.validation_ndcg;
  options_.family = "item_knn";
  EXPECT_TRUE(first.first.best_params.contains("neighbors"));
  ASSERT_OK_AND_ASSIGN(auto second, Tune());
  EXPECT_EQ(second.second, first.second);
  EXPECT_EQ(TuneResultToJson(second.first, "item_knn"), TuneResultToJson(first.first, "item_knn"));
  EXPECT_THAT(TuneResultToJson(first.first, "knn"),
              HasSubstr(absl::StrCat("{\"model\":\"knn\",\"best_params\":{")));
}

TEST_F(RunTuneTest, RandomSearchDependsOnTheSeed) {
  options_.family = "item_knn";
  options_.method = SearchMethod::kRandom;
  options_.max_trials = 4;
  ASSERT_OK_AND_ASSIGN(auto a, Tune());
  EXPECT_EQ(a.first.trials, 4);
  // The first point is the family's defaults, whatever the seed; the others are random.
  EXPECT_THAT(a.second[0], HasSubstr("\"params\":{}"));
  EXPECT_THAT(a.second[1], Not(HasSubstr("\"params\":{}")));
  options_.seed = 43;
  options_.holdout.seed = 43;
  ASSERT_OK_AND_ASSIGN(auto b, Tune());
  EXPECT_NE(a.second, b.second);
}

TEST_F(RunTuneTest, SuccessiveHalvingPromotesTheBestThird) {
  options_.family = "budgeted_knn";
  options_.method = SearchMethod::kHalving;
  options_.max_trials = 9;
  ASSERT_OK_AND_ASSIGN(auto r, Tune());
  // Rungs at epochs 1, 3, 9 with 9, 3, 1 candidates.
  EXPECT_EQ(r.first.trials, 13);
  EXPECT_EQ(r.first.best_params.at("epochs"), "9");
  EXPECT_THAT(r.second[0], HasSubstr("\"rung\":0,\"budget\":1"));
  // The first candidate is the family's defaults (only the budget set).
  EXPECT_THAT(r.second[0], HasSubstr("\"params\":{\"epochs\":1}"));
  EXPECT_THAT(r.second[1], Not(HasSubstr("\"params\":{\"epochs\":1}")));
  EXPECT_THAT(r.second[9], HasSubstr("\"rung\":1,\"budget\":3"));
  EXPECT_THAT(r.second[12], HasSubstr("\"rung\":2,\"budget\":9"));
  // Auto picks halving for a space larger than max_trials with a budget param.
  options_.method = SearchMethod::kAuto;
  ASSERT_OK_AND_ASSIGN(auto a, Tune());
  EXPECT_EQ(a.first.method, SearchMethod::kHalving);
}

TEST_F(RunTuneTest, FoldsAverageIndependentHoldouts) {
  options_.family = "item_knn";
  options_.method = SearchMethod::kRandom;
  options_.max_trials = 1;
  std::vector<double> single;
  for (uint64_t seed : {42, 43}) {
    options_.holdout.seed = seed;
    ASSERT_OK_AND_ASSIGN(auto r, Tune());
    single.push_back(r.first.validation_ndcg);
  }
  options_.holdout.seed = 42;
  options_.folds = 2;
  ASSERT_OK_AND_ASSIGN(auto both, Tune());
  EXPECT_NEAR(both.first.validation_ndcg, (single[0] + single[1]) / 2, 1e-12);
  options_.folds = 0;
  EXPECT_THAT(Tune().status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("folds")));
}

TEST_F(RunTuneTest, TimeBudgetStopsStartingTrials) {
  options_.family = "budgeted_knn";
  options_.method = SearchMethod::kGrid;
  options_.budget_seconds = 2.5;  // Each fit takes one fake second.
  ASSERT_OK_AND_ASSIGN(auto r, Tune());
  EXPECT_EQ(r.first.trials, 3);
}

TEST_F(RunTuneTest, BadInputIsInvalidArgument) {
  options_.family = "no_such_family";
  EXPECT_THAT(Tune().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown model family")));
  options_.family = "item_knn";
  options_.method = SearchMethod::kHalving;
  EXPECT_THAT(Tune().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no budget param")));
  options_.method = SearchMethod::kGrid;
  options_.base_params = models::ModelParams(std::map<std::string, std::string>{{"neighbours", "5"}});
  EXPECT_THAT(Tune().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("neighbours")));
  options_.base_params = {};
  options_.train_path = "missing.txt";
  EXPECT_THAT(Tune().status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ParseSearchMethod("bayes").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RunTuneTest, PopularityHasNothingToTuneAndRunsOnce) {
  options_.family = "popularity";
  ASSERT_OK_AND_ASSIGN(auto r, Tune());
  EXPECT_EQ(r.first.trials, 1);
  EXPECT_TRUE(r.first.best_params.empty());
}

}  // namespace
}  // namespace recplat::eval
