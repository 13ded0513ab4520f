// The blind choice of a blend's components by `recplat tune --model blend` (core/eval/blend_tune.h)
// on a small synthetic dataset: it reads the training file once and nothing else, picks at most
// one family per kind, is reproducible for a fixed seed, and its best_params are accepted by
// `recplat eval` (RunEval), whose blend then beats popularity on the held-back test file.
#include "core/eval/blend_tune.h"

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/common/random.h"
#include "core/eval/eval.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/blend/blend_family.h"
#include "trainers/ease/dlae_family.h"
#include "trainers/ease/ease_family.h"

namespace recplat::eval {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Three taste groups of 15 items (g0..g14, h.., k..) and one item everybody has ("top"); user u
// of group u % 3 has 7 train and 2 test items of the group (BARS format lines).
struct Files {
  std::string train;
  std::string test;
};
Files PlantedFiles() {
  common::Rng rng(11);
  Files f;
  for (int u = 0; u < 150; ++u) {
    const char group = "ghk"[u % 3];
    std::vector<int> items(15);
    for (int i = 0; i < 15; ++i) items[i] = i;
    for (int i = 0; i < 9; ++i) std::swap(items[i], items[i + rng.Uniform(15 - i)]);
    absl::StrAppend(&f.train, "u", u, " top");
    for (int i = 0; i < 7; ++i) absl::StrAppend(&f.train, " ", std::string(1, group), items[i]);
    absl::StrAppend(&f.test, "u", u);
    for (int i = 7; i < 9; ++i) absl::StrAppend(&f.test, " ", std::string(1, group), items[i]);
    f.train += "\n";
    f.test += "\n";
  }
  return f;
}

// The families of a blend spec "family:k=v,...;family:...".
std::vector<std::string> SpecFamilies(const std::string& spec) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(spec, ';')) {
    out.emplace_back(part.substr(0, part.find(':')));
  }
  return out;
}

class BlendTuneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(models::RegisterBuiltinFamilies(&families_));
    ASSERT_OK(ease::RegisterEaseFamily(&families_));
    ASSERT_OK(ease::RegisterDlaeFamilies(&families_));
    ASSERT_OK(blend::RegisterBlendFamily(&families_));
    files_ = PlantedFiles();
    options_.train_path = "planted/train.txt";
    options_.family = "blend";
    options_.blend_candidates = {"popularity", "ease", "edlae", "item_knn"};
    options_.blend_candidate_trials = 3;
    options_.clock = &clock_;  // Fit and score seconds print as 0: trial lines compare exactly.
    options_.read_file = [this](const std::string& path) -> absl::StatusOr<std::string> {
      opened_.push_back(path);
      if (path != "planted/train.txt") return absl::NotFoundError(path);
      return files_.train;
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
  Files files_;
  TuneOptions options_;
  std::vector<std::string> opened_;
};

TEST_F(BlendTuneTest, PicksOneFamilyPerKindReproduciblyAndEvalAcceptsTheParams) {
  ASSERT_TRUE(IsBlindBlendTune(options_));
  ASSERT_OK_AND_ASSIGN(auto first, Tune());
  // One read, of the training file: the choice cannot have seen a test file.
  EXPECT_THAT(opened_, ElementsAre("planted/train.txt"));
  const TuneResult& r = first.first;
  EXPECT_EQ(r.family, "blend");
  ASSERT_EQ(r.best_params.size(), 1u);
  const std::string spec = r.best_params.at("components");
  const std::vector<std::string> chosen = SpecFamilies(spec);
  ASSERT_GE(chosen.size(), 1u);
  EXPECT_LE(chosen.size(), 3u);
  std::set<std::string> kinds;
  for (const std::string& f : chosen) {
    EXPECT_THAT(options_.blend_candidates, ::testing::Contains(f));
    EXPECT_TRUE(kinds.insert(std::string(FamilyKind(f))).second) << "two of a kind in " << spec;
  }
  // Every candidate was searched (tagged trials), and the blend of the top two was scored.
  for (const std::string& c : options_.blend_candidates) {
    EXPECT_TRUE(std::any_of(first.second.begin(), first.second.end(), [&](const std::string& l) {
      return l.find(absl::StrCat("\"family\":\"", c, "\"")) != std::string::npos;
    })) << c;
  }
  EXPECT_TRUE(std::any_of(first.second.begin(), first.second.end(), [](const std::string& l) {
    return l.find("\"family\":\"blend\"") != std::string::npos;
  }));
  EXPECT_EQ(r.trials, static_cast<int>(first.second.size()));
  EXPECT_THAT(r.notes.back(), HasSubstr(spec));
  // ease and edlae are one kind: the ranking notes skip the worse of the two.
  EXPECT_TRUE(std::any_of(r.notes.begin(), r.notes.end(), [](const std::string& n) {
    return n.find("a better family of its kind") != std::string::npos;
  }));

  // The same seed gives the same trials and choice.
  ASSERT_OK_AND_ASSIGN(auto second, Tune());
  EXPECT_EQ(second.second, first.second);
  EXPECT_EQ(TuneResultToJson(second.first, "blend"), TuneResultToJson(r, "blend"));

  // `recplat eval --model blend --params '<best_params>'` accepts them; the blend finds the
  // groups, which popularity cannot.
  recplat::testing::TempDir dir;
  std::ofstream(dir.path() / "train.txt") << files_.train;
  std::ofstream(dir.path() / "test.txt") << files_.test;
  // The printed best_params, parsed back as `recplat eval --params` does.
  ASSERT_OK_AND_ASSIGN(ParamSet parsed, ParseParamSetJson(ParamSetToJson(r.best_params)));
  EXPECT_EQ(parsed, r.best_params);
  EvalOptions eval;
  eval.train_path = (dir.path() / "train.txt").string();
  eval.test_path = (dir.path() / "test.txt").string();
  eval.family = "blend";
  eval.params = models::ModelParams(std::map<std::string, std::string>(parsed));
  ASSERT_OK_AND_ASSIGN(EvalReport blended, RunEval(eval, families_));
  eval.family = "popularity";
  eval.params = models::ModelParams();
  ASSERT_OK_AND_ASSIGN(EvalReport pop, RunEval(eval, families_));
  EXPECT_EQ(blended.users_evaluated, 150);
  EXPECT_GT(blended.ndcg, 1.5 * pop.ndcg) << blended.ndcg << " vs " << pop.ndcg;
}

TEST_F(BlendTuneTest, BadCandidatesAreRejected) {
  options_.blend_candidates = {"ease", "no_such_family"};
  EXPECT_THAT(Tune().status(), StatusIs(absl::StatusCode::kInvalidArgument));
  options_.blend_candidates = {"ease", "blend"};
  EXPECT_THAT(Tune().status(), StatusIs(absl::StatusCode::kInvalidArgument));
  options_.blend_candidates = {"ease"};
  EXPECT_THAT(Tune().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least two")));
  EXPECT_TRUE(opened_.empty());  // Rejected before reading anything.
  // A blend given its components is tuned as any family: not the blind rule.
  options_.base_params =
      models::ModelParams(std::map<std::string, std::string>{{"components", "popularity:"}});
  EXPECT_FALSE(IsBlindBlendTune(options_));
}

}  // namespace
}  // namespace recplat::eval
