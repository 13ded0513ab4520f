// Defaults, a full profile, round trips, derived defaults and the file/env plumbing of the
// config loader.
#include "core/config/config_loader.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_env.h"

namespace recplat::config {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kFullProfile[] = R"yaml(
profile: article_rec
data_dir: /var/lib/recplat
grpc:
  listen: 0.0.0.0:50051
  enabled: true
http: {listen: "[::1]:8080", enabled: false}
metrics: 127.0.0.1:0
logging: {level: debug, format: json}
log: {sync: none, apply_batch: 500}
state: {counter_half_life_hours: 72.5, block_cache_mb: 256}
api:
  max_batch: 5000
  max_message_bytes: 1048576
  require_known_items: no
  default_tenant: shop
training: {enabled: on, tick_seconds: 0.25}
event_types:
  view: {weight: 1}
  purchase: {weight: 10.5, history: false}
models:
  pop:
    family: popularity
    params: {decay: 0.9, windows: [1, 7, 30]}
    train: {every_events: 100, every_seconds: 30, on_start: false}
    auto_promote: false
    keep_versions: 2
  knn:
    family: item_knn
    params: {k: 50}
  recent:
surfaces:
  home:
    retrieval: [knn, pop]
    scoring: [knn]
    similar: [knn]
    filters: {exclude_seen: false, exclude_recommended: true, exclude_unavailable: true}
    diversity: {method: category, window: 4, max_lookahead: 20, ordering_size: 30}
    candidates: 300
    max_k: 100
    history_length: 50
    apply_item_weight: true
)yaml";

absl::StatusOr<Config> Parse(const std::string& yaml) {
  return ParseConfig(yaml, "test.yaml", {}, {});
}

TEST(ConfigLoaderTest, DefaultsWithoutProfile) {
  ASSERT_OK_AND_ASSIGN(Config config, LoadConfig(ConfigSources{}));
  EXPECT_EQ(config.profile, "default");
  EXPECT_EQ(config.data_dir, "./data");
  EXPECT_EQ(config.grpc.listen, "127.0.0.1:50051");
  EXPECT_EQ(config.http.listen, "127.0.0.1:8080");
  EXPECT_EQ(config.metrics.listen, "127.0.0.1:9464");
  EXPECT_EQ(config.log.sync, SyncPolicy::kAlways);
  EXPECT_EQ(config.api.max_batch, 10000);
  EXPECT_EQ(config.event_types.size(), 5u);
  ASSERT_EQ(config.models.size(), 4u);
  EXPECT_EQ(config.models.at("popularity").family, "popularity");
  EXPECT_EQ(config.models.at("popularity").train.every_events, 1000);
  EXPECT_EQ(config.models.at("popularity").train.every_seconds, 60);
  EXPECT_EQ(config.models.at("recent").family, "recent");
  EXPECT_EQ(config.models.at("item_knn").train.every_events, 5000);
  EXPECT_EQ(config.models.at("item_knn").train.every_seconds, 300);
  EXPECT_EQ(config.models.at("random").family, "random");
  ASSERT_EQ(config.surfaces.size(), 1u);
  const SurfaceConfig& surface = config.surfaces.at("default");
  EXPECT_THAT(surface.retrieval, ElementsAre("item_knn", "popularity", "random"));
  EXPECT_TRUE(surface.scoring.empty());
  EXPECT_THAT(surface.similar, ElementsAre("item_knn"));
}

TEST(ConfigLoaderTest, EmptyAndNullDocumentsAreTheDefaults) {
  ASSERT_OK_AND_ASSIGN(Config defaults, LoadConfig(ConfigSources{}));
  for (const char* yaml : {"", "# only a comment\n", "~", "---\n"}) {
    ASSERT_OK_AND_ASSIGN(Config config, Parse(yaml));
    EXPECT_EQ(config, defaults) << "yaml: " << yaml;
  }
}

TEST(ConfigLoaderTest, FullProfile) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(kFullProfile));
  EXPECT_EQ(config.profile, "article_rec");
  EXPECT_EQ(config.http.listen, "[::1]:8080");
  EXPECT_FALSE(config.http.enabled);
  EXPECT_EQ(config.metrics.listen, "127.0.0.1:0");
  EXPECT_EQ(config.logging.format, "json");
  EXPECT_EQ(config.log.sync, SyncPolicy::kNone);
  EXPECT_EQ(config.state.counter_half_life_hours, 72.5);
  EXPECT_EQ(config.state.block_cache_mb, 256);
  EXPECT_FALSE(config.api.require_known_items);
  EXPECT_EQ(config.training.tick_seconds, 0.25);
  // A profile's event_types, models and surfaces replace the defaults.
  EXPECT_THAT(config.event_types, UnorderedElementsAre(Pair("view", EventTypeConfig{1.0}),
                                                       Pair("purchase", EventTypeConfig{10.5, false})));
  EXPECT_EQ(config.models.size(), 4u);  // pop, knn, recent, random
  const ModelConfig& pop = config.models.at("pop");
  EXPECT_EQ(pop.family, "popularity");
  EXPECT_THAT(pop.params,
              UnorderedElementsAre(Pair("decay", "0.9"), Pair("windows", "[1, 7, 30]")));
  EXPECT_EQ(pop.train.every_events, 100);
  EXPECT_FALSE(pop.train.on_start);
  EXPECT_FALSE(pop.auto_promote);
  EXPECT_EQ(pop.keep_versions, 2);
  EXPECT_EQ(config.models.at("recent").family, "recent");
  EXPECT_EQ(config.models.at("random").family, "random");
  ASSERT_EQ(config.surfaces.size(), 1u);
  const SurfaceConfig& home = config.surfaces.at("home");
  EXPECT_THAT(home.retrieval, ElementsAre("knn", "pop", "random"));
  EXPECT_FALSE(home.filters.exclude_seen);
  EXPECT_EQ(home.diversity.method, "category");
  EXPECT_EQ(home.diversity.window, 4);
  EXPECT_EQ(home.candidates, 300);
  EXPECT_TRUE(home.apply_item_weight);
}

TEST(ConfigLoaderTest, FullProfileRoundTrips) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(kFullProfile));
  const std::string yaml = ConfigToYaml(config);
  ASSERT_OK_AND_ASSIGN(Config reparsed, Parse(yaml));
  EXPECT_EQ(reparsed, config) << yaml;
  EXPECT_EQ(ConfigToYaml(reparsed), yaml);
}

TEST(ConfigLoaderTest, DefaultsRoundTrip) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(""));
  ASSERT_OK_AND_ASSIGN(Config reparsed, Parse(ConfigToYaml(config)));
  EXPECT_EQ(reparsed, config);
}

TEST(ConfigLoaderTest, AwkwardTextRoundTrips) {
  Config config;
  FillConfigDefaults(config);
  const std::vector<std::string> texts = {
      "",           "~",           "null",      "yes",
      "123",        "1e5",         "a: b",      "a #b",
      " padded ",   "[x, y]",      "{a: 1}",    "'single'",
      "\"double\"", "line\nbreak", "tab\there", "caf\xc3\xa9 \xe2\x9c\x93",
      "- dash",     "&anchor",     "*alias",    "!tag",
      "%percent",   "@at",         "`tick",     "|",
      ">",          "?",           ":",         "#"};
  for (size_t i = 0; i < texts.size(); ++i) {
    config.models.at("popularity").params["p" + std::to_string(i)] = texts[i];
  }
  config.api.default_tenant = "tenant: #1";
  config.profile = "";
  config.data_dir = "/data dir/with: colon";
  ASSERT_OK_AND_ASSIGN(Config reparsed, Parse(ConfigToYaml(config)));
  EXPECT_EQ(reparsed, config) << ConfigToYaml(config);
}

TEST(ConfigLoaderTest, ParamsKeepTheirText) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(R"yaml(
models:
  m:
    params:
      int: 5
      float: 0.50
      quoted: "x y"
      empty:
      list: [1, 10, 100]
      block_list:
        - a
        - b
      map: {a: 1, b: [2]}
surfaces: {s: {retrieval: [], similar: []}}
)yaml"));
  EXPECT_THAT(config.models.at("m").params,
              UnorderedElementsAre(Pair("int", "5"), Pair("float", "0.50"), Pair("quoted", "x y"),
                                   Pair("empty", ""), Pair("list", "[1, 10, 100]"),
                                   Pair("block_list", "[a, b]"), Pair("map", "{a: 1, b: [2]}")));
}

TEST(ConfigLoaderTest, BoolSpellings) {
  for (const char* yes : {"true", "True", "YES", "on", "On"}) {
    ASSERT_OK_AND_ASSIGN(Config config, Parse(std::string("training: {enabled: ") + yes + "}"));
    EXPECT_TRUE(config.training.enabled) << yes;
  }
  for (const char* no : {"false", "FALSE", "no", "No", "off", "OFF"}) {
    ASSERT_OK_AND_ASSIGN(Config config, Parse(std::string("training: {enabled: ") + no + "}"));
    EXPECT_FALSE(config.training.enabled) << no;
  }
}

TEST(ConfigLoaderTest, ListenShortAndLongForms) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(R"yaml(
grpc: "127.0.0.1:0"
http: {enabled: false}
metrics: {listen: "[::1]:9000"}
)yaml"));
  EXPECT_EQ(config.grpc.listen, "127.0.0.1:0");
  EXPECT_TRUE(config.grpc.enabled);
  EXPECT_EQ(config.http.listen, "127.0.0.1:8080");
  EXPECT_FALSE(config.http.enabled);
  EXPECT_EQ(config.metrics.listen, "[::1]:9000");
}

TEST(ConfigLoaderTest, ListenAddressValidation) {
  for (const char* good :
       {"0.0.0.0:8080", "[::1]:0", "[::]:65535", "localhost:1", "recs-1.internal_net:443"}) {
    EXPECT_OK(Parse(std::string("grpc: \"") + good + "\"")) << good;
  }
  for (const char* bad :
       {":80", "host", "host:", "host:65536", "host:-1", "host:8o", "::1:80", "[]:80", "[::1]",
        "[::1:80", "a b:80", "*:80", "host:123456", "[fe80::1%eth0]:80"}) {
    EXPECT_THAT(Parse(std::string("grpc: \"") + bad + "\""),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("test.yaml: key 'grpc.listen': expected an address host:port")))
        << bad;
  }
}

TEST(ConfigLoaderTest, ModelFamilyDefaultsToName) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(R"yaml(
models:
  popularity:
  my_knn: {family: item_knn}
  recent: {}
surfaces:
  default: {retrieval: [my_knn], similar: [my_knn]}
)yaml"));
  EXPECT_EQ(config.models.at("popularity").family, "popularity");
  EXPECT_EQ(config.models.at("my_knn").family, "item_knn");
  EXPECT_EQ(config.models.at("recent").family, "recent");
  EXPECT_EQ(config.models.at("random").family, "random");
  // A profile that lists models gets no default models besides random.
  EXPECT_FALSE(config.models.contains("item_knn"));
  // Default-constructed train triggers for listed models.
  EXPECT_EQ(config.models.at("popularity").train.every_events, 0);
}

TEST(ConfigLoaderTest, RandomAppendedToRetrievalOnce) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(R"yaml(
surfaces:
  a: {retrieval: [popularity]}
  b: {retrieval: [random, popularity]}
  c: {retrieval: []}
  d: {}
)yaml"));
  EXPECT_THAT(config.surfaces.at("a").retrieval, ElementsAre("popularity", "random"));
  EXPECT_THAT(config.surfaces.at("b").retrieval, ElementsAre("random", "popularity"));
  EXPECT_THAT(config.surfaces.at("c").retrieval, ElementsAre("random"));
  // The struct default of a listed surface.
  EXPECT_THAT(config.surfaces.at("d").retrieval, ElementsAre("popularity", "random"));
  EXPECT_TRUE(config.surfaces.at("d").similar.empty());
  EXPECT_FALSE(config.surfaces.contains("default"));
}

TEST(ConfigLoaderTest, FillDefaultsIsIdempotent) {
  Config once;
  FillConfigDefaults(once);
  Config twice = once;
  FillConfigDefaults(twice);
  EXPECT_EQ(once, twice);
}

TEST(ConfigLoaderTest, NullEmptiesListsAndKeepsStructs) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(R"yaml(
api:
surfaces:
  default: {scoring: ~, similar:}
)yaml"));
  EXPECT_EQ(config.api, ApiConfig{});
  EXPECT_TRUE(config.surfaces.at("default").scoring.empty());
  EXPECT_TRUE(config.surfaces.at("default").similar.empty());
}

TEST(ConfigLoaderTest, LoadConfigReadsTheProfileFile) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "p.yaml").string();
  std::ofstream(path) << "api: {max_batch: 7}\n";
  ConfigSources sources;
  sources.profile_path = path;
  ASSERT_OK_AND_ASSIGN(Config config, LoadConfig(sources));
  EXPECT_EQ(config.api.max_batch, 7);

  std::ofstream(path) << "api: {max_batch: 0}\n";
  EXPECT_THAT(LoadConfig(sources), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr(path + ": key 'api.max_batch'")));
}

TEST(ConfigLoaderTest, MissingOrUnreadableProfileNamesThePath) {
  testing::TempDir dir;
  ConfigSources sources;
  sources.profile_path = (dir.path() / "missing.yaml").string();
  EXPECT_THAT(LoadConfig(sources),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(sources.profile_path)));
  sources.profile_path = dir.path().string();
  EXPECT_THAT(LoadConfig(sources),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(sources.profile_path)));
}

TEST(ConfigLoaderTest, SyncPolicyNames) {
  for (SyncPolicy policy : {SyncPolicy::kAlways, SyncPolicy::kNone}) {
    ASSERT_OK_AND_ASSIGN(SyncPolicy parsed, ParseSyncPolicy(SyncPolicyName(policy)));
    EXPECT_EQ(parsed, policy);
  }
  EXPECT_EQ(SyncPolicyName(SyncPolicy::kNone), "none");
  EXPECT_THAT(ParseSyncPolicy("Always"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ConfigLoaderTest, ValidateConfigChecksProgrammaticConfigs) {
  Config config;
  FillConfigDefaults(config);
  EXPECT_OK(ValidateConfig(config));
  config.api.max_batch = 0;
  EXPECT_THAT(
      ValidateConfig(config),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "config: key 'api.max_batch': expected an integer in [1, 1000000]; got '0'"));
  config.api.max_batch = 1;
  config.models["bad name"] = ModelConfig{};
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key 'models.bad name'")));
}

TEST(ConfigLoaderTest, CurrentEnvironmentReturnsRecplatVariablesOnly) {
  ASSERT_EQ(setenv("RECPLAT_CONFIG_TEST_VAR", "x=y", 1), 0);
  ASSERT_EQ(setenv("CONFIG_TEST_OTHER", "z", 1), 0);
  const auto env = CurrentEnvironment();
  EXPECT_THAT(env, ::testing::Contains(Pair("RECPLAT_CONFIG_TEST_VAR", "x=y")));
  for (const auto& [name, value] : env) {
    EXPECT_EQ(name.rfind("RECPLAT_", 0), 0u) << name;
  }
  unsetenv("RECPLAT_CONFIG_TEST_VAR");
  unsetenv("CONFIG_TEST_OTHER");
}

}  // namespace
}  // namespace recplat::config
