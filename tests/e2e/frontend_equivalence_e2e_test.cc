// End-to-end, issue 9 ("What it must show"): the ecoseller frontend gives the same answers
// whether it runs in the process that owns the state or in other processes over the core's gRPC
// API. Two deployments of the real binary with config/ecoseller.yaml, each with its own data
// directory:
//   A: one `role: all` process;
//   B: one `role: core` process and two `role: frontend` processes F1, F2 pointing at it.
// One deterministic sequence of ecoseller backend traffic is driven through both, step by step;
// in B the requests alternate between F1 and F2 (so /store_objects batches of one shop, the
// feedback, the predictions and the dashboard calls are spread over both frontends). Every
// answer of B must equal A's, after the normalisation described at kVolatile* below.
// The renewal half of the equivalence is in frontend_equivalence_renewal_e2e_test.cc.
//
// Determinism (what keeps the two independent cores' answers comparable):
//   - automatic training is off in both (`training.enabled=false`): the profile's triggers run
//     on schedules (every_seconds) and race with the request sequence (the queue de-duplicates
//     pending trainings), so how many versions exist, and when, would differ for timing reasons
//     alone. The models are trained by explicit `POST /v1/models/train` with `wait` at the same
//     point of the sequence in both: popularity, similarity and ease, all deterministic (EASE's
//     validation split is seeded);
//   - the Config version disables `selection` (weighted random) and `gru4rec` (a network with
//     random initialisation), so no answer depends on a random draw;
//   - PRODUCT_DETAIL and CART name ONE variant, so the core's random anchor choice has a single
//     option;
//   - every request uses its own session, except the deliberately repeated CATEGORY_LIST, so no
//     answer depends on whether an engine cache entry's TTL expired;
//   - feedback sent before predictions carries explicit create_at times (2023), so the histories
//     are ordered alike; the detail enters sent after the predictions carry none (request time)
//     and name sessions that are not asked again, so the dashboard's "after the prediction" join
//     (futureHitRate) is decided by the order of the sequence, not by clock resolution.
#include <functional>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/equivalence_support.h"
#include "tests/e2e/frontend_equivalence_shop.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;

// What legitimately differs between two independent cores, and is normalised before comparing:
//   - rs_info.model_identifier of a trained version is "<model>_<creation time, seconds>": the
//     model and the format are compared, the time is not (see NormalisePredict);
//   - GET /v1/items: updated_at_ms (the wall time of the last write) and the values of
//     event_counts (counts decayed to the moment of the read, so two reads a few milliseconds
//     apart differ in the last digits; which event types an item has is still compared);
//   - the training answers' times and resources: created_at_ms / promoted_at_ms (when the
//     version was made), training.duration_seconds and training.peak_memory_bytes (wall time and
//     RSS of the fit);
//   - /dashboard/performance: retrievalDuration and scoringDuration (avg/max seconds the engine
//     measured for each served list);
//   - /dashboard/training: duration, peakMemory, peakMemoryPercentage (avg/max of the fits).
// Everything else is compared as is: SKUs and their order, positions, model names, statuses and
// error messages, trained versions, their metrics and data sizes, every count and ratio of the
// dashboard (predictions, hitRate, futureHitRate, coverage, trainings started/completed/failed),
// and the model flags.
const std::set<std::string> kVolatileTrain = {"created_at_ms", "promoted_at_ms", "duration_seconds",
                                              "peak_memory_bytes"};
const std::set<std::string> kVolatileItem = {"updated_at_ms"};
const std::set<std::string> kDecayedItem = {"event_counts"};
const std::set<std::string> kVolatilePerformance = {"retrievalDuration", "scoringDuration"};
const std::set<std::string> kVolatileTraining = {"duration", "peakMemory", "peakMemoryPercentage"};

json NormalisePredict(json items) {
  static const std::regex kVersioned(R"(^([a-z0-9]+)_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$)");
  if (!items.is_array()) return items;
  for (json& item : items) {
    if (!item.is_object() || !item.contains("rs_info") || !item["rs_info"].is_object()) continue;
    json& info = item["rs_info"];
    if (!info.contains("model_identifier") || !info["model_identifier"].is_string()) continue;
    const std::string id = info["model_identifier"].get<std::string>();
    std::smatch m;
    if (std::regex_match(id, m, kVersioned)) info["model_identifier"] = m[1].str() + "_<created>";
  }
  return items;
}

class FrontendEquivalenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto options = [&](const std::string& name, int frontends) {
      DeploymentOptions o;
      o.profile = (SourceDir() / "config" / "ecoseller.yaml").string();
      o.data_dir = dir_.path() / name;
      o.common_args = {"--set", "log.sync=none", "--set", "training.enabled=false"};
      o.frontends = frontends;
      return o;
    };
    single_ = std::make_unique<Deployment>(options("single", 0));
    ASSERT_TRUE(single_->Start()) << single_->Diagnostics();
    split_ = std::make_unique<Deployment>(options("split", 2));
    ASSERT_TRUE(split_->Start()) << split_->Diagnostics();
    ASSERT_EQ(split_->frontend_count(), 2u);
  }

  // The same request to A and to B (B: frontend `via`, or the next one in turn); expects the
  // same status and the same body after `normalise`. Returns A's answer and (in `*b_out`) B's.
  JsonAnswer Same(const std::string& step, verb method, const std::string& target, const json& body,
                  const std::function<json(json)>& normalise = nullptr, int via = -1,
                  JsonAnswer* b_out = nullptr) {
    const std::string payload = body.is_null() ? "" : body.dump();
    JsonAnswer a = CallJson(single_->Frontend(0), method, target, payload);
    HttpClient& front = via < 0 ? split_->NextFrontend() : split_->Frontend(via);
    JsonAnswer b = CallJson(front, method, target, payload);
    EXPECT_NE(a.status, 0) << step << ": A did not answer\n" << single_->Diagnostics();
    EXPECT_EQ(a.status, b.status) << step << "\nA: " << a.raw << "\nB: " << b.raw;
    const json na = normalise ? normalise(a.body) : a.body;
    const json nb = normalise ? normalise(b.body) : b.body;
    EXPECT_EQ(na, nb) << step << "\nA: " << na.dump() << "\nB: " << nb.dump();
    if (b_out != nullptr) *b_out = b;
    return a;
  }

  JsonAnswer Store(const std::string& step, const json& objects) {
    JsonAnswer a = Same(step, verb::post, "/store_objects", objects);
    EXPECT_EQ(a.status, 200) << step << ": " << a.raw;
    return a;
  }

  json Predict(const std::string& step, const json& request, int via = -1,
               JsonAnswer* b = nullptr) {
    JsonAnswer a = Same(step, verb::post, "/predict", request, NormalisePredict, via, b);
    EXPECT_EQ(a.status, 200) << step << ": " << a.raw;
    EXPECT_TRUE(a.body.is_array()) << step << ": " << a.raw;
    return a.body;
  }

  void Train(const std::string& model) {
    JsonAnswer a = Same("train " + model, verb::post, "/v1/models/train",
                        json{{"model", model}, {"wait", true}},
                        [](json v) { return Normalise(std::move(v), kVolatileTrain); });
    ASSERT_EQ(a.status, 200) << a.raw;
    EXPECT_EQ(a.body["version"]["status"], "MODEL_STATUS_CURRENT") << a.raw;
  }

  // The whole catalog as the core's native API lists it (the items the core projected from the
  // shop entities, with their counters and decayed event counts).
  void SameItems(const std::string& step) {
    JsonAnswer a = Same(step, verb::get, "/v1/items?page_size=1000", nullptr, [](json v) {
      return NormaliseMapValues(Normalise(std::move(v), kVolatileItem), kDecayedItem);
    });
    EXPECT_EQ(a.status, 200) << a.raw;
  }

  // The default tenant's applied events in A and in B, once both have applied everything.
  std::pair<uint64_t, uint64_t> AppliedEvents() {
    json a, b;
    auto any = [](const json&) { return true; };
    EXPECT_TRUE(AwaitSettled(single_->Core(), any, absl::Seconds(20), &a));
    EXPECT_TRUE(AwaitSettled(split_->Core(), any, absl::Seconds(20), &b));
    return {StatCount(TenantStats(a), "events"), StatCount(TenantStats(b), "events")};
  }

  TempDir dir_;
  std::unique_ptr<Deployment> single_;
  std::unique_ptr<Deployment> split_;
};

std::vector<std::string> Skus(const json& items) {
  std::vector<std::string> out;
  for (const json& item : items) out.push_back(item["product_variant_sku"].get<std::string>());
  return out;
}

TEST_F(FrontendEquivalenceTest, OneProcessAndCorePlusTwoFrontendsAnswerAlike) {
  // The shop, in four batches (alternating frontends in B) and one single object.
  Store("catalog: attribute types, attributes, categories", shop::AttributesAndCategories());
  ASSERT_EQ(Same("one category", verb::post, "/store_object", shop::Category(6, 4)).status, 200);
  Store("catalog: products", shop::Products());
  Store("catalog: variants", shop::Variants());
  Store("catalog: prices", shop::Prices());
  ASSERT_EQ(Same("config version", verb::post, "/store_object",
                 shop::ConfigVersion(8, "2023-08-03T00:00:00Z"))
                .status,
            200);
  // Config versions with equal create_at times: the one written last is current (the second
  // of this batch), in every process.
  Store("config versions of one time",
        json::array({shop::ConfigVersion(6, "2023-08-04T00:00:00Z"),
                     shop::ConfigVersion(5, "2023-08-04T00:00:00Z")}));

  SameItems("items after the catalog");

  // Before any feedback or training: the fallbacks (dummy; similarity is untrained).
  json cold = Predict("cold homepage", shop::PredictHomepage("cold-home", nullptr, 5));
  ASSERT_FALSE(cold.empty());
  EXPECT_EQ(cold[0]["rs_info"]["model_name"], "dummy") << cold.dump();
  Predict("cold detail", shop::PredictDetail("cold-detail", nullptr, "A1", 4));

  // Feedback, spread over both frontends.
  Store("feedback: detail enters, leaves, carts", shop::Browsing());
  Store("feedback: orders", shop::Orders());
  Store("feedback: reviews", shop::Reviews());

  SameItems("items after the feedback");

  // Explicit trainings at the same point of both sequences.
  for (const char* model : {"popularity", "similarity", "ease"}) Train(model);

  // Predictions of all four types.
  json home = Predict("homepage, anonymous", shop::PredictHomepage("home-anon", nullptr, 5));
  ASSERT_FALSE(home.empty());
  EXPECT_EQ(home[0]["rs_info"]["model_name"], "popularity") << home.dump();
  EXPECT_EQ(home[0]["product_variant_sku"], "C1") << home.dump();  // Ordered most.
  json home_user = Predict("homepage, user 7", shop::PredictHomepage("home-u7", 7, 5));
  ASSERT_FALSE(home_user.empty());
  EXPECT_EQ(home_user[0]["rs_info"]["model_name"], "ease") << home_user.dump();
  json detail = Predict("detail A1", shop::PredictDetail("detail-a1", nullptr, "A1", 4));
  ASSERT_FALSE(detail.empty());
  EXPECT_EQ(detail[0]["rs_info"]["model_name"], "similarity") << detail.dump();
  EXPECT_EQ(NormalisePredict(detail)[0]["rs_info"]["model_identifier"], "similarity_<created>");
  for (const std::string& sku : Skus(detail)) EXPECT_NE(sku, "A1");
  Predict("detail C1, user 8", shop::PredictDetail("detail-c1", 8, "C1", 4));
  Predict("cart", shop::PredictCart("cart-u7", 7, "C1", 3));

  // CATEGORY_LIST of a parent category: every published variant below it, out of stock last;
  // then the same request through the other frontend is the engine's cached answer.
  JsonAnswer list_b;
  json list = Predict("category list 1", shop::PredictCategory("cat-1", 1), 0, &list_b);
  const std::vector<std::string> skus = Skus(list);
  EXPECT_EQ(std::set<std::string>(skus.begin(), skus.end()),
            (std::set<std::string>{"A1", "A2", "B1", "B2", "F1"}))
      << list.dump();
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(std::set<std::string>(skus.begin() + 3, skus.end()),
            (std::set<std::string>{"B1", "F1"}));  // Out of stock: last.
  EXPECT_FALSE(list[0]["rs_info"].empty());
  JsonAnswer cached_b;
  json cached = Predict("category list 1 again", shop::PredictCategory("cat-1", 1), 1, &cached_b);
  EXPECT_EQ(Skus(cached), skus);
  EXPECT_EQ(Skus(cached_b.body), Skus(list_b.body));
  for (const JsonAnswer* answer : {&cached_b, &list_b}) ASSERT_TRUE(answer->body.is_array());
  for (const json& item : cached) EXPECT_EQ(item["rs_info"], json::object()) << cached.dump();
  for (const json& item : cached_b.body) EXPECT_EQ(item["rs_info"], json::object());
  Predict("category list 2, limit 2", shop::PredictCategory("cat-2", 2, 2));
  JsonAnswer positions = Same("product positions", verb::post, "/predict/product_positions",
                              shop::PredictCategory("pos-1", 1));
  ASSERT_EQ(positions.status, 200) << positions.raw;
  EXPECT_EQ(positions.body.size(), 3u) << positions.raw;  // Products 10, 11, 15 (13 unpublished).

  // Errors: same status and message, and a rejected batch stores nothing.
  const auto [events_before_a, events_before_b] = AppliedEvents();
  JsonAnswer bad =
      Same("batch with an unknown SKU", verb::post, "/store_objects", shop::BatchWithUnknownSku());
  EXPECT_EQ(bad.status, 404) << bad.raw;
  EXPECT_NE(bad.raw.find("UNKNOWN"), std::string::npos) << bad.raw;
  JsonAnswer z1 = Same("rejected variant", verb::get, "/v1/items/Z1", nullptr);
  EXPECT_EQ(z1.status, 404) << z1.raw;
  const auto [events_after_a, events_after_b] = AppliedEvents();
  EXPECT_EQ(events_after_a, events_before_a);
  EXPECT_EQ(events_after_b, events_before_b);
  EXPECT_EQ(events_after_a, events_after_b);
  EXPECT_EQ(Same("unknown variant", verb::post, "/predict",
                 shop::PredictDetail("err-1", nullptr, "NOPE", 3))
                .status,
            404);
  EXPECT_EQ(
      Same("unknown category", verb::post, "/predict", shop::PredictCategory("err-2", 99)).status,
      404);
  EXPECT_EQ(Same("no recommendation_type", verb::post, "/predict",
                 json{{"session_id", "err-3"}, {"user_id", nullptr}})
                .status,
            400);

  // A stock change re-projects the variant in both cores: C1 leaves the homepage.
  Store("C1 sold out", json::array({shop::Variant("C1", 0, 0.5, {100, 102})}));
  json sold_out =
      Predict("homepage after C1 sold out", shop::PredictHomepage("home-2", nullptr, 5));
  for (const std::string& sku : Skus(sold_out)) EXPECT_NE(sku, "C1");

  SameItems("items at the end");

  // Clicks on what was predicted (request time, after the predictions), then the dashboard.
  Store("feedback: clicks on predictions", shop::ClicksOn(home, "home-anon", "HOMEPAGE"));
  JsonAnswer conf = Same("dashboard configuration", verb::get, "/dashboard/configuration", nullptr);
  ASSERT_EQ(conf.status, 200) << conf.raw;
  EXPECT_EQ(conf.body["config"]["orderingSize"], 5) << conf.raw;
  JsonAnswer perf = Same(
      "dashboard performance", verb::get,
      "/dashboard/performance?date_from=2000-01-01T00:00:00.000Z&date_to=2100-01-01T00:00:00.000Z",
      nullptr, [](json v) { return Normalise(std::move(v), kVolatilePerformance); });
  ASSERT_EQ(perf.status, 200) << perf.raw;
  const json& general = perf.body["performance"]["general"]["data"];
  EXPECT_GE(general["predictions"].get<int>(), 12) << perf.raw;
  EXPECT_GT(general["futureHitRate"].get<double>(), 0) << perf.raw;
  EXPECT_GT(general["hitRate"].get<double>(), 0) << perf.raw;
  JsonAnswer training = Same("dashboard training", verb::get,
                             "/dashboard/training?date_from=2000-01-01T00:00:00.000Z", nullptr,
                             [](json v) { return Normalise(std::move(v), kVolatileTraining); });
  ASSERT_EQ(training.status, 200) << training.raw;
  EXPECT_EQ(training.body["training"]["general"]["data"]["trainings"]["completed"], 3)
      << training.raw;

  EXPECT_TRUE(split_->Stop()) << split_->Diagnostics();
  EXPECT_TRUE(single_->Stop()) << single_->Diagnostics();
}

}  // namespace
}  // namespace recplat::testing
