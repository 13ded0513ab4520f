// Frontend sections read by the loader like core keys: YAML, RECPLAT_* variables, --set, the
// frontends' environment aliases, secrets, validation, copies and round trips. Uses the real
// ecoseller and renewal registrations (frontends/*/..._config.h).
#include <string>
#include <utility>
#include <vector>

#include "core/config/config_loader.h"
#include "core/config/frontend_registry.h"
#include "frontends/http_rest/ecoseller/ecoseller_config.h"
#include "frontends/renewal_ws/renewal_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::config {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Env = std::vector<std::pair<std::string, std::string>>;
using http::ecoseller::EcosellerSection;
using renewal_ws::RenewalSection;

constexpr char kJwt[] = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA";

FrontendRegistry Registry() {
  FrontendRegistry registry;
  EXPECT_OK(registry.Register(http::ecoseller::EcosellerRegistration()));
  EXPECT_OK(registry.Register(renewal_ws::RenewalRegistration()));
  return registry;
}

absl::StatusOr<Config> Parse(const std::string& yaml, const std::vector<std::string>& flags = {},
                             const Env& env = {}) {
  return ParseConfig(yaml, "test.yaml", flags, env, Registry());
}

const RenewalSection& Renewal(const Config& config) {
  const RenewalSection* section = config.Section<RenewalSection>("renewal");
  EXPECT_NE(section, nullptr);
  static const RenewalSection kNone;
  return section != nullptr ? *section : kNone;
}

constexpr char kRenewalProfile[] = R"yaml(
frontends: [native, renewal]
surfaces:
  feed: {max_k: 100}
renewal:
  api_base_uri: http://127.0.0.1:9/v1/
  surface: feed
  default_limit: 12
  reconnect_base_seconds: 1
  reconnect_max_seconds: 8
)yaml";

TEST(ConfigSectionsTest, DefaultsOfEveryRegisteredSection) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(""));
  EXPECT_EQ(config.frontends, std::vector<std::string>{"native"});
  ASSERT_NE(config.Section<EcosellerSection>("ecoseller"), nullptr);
  EXPECT_EQ(config.Section<EcosellerSection>("ecoseller")->tenant, "default");
  EXPECT_EQ(Renewal(config).surface, "feed");
  EXPECT_EQ(Renewal(config).api_base_uri, renewal_ws::kDefaultApiBaseUri);
  // The wrong type, or a name without a section, reads as none.
  EXPECT_EQ(config.Section<RenewalSection>("ecoseller"), nullptr);
  EXPECT_EQ(config.Section<RenewalSection>("native"), nullptr);
}

TEST(ConfigSectionsTest, DecodesSectionsFromTheProfile) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(kRenewalProfile));
  EXPECT_EQ(config.frontends, (std::vector<std::string>{"native", "renewal"}));
  const RenewalSection& r = Renewal(config);
  EXPECT_EQ(r.api_base_uri, "http://127.0.0.1:9/v1/");
  EXPECT_EQ(r.default_limit, 12);
  EXPECT_EQ(r.reconnect_base_seconds, 1);
  EXPECT_EQ(r.reconnect_max_seconds, 8);
  EXPECT_FALSE(r.insecure_skip_verify);
}

TEST(ConfigSectionsTest, UnknownAndBadSectionKeysNameTheFileAndKey) {
  EXPECT_THAT(Parse("renewal: {tokn: x}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "test.yaml: key 'renewal.tokn': unknown key; did you mean 'token'?"));
  EXPECT_THAT(Parse("renewal: {default_limit: 0}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "test.yaml: key 'renewal.default_limit': expected an integer in "
                       "[1, 100000]; got '0'"));
  EXPECT_THAT(Parse("ecoseller: {tenant: ''}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("key 'ecoseller.tenant': expected a non-empty string")));
  // A section of a frontend this binary does not register is an unknown top-level key.
  EXPECT_THAT(Parse("renewl: {token: x}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "test.yaml: key 'renewl': unknown key; did you mean 'renewal'?"));
  EXPECT_THAT(ParseConfig("renewal: {surface: feed}", "test.yaml", {}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("key 'renewal': unknown key")));
}

TEST(ConfigSectionsTest, EnvironmentAndSetReachSectionKeys) {
  ASSERT_OK_AND_ASSIGN(
      Config config,
      Parse(kRenewalProfile, {"renewal.write_batch=7", "ecoseller.tenant=shop"},
            {{"RECPLAT_RENEWAL_DEFAULT_LIMIT", "20"}, {"RECPLAT_RENEWAL_WRITE_BATCH", "9"}}));
  EXPECT_EQ(Renewal(config).default_limit, 20);
  EXPECT_EQ(Renewal(config).write_batch, 7);  // --set wins over the environment.
  EXPECT_EQ(config.Section<EcosellerSection>("ecoseller")->tenant, "shop");
  EXPECT_THAT(Parse("", {"renewal.surfac=x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--set renewal.surfac: key 'renewal.surfac': unknown key; did you mean "
                       "'surface'?"));
}

TEST(ConfigSectionsTest, AliasesApplyWhileTheirFrontendIsSelected) {
  const Env env = {{"RENEWAL_TOKEN", kJwt}, {"RENEWAL_API_BASE_URI", "http://h:1/v1/"},
                   {"RENEWAL_INSECURE", "yes"}, {"RENEWAL_LOG_LEVEL", "debug"}};
  ASSERT_OK_AND_ASSIGN(Config selected, Parse(kRenewalProfile, {}, env));
  EXPECT_EQ(Renewal(selected).token, kJwt);
  EXPECT_EQ(Renewal(selected).api_base_uri, "http://h:1/v1/");
  EXPECT_TRUE(Renewal(selected).insecure_skip_verify);
  EXPECT_EQ(selected.logging.level, "debug");

  ASSERT_OK_AND_ASSIGN(Config not_selected, Parse("", {}, env));
  EXPECT_EQ(Renewal(not_selected).token, "");
  EXPECT_EQ(not_selected.logging.level, "info");

  // Selected by --set only: the selection after every layer decides.
  ASSERT_OK_AND_ASSIGN(Config by_flag,
                       Parse("surfaces: {feed: {}}", {"frontends=[renewal]"}, env));
  EXPECT_EQ(Renewal(by_flag).token, kJwt);
}

TEST(ConfigSectionsTest, RecplatVariablesAndSetFlagsWinOverAliases) {
  const Env env = {{"RENEWAL_API_BASE_URI", "http://alias/"},
                   {"RECPLAT_RENEWAL_API_BASE_URI", "http://recplat/"},
                   {"RENEWAL_CA_FILE", "/alias.pem"}, {"RENEWAL_TOKEN", ""}};
  ASSERT_OK_AND_ASSIGN(Config config,
                       Parse(kRenewalProfile, {"renewal.ca_file=/flag.pem"}, env));
  EXPECT_EQ(Renewal(config).api_base_uri, "http://recplat/");
  EXPECT_EQ(Renewal(config).ca_file, "/flag.pem");
  EXPECT_EQ(Renewal(config).token, "");  // An empty alias is ignored.
}

TEST(ConfigSectionsTest, AliasValuesAreTakenLiterally) {
  ASSERT_OK_AND_ASSIGN(Config config,
                       Parse(kRenewalProfile, {}, {{"RENEWAL_CA_FILE", "/a: b #c/[x].pem"}}));
  EXPECT_EQ(Renewal(config).ca_file, "/a: b #c/[x].pem");
  EXPECT_THAT(Parse(kRenewalProfile, {}, {{"RENEWAL_INSECURE", "maybe"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "environment RENEWAL_INSECURE: key 'renewal.insecure_skip_verify': "
                       "expected a boolean (true/false, yes/no, on/off); got 'maybe'"));
}

TEST(ConfigSectionsTest, RsCacheSizeSetsTheCategoryListSurfaceCache) {
  const std::string profile =
      "frontends: [ecoseller]\nsurfaces: {CATEGORY_LIST: {cache: {size: 1000}}}\n";
  ASSERT_OK_AND_ASSIGN(Config config, Parse(profile, {}, {{"RS_CACHE_SIZE", "25"}}));
  EXPECT_EQ(config.surfaces.at("CATEGORY_LIST").cache.size, 25);
  EXPECT_THAT(Parse(profile, {}, {{"RS_CACHE_SIZE", "-1"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "environment RS_CACHE_SIZE: key 'surfaces.CATEGORY_LIST.cache.size': "
                       "expected an integer in [0, 10000000]; got '-1'"));
  // The alias never creates the surface.
  EXPECT_THAT(Parse("frontends: [ecoseller]", {}, {{"RS_CACHE_SIZE", "25"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("environment RS_CACHE_SIZE: alias of key "
                                 "'surfaces.CATEGORY_LIST.cache.size', which this "
                                 "configuration does not have")));
  // Not selected: ignored.
  ASSERT_OK_AND_ASSIGN(Config other, Parse("", {}, {{"RS_CACHE_SIZE", "25"}}));
  EXPECT_FALSE(other.surfaces.contains("CATEGORY_LIST"));
}

TEST(ConfigSectionsTest, SecretsAreRedactedInYaml) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(kRenewalProfile, {}, {{"RENEWAL_TOKEN", kJwt}}));
  const std::string yaml = ConfigToYaml(config);
  EXPECT_THAT(yaml, Not(HasSubstr(kJwt)));
  EXPECT_THAT(yaml, AllOf(HasSubstr("token: <redacted>"), HasSubstr("renewal:"),
                          HasSubstr("default_limit: 12"), HasSubstr("ecoseller:")));
  // An unset secret prints as empty, so the output tells whether one is set.
  ASSERT_OK_AND_ASSIGN(Config unset, Parse(kRenewalProfile));
  EXPECT_THAT(ConfigToYaml(unset), Not(HasSubstr("<redacted>")));
}

TEST(ConfigSectionsTest, RoundTripWithSections) {
  ASSERT_OK_AND_ASSIGN(Config config, Parse(kRenewalProfile, {"ecoseller.tenant=shop"}));
  ASSERT_OK_AND_ASSIGN(Config reparsed, Parse(ConfigToYaml(config)));
  EXPECT_EQ(reparsed, config) << ConfigToYaml(config);
}

TEST(ConfigSectionsTest, ConfigsWithSectionsCopyAndCompareByValue) {
  ASSERT_OK_AND_ASSIGN(Config a, Parse(kRenewalProfile));
  Config b = a;
  EXPECT_EQ(a, b);
  // The copy owns its own section.
  EXPECT_NE(a.sections.at("renewal").get(), b.sections.at("renewal").get());
  ASSERT_OK_AND_ASSIGN(Config c, Parse(kRenewalProfile, {"renewal.default_limit=13"}));
  EXPECT_NE(a, c);
  ASSERT_OK_AND_ASSIGN(Config d, Parse(kRenewalProfile, {}, {{"RENEWAL_TOKEN", kJwt}}));
  EXPECT_NE(a, d);  // Secrets count.
}

TEST(ConfigSectionsTest, SectionValidateRunsAfterAllLayers) {
  EXPECT_THAT(Parse(kRenewalProfile, {"renewal.reconnect_max_seconds=0.5"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config: section 'renewal': reconnect_max_seconds: must not be below "
                       "reconnect_base_seconds (0.5 < 1)"));
}

}  // namespace
}  // namespace recplat::config
