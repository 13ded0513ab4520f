// SectionValue and SameSectionValues: the value semantics a Config relies on to stay copyable
// and comparable while it holds frontend sections of types core/config never sees.
#include "core/common/config_section.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace recplat::common {
namespace {

struct ShopSection final : CopyableSection<ShopSection> {
  std::string tenant = "default";
  int64_t limit = 10;
  double ratio = 0.5;
  bool on = true;
  std::vector<std::string> tags = {"a"};
  void Bind(SectionBinder& b) override {
    b.String("tenant", tenant);
    b.Int("limit", limit, 0, 100);
    b.Double("ratio", ratio, 0, 1);
    b.Bool("on", on);
    b.StringList("tags", tags, {});
  }
};

// Same fields, another type.
struct OtherSection final : CopyableSection<OtherSection> {
  std::string tenant = "default";
  void Bind(SectionBinder& b) override { b.String("tenant", tenant); }
};

TEST(ConfigSectionTest, SameValuesComparesEveryBoundField) {
  ShopSection a, b;
  EXPECT_TRUE(SameSectionValues(a, b));
  b.limit = 11;
  EXPECT_FALSE(SameSectionValues(a, b));
  b = a;
  b.ratio = 0.25;
  EXPECT_FALSE(SameSectionValues(a, b));
  b = a;
  b.on = false;
  EXPECT_FALSE(SameSectionValues(a, b));
  b = a;
  b.tags.push_back("b");
  EXPECT_FALSE(SameSectionValues(a, b));
  b = a;
  b.tenant = "shop";
  EXPECT_FALSE(SameSectionValues(a, b));
}

TEST(ConfigSectionTest, DifferentTypesAreNeverTheSame) {
  ShopSection shop;
  OtherSection other;
  EXPECT_FALSE(SameSectionValues(shop, other));
}

TEST(ConfigSectionTest, SectionValueCopiesDeeply) {
  SectionValue a(std::make_unique<ShopSection>());
  SectionValue b = a;
  ASSERT_NE(b.get(), nullptr);
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(a, b);
  static_cast<ShopSection*>(b.get())->limit = 99;
  EXPECT_EQ(static_cast<ShopSection*>(a.get())->limit, 10);
  EXPECT_FALSE(a == b);
  a = b;
  EXPECT_EQ(a, b);
  EXPECT_EQ(static_cast<ShopSection*>(a.get())->limit, 99);
}

TEST(ConfigSectionTest, EmptyValues) {
  SectionValue empty;
  EXPECT_EQ(empty.get(), nullptr);
  EXPECT_EQ(empty, SectionValue());
  EXPECT_FALSE(empty == SectionValue(std::make_unique<ShopSection>()));
  SectionValue copy = empty;
  EXPECT_EQ(copy.get(), nullptr);
}

TEST(ConfigSectionTest, OptionFactories) {
  EXPECT_TRUE(StringFieldOptions::Secret().secret);
  EXPECT_TRUE(StringFieldOptions::NonEmpty().non_empty);
  EXPECT_EQ(StringFieldOptions::OneOf({"x", "y"}).one_of, (std::vector<std::string>{"x", "y"}));
}

}  // namespace
}  // namespace recplat::common
