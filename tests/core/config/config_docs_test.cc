// docs/configuration.md must list every key of the binding. Run
//   config_test --gtest_also_run_disabled_tests --gtest_filter='*PrintKeyTable'
// to print the generated table (key, type, default) to paste into the doc.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/config/config_loader.h"
#include "core/config/internal/keys.h"
#include "core/config/internal/schema.h"
#include "gtest/gtest.h"

namespace recplat::config {
namespace {

std::vector<internal::KeyInfo> KeyTemplates() {
  Config config;
  return internal::ListKeys(internal::BindConfig(config), internal::KeyListing::kTemplates);
}

TEST(ConfigDocsTest, EveryKeyIsDocumented) {
  std::ifstream in(RECPLAT_CONFIG_DOC);
  ASSERT_TRUE(in) << RECPLAT_CONFIG_DOC;
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<internal::KeyInfo> keys = KeyTemplates();
  ASSERT_GE(keys.size(), 40u);
  for (const internal::KeyInfo& key : keys) {
    EXPECT_NE(doc.find("`" + key.path + "`"), std::string::npos)
        << "docs/configuration.md does not mention `" << key.path << "`";
  }
}

TEST(ConfigDocsTest, EveryKeyMapsToAnEnvironmentVariable) {
  // Every leaf of a default config can be set through the environment.
  Config config;
  FillConfigDefaults(config);
  for (const internal::KeyInfo& key :
       internal::ListKeys(internal::BindConfig(config), internal::KeyListing::kExisting)) {
    if (key.path.find("params") != std::string::npos) {
      continue;
    }
    std::string name = "RECPLAT_" + key.path;
    for (char& c : name) {
      c = c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    EXPECT_TRUE(ParseConfig("", "t", {}, {{name, key.value}}).ok()) << name << "=" << key.value;
  }
}

TEST(ConfigDocsTest, DISABLED_PrintKeyTable) {
  std::cout << "| Key | Type | Default |\n|---|---|---|\n";
  for (const internal::KeyInfo& key : KeyTemplates()) {
    std::cout << "| `" << key.path << "` | " << key.expected << " | `" << key.value << "` |\n";
  }
}

}  // namespace
}  // namespace recplat::config
