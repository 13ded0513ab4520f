// Renewal data structures -> internal API messages, and API base URI parsing.
#include "frontends/renewal_ws/renewal_codec.h"

#include "frontends/renewal_ws/internal/transport.h"
#include "frontends/renewal_ws/rest_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RenewalCodecTest, ArticleToItem) {
  // The seed docs' example article, trimmed.
  json article = {{"article_id", 10999},
                  {"url", "https://www.lemonde.fr/x.html"},
                  {"title", "Le titre"},
                  {"summary", "Le résumé"},
                  {"text", "Le texte"},
                  {"keywords", {"politique", "", "europe"}},
                  {"lang", "fr"},
                  {"publish_date", "2020-09-30T01:14:41"},
                  {"metrics", {{"likes", 2}}},
                  {"site", {{"name", "Le Monde"}, {"url", "https://www.lemonde.fr"}}},
                  {"scrape_status", {{"status", "ok"}}}};
  absl::StatusOr<v1::Item> item = ArticleToItem(article, "t");
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->id(), "10999");
  EXPECT_EQ(item->tenant(), "t");
  EXPECT_EQ(item->title(), "Le titre");
  EXPECT_EQ(item->text(), "Le résumé\n\nLe texte");
  EXPECT_THAT(item->categories(), ElementsAre("politique", "europe"));
  EXPECT_EQ(item->categorical_attributes().at("lang"), "fr");
  EXPECT_EQ(item->categorical_attributes().at("site"), "Le Monde");
  EXPECT_EQ(item->published_at_ms(), 1601428481000);

  article.erase("publish_date");
  article["date"] = "Wed, 30 Sep 2020 01:14:41 GMT";  // the 2020 REST projection
  ASSERT_TRUE(ArticleToItem(article, "").ok());
  EXPECT_EQ(ArticleToItem(article, "")->published_at_ms(), 1601428481000);

  EXPECT_FALSE(ArticleToItem(json{{"title", "no id"}}, "").ok());
  EXPECT_FALSE(ArticleToItem(json{{"article_id", 1.5}}, "").ok());
  EXPECT_EQ(ArticleToItem(json{{"article_id", "42"}}, "")->id(), "42");
}

TEST(RenewalCodecTest, ParseTimeMs) {
  EXPECT_EQ(ParseTimeMs("2020-09-30T01:14:41"), 1601428481000);
  EXPECT_EQ(ParseTimeMs("2020-09-30T01:14:41.5Z"), 1601428481500);
  EXPECT_EQ(ParseTimeMs("2020-09-30T03:14:41+02:00"), 1601428481000);
  EXPECT_EQ(ParseTimeMs("2020-09-30"), 1601424000000);
  EXPECT_EQ(ParseTimeMs("yesterday"), std::nullopt);
}

TEST(RenewalCodecTest, InteractionEventsAndMetrics) {
  absl::StatusOr<Interaction> x = ParseInteraction({{"user_id", "u"},
                                                    {"article_id", 1452},
                                                    {"rating", -1},
                                                    {"prev_rating", 1},
                                                    {"clicked", true},
                                                    {"recommended", true},
                                                    {"timestamp", "2020-09-08T13:46:47.119Z"}});
  ASSERT_TRUE(x.ok()) << x.status();
  std::vector<v1::Event> events = InteractionEvents(*x, "t");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type(), "recommended");
  EXPECT_EQ(events[1].type(), "click");
  EXPECT_EQ(events[2].type(), "rating");
  EXPECT_EQ(events[2].value(), -2);
  EXPECT_EQ(events[2].context().at("rating"), "-1");
  for (const v1::Event& e : events) {
    EXPECT_EQ(e.user_id(), "u");
    EXPECT_EQ(e.item_id(), "1452");
    EXPECT_EQ(e.tenant(), "t");
    EXPECT_EQ(e.timestamp_ms(), 1599572807119);
  }
  // A like turned into a dislike moves one of each; a click counts.
  std::vector<std::pair<std::string, double>> counters;
  for (const v1::CounterUpdate& c : InteractionCounters(*x, "t")) {
    EXPECT_EQ(c.item_id(), "1452");
    EXPECT_EQ(c.tenant(), "t");
    EXPECT_TRUE(c.has_floor());  // Never below zero, applied by the core.
    EXPECT_EQ(c.floor(), 0);
    EXPECT_FALSE(c.has_set());
    counters.emplace_back(c.name(), c.add());
  }
  EXPECT_THAT(counters, ::testing::UnorderedElementsAre(::testing::Pair("likes", -1),
                                                        ::testing::Pair("dislikes", 1),
                                                        ::testing::Pair("clicks", 1)));
  // Un-rating and clearing: counts go down, and are not events.
  x = ParseInteraction({{"user_id", "u"},
                        {"article_id", 1452},
                        {"rating", 0},
                        {"prev_rating", -1},
                        {"bookmarked", false}});
  ASSERT_TRUE(x.ok());
  counters.clear();
  for (const v1::CounterUpdate& c : InteractionCounters(*x, "t")) {
    counters.emplace_back(c.name(), c.add());
  }
  EXPECT_THAT(counters, ::testing::UnorderedElementsAre(::testing::Pair("dislikes", -1),
                                                        ::testing::Pair("bookmarks", -1)));
  events = InteractionEvents(*x, "");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].value(), 1);

  EXPECT_FALSE(ParseInteraction({{"article_id", 1}}).ok());
  EXPECT_FALSE(ParseInteraction({{"user_id", "u"}}).ok());
  EXPECT_FALSE(ParseInteraction({{"user_id", "u"}, {"article_id", 1}, {"rating", 5}}).ok());
  EXPECT_EQ(ArticleMetrics::FromJson({{"likes", 3}}), (ArticleMetrics{0, 3, 0, 0}));
}

TEST(RenewalCodecTest, MetricsAreItemCounters) {
  const std::vector<v1::CounterUpdate> set = MetricsCounters({4, 3, 2, 1}, 7, "t");
  ASSERT_EQ(set.size(), 4u);
  v1::Item item;
  for (const v1::CounterUpdate& c : set) {
    EXPECT_EQ(c.item_id(), "7");
    ASSERT_TRUE(c.has_set());
    (*item.mutable_counters())[c.name()] = c.set();
  }
  EXPECT_EQ(MetricsOfItem(item), (ArticleMetrics{4, 3, 2, 1}));
  EXPECT_EQ(MetricsOfItem(v1::Item()), ArticleMetrics());
  EXPECT_EQ(ArticleToItem(json{{"article_id", 12}}, "")->numeric_attributes().at("article_id"),
            12);
}

TEST(RenewalCodecTest, Users) {
  EXPECT_EQ(*UserIdOf("abc"), "abc");
  EXPECT_EQ(*UserIdOf(json{{"user_id", "abc"}}), "abc");
  EXPECT_EQ(*UserIdOf(json{{"uid", "abc"}}), "abc");
  EXPECT_FALSE(UserIdOf(json{{"name", "x"}}).ok());
  EXPECT_FALSE(UserIdOf("").ok());
  json user = {{"user_id", "u"},
               {"interactions", {{{"article_id", 1234}, {"recommended", true}}, {{"x", 1}}}}};
  EXPECT_THAT(InteractedArticles(user), ElementsAre(1234));
  EXPECT_THAT(InteractedArticles(json{{"interactions", {{"12", {{"clicked", true}}}}}}),
              ElementsAre(12));
  EXPECT_THAT(InteractedArticles("u"), IsEmpty());
}

TEST(RenewalCodecTest, TruncateUtf8KeepsWholeCharacters) {
  EXPECT_EQ(TruncateUtf8("abc", 5), "abc");
  EXPECT_EQ(TruncateUtf8("aé", 2), "a");  // é is two bytes
  EXPECT_EQ(TruncateUtf8("aé", 3), "aé");
}

TEST(TransportTest, ParseUri) {
  absl::StatusOr<internal::Endpoint> ep = internal::ParseUri(kDefaultApiBaseUri);
  ASSERT_TRUE(ep.ok()) << ep.status();
  EXPECT_TRUE(ep->tls);
  EXPECT_EQ(ep->host, "api.renewal-research.com");
  EXPECT_EQ(ep->port, "443");
  EXPECT_EQ(ep->path, "/v1/");
  // http -> ws, https -> wss; the event stream joins the base path.
  EXPECT_EQ(internal::Url(*ep, "event_stream", true),
            "wss://api.renewal-research.com/v1/event_stream");
  ep = internal::ParseUri("http://127.0.0.1:8080/api/v1");
  ASSERT_TRUE(ep.ok());
  EXPECT_FALSE(ep->tls);
  EXPECT_EQ(ep->HostHeader(), "127.0.0.1:8080");
  EXPECT_EQ(internal::Target(*ep, "articles?limit=5"), "/api/v1/articles?limit=5");
  EXPECT_EQ(internal::Url(*ep, "event_stream", true), "ws://127.0.0.1:8080/api/v1/event_stream");
  ep = internal::ParseUri("HTTPS://[::1]:8443");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->path, "/");
  EXPECT_EQ(ep->HostHeader(), "[::1]:8443");
  for (const char* bad : {"api.renewal-research.com/v1", "ftp://x/", "http:///v1", "http://x:0/",
                          "http://x:99999/", "http://u:p@x/", "http://x/v1?a=1"}) {
    EXPECT_FALSE(internal::ParseUri(bad).ok()) << bad;
  }
}

TEST(TransportTest, TlsContext) {
  EXPECT_TRUE(internal::MakeTlsContext({}).ok());
  EXPECT_TRUE(internal::MakeTlsContext({"", /*insecure_skip_verify=*/true}).ok());
  EXPECT_FALSE(internal::MakeTlsContext({"/nonexistent/ca.pem", false}).ok());
}

}  // namespace
}  // namespace recplat::renewal_ws
