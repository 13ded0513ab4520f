// `recplat tune` and `recplat eval --params` on the real binary: JSON lines out, the best params
// feed eval, the same seed gives the same trials, bad input exits 2 with a clear message, and
// tune takes no test file at all.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/test_env.h"

namespace recplat {
namespace {

using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::vector<std::string> lines;  // stdout
  std::string err;
};

class TuneCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string train;
    for (int u = 0; u < 40; ++u) {  // Two taste groups of 10 items; 6 items per user.
      absl::StrAppend(&train, "u", u);
      for (int k = 0; k < 6; ++k) absl::StrAppend(&train, " ", u % 2 ? "a" : "b", (u * 7 + k * 3) % 10);
      train += "\n";
    }
    std::ofstream(Path("train.txt")) << train;
    std::ofstream(Path("test.txt")) << "u0 b9\nu1 a9\nu2 b8\n";
  }
  std::string Path(const std::string& name) { return (tmp_.path() / name).string(); }

  CliRun Recplat(const std::string& args) {
    const std::string bin = (recplat::testing::BinaryDir() / "apps/recplat/recplat").string();
    const std::string cmd = absl::StrCat(bin, " ", args, " >", Path("out"), " 2>", Path("err"));
    CliRun r;
    const int status = std::system(cmd.c_str());
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream out(Path("out"));
    for (std::string line; std::getline(out, line);) r.lines.push_back(line);
    std::stringstream err;
    err << std::ifstream(Path("err")).rdbuf();
    r.err = err.str();
    return r;
  }

  recplat::testing::TempDir tmp_;
};

// Trial lines without their timings.
std::vector<std::string> WithoutTimes(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    nlohmann::json j = nlohmann::json::parse(line);
    j.erase("fit_seconds");
    j.erase("score_seconds");
    out.push_back(j.dump());
  }
  return out;
}

TEST_F(TuneCliTest, TuneThenEvalWithTheBestParams) {
  const CliRun tune = Recplat(absl::StrCat("tune --train ", Path("train.txt"), " --model item_knn"));
  ASSERT_EQ(tune.exit_code, 0) << tune.err;
  ASSERT_EQ(tune.lines.size(), 21u);  // 20 grid trials, then the result.
  for (size_t i = 0; i + 1 < tune.lines.size(); ++i) {
    const nlohmann::json t = nlohmann::json::parse(tune.lines[i]);
    EXPECT_EQ(t["trial"], i);
    EXPECT_TRUE(t["params"].is_object());
    EXPECT_TRUE(t["validation_ndcg"].is_number());
  }
  const nlohmann::json last = nlohmann::json::parse(tune.lines.back());
  EXPECT_EQ(last.size(), 3u);
  EXPECT_EQ(last["model"], "item_knn");
  EXPECT_TRUE(last["validation_ndcg"].is_number());
  ASSERT_TRUE(last["best_params"].contains("neighbors"));

  const CliRun eval = Recplat(absl::StrCat("eval --train ", Path("train.txt"), " --test ",
                                        Path("test.txt"), " --model item_knn --params '",
                                        last["best_params"].dump(), "'"));
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  ASSERT_EQ(eval.lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(eval.lines[0])["users_evaluated"], 3);

  const CliRun again =
      Recplat(absl::StrCat("tune --train ", Path("train.txt"), " --model item_knn --seed 42"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(WithoutTimes(again.lines), WithoutTimes(tune.lines));
}

// `recplat tune --model blend` without components chooses them itself (blend_tune.h); the
// printed best_params feed `recplat eval --model blend` as they are, and a second run with the
// same seed makes the same trials and the same choice.
TEST_F(TuneCliTest, BlindBlendChoiceFeedsEval) {
  const std::string args = absl::StrCat("tune --train ", Path("train.txt"),
                                        " --model blend --blend-candidates popularity,item_knn,ease"
                                        " --blend-trials 2");
  const CliRun tune = Recplat(args);
  ASSERT_EQ(tune.exit_code, 0) << tune.err;
  ASSERT_GE(tune.lines.size(), 3u);
  for (size_t i = 0; i + 1 < tune.lines.size(); ++i) {
    const nlohmann::json t = nlohmann::json::parse(tune.lines[i]);
    EXPECT_EQ(t["trial"], i);
    EXPECT_TRUE(t["family"].is_string());
  }
  const nlohmann::json last = nlohmann::json::parse(tune.lines.back());
  EXPECT_EQ(last["model"], "blend");
  ASSERT_TRUE(last["best_params"]["components"].is_string());
  EXPECT_EQ(last["best_params"].size(), 1u);
  EXPECT_THAT(tune.err, HasSubstr("chosen components: "));

  const CliRun eval = Recplat(absl::StrCat("eval --train ", Path("train.txt"), " --test ",
                                           Path("test.txt"), " --model blend --params '",
                                           last["best_params"].dump(), "'"));
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_EQ(nlohmann::json::parse(eval.lines[0])["users_evaluated"], 3);

  const CliRun again = Recplat(args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(WithoutTimes(again.lines), WithoutTimes(tune.lines));
}

TEST_F(TuneCliTest, BadInputExitsTwo) {
  const CliRun bad_json = Recplat(absl::StrCat("eval --train ", Path("train.txt"), " --test ",
                                            Path("test.txt"), " --model ease --params '{l2'"));
  EXPECT_EQ(bad_json.exit_code, 2);
  EXPECT_THAT(bad_json.err, HasSubstr("--params"));
  const CliRun bad_param = Recplat(absl::StrCat("eval --train ", Path("train.txt"), " --test ",
                                             Path("test.txt"), " --model ease --params '{\"l3\":1}'"));
  EXPECT_EQ(bad_param.exit_code, 2);
  EXPECT_THAT(bad_param.err, HasSubstr("l3"));
  const CliRun unknown = Recplat(absl::StrCat("tune --train ", Path("train.txt"), " --model nope"));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("neither a configured model nor a family"));
  const CliRun halving = Recplat(
      absl::StrCat("tune --train ", Path("train.txt"), " --model ease --search halving"));
  EXPECT_EQ(halving.exit_code, 2);
  EXPECT_THAT(halving.err, HasSubstr("no budget param"));
  const CliRun range = Recplat(absl::StrCat("tune --train ", Path("train.txt"),
                                         " --model ease --holdout 1.5"));
  EXPECT_NE(range.exit_code, 0);
  // There is no way to hand tune a test file.
  const CliRun with_test = Recplat(absl::StrCat("tune --train ", Path("train.txt"), " --test ",
                                             Path("test.txt"), " --model ease"));
  EXPECT_NE(with_test.exit_code, 0);
  EXPECT_THAT(with_test.err, HasSubstr("--test"));
}

}  // namespace
}  // namespace recplat
