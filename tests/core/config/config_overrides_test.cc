// The override layers: RECPLAT_* environment variables and --set key=value flags.
#include <string>
#include <utility>
#include <vector>

#include "core/config/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::config {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using Env = std::vector<std::pair<std::string, std::string>>;

absl::StatusOr<Config> WithSet(const std::vector<std::string>& flags,
                               const std::string& yaml = "") {
  return ParseConfig(yaml, "p.yaml", flags, {});
}

absl::StatusOr<Config> WithEnv(const Env& env, const std::string& yaml = "") {
  return ParseConfig(yaml, "p.yaml", {}, env);
}

TEST(ConfigSetTest, Scalars) {
  ASSERT_OK_AND_ASSIGN(
      Config config,
      WithSet({"api.max_batch=5", "data_dir=/tmp/x y", "log.sync=none", "training.enabled=off",
               "state.counter_half_life_hours=1.5", "api.default_tenant='quoted: text'"}));
  EXPECT_EQ(config.api.max_batch, 5);
  EXPECT_EQ(config.data_dir, "/tmp/x y");
  EXPECT_EQ(config.log.sync, SyncPolicy::kNone);
  EXPECT_FALSE(config.training.enabled);
  EXPECT_EQ(config.state.counter_half_life_hours, 1.5);
  EXPECT_EQ(config.api.default_tenant, "quoted: text");
}

TEST(ConfigSetTest, LaterFlagsWin) {
  ASSERT_OK_AND_ASSIGN(Config config, WithSet({"api.max_batch=5", " api.max_batch =6"}));
  EXPECT_EQ(config.api.max_batch, 6);
}

TEST(ConfigSetTest, ListsAndShortForms) {
  ASSERT_OK_AND_ASSIGN(Config config, WithSet({"surfaces.default.retrieval=[popularity]",
                                               "surfaces.default.scoring=[item_knn, recent]",
                                               "grpc=0.0.0.0:1", "http.enabled=false"}));
  EXPECT_THAT(config.surfaces.at("default").retrieval, ElementsAre("popularity", "random"));
  EXPECT_THAT(config.surfaces.at("default").scoring, ElementsAre("item_knn", "recent"));
  EXPECT_EQ(config.grpc.listen, "0.0.0.0:1");
  EXPECT_FALSE(config.http.enabled);
}

TEST(ConfigSetTest, CreatesMapEntries) {
  ASSERT_OK_AND_ASSIGN(Config config,
                       WithSet({"models.foo.family=popularity", "models.foo.train.every_events=9",
                                "surfaces.home.retrieval=[foo]", "surfaces.home.max_k=10",
                                "event_types.share={weight: 3}"}));
  EXPECT_EQ(config.models.at("foo").family, "popularity");
  EXPECT_EQ(config.models.at("foo").train.every_events, 9);
  // The default models stay: they were filled in before the overrides.
  EXPECT_TRUE(config.models.contains("popularity"));
  EXPECT_TRUE(config.models.contains("item_knn"));
  EXPECT_THAT(config.surfaces.at("home").retrieval, ElementsAre("foo", "random"));
  EXPECT_EQ(config.surfaces.at("home").max_k, 10);
  EXPECT_TRUE(config.surfaces.contains("default"));
  EXPECT_EQ(config.event_types.at("share").weight, 3);
}

TEST(ConfigSetTest, NewModelWithoutFamilyGetsItsName) {
  ASSERT_OK_AND_ASSIGN(Config config, WithSet({"models.ease.params.l2=[1, 10, 100]"}));
  EXPECT_EQ(config.models.at("ease").family, "ease");
  EXPECT_THAT(config.models.at("ease").params, ElementsAre(Pair("l2", "[1, 10, 100]")));
}

TEST(ConfigSetTest, WholeStructsAndMaps) {
  ASSERT_OK_AND_ASSIGN(Config config, WithSet({"surfaces.default={candidates: 7}",
                                               "models.item_knn.params={k: 5, dotted.key: x}",
                                               "models.item_knn.params.more.dots=1"}));
  // A struct merges: unspecified keys keep their values.
  EXPECT_EQ(config.surfaces.at("default").candidates, 7);
  EXPECT_THAT(config.surfaces.at("default").retrieval,
              ElementsAre("item_knn", "popularity", "random"));
  EXPECT_THAT(
      config.models.at("item_knn").params,
      UnorderedElementsAre(Pair("k", "5"), Pair("dotted.key", "x"), Pair("more.dots", "1")));
}

TEST(ConfigSetTest, OverridesProfileValues) {
  ASSERT_OK_AND_ASSIGN(Config config, WithSet({"api.max_batch=30"}, "api: {max_batch: 10}"));
  EXPECT_EQ(config.api.max_batch, 30);
}

TEST(ConfigSetTest, DottedEntryNamesReachExistingEntries) {
  ASSERT_OK_AND_ASSIGN(Config config, WithSet({"models.v1.2.keep_versions=3"},
                                              "models: {v1.2: {family: popularity}}\n"
                                              "surfaces: {s: {retrieval: [v1.2], similar: []}}"));
  EXPECT_EQ(config.models.at("v1.2").keep_versions, 3);
}

TEST(ConfigSetTest, MalformedFlags) {
  EXPECT_THAT(WithSet({"no_equals_sign"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                    "--set 'no_equals_sign': expected key=value"));
  EXPECT_THAT(WithSet({"=5"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--set '=5': expected key=value"));
  EXPECT_THAT(WithSet({"api..max_batch=5"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--set api..max_batch: key 'api..max_batch': invalid key")));
}

TEST(ConfigSetTest, ErrorsNameTheFlag) {
  EXPECT_THAT(WithSet({"api.max_bach=5"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--set api.max_bach: key 'api.max_bach': unknown key; did you mean "
                       "'max_batch'?"));
  EXPECT_THAT(WithSet({"log.sync=sometimes"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--set log.sync: key 'log.sync': expected one of always, none; got "
                       "'sometimes'"));
  EXPECT_THAT(WithSet({"api.max_batch.x=1"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--set api.max_batch.x: key 'api.max_batch.x': unknown key")));
  EXPECT_THAT(WithSet({"surfaces.default.retrieval=[a"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--set surfaces.default.retrieval: malformed YAML at line 1")));
  EXPECT_THAT(WithSet({"surfaces.default.retrieval=popularity"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected a sequence such as [a, b]; got a scalar")));
  EXPECT_THAT(WithSet({"models.a b.family=x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--set models.a b.family: key 'models.a b': invalid name")));
  EXPECT_THAT(WithSet({"surfaces.default.scoring=[nope]"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cascade names unknown model 'nope'")));
  EXPECT_THAT(WithSet({"data_dir="}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("key 'data_dir': expected a non-empty string")));
}

TEST(ConfigEnvTest, OverridesKeys) {
  ASSERT_OK_AND_ASSIGN(Config config, WithEnv({{"RECPLAT_GRPC_LISTEN", "0.0.0.0:7"},
                                               {"RECPLAT_DATA_DIR", "/srv/data"},
                                               {"RECPLAT_API_MAX_BATCH", "42"},
                                               {"RECPLAT_LOG_SYNC", "none"},
                                               {"RECPLAT_METRICS_ENABLED", "no"}}));
  EXPECT_EQ(config.grpc.listen, "0.0.0.0:7");
  EXPECT_EQ(config.data_dir, "/srv/data");
  EXPECT_EQ(config.api.max_batch, 42);
  EXPECT_EQ(config.log.sync, SyncPolicy::kNone);
  EXPECT_FALSE(config.metrics.enabled);
}

TEST(ConfigEnvTest, ReachesMapEntriesOfTheProfile) {
  ASSERT_OK_AND_ASSIGN(Config config,
                       WithEnv({{"RECPLAT_MODELS_POPULARITY_TRAIN_EVERY_EVENTS", "7"},
                                {"RECPLAT_MODELS_POPULARITY_PARAMS_DECAY", "0.5"},
                                {"RECPLAT_SURFACES_HOME_RETRIEVAL", "[recent]"},
                                {"RECPLAT_EVENT_TYPES_BUY_WEIGHT", "2.5"}},
                               "models: {popularity: {params: {decay: 0.9}}, recent: {}}\n"
                               "surfaces: {home: {similar: [recent]}}\n"
                               "event_types: {buy: {}}"));
  EXPECT_EQ(config.models.at("popularity").train.every_events, 7);
  EXPECT_EQ(config.models.at("popularity").params.at("decay"), "0.5");
  EXPECT_THAT(config.surfaces.at("home").retrieval, ElementsAre("recent", "random"));
  EXPECT_EQ(config.event_types.at("buy").weight, 2.5);
}

TEST(ConfigEnvTest, ReachesDefaultModels) {
  ASSERT_OK_AND_ASSIGN(Config config,
                       WithEnv({{"RECPLAT_MODELS_ITEM_KNN_TRAIN_EVERY_SECONDS", "10"}}));
  EXPECT_EQ(config.models.at("item_knn").train.every_seconds, 10);
}

TEST(ConfigEnvTest, SetFlagsWinOverEnvironment) {
  const std::string yaml = "api: {max_batch: 10}";
  const Env env = {{"RECPLAT_API_MAX_BATCH", "20"}};
  ASSERT_OK_AND_ASSIGN(Config env_only, ParseConfig(yaml, "p.yaml", {}, env));
  EXPECT_EQ(env_only.api.max_batch, 20);
  ASSERT_OK_AND_ASSIGN(Config both, ParseConfig(yaml, "p.yaml", {"api.max_batch=30"}, env));
  EXPECT_EQ(both.api.max_batch, 30);
}

TEST(ConfigEnvTest, IgnoresReservedAndForeignNames) {
  ASSERT_OK_AND_ASSIGN(Config config, WithEnv({{"RECPLAT_DATASETS", "/d"},
                                               {"RECPLAT_BINARY_DIR", "/b"},
                                               {"RECPLAT_SOURCE_DIR", "/s"},
                                               {"RECPLAT_PROFILE", "x.yaml"},
                                               {"RECPLAT_GRU4REC_TORCH_MODULE", "/m.so"},
                                               {"HOME", "/root"},
                                               {"recplat_data_dir", "/lower"},
                                               {"RENEWAL_TOKEN", "t"}}));
  ASSERT_OK_AND_ASSIGN(Config defaults, WithEnv({}));
  EXPECT_EQ(config, defaults);
}

TEST(ConfigEnvTest, RejectsUnknownRecplatNames) {
  EXPECT_THAT(WithEnv({{"RECPLAT_DATA_DIRR", "/x"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "environment RECPLAT_DATA_DIRR: no configuration key matches; did you "
                       "mean 'RECPLAT_DATA_DIR'?"));
  EXPECT_THAT(WithEnv({{"RECPLAT_NOTHING_LIKE_IT", "1"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "environment RECPLAT_NOTHING_LIKE_IT: no configuration key matches"));
  // Only leaves are keys; a whole struct is not.
  EXPECT_THAT(WithEnv({{"RECPLAT_API", "{}"}}), StatusIs(absl::StatusCode::kInvalidArgument));
  // A model the profile does not define.
  EXPECT_THAT(
      WithEnv({{"RECPLAT_MODELS_NOPE_FAMILY", "x"}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("RECPLAT_MODELS_NOPE_FAMILY")));
}

TEST(ConfigEnvTest, BadValuesNameTheVariable) {
  EXPECT_THAT(WithEnv({{"RECPLAT_API_MAX_BATCH", "abc"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "environment RECPLAT_API_MAX_BATCH: key 'api.max_batch': expected an "
                       "integer in [1, 1000000]; got 'abc'"));
  EXPECT_THAT(WithEnv({{"RECPLAT_GRPC_LISTEN", "nowhere"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("environment RECPLAT_GRPC_LISTEN: key 'grpc.listen'")));
}

TEST(ConfigEnvTest, DottedNamesMapToUnderscores) {
  ASSERT_OK_AND_ASSIGN(Config config, WithEnv({{"RECPLAT_MODELS_V1_2_KEEP_VERSIONS", "9"}},
                                              "models: {v1.2: {family: popularity}}\n"
                                              "surfaces: {s: {retrieval: [v1.2], similar: []}}"));
  EXPECT_EQ(config.models.at("v1.2").keep_versions, 9);
}

TEST(ConfigEnvTest, AmbiguousNamesAreRejected) {
  EXPECT_THAT(WithEnv({{"RECPLAT_MODELS_A_B_FAMILY", "x"}},
                      "models: {a_b: {}, a.b: {}}\nsurfaces: {s: {retrieval: [], similar: []}}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("matches several keys (models.a.b.family, models.a_b.family)")));
}

}  // namespace
}  // namespace recplat::config
