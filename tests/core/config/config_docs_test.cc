// docs/configuration.md must list every key of the binding. Run
//   config_test --gtest_also_run_disabled_tests --gtest_filter='*PrintKeyTable'
// to print the generated table (key, type, default) to paste into the doc.
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/config/config_loader.h"
#include "core/config/internal/keys.h"
#include "core/config/frontend_registry.h"
#include "core/config/internal/schema.h"
#include "frontends/batch/batch_config.h"
#include "frontends/http_rest/article_rec/article_rec_config.h"
#include "frontends/http_rest/ecoseller/ecoseller_config.h"
#include "frontends/http_rest/eosc/eosc_config.h"
#include "frontends/renewal_ws/renewal_config.h"
#include "gtest/gtest.h"

namespace recplat::config {
namespace {

// The frontends of the recplat binary (apps/recplat/frontends.cc registers the same ones).
FrontendRegistry Frontends() {
  FrontendRegistry registry;
  EXPECT_TRUE(registry.Register(http::ecoseller::EcosellerRegistration()).ok());
  EXPECT_TRUE(registry.Register(renewal_ws::RenewalRegistration()).ok());
  EXPECT_TRUE(registry.Register(http::article_rec::ArticleRecRegistration()).ok());
  EXPECT_TRUE(registry.Register(batch::BatchRegistration()).ok());
  EXPECT_TRUE(registry.Register(batch::S3Registration()).ok());
  EXPECT_TRUE(registry.Register(http::eosc::EoscRegistration()).ok());
  return registry;
}

std::vector<internal::KeyInfo> KeyTemplates() {
  const FrontendRegistry frontends = Frontends();
  Config config = DefaultConfig(frontends);
  return internal::ListKeys(internal::BindConfig(config, &frontends),
                            internal::KeyListing::kTemplates);
}

std::string Doc() {
  std::ifstream in(RECPLAT_CONFIG_DOC);
  EXPECT_TRUE(in) << RECPLAT_CONFIG_DOC;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(ConfigDocsTest, EveryKeyIsDocumented) {
  const std::string doc = Doc();
  const std::vector<internal::KeyInfo> keys = KeyTemplates();
  ASSERT_GE(keys.size(), 40u);
  // The frontend sections are part of the listing.
  const auto listed = [&keys](const std::string& path) {
    for (const internal::KeyInfo& key : keys) {
      if (key.path == path) return true;
    }
    return false;
  };
  EXPECT_TRUE(listed("ecoseller.tenant"));
  EXPECT_TRUE(listed("renewal.token"));
  EXPECT_TRUE(listed("renewal.reconnect_max_seconds"));
  for (const internal::KeyInfo& key : keys) {
    EXPECT_NE(doc.find("`" + key.path + "`"), std::string::npos)
        << "docs/configuration.md does not mention `" << key.path << "`";
  }
}

TEST(ConfigDocsTest, EveryFrontendAndAliasIsDocumented) {
  const std::string doc = Doc();
  const FrontendRegistry frontends = Frontends();
  for (const common::FrontendRegistration& frontend : frontends.registrations()) {
    EXPECT_NE(doc.find("| `" + frontend.name + "` |"), std::string::npos)
        << "docs/configuration.md does not list frontend `" << frontend.name << "`";
    for (const common::EnvAlias& alias : frontend.env_aliases) {
      EXPECT_NE(doc.find("| `" + alias.env + "` | `" + alias.key + "`"), std::string::npos)
          << "docs/configuration.md does not list alias `" << alias.env << "` of `"
          << alias.key << "`";
    }
  }
}

TEST(ConfigDocsTest, EveryKeyMapsToAnEnvironmentVariable) {
  // Every leaf of a default config, frontend sections included, can be set through the
  // environment.
  const FrontendRegistry frontends = Frontends();
  Config config = DefaultConfig(frontends);
  FillConfigDefaults(config);
  for (const internal::KeyInfo& key : internal::ListKeys(internal::BindConfig(config, &frontends),
                                                         internal::KeyListing::kExisting)) {
    if (key.path.find("params") != std::string::npos) {
      continue;
    }
    std::string name = "RECPLAT_" + key.path;
    for (char& c : name) {
      c = c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    EXPECT_TRUE(ParseConfig("", "t", {}, {{name, key.value}}, frontends).ok())
        << name << "=" << key.value;
  }
}

}  // namespace
}  // namespace recplat::config
