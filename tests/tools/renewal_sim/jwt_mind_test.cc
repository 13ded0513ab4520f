// The simulator's HS256 JWTs and MIND loading (tools/renewal_sim/jwt.h, mind_data.h).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/tools/renewal_sim/mind_fixture.h"
#include "tools/renewal_sim/jwt.h"
#include "tools/renewal_sim/mind_data.h"

namespace recplat::renewal_sim {
namespace {

using nlohmann::json;
using testing::MindFixtureDir;

constexpr char kSecret[] = "sim-secret";

TEST(JwtTest, RoundTripAndClaims) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const std::string token = RecsystemToken("rs-1", kSecret, now, absl::Hours(1));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(token, '.')).size(), 3u);
  ASSERT_OK_AND_ASSIGN(json claims, VerifyHs256(token, kSecret, now + absl::Minutes(5)));
  EXPECT_EQ(claims["sub"], "rs-1");
  EXPECT_EQ(claims["iat"], 1700000000);
  EXPECT_EQ(claims["exp"], 1700003600);
  EXPECT_EQ(claims["renewal_role"], "recsystem");
  // Expired, issued in the future.
  EXPECT_FALSE(VerifyHs256(token, kSecret, now + absl::Hours(2)).ok());
  EXPECT_FALSE(VerifyHs256(token, kSecret, now - absl::Hours(1)).ok());
  // No exp: never expires; exp 2^64-1 (the 2020 backend's tokens) as well.
  ASSERT_OK(VerifyHs256(SignHs256({{"sub", "x"}}, kSecret), kSecret, now));
  ASSERT_OK(VerifyHs256(SignHs256({{"sub", "x"}, {"exp", UINT64_MAX}}, kSecret), kSecret, now));
  // No sub.
  EXPECT_EQ(VerifyHs256(SignHs256({{"iat", 1}}, kSecret), kSecret, now).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(JwtTest, TamperingIsDetected) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const std::string token = RecsystemToken("rs-1", kSecret, now);
  EXPECT_FALSE(VerifyHs256(token, "other-secret", now).ok());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  // Claims swapped for another sub, signature kept.
  const std::string forged_claims = absl::StrCat(
      parts[0], ".", absl::WebSafeBase64Escape(json{{"sub", "admin"}}.dump()), ".", parts[2]);
  EXPECT_FALSE(VerifyHs256(forged_claims, kSecret, now).ok());
  // One character of the signature changed.
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyHs256(flipped, kSecret, now).ok());
  // alg none, truncated, garbage.
  const std::string none =
      absl::StrCat(absl::WebSafeBase64Escape(json{{"alg", "none"}}.dump()), ".", parts[1], ".");
  EXPECT_FALSE(VerifyHs256(none, kSecret, now).ok());
  EXPECT_FALSE(VerifyHs256(absl::StrCat(parts[0], ".", parts[1]), kSecret, now).ok());
  EXPECT_FALSE(VerifyHs256("a.b.c", kSecret, now).ok());
  EXPECT_FALSE(VerifyHs256("", kSecret, now).ok());
}

TEST(MindDataTest, LoadsArticlesWithImpressionStatistics) {
  MindLoadOptions options;
  options.max_users = 0;
  options.min_clicks = 1;
  ASSERT_OK_AND_ASSIGN(MindData data, LoadMind(MindFixtureDir(), options));
  ASSERT_EQ(data.articles.size(), 300u);
  const MindArticle& first = data.articles[0];
  EXPECT_EQ(first.article_id, 1);
  EXPECT_EQ(first.mind_id, "N1000");
  EXPECT_EQ(first.category, "news");
  EXPECT_EQ(first.subcategory, "news-a");
  EXPECT_EQ(first.title, "Title 0");
  EXPECT_EQ(first.url, "https://example.org/0");
  // N1000 is shown in all 20 impression rows and never clicked; N1001 always clicked.
  EXPECT_EQ(first.impressions, 20);
  EXPECT_EQ(first.clicks, 0);
  EXPECT_EQ(data.articles[1].impressions, 20);
  EXPECT_EQ(data.articles[1].clicks, 20);
  EXPECT_EQ(data.articles[6].subcategory, "news-b");
  // 20 rows of 6 candidates, 3 clicked in each.
  EXPECT_EQ(data.impressions, 120);
  EXPECT_EQ(data.impression_clicks, 60);

  json doc = ArticleDocument(first, absl::FromUnixSeconds(1573430400));
  EXPECT_EQ(doc["article_id"], 1);
  EXPECT_EQ(doc["keywords"], json({"news", "news-a"}));
  EXPECT_EQ(doc["publish_date"], "2019-11-11T00:00:00");
  EXPECT_EQ(doc["metrics"]["clicks"], 0);
  EXPECT_EQ(doc["site"]["name"], "MSN");
}

// The synthetic set's population statistics are those of its articles, and every user's known
// clicks are in its category.
TEST(MindDataTest, SyntheticSetIsConsistent) {
  const MindData d = SyntheticMind(12, 5, {"a", "b", "c"});
  ASSERT_EQ(d.articles.size(), 12u);
  ASSERT_EQ(d.users.size(), 5u);
  int64_t clicks = 0;
  std::map<std::string, int64_t> by_category;
  for (size_t i = 0; i < d.articles.size(); ++i) {
    const MindArticle& a = d.articles[i];
    EXPECT_EQ(a.article_id, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(a.category, std::vector<std::string>({"a", "b", "c"})[(i + 1) % 3]);
    EXPECT_TRUE(absl::StartsWith(a.subcategory, a.category + "_"));
    EXPECT_LE(a.clicks, a.impressions);
    clicks += a.clicks;
    by_category[a.category] += a.clicks;
  }
  EXPECT_EQ(d.total_clicks, clicks);
  EXPECT_EQ(d.impression_clicks, clicks);
  EXPECT_EQ(d.impressions, 1200);
  EXPECT_EQ(d.category_clicks, by_category);
  EXPECT_EQ(d.users[4].user_id, "U4");
  EXPECT_EQ(d.users[4].category_clicks.at("b"), d.users[4].known_clicks);
  EXPECT_TRUE(SyntheticMind(3, 1, {}).articles.empty());
}

TEST(MindDataTest, UsersCountTheirKnownClicksOnce) {
  MindLoadOptions options;
  options.max_users = 0;
  options.min_clicks = 1;
  ASSERT_OK_AND_ASSIGN(MindData data, LoadMind(MindFixtureDir(), options));
  ASSERT_EQ(data.users.size(), 20u);
  // U0: 6 history clicks in news (news-a), 2 clicked impressions in sports (sports-b), and
  // N1001 (sports-a).
  const SimUser& u0 = data.users[0];
  EXPECT_EQ(u0.user_id, "U0");
  EXPECT_EQ(u0.known_clicks, 9);
  EXPECT_EQ(u0.category_clicks.at("news"), 6);
  EXPECT_EQ(u0.category_clicks.at("sports"), 3);
  EXPECT_EQ(u0.subcategory_clicks.at("news-a"), 6);
  EXPECT_EQ(u0.subcategory_clicks.at("sports-a"), 1);
  EXPECT_EQ(u0.subcategory_clicks.at("sports-b"), 2);
  EXPECT_EQ(u0.clicked_articles.size(), 9u);
  EXPECT_EQ(u0.clicked_articles[0], 13);  // N1012, the first of the history
  EXPECT_EQ(data.total_clicks, 180);
  EXPECT_EQ(data.category_clicks.at("news"), 30);  // U0, U6, U12, U18 x 6 + U5, U11, U17 x 2
  EXPECT_EQ(data.subcategory_clicks.at("news-a"), 24);

  // Limits and the minimum of known clicks.
  options.max_users = 5;
  options.max_articles = 50;
  ASSERT_OK_AND_ASSIGN(MindData small, LoadMind(MindFixtureDir(), options));
  EXPECT_EQ(small.articles.size(), 50u);
  EXPECT_EQ(small.users.size(), 5u);
  options.min_clicks = 100;
  ASSERT_OK_AND_ASSIGN(MindData none, LoadMind(MindFixtureDir(), options));
  EXPECT_TRUE(none.users.empty());
  EXPECT_THAT(LoadMind("/nonexistent", options),
              recplat::testing::StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace recplat::renewal_sim
