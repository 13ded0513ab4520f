// ModelParams getters and errors, CheckKnown, and the family registry.
#include <map>
#include <string>

#include "core/models/model_family.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::models {
namespace {

using ::recplat::testing::IsOk;
using ::recplat::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ModelParams Params(std::map<std::string, std::string> m) { return ModelParams(std::move(m)); }

TEST(ModelParamsTest, AbsentKeysGiveDefaults) {
  ModelParams p;
  EXPECT_EQ(p.GetDouble("x", 2.5).value(), 2.5);
  EXPECT_EQ(p.GetInt("x", 7).value(), 7);
  EXPECT_EQ(p.GetBool("x", true).value(), true);
  EXPECT_EQ(p.GetString("x", "dflt"), "dflt");
}

TEST(ModelParamsTest, ParsesValues) {
  ModelParams p = Params({{"d", "0.25"}, {"i", "-12"}, {"b", "false"}, {"b2", "1"}, {"s", "w"}});
  EXPECT_EQ(p.GetDouble("d", 0).value(), 0.25);
  EXPECT_EQ(p.GetInt("i", 0).value(), -12);
  EXPECT_EQ(p.GetBool("b", true).value(), false);
  EXPECT_EQ(p.GetBool("b2", false).value(), true);
  EXPECT_EQ(p.GetString("s", ""), "w");
}

TEST(ModelParamsTest, BadValuesNameKeyAndValue) {
  ModelParams p = Params({{"d", "abc"}, {"i", "1.5"}, {"b", "maybe"}, {"n", "nan"}});
  EXPECT_THAT(p.GetDouble("d", 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                            AllOf(HasSubstr("'d'"), HasSubstr("'abc'"))));
  EXPECT_THAT(p.GetInt("i", 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                         AllOf(HasSubstr("'i'"), HasSubstr("'1.5'"))));
  EXPECT_THAT(p.GetBool("b", false), StatusIs(absl::StatusCode::kInvalidArgument,
                                              AllOf(HasSubstr("'b'"), HasSubstr("'maybe'"))));
  EXPECT_THAT(p.GetDouble("n", 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'n'")));
}

TEST(ModelParamsTest, RangeIsChecked) {
  ModelParams p = Params({{"d", "-1"}, {"i", "0"}});
  EXPECT_THAT(p.GetDouble("d", 0, 0.0), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 AllOf(HasSubstr("'d'"), HasSubstr("range"))));
  EXPECT_THAT(p.GetDouble("d", 0, -1.0, 0.0), IsOk());
  EXPECT_THAT(p.GetInt("i", 5, 1, 10), StatusIs(absl::StatusCode::kInvalidArgument,
                                                AllOf(HasSubstr("'i'"), HasSubstr("range"))));
  EXPECT_EQ(p.GetInt("i", 5, 0, 10).value(), 0);
}

TEST(ModelParamsTest, CheckKnownNamesTheUnknownKey) {
  ModelParams p = Params({{"neighbours", "10"}, {"shrink", "1"}});
  EXPECT_THAT(p.CheckKnown({"neighbors", "shrink"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'neighbours'")));
  EXPECT_THAT(p.CheckKnown({"neighbours", "shrink"}), IsOk());
  EXPECT_THAT(ModelParams().CheckKnown({}), IsOk());
  EXPECT_THAT(p.CheckKnown({}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ModelFamilyRegistryTest, RegistersBuiltinsOnce) {
  ModelFamilyRegistry registry;
  ASSERT_THAT(RegisterBuiltinFamilies(&registry), IsOk());
  EXPECT_THAT(registry.Names(), ElementsAre("catalog_order", "item_knn", "popularity", "random",
                                            "recent", "session_rules", "weighted_random"));
  ASSERT_NE(registry.Find("popularity"), nullptr);
  EXPECT_EQ(registry.Find("popularity")->name(), "popularity");
  EXPECT_TRUE(registry.Find("popularity")->trainable());
  EXPECT_TRUE(registry.Find("item_knn")->trainable());
  EXPECT_FALSE(registry.Find("random")->trainable());
  EXPECT_FALSE(registry.Find("recent")->trainable());
  EXPECT_EQ(registry.Find("ease"), nullptr);
  EXPECT_THAT(RegisterBuiltinFamilies(&registry), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(ModelFamilyRegistryTest, ValidateParamsRejectsTyposAndRanges) {
  ModelFamilyRegistry registry;
  ASSERT_THAT(RegisterBuiltinFamilies(&registry), IsOk());
  EXPECT_THAT(registry.Find("random")->ValidateParams(Params({{"x", "1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'x'")));
  EXPECT_THAT(registry.Find("recent")->ValidateParams(Params({{"max_age_hours", "-2"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_age_hours")));
  EXPECT_THAT(registry.Find("popularity")->ValidateParams(Params({{"half_life_hours", "x"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("half_life_hours")));
  EXPECT_THAT(registry.Find("item_knn")->ValidateParams(Params({{"neighbors", "0"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("neighbors")));
  EXPECT_THAT(registry.Find("item_knn")->ValidateParams(Params({{"weighting", "tfidf"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tfidf")));
  EXPECT_THAT(registry.Find("item_knn")
                  ->ValidateParams(Params({{"neighbors", "20"},
                                           {"shrink", "0"},
                                           {"weighting", "weighted"},
                                           {"history_decay", "0.9"},
                                           {"max_history", "50"},
                                           {"threads", "2"}})),
              IsOk());
}

}  // namespace
}  // namespace recplat::models
