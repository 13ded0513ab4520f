// The `frontends:` list against the registry, the registry's own rules, roles and
// core.address, secret values in error messages, and the helpers the executable uses
// (SetFlagLiteral, CurrentEnvironment with aliases).
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/common/config_section.h"
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
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

FrontendRegistry Registry() {
  FrontendRegistry registry;
  EXPECT_OK(registry.Register(http::ecoseller::EcosellerRegistration()));
  EXPECT_OK(registry.Register(renewal_ws::RenewalRegistration()));
  return registry;
}

absl::StatusOr<Config> Parse(const std::string& yaml, const std::vector<std::string>& flags = {}) {
  return ParseConfig(yaml, "test.yaml", flags, {}, Registry());
}

// A section with a secret that can fail its constraint.
struct PinSection final : common::CopyableSection<PinSection> {
  std::string pin;
  void Bind(common::SectionBinder& binder) override {
    common::StringFieldOptions options = common::StringFieldOptions::OneOf({"1234", "4321"});
    options.secret = true;
    binder.String("pin", pin, options);
  }
};

common::FrontendRegistration PinRegistration() {
  common::FrontendRegistration r;
  r.name = "pin";
  r.make_section = [] { return std::make_unique<PinSection>(); };
  return r;
}

TEST(ConfigFrontendsTest, OnlyRegisteredFrontendsMayBeSelected) {
  EXPECT_THAT(Parse("frontends: [native, ecosellr]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "test.yaml: key 'frontends[1]': expected one of native, ecoseller, "
                       "renewal; got 'ecosellr'"));
  EXPECT_THAT(Parse("", {"frontends=[eosc]"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key 'frontends[0]'")));
  // Without a registry only `native` exists.
  EXPECT_OK(ParseConfig("frontends: [native]", "t", {}, {}));
  EXPECT_THAT(ParseConfig("frontends: [ecoseller]", "t", {}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "t: key 'frontends[0]': expected one of native; got 'ecoseller'"));
  EXPECT_THAT(Parse("frontends: [native, native]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config: key 'frontends[1]': frontend 'native' is listed twice"));
  ASSERT_OK_AND_ASSIGN(Config none, Parse("frontends: []"));
  EXPECT_TRUE(none.frontends.empty());
}

TEST(ConfigFrontendsTest, HttpFrontendsNeedTheListener) {
  EXPECT_THAT(Parse("frontends: [ecoseller]\nhttp: {enabled: false}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config: key 'frontends[0]': frontend 'ecoseller' mounts on the HTTP "
                       "listener, which is off (http.enabled: false)"));
  // Native goes away with the listener; renewal does not use it; role core runs neither.
  EXPECT_OK(Parse("frontends: [native, renewal]\nhttp: {enabled: false}"));
  EXPECT_OK(Parse("role: core\nfrontends: [ecoseller]\nhttp: {enabled: false}"));
}

TEST(ConfigFrontendsTest, Roles) {
  ASSERT_OK_AND_ASSIGN(Config all, Parse(""));
  EXPECT_EQ(all.role, Role::kAll);
  EXPECT_EQ(all.core.address, "");
  EXPECT_EQ(all.core.timeout_seconds, 30);
  ASSERT_OK_AND_ASSIGN(Config core, Parse("role: core"));
  EXPECT_EQ(core.role, Role::kCore);
  ASSERT_OK_AND_ASSIGN(Config frontend,
                       Parse("", {"role=frontend", "core.address=127.0.0.1:50051",
                                  "core.timeout_seconds=2.5"}));
  EXPECT_EQ(frontend.role, Role::kFrontend);
  EXPECT_EQ(frontend.core.address, "127.0.0.1:50051");
  EXPECT_EQ(frontend.core.timeout_seconds, 2.5);
  ASSERT_OK_AND_ASSIGN(Config by_env,
                       ParseConfig("", "t", {}, {{"RECPLAT_ROLE", "frontend"},
                                                 {"RECPLAT_CORE_ADDRESS", "10.0.0.1:1"}}));
  EXPECT_EQ(by_env.role, Role::kFrontend);
  EXPECT_THAT(ConfigToYaml(frontend), HasSubstr("role: frontend"));
}

TEST(ConfigFrontendsTest, RoleErrors) {
  EXPECT_THAT(Parse("role: edge"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "test.yaml: key 'role': expected one of all, core, frontend; got 'edge'"));
  EXPECT_THAT(Parse("role: frontend"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("config: key 'core.address': required when role is "
                                 "'frontend'")));
  EXPECT_THAT(Parse("core: {address: nohost}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("test.yaml: key 'core.address': expected empty or an address")));
  EXPECT_THAT(Parse("role: frontend\ncore: {address: 'h:1'}\nfrontends: []"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config: key 'frontends': role 'frontend' needs at least one frontend "
                       "to run"));
}

TEST(ConfigFrontendsTest, SecretValuesNeverAppearInMessages) {
  FrontendRegistry registry;
  ASSERT_OK(registry.Register(PinRegistration()));
  const auto status = ParseConfig("pin: {pin: '9999'}", "test.yaml", {}, {}, registry);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               "test.yaml: key 'pin.pin': expected one of 1234, 4321; got "
                               "'<redacted>'"));
  EXPECT_THAT(std::string(status.status().message()), Not(HasSubstr("9999")));
  ASSERT_OK_AND_ASSIGN(Config ok, ParseConfig("pin: {pin: '4321'}", "t", {}, {}, registry));
  EXPECT_THAT(ConfigToYaml(ok), Not(HasSubstr("4321")));
}

TEST(FrontendRegistryTest, RegistrationRules) {
  FrontendRegistry registry;
  EXPECT_THAT(registry.Names(), ElementsAre("native"));
  EXPECT_TRUE(registry.Find("native")->mounts_on_http);
  common::FrontendRegistration r;
  r.name = "Bad-Name";
  EXPECT_THAT(registry.Register(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("invalid name")));
  r.name = "api";
  EXPECT_THAT(registry.Register(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("is a core configuration key")));
  r.name = "native";
  EXPECT_THAT(registry.Register(r), StatusIs(absl::StatusCode::kAlreadyExists));
  r.name = "shop";
  r.env_aliases = {{"RECPLAT_SHOP", "shop.x"}};
  EXPECT_THAT(registry.Register(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("not starting with RECPLAT_")));
  r.env_aliases = {{"SHOP_LIST", "frontends"}};
  EXPECT_THAT(registry.Register(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("cannot alias 'frontends'")));
  r.env_aliases = {{"SHOP_X", "logging.level"}};
  EXPECT_OK(registry.Register(r));
  r.name = "other";
  EXPECT_THAT(registry.Register(r),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("already an alias of frontend 'shop'")));
  EXPECT_THAT(registry.Names(), ElementsAre("native", "shop"));
}

TEST(ConfigFrontendsTest, SetFlagLiteralKeepsTextAsIs) {
  const std::string text = "/it's: a [path] # with {stuff}";
  ASSERT_OK_AND_ASSIGN(Config config, Parse("", {SetFlagLiteral("renewal.ca_file", text)}));
  EXPECT_EQ(config.Section<renewal_ws::RenewalSection>("renewal")->ca_file, text);
}

TEST(ConfigFrontendsTest, CurrentEnvironmentIncludesRegisteredAliases) {
  ::setenv("RENEWAL_CA_FILE", "/x.pem", 1);
  ::setenv("RECPLAT_H4_TEST_VAR", "1", 1);
  ::setenv("UNRELATED_H4_TEST_VAR", "1", 1);
  const FrontendRegistry registry = Registry();
  const auto with = CurrentEnvironment(&registry);
  const auto without = CurrentEnvironment();
  ::unsetenv("RENEWAL_CA_FILE");
  ::unsetenv("RECPLAT_H4_TEST_VAR");
  ::unsetenv("UNRELATED_H4_TEST_VAR");
  EXPECT_THAT(with, Contains(Pair("RENEWAL_CA_FILE", "/x.pem")));
  EXPECT_THAT(with, Contains(Pair("RECPLAT_H4_TEST_VAR", "1")));
  EXPECT_THAT(with, Not(Contains(Pair("UNRELATED_H4_TEST_VAR", "1"))));
  EXPECT_THAT(without, Not(Contains(Pair("RENEWAL_CA_FILE", "/x.pem"))));
}

}  // namespace
}  // namespace recplat::config
