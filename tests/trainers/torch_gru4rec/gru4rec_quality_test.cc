// Next-click quality of the `gru4rec` family on the shared session datasets (LABELS slow;
// skipped when a dataset is missing), through core/eval's session protocol (the one of
// `recplat eval --protocol session`, quality-baselines.md §6): next click at every position of
// every test session, full ranking over the train items, HR@20 and MRR@20, beside popularity
// and the successor rule (session_rules). Figures are in docs/gru4rec.md.
//
//   rsc15-100k: train on _train_full, test on _test.
//   diginetica-sample: SR-GNN preprocessing, the last 7 days are the test set.
//
// RECPLAT_GRU4REC_PARAMS="key=value,key=value" overrides params, and
// RECPLAT_GRU4REC_SPLIT=valid trains rsc15 on _train_tr and tests on _train_valid (the split the
// defaults were tuned on); both for tuning runs only.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/str_split.h"
#include "core/eval/session_eval.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"
#include "trainers/torch_gru4rec/gru4rec_family.h"

namespace recplat::gru4rec {
namespace {

std::map<std::string, std::string> Gru4RecParams() {
  // Each "user" of these files is a session already.
  std::map<std::string, std::string> params = {{"session_gap_minutes", "0"}};
  if (const char* env = std::getenv("RECPLAT_GRU4REC_PARAMS")) {
    for (absl::string_view kv : absl::StrSplit(env, ',', absl::SkipEmpty())) {
      std::vector<std::string> parts = absl::StrSplit(kv, absl::MaxSplits('=', 1));
      if (parts.size() == 2) params[parts[0]] = parts[1];
    }
  }
  return params;
}

class Gru4RecQualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(models::RegisterBuiltinFamilies(&families_));
    ASSERT_OK(RegisterGru4RecFamily(&families_));
  }

  absl::StatusOr<eval::SessionEvalReport> Run(const std::string& train, const std::string& test,
                                              const std::string& family,
                                              std::map<std::string, std::string> params = {}) {
    eval::SessionEvalOptions o;
    o.train_path = train;
    o.test_path = test;
    o.split.test_days = 7;
    o.family = family;
    o.params = models::ModelParams(std::move(params));
    o.k = 20;
    absl::StatusOr<eval::SessionEvalReport> r = eval::RunSessionEval(o, families_);
    if (r.ok()) std::printf("%s\n", eval::SessionEvalReportToJson(*r).c_str());
    return r;
  }

  models::ModelFamilyRegistry families_;
};

TEST_F(Gru4RecQualityTest, Rsc15BeatsPopularityByFar) {
  const char* split_env = std::getenv("RECPLAT_GRU4REC_SPLIT");
  const bool valid = split_env != nullptr && std::string(split_env) == "valid";
  const std::string prefix = "rsc15-yoochoose-100k-sample/yoochoose-clicks-100k_";
  const auto train =
      recplat::testing::DatasetPath(prefix + (valid ? "train_tr.txt" : "train_full.txt"));
  const auto test = recplat::testing::DatasetPath(prefix + (valid ? "train_valid.txt" : "test.txt"));
  if (train.empty() || test.empty()) {
    GTEST_SKIP() << "rsc15-yoochoose-100k-sample not found under "
                 << recplat::testing::DatasetsDir() << " (set RECPLAT_DATASETS)";
  }
  ASSERT_OK_AND_ASSIGN(eval::SessionEvalReport pop, Run(train.string(), test.string(), "popularity"));
  ASSERT_OK_AND_ASSIGN(eval::SessionEvalReport rules, Run(train.string(), test.string(), "session_rules"));
  ASSERT_OK_AND_ASSIGN(eval::SessionEvalReport gru, Run(train.string(), test.string(), "gru4rec", Gru4RecParams()));
  if (!valid) {
    // quality-baselines.md §6d: 10,152 predictions; popularity 0.0894 / 0.0264.
    EXPECT_EQ(gru.predictions, 10152);
    EXPECT_NEAR(pop.hr, 0.0894, 0.0005);
  }
  EXPECT_EQ(gru.predictions_not_ready, 0);
  EXPECT_GT(gru.hr, 0.3);
  EXPECT_GT(gru.mrr, 3 * pop.mrr);
  std::printf("gru4rec HR@20 %.4f MRR@20 %.4f | popularity %.4f %.4f | session_rules %.4f %.4f\n",
              gru.hr, gru.mrr, pop.hr, pop.mrr, rules.hr, rules.mrr);
}

TEST_F(Gru4RecQualityTest, DigineticaBeatsPopularity) {
  const auto path = recplat::testing::DatasetPath("diginetica-sample/sample_train-item-views.csv");
  if (path.empty()) {
    GTEST_SKIP() << "diginetica-sample not found under " << recplat::testing::DatasetsDir();
  }
  ASSERT_OK_AND_ASSIGN(eval::SessionEvalReport pop, Run(path.string(), "", "popularity"));
  ASSERT_OK_AND_ASSIGN(eval::SessionEvalReport rules, Run(path.string(), "", "session_rules"));
  ASSERT_OK_AND_ASSIGN(eval::SessionEvalReport gru, Run(path.string(), "", "gru4rec", Gru4RecParams()));
  EXPECT_GT(gru.hr, 2 * pop.hr);
  std::printf("gru4rec HR@20 %.4f MRR@20 %.4f | popularity %.4f %.4f | session_rules %.4f %.4f\n",
              gru.hr, gru.mrr, pop.hr, pop.mrr, rules.hr, rules.mrr);
}

}  // namespace
}  // namespace recplat::gru4rec
