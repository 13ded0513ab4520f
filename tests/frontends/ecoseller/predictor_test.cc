// The /predict codec against a fake core: which Recommend it sends, how it encodes the answer.
#include "frontends/http_rest/ecoseller/predictor.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "frontends/http_rest/ecoseller/store_codec.h"
#include "tests/testing/fake_api.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http::ecoseller {
namespace {

using ::recplat::testing::FakeApi;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

class PredictorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The core configures every ecoseller model but gru4rec.
    api_.list_models().Handle(
        [](const v1::ListModelsRequest& r) -> absl::StatusOr<v1::ListModelsResponse> {
          if (r.model() == "gru4rec") return absl::NotFoundError("unknown model 'gru4rec'");
          v1::ListModelsResponse out;
          if (r.model() == "ease") {
            v1::ModelVersion* v = out.add_versions();
            v->set_model("ease");
            v->set_version(3);
            v->set_created_at_ms(absl::ToUnixMillis(absl::FromCivil(
                absl::CivilSecond(2023, 8, 1, 10, 0, 0), absl::UTCTimeZone())));
          }
          return out;
        });
  }

  // Stores `config_json` as the current Config version, and answers category `category` as
  // stored (0: none).
  void SetDocuments(const std::string& config_json, int64_t category = 0) {
    api_.get_documents().Handle(
        [this, config_json, category](
            const v1::GetDocumentsRequest& r) -> absl::StatusOr<v1::GetDocumentsResponse> {
          v1::GetDocumentsResponse out;
          if (r.collection() == kConfigs && !config_json.empty()) {
            v1::Document* doc = out.add_documents();
            doc->set_key(std::string(kCurrentConfigKey));
            doc->set_version(config_version_);
            doc->set_body(config_json);
          }
          if (r.collection() == "_shop.category" && category != 0 &&
              r.keys(0) == std::to_string(category)) {
            out.add_documents()->set_key(r.keys(0));
          }
          return out;
        });
  }
  void SetConfig(const std::string& config_json) { SetDocuments(config_json); }

  int64_t config_version_ = 5;

  PredictRequest Request(const std::string& body) {
    absl::StatusOr<PredictRequest> r = ParsePredictRequest(body);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : PredictRequest();
  }

  FakeApi api_;
  ShopReads reads_{&api_, "shop"};
  Predictor predictor_{&api_, &reads_};
};

std::vector<std::string> Names(const google::protobuf::RepeatedPtrField<std::string>& names) {
  return {names.begin(), names.end()};
}

TEST_F(PredictorTest, HomepageSendsTheConfigsCascadesMinusDisabled) {
  SetConfig(R"({"retrieval_size": 25, "models_disabled": {"popularity": true},
               "homepage_retrieval_cascade": ["ease", "popularity", "selection"],
               "homepage_scoring_cascade": ["gru4rec", "ease", "selection"]})");
  ASSERT_OK(predictor_.Predict(Request(
      R"({"recommendation_type": "HOMEPAGE", "session_id": "s1", "user_id": 7})")).status());
  const v1::RecommendRequest r = api_.recommend().last_request();
  EXPECT_EQ(r.tenant(), "shop");
  EXPECT_EQ(r.surface(), "HOMEPAGE");
  EXPECT_EQ(r.session_id(), "s1");
  EXPECT_EQ(r.user_id(), "7");
  EXPECT_EQ(r.k(), 25);
  EXPECT_FALSE(r.dry_run());  // The engine records what it serves, for the dashboard.
  EXPECT_THAT(Names(r.retrieval_models()), ElementsAre("ease", "selection", "dummy"));
  // gru4rec stays: the core leaves out what its profile does not configure.
  EXPECT_THAT(Names(r.scoring_models()), ElementsAre("gru4rec", "ease", "selection", "dummy"));
  EXPECT_TRUE(r.skip_unconfigured_models());
  EXPECT_EQ(r.diversity_model(), "similarity");
  EXPECT_EQ(r.diversity_head(), 50);
}

TEST_F(PredictorTest, TheParsedConfigIsKeptWhileTheCoreAnswersTheSameVersion) {
  SetConfig(R"({"retrieval_size": 7})");
  const std::string body = R"({"recommendation_type": "HOMEPAGE", "session_id": "s",
                               "user_id": null})";
  ASSERT_OK(predictor_.Predict(Request(body)).status());
  EXPECT_EQ(api_.recommend().last_request().k(), 7);
  // Same version, other body: the core did not change it, the parsed config is reused.
  SetConfig(R"({"retrieval_size": 8})");
  ASSERT_OK(predictor_.Predict(Request(body)).status());
  EXPECT_EQ(api_.recommend().last_request().k(), 7);
  // A new version is read.
  config_version_ = 6;
  SetConfig(R"({"retrieval_size": 8})");
  ASSERT_OK(predictor_.Predict(Request(body)).status());
  EXPECT_EQ(api_.recommend().last_request().k(), 8);
  EXPECT_EQ(api_.get_documents().last_request().keys(0), kCurrentConfigKey);
}

TEST_F(PredictorTest, PredictionsEncodeLikeTheOriginalsSortedJson) {
  std::vector<PredictedItem> items = {{"a\"b", "ease", "ease_2023", 0}, {"c", "", "", 1}};
  const std::string encoded = EncodePredictions(items, "HOMEPAGE");
  nlohmann::json expected = nlohmann::json::array();
  expected.push_back({{"product_variant_sku", "a\"b"},
                      {"rs_info", {{"recommendation_type", "HOMEPAGE"},
                                   {"model_identifier", "ease_2023"},
                                   {"model_name", "ease"},
                                   {"position", 0}}}});
  expected.push_back({{"product_variant_sku", "c"}, {"rs_info", nlohmann::json::object()}});
  EXPECT_EQ(encoded, expected.dump());
  EXPECT_EQ(EncodePredictions({}, "CART"), "[]");
}

TEST_F(PredictorTest, CategoryListIsACatalogQueryOverEveryVariant) {
  SetDocuments("", 4);
  ASSERT_OK(predictor_.Predict(Request(
      R"({"recommendation_type": "CATEGORY_LIST", "session_id": "s", "user_id": null,
          "category_id": 4})")).status());
  const v1::RecommendRequest r = api_.recommend().last_request();
  EXPECT_THAT(Names(r.query().categories()), ElementsAre("category:4"));
  EXPECT_EQ(r.retrieval_models_size(), 0);
  EXPECT_EQ(r.k(), kMaxPredictK);
  EXPECT_TRUE(r.user_id().empty());
}

TEST_F(PredictorTest, DetailAndCartAnchorOnARandomKnownVariantChosenByTheCore) {
  ASSERT_OK(predictor_.Predict(Request(
      R"({"recommendation_type": "PRODUCT_DETAIL", "session_id": "s", "user_id": null,
          "variants": ["a", "b"], "limit": 3})")).status());
  v1::RecommendRequest r = api_.recommend().last_request();
  EXPECT_THAT(Names(r.anchor_item_ids()), ElementsAre("a", "b"));
  EXPECT_EQ(r.anchor_choice(), v1::ANCHORS_RANDOM_ONE);
  EXPECT_TRUE(r.require_known_anchor());
  EXPECT_EQ(r.k(), 3);
  ASSERT_OK(predictor_.Predict(Request(
      R"({"recommendation_type": "CART", "session_id": "s", "user_id": null,
          "variants_in_cart": ["c"]})")).status());
  r = api_.recommend().last_request();
  EXPECT_THAT(Names(r.anchor_item_ids()), ElementsAre("c"));
  EXPECT_EQ(r.anchor_choice(), v1::ANCHORS_RANDOM_FIRST);
  EXPECT_TRUE(r.require_known_anchor());
  ASSERT_OK(predictor_.Predict(Request(
      R"({"recommendation_type": "CART", "session_id": "s", "user_id": null})")).status());
  EXPECT_FALSE(api_.recommend().last_request().require_known_anchor());
}

TEST_F(PredictorTest, AnswersCarryTheScoringModelAndItsIdentifier) {
  v1::RecommendResponse answer;
  answer.set_retrieval_model("selection");
  answer.set_scoring_model("ease");
  answer.set_scoring_model_version(3);
  for (const char* id : {"x", "y"}) answer.add_items()->set_item_id(id);
  answer.mutable_items(1)->set_position(1);
  api_.recommend().Respond(answer);
  ASSERT_OK_AND_ASSIGN(std::vector<PredictedItem> got,
                       predictor_.Predict(Request(
                           R"({"recommendation_type": "HOMEPAGE", "session_id": "s",
                               "user_id": 1})")));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].sku, "x");
  EXPECT_EQ(got[1].position, 1);
  EXPECT_EQ(got[0].model_name, "ease");
  EXPECT_EQ(got[0].model_identifier, "ease_2023-08-01T10:00:00");
  // Untrained families keep their bare names; without a scoring model the retrieval one counts.
  answer.clear_scoring_model();
  answer.set_retrieval_model("popularity");
  answer.set_retrieval_model_version(12);
  api_.recommend().Respond(answer);
  ASSERT_OK_AND_ASSIGN(got, predictor_.Predict(Request(
                                R"({"recommendation_type": "HOMEPAGE", "session_id": "s",
                                    "user_id": 1})")));
  EXPECT_EQ(got[0].model_name, "popularity");
  EXPECT_EQ(got[0].model_identifier, "popularity");
}

TEST_F(PredictorTest, ACachedCategoryListAnswerHasNoRsInfo) {
  v1::RecommendResponse answer;
  answer.set_cached(true);
  answer.set_scoring_model("ease");
  answer.add_items()->set_item_id("x");
  api_.recommend().Respond(answer);
  ASSERT_OK_AND_ASSIGN(std::vector<PredictedItem> got,
                       predictor_.Predict(Request(
                           R"({"recommendation_type": "CATEGORY_LIST", "session_id": "s",
                               "user_id": null, "category_id": 1})")));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].model_name.empty());
  // On other surfaces a cached answer keeps its attribution.
  ASSERT_OK_AND_ASSIGN(got, predictor_.Predict(Request(
                                R"({"recommendation_type": "HOMEPAGE", "session_id": "s",
                                    "user_id": null})")));
  EXPECT_EQ(got[0].model_name, "ease");
}

TEST_F(PredictorTest, UnknownAnchorsAndCategoriesAreNotFoundNamingTheField) {
  api_.recommend().Fail(absl::NotFoundError("no known anchor among [a, b]"));
  EXPECT_THAT(predictor_.Predict(Request(
                  R"({"recommendation_type": "PRODUCT_DETAIL", "session_id": "s",
                      "user_id": null, "variants": ["a", "b"]})")).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("variants: no known variant")));
  api_.recommend().Respond(v1::RecommendResponse());
  EXPECT_THAT(predictor_.Predict(Request(
                  R"({"recommendation_type": "CATEGORY_LIST", "session_id": "s",
                      "user_id": null, "category_id": 9})")).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("category_id: unknown category 9")));
  EXPECT_EQ(api_.get_documents().last_request().collection(), "_shop.category");
  EXPECT_THAT(Names(api_.get_documents().last_request().keys()), ElementsAre("9"));
  // A stored category without variants answers an empty list.
  SetDocuments("", 9);
  ASSERT_OK_AND_ASSIGN(std::vector<PredictedItem> got,
                       predictor_.Predict(Request(
                           R"({"recommendation_type": "CATEGORY_LIST", "session_id": "s",
                               "user_id": null, "category_id": 9})")));
  EXPECT_THAT(got, IsEmpty());
}

TEST_F(PredictorTest, ProductPositionsTakeEachProductsBestVariant) {
  v1::RecommendResponse answer;
  for (const char* id : {"b1", "a2", "a1"}) answer.add_items()->set_item_id(id);
  api_.recommend().Respond(answer);
  v1::ListItemsResponse items;
  for (auto [sku, product] : std::vector<std::pair<std::string, std::string>>{
           {"a1", "10"}, {"a2", "10"}, {"b1", "20"}, {"c1", "30"}}) {
    v1::Item* item = items.add_items();
    item->set_id(sku);
    (*item->mutable_categorical_attributes())["product_id"] = product;
  }
  api_.list_items().Respond(items);
  ASSERT_OK_AND_ASSIGN(auto positions,
                       predictor_.ProductPositions(Request(
                           R"({"recommendation_type": "CATEGORY_LIST", "session_id": "s",
                               "user_id": null, "category_id": 2, "limit": 1})")));
  // c1 was not predicted: it gets the list's length.
  EXPECT_THAT(positions, ElementsAre(Pair(10, 1), Pair(20, 0), Pair(30, 3)));
  EXPECT_THAT(Names(api_.list_items().last_request().query().categories()),
              ElementsAre("category:2"));
  EXPECT_EQ(api_.recommend().last_request().k(), kMaxPredictK);  // The limit is ignored.
}

}  // namespace
}  // namespace recplat::http::ecoseller
