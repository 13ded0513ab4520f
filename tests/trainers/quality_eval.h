// File: quality_eval.h
//
// FamilyQualityTest: the fixture of the families' dataset quality tests (LABELS slow): RunEval at
// K = 20 with default params on files of the shared datasets (skipped when they are missing),
// with the built-in families and the ones `Register` adds. Prints each report as JSON.
#pragma once

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "core/eval/eval.h"
#include "core/models/model_family.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {

class FamilyQualityTest : public ::testing::Test {
 protected:
  // Registers the family under test.
  virtual absl::Status Register(models::ModelFamilyRegistry* families) = 0;

  void SetUp() override {
    ASSERT_OK(models::RegisterBuiltinFamilies(&families_));
    ASSERT_OK(Register(&families_));
  }

  absl::StatusOr<eval::EvalReport> Run(const std::string& train, const std::string& test,
                                       const std::string& family) {
    eval::EvalOptions o;
    o.train_path = DatasetPath(train).string();
    o.test_path = DatasetPath(test).string();
    o.family = family;
    absl::StatusOr<eval::EvalReport> r = eval::RunEval(o, families_);
    if (r.ok()) std::printf("%s\n", eval::EvalReportToJson(*r).c_str());
    return r;
  }

  static bool Missing(const std::string& a, const std::string& b) {
    return DatasetPath(a).empty() || DatasetPath(b).empty();
  }

  models::ModelFamilyRegistry families_;
};

}  // namespace recplat::testing
