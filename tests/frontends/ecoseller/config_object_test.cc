// The ecoseller Config object: defaults, camelCase/snake_case equivalence, validation, cascades
// and the /dashboard/configuration JSON.
#include "frontends/http_rest/ecoseller/config_object.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/frontends/ecoseller/objects_test_util.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http::ecoseller {
namespace {

using ::nlohmann::json;
using ::recplat::testing::StatusIs;
using test::kNow;
using test::kNowMicros;
using test::Utc;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

// The same non-default config, by alias and by field name.
constexpr const char* kCamelCase = R"({
  "createAt": "2023-08-01T10:00:00Z", "retrievalSize": 500, "orderingSize": 20,
  "models_disabled": {"gru4rec": true, "ease": false},
  "homepageRetrievalCascade": ["popularity", "selection"],
  "homepageScoringCascade": ["ease", "popularity", "selection"],
  "categoryListRetrievalCascade": null,
  "categoryListScoringCascade": ["popularity"],
  "productDetailRetrievalCascade": ["similarity", "selection"],
  "productDetailScoringCascade": ["similarity"],
  "cartRetrievalCascade": ["similarity", "dummy"],
  "cartScoringCascade": ["dummy"],
  "easeConfig": {"l2Options": [1, 10.5], "reviewsMultiplier": 0.25},
  "gru4recConfig": {"numEpochsOptions": [1, 2], "batchSizeOptions": [32, 64],
    "embeddingSizeOptions": [50], "hiddenSizeOptions": [80], "learningRateOptions": [0.001],
    "incrementalTrainings": 5, "eventsMultiplier": 8}})";
constexpr const char* kSnakeCase = R"({
  "create_at": "2023-08-01T10:00:00Z", "retrieval_size": 500, "ordering_size": 20,
  "models_disabled": {"gru4rec": true, "ease": false},
  "homepage_retrieval_cascade": ["popularity", "selection"],
  "homepage_scoring_cascade": ["ease", "popularity", "selection"],
  "category_list_retrieval_cascade": null,
  "category_list_scoring_cascade": ["popularity"],
  "product_detail_retrieval_cascade": ["similarity", "selection"],
  "product_detail_scoring_cascade": ["similarity"],
  "cart_retrieval_cascade": ["similarity", "dummy"],
  "cart_scoring_cascade": ["dummy"],
  "ease_config": {"l2_options": [1, 10.5], "reviews_multiplier": 0.25},
  "gru4rec_config": {"num_epochs_options": [1, 2], "batch_size_options": [32, 64],
    "embedding_size_options": [50], "hidden_size_options": [80], "learning_rate_options": [0.001],
    "incremental_trainings": 5, "events_multiplier": 8}})";

absl::StatusOr<EcosellerConfig> Parse(const json& object) {
  return ParseEcosellerConfig(object, kNow);
}

TEST(EcosellerConfigTest, Defaults) {
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig config, Parse(json::object()));
  EcosellerConfig expected;
  expected.create_at = kNowMicros;
  EXPECT_EQ(config, expected);
  EXPECT_EQ(config.retrieval_size, 1000);
  EXPECT_EQ(config.ordering_size, 50);
  EXPECT_THAT(config.models_disabled, IsEmpty());
  EXPECT_THAT(config.homepage_retrieval_cascade, ElementsAre("ease", "popularity", "selection"));
  EXPECT_THAT(config.homepage_scoring_cascade,
              ElementsAre("ease", "gru4rec", "popularity", "selection"));
  EXPECT_THAT(config.category_list_scoring_cascade,
              ElementsAre("ease", "gru4rec", "popularity", "selection"));
  EXPECT_THAT(config.product_detail_retrieval_cascade,
              ElementsAre("similarity", "popularity", "selection"));
  EXPECT_THAT(config.product_detail_scoring_cascade,
              ElementsAre("ease", "gru4rec", "similarity", "popularity", "selection"));
  EXPECT_THAT(config.cart_retrieval_cascade, ElementsAre("similarity", "popularity", "selection"));
  EXPECT_THAT(config.cart_scoring_cascade,
              ElementsAre("ease", "gru4rec", "similarity", "popularity", "selection"));
  EXPECT_THAT(config.ease_config.l2_options, ElementsAre(1, 10, 100));
  EXPECT_EQ(config.ease_config.reviews_multiplier, 0.5);
  EXPECT_THAT(config.gru4rec_config.num_epochs_options, ElementsAre(1));
  EXPECT_THAT(config.gru4rec_config.batch_size_options, ElementsAre(64));
  EXPECT_THAT(config.gru4rec_config.embedding_size_options, ElementsAre(100));
  EXPECT_THAT(config.gru4rec_config.hidden_size_options, ElementsAre(100));
  EXPECT_THAT(config.gru4rec_config.learning_rate_options, ElementsAre(0.0001));
  EXPECT_EQ(config.gru4rec_config.incremental_trainings, 10);
  EXPECT_EQ(config.gru4rec_config.events_multiplier, 10);
}

TEST(EcosellerConfigTest, CamelCaseAndSnakeCaseAreEquivalent) {
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig camel, Parse(json::parse(kCamelCase)));
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig snake, Parse(json::parse(kSnakeCase)));
  EXPECT_EQ(camel, snake);
  EXPECT_EQ(camel.create_at, Utc(2023, 8, 1, 10));
  EXPECT_EQ(camel.retrieval_size, 500);
  EXPECT_EQ(camel.ordering_size, 20);
  EXPECT_TRUE(camel.IsDisabled("gru4rec"));
  EXPECT_FALSE(camel.IsDisabled("ease"));
  EXPECT_FALSE(camel.IsDisabled("popularity"));
  EXPECT_THAT(camel.cart_retrieval_cascade, ElementsAre("similarity", "dummy"));
  EXPECT_THAT(camel.ease_config.l2_options, ElementsAre(1, 10.5));
  EXPECT_EQ(camel.ease_config.reviews_multiplier, 0.25);
  EXPECT_THAT(camel.gru4rec_config.batch_size_options, ElementsAre(32, 64));
  EXPECT_THAT(camel.gru4rec_config.learning_rate_options, ElementsAre(0.001));
  EXPECT_EQ(camel.gru4rec_config.incremental_trainings, 5);
  EXPECT_EQ(camel.gru4rec_config.events_multiplier, 8);

  // Mixed spellings, nested ones included, mean the same.
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig mixed, Parse(json::parse(R"({
    "retrieval_size": 7, "orderingSize": 3, "easeConfig": {"l2_options": [2]},
    "gru4rec_config": {"batchSizeOptions": [16]}})")));
  EXPECT_EQ(mixed.retrieval_size, 7);
  EXPECT_EQ(mixed.ordering_size, 3);
  EXPECT_THAT(mixed.ease_config.l2_options, ElementsAre(2));
  EXPECT_EQ(mixed.ease_config.reviews_multiplier, 0.5);  // Nested defaults stay.
  EXPECT_THAT(mixed.gru4rec_config.batch_size_options, ElementsAre(16));
  EXPECT_THAT(mixed.gru4rec_config.num_epochs_options, ElementsAre(1));
}

TEST(EcosellerConfigTest, AliasWinsOverFieldName) {
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig config,
                       Parse(json::parse(R"({"retrievalSize": 5, "retrieval_size": 6})")));
  EXPECT_EQ(config.retrieval_size, 5);
}

TEST(EcosellerConfigTest, NullCascadesTakeDefaultsButNullNumbersAreErrors) {
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig config,
                       Parse(json::parse(R"({"homepageScoringCascade": null})")));
  EXPECT_EQ(config.homepage_scoring_cascade, EcosellerConfig().homepage_scoring_cascade);
  EXPECT_THAT(Parse(json::parse(R"({"retrievalSize": null})")),
              StatusIs(kInvalid, "retrievalSize: must not be null"));
  EXPECT_THAT(Parse(json::parse(R"({"easeConfig": null})")),
              StatusIs(kInvalid, "easeConfig: must not be null"));
  // An empty cascade is allowed: the model manager then falls back to dummy.
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig empty,
                       Parse(json::parse(R"({"cartScoringCascade": []})")));
  EXPECT_THAT(empty.cart_scoring_cascade, IsEmpty());
}

TEST(EcosellerConfigTest, InvalidValues) {
  EXPECT_THAT(Parse(json::parse(R"({"homepageScoringCascade": ["ease", "foo"]})")),
              StatusIs(kInvalid,
                       "homepageScoringCascade[1]: unknown model \"foo\", expected one "
                       "of dummy, selection, popularity, similarity, gru4rec, ease"));
  EXPECT_THAT(Parse(json::parse(R"({"cart_retrieval_cascade": ["EASE"]})")),
              StatusIs(kInvalid, HasSubstr("cart_retrieval_cascade[0]: unknown model \"EASE\"")));
  EXPECT_THAT(Parse(json::parse(R"({"cartRetrievalCascade": "ease"})")),
              StatusIs(kInvalid, "cartRetrievalCascade: expected a list, got string \"ease\""));
  EXPECT_THAT(Parse(json::parse(R"({"retrievalSize": 0})")),
              StatusIs(kInvalid, "retrievalSize: must be positive"));
  EXPECT_THAT(Parse(json::parse(R"({"ordering_size": -5})")),
              StatusIs(kInvalid, "ordering_size: must be positive"));
  EXPECT_THAT(Parse(json::parse(R"({"retrievalSize": "many"})")),
              StatusIs(kInvalid, "retrievalSize: expected an integer, got string \"many\""));
  EXPECT_THAT(Parse(json::parse(R"({"easeConfig": {"l2Options": []}})")),
              StatusIs(kInvalid, "easeConfig.l2Options: must list at least one option"));
  EXPECT_THAT(Parse(json::parse(R"({"easeConfig": {"l2Options": [1, -1]}})")),
              StatusIs(kInvalid, "easeConfig.l2Options[1]: must not be negative"));
  EXPECT_THAT(Parse(json::parse(R"({"gru4recConfig": {"batchSizeOptions": [0]}})")),
              StatusIs(kInvalid, "gru4recConfig.batchSizeOptions[0]: must be positive"));
  EXPECT_THAT(Parse(json::parse(R"({"gru4rec_config": {"learning_rate_options": ["x"]}})")),
              StatusIs(kInvalid,
                       "gru4rec_config.learning_rate_options[0]: expected a number, "
                       "got string \"x\""));
  EXPECT_THAT(Parse(json::parse(R"({"gru4recConfig": {"incrementalTrainings": -1}})")),
              StatusIs(kInvalid, "gru4recConfig.incrementalTrainings: must not be negative"));
  EXPECT_THAT(Parse(json::parse(R"({"gru4recConfig": [1]})")),
              StatusIs(kInvalid, "gru4recConfig: expected an object, got array"));
  EXPECT_THAT(Parse(json::parse(R"({"models_disabled": {"ease": "perhaps"}})")),
              StatusIs(kInvalid,
                       "models_disabled.ease: expected a boolean, got string "
                       "\"perhaps\""));
  EXPECT_THAT(Parse(json::parse(R"({"models_disabled": ["ease"]})")),
              StatusIs(kInvalid, HasSubstr("models_disabled: expected an object")));
  EXPECT_THAT(Parse(json::parse("[]")), StatusIs(kInvalid, "expected an object, got array"));
  // Through /store_objects the path carries the index.
  EXPECT_THAT(ParseStoreObjects(R"([{"_model_class": "Config", "orderingSize": 0}])", kNow),
              StatusIs(kInvalid, "objects[0].orderingSize: must be positive"));
}

TEST(EcosellerConfigTest, CoercionsLikePydantic) {
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig config, Parse(json::parse(R"({
    "retrievalSize": "200", "orderingSize": 10.0, "models_disabled": {"ease": 1, "gru4rec": "no"},
    "easeConfig": {"reviewsMultiplier": "1"}})")));
  EXPECT_EQ(config.retrieval_size, 200);
  EXPECT_EQ(config.ordering_size, 10);
  EXPECT_TRUE(config.IsDisabled("ease"));
  EXPECT_FALSE(config.IsDisabled("gru4rec"));
  EXPECT_EQ(config.ease_config.reviews_multiplier, 1.0);
}

TEST(EcosellerConfigTest, DashboardJsonShape) {
  const json dashboard = EcosellerConfig().ToDashboardJson();
  EXPECT_EQ(dashboard, json::parse(R"({
    "retrievalSize": 1000, "orderingSize": 50, "models_disabled": {},
    "homepageRetrievalCascade": ["ease", "popularity", "selection"],
    "homepageScoringCascade": ["ease", "gru4rec", "popularity", "selection"],
    "categoryListScoringCascade": ["ease", "gru4rec", "popularity", "selection"],
    "productDetailRetrievalCascade": ["similarity", "popularity", "selection"],
    "productDetailScoringCascade": ["ease", "gru4rec", "similarity", "popularity", "selection"],
    "cartRetrievalCascade": ["similarity", "popularity", "selection"],
    "cartScoringCascade": ["ease", "gru4rec", "similarity", "popularity", "selection"],
    "easeConfig": {"l2Options": [1.0, 10.0, 100.0], "reviewsMultiplier": 0.5},
    "gru4recConfig": {"numEpochsOptions": [1], "batchSizeOptions": [64],
      "embeddingSizeOptions": [100], "hiddenSizeOptions": [100],
      "learningRateOptions": [0.0001], "incrementalTrainings": 10, "eventsMultiplier": 10.0}})"))
      << dashboard.dump(2);
  EXPECT_FALSE(dashboard.contains("create_at"));
  EXPECT_FALSE(dashboard.contains("id"));
  EXPECT_FALSE(dashboard.contains("deleted"));
  EXPECT_FALSE(dashboard.contains("categoryListRetrievalCascade"));

  ASSERT_OK_AND_ASSIGN(const EcosellerConfig camel, Parse(json::parse(kCamelCase)));
  const json shown = camel.ToDashboardJson();
  EXPECT_EQ(shown["models_disabled"], json::parse(R"({"ease": false, "gru4rec": true})"));
  EXPECT_EQ(shown["cartScoringCascade"], json::parse(R"(["dummy"])"));
  EXPECT_EQ(shown["gru4recConfig"]["batchSizeOptions"], json::parse("[32, 64]"));
}

TEST(EcosellerConfigTest, DashboardJsonParsesBack) {
  ASSERT_OK_AND_ASSIGN(EcosellerConfig camel, Parse(json::parse(kCamelCase)));
  ASSERT_OK_AND_ASSIGN(EcosellerConfig again, Parse(camel.ToDashboardJson()));
  again.create_at = camel.create_at;  // The dashboard JSON has no create_at.
  EXPECT_EQ(again, camel);
}

TEST(EcosellerConfigTest, StoredJsonRoundTrips) {
  ASSERT_OK_AND_ASSIGN(EcosellerConfig config, Parse(json::parse(kCamelCase)));
  config.id = 42;
  config.create_at = Utc(2023, 8, 1, 10, 0, 0, 123456);
  const json stored = config.ToStoredJson();
  EXPECT_EQ(stored["create_at"], "2023-08-01T10:00:00.123456Z");
  EXPECT_EQ(stored["id"], 42);
  EXPECT_EQ(stored["retrieval_size"], 500);
  ASSERT_OK_AND_ASSIGN(const EcosellerConfig back, Parse(stored));
  EXPECT_EQ(back, config);
}

TEST(EcosellerConfigTest, CascadeFor) {
  const EcosellerConfig config;
  using RT = RecommendationType;
  using PS = PipelineStep;
  EXPECT_THAT(config.CascadeFor(RT::kHomepage, PS::kRetrieval),
              ElementsAre("ease", "popularity", "selection"));
  EXPECT_THAT(config.CascadeFor(RT::kHomepage, PS::kScoring),
              ElementsAre("ease", "gru4rec", "popularity", "selection"));
  EXPECT_THAT(config.CascadeFor(RT::kCategoryList, PS::kRetrieval), IsEmpty());
  EXPECT_THAT(config.CascadeFor(RT::kCategoryList, PS::kScoring),
              ElementsAre("ease", "gru4rec", "popularity", "selection"));
  EXPECT_THAT(config.CascadeFor(RT::kProductDetail, PS::kRetrieval),
              ElementsAre("similarity", "popularity", "selection"));
  EXPECT_THAT(config.CascadeFor(RT::kCart, PS::kScoring),
              ElementsAre("ease", "gru4rec", "similarity", "popularity", "selection"));

  EXPECT_THAT(ParseRecommendationType("cart"), StatusIs(kInvalid, HasSubstr("\"cart\"")));
  for (RT type : {RT::kHomepage, RT::kCategoryList, RT::kProductDetail, RT::kCart}) {
    ASSERT_OK_AND_ASSIGN(const RT parsed, ParseRecommendationType(RecommendationTypeName(type)));
    EXPECT_EQ(parsed, type);
  }
}

TEST(EcosellerConfigTest, ModelNames) {
  for (absl::string_view name : kEcosellerModelNames) {
    EXPECT_TRUE(IsEcosellerModelName(name));
  }
  EXPECT_FALSE(IsEcosellerModelName("random"));
  EXPECT_FALSE(IsEcosellerModelName(""));
}

TEST(EcosellerConfigTest, InfoCoversEveryDashboardField) {
  const json& info = EcosellerConfigInfoJson();
  auto expect_entry = [](const json& entry, const std::string& key) {
    ASSERT_TRUE(entry.is_object()) << key;
    EXPECT_EQ(entry.size(), 2u) << key;
    ASSERT_TRUE(entry.contains("title") && entry["title"].is_string()) << key;
    ASSERT_TRUE(entry.contains("description") && entry["description"].is_string()) << key;
    EXPECT_FALSE(entry["title"].get<std::string>().empty()) << key;
    EXPECT_FALSE(entry["description"].get<std::string>().empty()) << key;
  };
  std::set<std::string> keys;
  const json dashboard = EcosellerConfig().ToDashboardJson();
  for (const auto& [key, value] : dashboard.items()) {
    keys.insert(key);
    ASSERT_TRUE(info.contains(key)) << key;
    if (value.is_object() && key != "models_disabled") {
      ASSERT_EQ(info[key].size(), value.size()) << key;
      for (const auto& [nested, unused] : value.items()) {
        ASSERT_TRUE(info[key].contains(nested)) << key << "." << nested;
        expect_entry(info[key][nested], key + "." + nested);
      }
    } else {
      expect_entry(info[key], key);
    }
  }
  expect_entry(info["categoryListRetrievalCascade"], "categoryListRetrievalCascade");
  EXPECT_EQ(info.size(), keys.size() + 1);
}

}  // namespace
}  // namespace recplat::http::ecoseller
