// The ecoseller dashboard pages over a fake core: hand-computed performance and training
// statistics (the fake answers EvaluateServed and ModelTrainingStats with the core's own
// computation, core/monitoring, over hand-made served lists, detail enters encoded by the store
// codec, and model versions), range boundaries, empty ranges, what the pages ask the core, the
// configuration page's shape.
#include "frontends/http_rest/ecoseller/dashboard.h"

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/monitoring/served_evaluation.h"
#include "core/monitoring/training_stats.h"
#include "frontends/http_rest/ecoseller/store_codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/frontends/ecoseller/objects_test_util.h"
#include "tests/testing/fake_api.h"
#include "tests/testing/status_matchers.h"

namespace recplat::http::ecoseller {
namespace {

using ::nlohmann::json;
using ::recplat::testing::FakeApi;
using ::recplat::testing::StatusIs;
using test::Utc;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kMiB = int64_t{1} << 20;

// The keys of a JSON object, sorted.
std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// Fails the test when `value` holds a null or a non-finite number anywhere.
void ExpectNoNullOrNan(const json& value, const std::string& path = "$") {
  ASSERT_FALSE(value.is_null()) << path;
  if (value.is_number_float()) {
    EXPECT_TRUE(std::isfinite(value.get<double>())) << path;
  } else if (value.is_object()) {
    for (const auto& [key, child] : value.items()) ExpectNoNullOrNan(child, path + "." + key);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      ExpectNoNullOrNan(value[i], path + "[" + std::to_string(i) + "]");
    }
  }
}

// A Dashboard over a FakeApi that answers from the records of a FakeData.
struct Board {
  FakeApi api;
  ShopReads reads{&api, "shop"};
  Dashboard dashboard{&api, &reads};
};

// The live items the fake core reports: the dashboard divides by the shop's variants instead.
constexpr int64_t kCoreLiveItems = 1000;

// Hand-made records behind a fake core: the current config (a stored Config document), the
// counts (GetStats and the `_shop.variant` keys), the model versions (ListModels), and the
// served lists and detail enters that EvaluateServed evaluates.
struct FakeData {
  EcosellerConfig config;
  ShopCounts counts;
  std::vector<v1::ServedList> predictions;
  std::vector<ProductDetailEnter> enters;
  // Model name -> versions; absent -> NOT_FOUND.
  std::map<std::string, std::vector<v1::ModelVersion>> versions;
  absl::Status list_models_error;  // Returned for every model when not OK.
  int64_t total_memory_bytes = 8 * 1024 * kMiB;

  // The detail enters as the core records them: the store codec's events.
  std::vector<v1::Event> Clicks() const {
    std::vector<v1::Event> clicks;
    for (const ProductDetailEnter& enter : enters) {
      absl::StatusOr<EncodedStore> encoded = EncodeStore({enter}, "shop");
      EXPECT_TRUE(encoded.ok()) << encoded.status();
      if (encoded.ok()) clicks.push_back(encoded->write.ops(0).event());
    }
    return clicks;
  }

  std::unique_ptr<Board> Core() const {
    auto board = std::make_unique<Board>();
    FakeApi& api = board->api;
    const FakeData d = *this;
    api.get_documents().Handle([d](const v1::GetDocumentsRequest& r) {
      v1::GetDocumentsResponse out;
      if (r.collection() == kConfigs) {
        v1::Document* doc = out.add_documents();
        doc->set_key(std::string(kCurrentConfigKey));
        doc->set_version(1);
        doc->set_body(d.config.ToStoredJson().dump());
      }
      return absl::StatusOr<v1::GetDocumentsResponse>(out);
    });
    api.get_stats().Handle([d](const v1::GetStatsRequest&) {
      v1::GetStatsResponse out;
      v1::TenantStats* t = out.add_tenants();
      t->set_tenant("shop");
      (*t->mutable_events_by_type())[std::string(kEventReview)] = d.counts.reviews;
      (*t->mutable_events_by_type())[std::string(kEventDetailEnter)] = d.counts.detail_enters;
      return absl::StatusOr<v1::GetStatsResponse>(out);
    });
    api.scan_documents().Handle([d](const v1::ScanDocumentsRequest& r) {
      v1::ScanDocumentsResponse out;
      if (r.collection() == "_shop.variant") {
        for (int64_t i = 0; i < d.counts.variants; ++i) {
          out.add_documents()->set_key(std::to_string(i));
        }
      }
      return absl::StatusOr<v1::ScanDocumentsResponse>(out);
    });
    api.list_models().Handle(
        [d](const v1::ListModelsRequest& r) -> absl::StatusOr<v1::ListModelsResponse> {
          if (!d.list_models_error.ok()) return d.list_models_error;
          auto it = d.versions.find(r.model());
          if (it == d.versions.end()) return absl::NotFoundError("no such model");
          v1::ListModelsResponse out;
          for (const v1::ModelVersion& v : it->second) *out.add_versions() = v;
          return out;
        });
    const std::vector<v1::Event> clicks = Clicks();
    api.evaluate_served().Handle([d, clicks](const v1::EvaluateServedRequest& r) {
      auto scan_clicks = [&](const std::function<void(const v1::Event&)>& fn) {
        for (const v1::Event& e : clicks) {
          if (e.type() == r.clicks().event_type()) fn(e);
        }
        return absl::OkStatus();
      };
      auto scan_served = [&](const std::function<void(const v1::ServedList&)>& fn) {
        for (const v1::ServedList& l : d.predictions) fn(l);
        return absl::OkStatus();
      };
      return monitoring::EvaluateServed(r, scan_clicks, scan_served, kCoreLiveItems);
    });
    api.model_training_stats().Handle(
        [d](const v1::ModelTrainingStatsRequest& r)
            -> absl::StatusOr<v1::ModelTrainingStatsResponse> {
          std::map<std::string, std::vector<v1::ModelVersion>> versions;
          for (const std::string& model : r.models()) {
            auto it = d.versions.find(model);
            if (it == d.versions.end()) return absl::NotFoundError("not configured");
            versions[model] = it->second;
          }
          return monitoring::TrainingStats(r.from_ms(), r.to_ms(), versions,
                                           d.total_memory_bytes);
        });
    return board;
  }
};

v1::ServedList Prediction(absl::Time at, std::string session, std::string type,
                          std::string retrieval, std::string scoring, double retrieval_s,
                          double scoring_s, std::vector<std::string> items) {
  v1::ServedList r;
  r.set_served_at_ms(absl::ToUnixMillis(at));
  r.set_session_id(std::move(session));
  r.set_surface(std::move(type));
  r.set_retrieval_model(std::move(retrieval));
  r.set_scoring_model(std::move(scoring));
  r.set_retrieval_seconds(retrieval_s);
  r.set_scoring_seconds(scoring_s);
  r.set_ordering_seconds(0.001);
  for (std::string& item : items) r.add_item_ids(std::move(item));
  return r;
}

ProductDetailEnter Enter(absl::Time at, std::string session, std::string sku,
                         std::optional<std::string> model, std::optional<std::string> type,
                         std::optional<int64_t> position) {
  ProductDetailEnter e;
  e.create_at = at;
  e.session_id = std::move(session);
  e.product_variant_sku = std::move(sku);
  e.model_name = std::move(model);
  e.model_identifier = e.model_name;
  e.recommendation_type = std::move(type);
  e.position = position;
  return e;
}

v1::ModelVersion Version(std::string model, int64_t version, v1::ModelStatus status,
                         absl::Time created, double duration_s, int64_t peak_bytes) {
  v1::ModelVersion v;
  v.set_model(std::move(model));
  v.set_version(version);
  v.set_status(status);
  v.set_created_at_ms(absl::ToUnixMillis(created));
  v.mutable_training()->set_duration_seconds(duration_s);
  v.mutable_training()->set_peak_memory_bytes(peak_bytes);
  return v;
}

// ---- Performance ------------------------------------------------------------------------------

const absl::Time kFrom = Utc(2023, 8, 1);
const absl::Time kTo = Utc(2023, 8, 2);

// Seven predictions (P1..P7, five in range) and ten clicks (E1..E10); the expected figures in
// the tests below are computed by hand from this table.
FakeData PerformanceData() {
  FakeData d;
  d.counts.variants = 8;
  for (absl::string_view name : kEcosellerModelNames) d.versions[std::string(name)] = {};
  d.predictions = {
      // P1..P3: inside the range.
      Prediction(Utc(2023, 8, 1, 10), "s1", "HOMEPAGE", "popularity", "ease", 0.1, 0.3,
                 {"A", "B", "C"}),
      Prediction(Utc(2023, 8, 1, 11), "s2", "PRODUCT_DETAIL", "similarity", "ease", 0.2, 0.5,
                 {"C", "D"}),
      Prediction(Utc(2023, 8, 1, 12), "s1", "HOMEPAGE", "popularity", "popularity", 0.3, 0.1,
                 {"E"}),
      // P4: before the range (the original's futureHitRate still counted it).
      Prediction(Utc(2023, 7, 31, 23), "s3", "HOMEPAGE", "selection", "selection", 9, 9,
                 {"F", "G"}),
      // P5: exactly at `to` (inclusive); P6: exactly at `from` (inclusive).
      Prediction(kTo, "s4", "CART", "selection", "dummy", 0.05, 0.02, {"H"}),
      Prediction(kFrom, "s5", "HOMEPAGE", "dummy", "dummy", 0.4, 0.04, {"A"}),
      // P7: one millisecond (the resolution of served lists) after `to`.
      Prediction(kTo + absl::Milliseconds(1), "s6", "HOMEPAGE", "ease", "ease", 9, 9, {"Z"}),
  };
  d.enters = {
      // E1: direct hit (ease, position 1); future hit of P1.
      Enter(Utc(2023, 8, 1, 10, 5), "s1", "B", "ease", "HOMEPAGE", 1),
      // E2: position 10 is the 11th slot: no direct hit; future hit of P2.
      Enter(Utc(2023, 8, 1, 11, 30), "s2", "D", "ease", "PRODUCT_DETAIL", 10),
      // E3: direct hit (popularity, position 0); before P3, so no future hit of it.
      Enter(Utc(2023, 8, 1, 11, 59), "s1", "E", "popularity", "HOMEPAGE", 0),
      // E4: direct hit (popularity); same session and SKU as P1 but another model.
      Enter(Utc(2023, 8, 1, 13), "s1", "A", "popularity", "CART", 3),
      // E5: direct hit (selection); would be P4's future hit if P4 were in range.
      Enter(Utc(2023, 8, 1, 9), "s3", "F", "selection", "HOMEPAGE", 2),
      // E6: an organic visit (no attribution): counts for nothing.
      Enter(Utc(2023, 8, 1, 14), "s1", "C", std::nullopt, std::nullopt, std::nullopt),
      // E7: after `to`: neither a direct hit nor P5's future hit.
      Enter(kTo + absl::Seconds(1), "s4", "H", "dummy", "CART", 0),
      // E8: before `from`.
      Enter(Utc(2023, 7, 31, 12), "s1", "A", "ease", "HOMEPAGE", 0),
      // E9: no position: no direct hit; future hit of P6.
      Enter(Utc(2023, 8, 1, 15), "s5", "A", "dummy", "HOMEPAGE", std::nullopt),
      // E10: a negative position is not in the top 10.
      Enter(Utc(2023, 8, 1, 16), "s2", "X", "ease", "PRODUCT_DETAIL", -1),
  };
  return d;
}

void ExpectPerformance(const json& p, double hit_rate, double future_hit_rate, double coverage,
                       int64_t predictions, double retrieval_avg, double retrieval_max,
                       double scoring_avg, double scoring_max) {
  ASSERT_EQ(Keys(p), (std::set<std::string>{"k", "data"}));
  EXPECT_EQ(p["k"], 10);
  const json& data = p["data"];
  ASSERT_EQ(Keys(data),
            (std::set<std::string>{"hitRate", "futureHitRate", "coverage", "predictions",
                                   "retrievalDuration", "scoringDuration"}));
  EXPECT_DOUBLE_EQ(data["hitRate"].get<double>(), hit_rate);
  EXPECT_DOUBLE_EQ(data["futureHitRate"].get<double>(), future_hit_rate);
  EXPECT_DOUBLE_EQ(data["coverage"].get<double>(), coverage);
  EXPECT_EQ(data["predictions"].get<int64_t>(), predictions);
  EXPECT_EQ(Keys(data["retrievalDuration"]), (std::set<std::string>{"avg", "max"}));
  EXPECT_NEAR(data["retrievalDuration"]["avg"].get<double>(), retrieval_avg, 1e-12);
  EXPECT_DOUBLE_EQ(data["retrievalDuration"]["max"].get<double>(), retrieval_max);
  EXPECT_NEAR(data["scoringDuration"]["avg"].get<double>(), scoring_avg, 1e-12);
  EXPECT_DOUBLE_EQ(data["scoringDuration"]["max"].get<double>(), scoring_max);
}

TEST(DashboardPerformanceTest, GeneralFigures) {
  const FakeData d = PerformanceData();
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Performance(kFrom, kTo));
  ASSERT_EQ(Keys(page), (std::set<std::string>{"models", "performance", "info"}));
  ASSERT_EQ(Keys(page["performance"]), (std::set<std::string>{"general", "modelSpecific"}));
  // In range: P1, P2, P3, P5, P6. Direct hits: E1, E3, E4, E5. Future hits: P1, P2, P6.
  // Covered: A B C D E H of 8 variants. Retrieval 0.1 0.2 0.3 0.05 0.4; scoring 0.3 0.5 0.1
  // 0.02 0.04.
  ExpectPerformance(page["performance"]["general"], 4.0 / 5, 3.0 / 5, 6.0 / 8, 5, 1.05 / 5, 0.4,
                    0.96 / 5, 0.5);
  ExpectNoNullOrNan(page);
}

TEST(DashboardPerformanceTest, ModelSpecificFiguresWithFixedQuirks) {
  const FakeData d = PerformanceData();
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Performance(kFrom, kTo));
  const json& specific = page["performance"]["modelSpecific"];
  // dummy is not listed (it still counts in "general").
  ASSERT_EQ(Keys(specific),
            (std::set<std::string>{"selection", "popularity", "similarity", "gru4rec", "ease"}));
  // ease scored P1, P2; clicked once in the top 10 (E1); both future hits; covers A B C D;
  // retrieved nothing; scoring max is the scoring max (0.5), not a retrieval figure.
  ExpectPerformance(specific["ease"], 1.0 / 2, 2.0 / 2, 4.0 / 8, 2, 0, 0, 0.4, 0.5);
  // popularity scored P3 and retrieved P1, P3; its own clicks only (E3, E4), not ease's.
  ExpectPerformance(specific["popularity"], 2.0 / 1, 0, 1.0 / 8, 1, 0.2, 0.3, 0.1, 0.1);
  // similarity only retrieved P2.
  ExpectPerformance(specific["similarity"], 0, 0, 0, 0, 0.2, 0.2, 0, 0);
  // selection: P4 is out of range (the original's futureHitRate counted it: 1/1); E5 is a click
  // but there is no prediction to divide by -> 0. It retrieved P5.
  ExpectPerformance(specific["selection"], 0, 0, 0, 0, 0.05, 0.05, 0, 0);
  ExpectPerformance(specific["gru4rec"], 0, 0, 0, 0, 0, 0, 0, 0);
}

TEST(DashboardPerformanceTest, RangeBoundariesAreInclusive) {
  FakeData d = PerformanceData();
  d.predictions = {
      Prediction(kFrom, "s", "HOMEPAGE", "ease", "ease", 1, 1, {"A"}),
      Prediction(kTo, "s", "HOMEPAGE", "ease", "ease", 2, 2, {"B"}),
      Prediction(kFrom - absl::Milliseconds(1), "s", "HOMEPAGE", "ease", "ease", 4, 4, {"C"}),
      Prediction(kTo + absl::Milliseconds(1), "s", "HOMEPAGE", "ease", "ease", 8, 8, {"D"}),
  };
  // A click exactly at `to` is in range and is a future hit of the prediction at `to`.
  d.enters = {Enter(kTo, "s", "B", "ease", "HOMEPAGE", 0)};
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Performance(kFrom, kTo));
  ExpectPerformance(page["performance"]["general"], 1.0 / 2, 1.0 / 2, 2.0 / 8, 2, 1.5, 2, 1.5, 2);
  // A single instant: from == to.
  ASSERT_OK_AND_ASSIGN(page, d.Core()->dashboard.Performance(kTo, kTo));
  ExpectPerformance(page["performance"]["general"], 1, 1, 1.0 / 8, 1, 2, 2, 2, 2);
}

TEST(DashboardPerformanceTest, EmptyRangeIsAllZeros) {
  const FakeData d = PerformanceData();
  ASSERT_OK_AND_ASSIGN(json page,
                       d.Core()->dashboard.Performance(Utc(2020, 1, 1), Utc(2020, 1, 2)));
  ExpectPerformance(page["performance"]["general"], 0, 0, 0, 0, 0, 0, 0, 0);
  for (const auto& [name, figures] : page["performance"]["modelSpecific"].items()) {
    SCOPED_TRACE(name);
    ExpectPerformance(figures, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  ExpectNoNullOrNan(page);
  EXPECT_EQ(page.dump().find("null"), std::string::npos);
}

TEST(DashboardPerformanceTest, NoVariantsCoverageDividesByOne) {
  FakeData d = PerformanceData();
  d.counts.variants = 0;
  d.predictions = {Prediction(kFrom, "s", "HOMEPAGE", "ease", "ease", 1, 1, {"A", "B"})};
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Performance(kFrom, kTo));
  EXPECT_DOUBLE_EQ(page["performance"]["general"]["data"]["coverage"].get<double>(), 2.0);
}

TEST(DashboardPerformanceTest, InfoAndModels) {
  const FakeData d = PerformanceData();
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Performance(kFrom, kTo));
  ASSERT_EQ(Keys(page["info"]), (std::set<std::string>{"hitRate", "futureHitRate", "coverage"}));
  for (const auto& [name, info] : page["info"].items()) {
    EXPECT_EQ(Keys(info), (std::set<std::string>{"title", "description"})) << name;
  }
  EXPECT_EQ(page["info"]["hitRate"]["title"], "Hit rate @ %k%");
  std::vector<std::string> names;
  for (const json& model : page["models"]) names.push_back(model["name"].get<std::string>());
  EXPECT_EQ(names,
            (std::vector<std::string>{"selection", "popularity", "similarity", "gru4rec", "ease"}));
}

TEST(DashboardPerformanceTest, Errors) {
  FakeData d = PerformanceData();
  EXPECT_THAT(d.Core()->dashboard.Performance(kTo, kFrom),
              StatusIs(absl::StatusCode::kInvalidArgument));
  d.list_models_error = absl::UnavailableError("core down");
  EXPECT_THAT(d.Core()->dashboard.Performance(kFrom, kTo),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(DashboardPerformanceTest, AsksTheCoreForWholeMillisecondsOfTheRange) {
  const FakeData d = PerformanceData();
  std::unique_ptr<Board> board = d.Core();
  // Served lists and detail enters carry milliseconds: the first one at or after `from`, the
  // last one at or before `to`.
  ASSERT_OK(board->dashboard.Performance(kFrom + absl::Microseconds(500),
                                         kTo + absl::Microseconds(1700)));
  ASSERT_EQ(board->api.evaluate_served().calls(), 1);
  const v1::EvaluateServedRequest& r = board->api.evaluate_served().last_request();
  EXPECT_EQ(r.tenant(), "shop");
  EXPECT_EQ(r.from_ms(), absl::ToUnixMillis(kFrom) + 1);
  EXPECT_EQ(r.to_ms(), absl::ToUnixMillis(kTo) + 1);
  EXPECT_EQ(r.k(), 10);
  EXPECT_EQ(r.clicks().event_type(), "product_detail_enter");
  EXPECT_EQ(r.clicks().model_key(), "model");
  EXPECT_EQ(r.clicks().surface_key(), "surface");
  EXPECT_EQ(r.clicks().position_key(), "position");
  EXPECT_EQ(r.clicks().session_key(), "");
  EXPECT_THAT(r.models(), ElementsAre("selection", "popularity", "similarity", "gru4rec", "ease"));

  // A range that holds no whole millisecond holds no record: zeros, without asking.
  ASSERT_OK_AND_ASSIGN(json page,
                       board->dashboard.Performance(kFrom + absl::Microseconds(200),
                                                    kFrom + absl::Microseconds(700)));
  EXPECT_EQ(board->api.evaluate_served().calls(), 1);
  ExpectPerformance(page["performance"]["general"], 0, 0, 0, 0, 0, 0, 0, 0);
  // So does one before 1970.
  ASSERT_OK(board->dashboard.Performance(absl::UnixEpoch() - absl::Hours(2),
                                         absl::UnixEpoch() - absl::Hours(1)));
  EXPECT_EQ(board->api.evaluate_served().calls(), 1);
}

TEST(DashboardPerformanceTest, CoreErrorsFailThePage) {
  const FakeData d = PerformanceData();
  std::unique_ptr<Board> board = d.Core();
  board->api.evaluate_served().Fail(absl::FailedPreconditionError("not recorded"));
  EXPECT_THAT(board->dashboard.Performance(kFrom, kTo),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// ---- Training ---------------------------------------------------------------------------------

FakeData TrainingData() {
  FakeData d;
  d.total_memory_bytes = 8 * 1024 * kMiB;
  d.versions["dummy"] = {Version("dummy", 0, v1::MODEL_STATUS_CURRENT, kFrom, 0, 0)};
  // Version 0 is the built-in one: not a training.
  d.versions["selection"] = {
      Version("selection", 0, v1::MODEL_STATUS_CURRENT, Utc(2023, 8, 1, 1), 0, 0)};
  d.versions["popularity"] = {
      Version("popularity", 1, v1::MODEL_STATUS_CURRENT, Utc(2023, 8, 1, 3), 1, 256 * kMiB)};
  d.versions["gru4rec"] = {
      Version("gru4rec", 2, v1::MODEL_STATUS_STALE, Utc(2023, 8, 1, 6), 4, 0),  // No peak.
      Version("gru4rec", 1, v1::MODEL_STATUS_FAILED, Utc(2023, 8, 1, 5), 2, 64 * kMiB),
  };
  d.versions["ease"] = {
      Version("ease", 4, v1::MODEL_STATUS_PENDING, kTo, 20, 1024 * kMiB),             // At `to`.
      Version("ease", 3, v1::MODEL_STATUS_STALE, Utc(2023, 7, 30), 99, 4096 * kMiB),  // Before.
      Version("ease", 2, v1::MODEL_STATUS_FAILED, Utc(2023, 8, 1, 2), 3, 100 * kMiB),
      Version("ease", 1, v1::MODEL_STATUS_CURRENT, Utc(2023, 8, 1, 1), 10, 512 * kMiB),
      Version("ease", 0, v1::MODEL_STATUS_UNSPECIFIED, Utc(2023, 8, 1, 1), 0, 0),
  };
  // similarity: not configured (NOT_FOUND).
  return d;
}

void ExpectTraining(const json& t, int64_t started, int64_t completed, int64_t failed,
                    double memory_avg, double memory_max, double percentage_avg,
                    double percentage_max, double duration_avg, double duration_max) {
  ASSERT_EQ(Keys(t), (std::set<std::string>{"data"}));
  const json& data = t["data"];
  ASSERT_EQ(Keys(data),
            (std::set<std::string>{"trainings", "peakMemory", "peakMemoryPercentage", "duration"}));
  EXPECT_EQ(data["trainings"],
            (json{{"started", started}, {"completed", completed}, {"failed", failed}}));
  EXPECT_NEAR(data["peakMemory"]["avg"].get<double>(), memory_avg, 1e-9);
  EXPECT_DOUBLE_EQ(data["peakMemory"]["max"].get<double>(), memory_max);
  EXPECT_NEAR(data["peakMemoryPercentage"]["avg"].get<double>(), percentage_avg, 1e-9);
  EXPECT_DOUBLE_EQ(data["peakMemoryPercentage"]["max"].get<double>(), percentage_max);
  EXPECT_NEAR(data["duration"]["avg"].get<double>(), duration_avg, 1e-12);
  EXPECT_DOUBLE_EQ(data["duration"]["max"].get<double>(), duration_max);
}

TEST(DashboardTrainingTest, StatisticsPerModelAndGeneral) {
  const FakeData d = TrainingData();
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Training(kFrom, kTo));
  ASSERT_EQ(Keys(page), (std::set<std::string>{"models", "training"}));
  ASSERT_EQ(Keys(page["training"]), (std::set<std::string>{"general", "modelSpecific"}));
  const json& specific = page["training"]["modelSpecific"];
  ASSERT_EQ(Keys(specific),
            (std::set<std::string>{"selection", "popularity", "similarity", "gru4rec", "ease"}));
  // ease: v1 (512 MiB = 6.25 % of 8 GiB, 10 s), v2 failed, v4 at `to` (1024 MiB = 12.5 %,
  // 20 s); v0 built-in and v3 before the range do not count.
  ExpectTraining(specific["ease"], 3, 2, 1, 768, 1024, 9.375, 12.5, 15, 20);
  // gru4rec: v1 failed, v2 completed without a recorded peak.
  ExpectTraining(specific["gru4rec"], 2, 1, 1, 0, 0, 0, 0, 4, 4);
  ExpectTraining(specific["popularity"], 1, 1, 0, 256, 256, 3.125, 3.125, 1, 1);
  ExpectTraining(specific["selection"], 0, 0, 0, 0, 0, 0, 0, 0, 0);
  ExpectTraining(specific["similarity"], 0, 0, 0, 0, 0, 0, 0, 0, 0);
  // General: durations 10 20 4 1; peaks 512 1024 256 MiB.
  ExpectTraining(page["training"]["general"], 6, 4, 2, 1792.0 / 3, 1024, 21.875 / 3, 12.5, 8.75,
                 20);
  ExpectNoNullOrNan(page);
}

TEST(DashboardTrainingTest, ModelsList) {
  const FakeData d = TrainingData();
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Training(kFrom, kTo));
  std::map<std::string, json> by_name;
  for (const json& model : page["models"]) by_name[model["name"].get<std::string>()] = model;
  ASSERT_EQ(by_name.size(), 5u);
  EXPECT_EQ(by_name.count("dummy"), 0u);
  EXPECT_TRUE(by_name["selection"]["isTrained"].get<bool>());
  EXPECT_TRUE(by_name["popularity"]["isTrained"].get<bool>());
  EXPECT_FALSE(by_name["popularity"]["canBeTrained"].get<bool>());
  // similarity is not configured; gru4rec has only STALE and FAILED versions.
  EXPECT_FALSE(by_name["similarity"]["isTrained"].get<bool>());
  EXPECT_FALSE(by_name["similarity"]["canBeTrained"].get<bool>());
  EXPECT_FALSE(by_name["gru4rec"]["isTrained"].get<bool>());
  EXPECT_TRUE(by_name["gru4rec"]["canBeTrained"].get<bool>());
  EXPECT_TRUE(by_name["ease"]["isTrained"].get<bool>());  // v1 is CURRENT.
}

TEST(DashboardTrainingTest, EmptyRangeAndErrors) {
  FakeData d = TrainingData();
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Training(Utc(2020, 1, 1), Utc(2020, 1, 2)));
  ExpectTraining(page["training"]["general"], 0, 0, 0, 0, 0, 0, 0, 0, 0);
  ExpectNoNullOrNan(page);
  // Unknown machine memory: percentages are 0, MiB still reported.
  d.total_memory_bytes = 0;
  ASSERT_OK_AND_ASSIGN(page, d.Core()->dashboard.Training(kFrom, kTo));
  ExpectTraining(page["training"]["modelSpecific"]["popularity"], 1, 1, 0, 256, 256, 0, 0, 1, 1);
  EXPECT_THAT(d.Core()->dashboard.Training(kTo, kFrom),
              StatusIs(absl::StatusCode::kInvalidArgument));
  d.list_models_error = absl::UnavailableError("core down");
  EXPECT_THAT(d.Core()->dashboard.Training(kFrom, kTo), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(DashboardTrainingTest, AsksForTheListedModelsTheCoreConfigures) {
  FakeData d = TrainingData();
  std::unique_ptr<Board> board = d.Core();
  ASSERT_OK(board->dashboard.Training(kFrom, kTo));
  ASSERT_EQ(board->api.model_training_stats().calls(), 1);
  const v1::ModelTrainingStatsRequest& r = board->api.model_training_stats().last_request();
  EXPECT_EQ(r.tenant(), "shop");
  EXPECT_EQ(r.from_ms(), absl::ToUnixMillis(kFrom));
  EXPECT_EQ(r.to_ms(), absl::ToUnixMillis(kTo));
  // Not dummy (not listed), not similarity (not configured).
  EXPECT_THAT(r.models(), ElementsAre("selection", "popularity", "gru4rec", "ease"));

  // Nothing to ask about: zeros, without asking.
  d.versions = {{"dummy", {}}};
  board = d.Core();
  ASSERT_OK_AND_ASSIGN(json page, board->dashboard.Training(kFrom, kTo));
  EXPECT_EQ(board->api.model_training_stats().calls(), 0);
  ExpectTraining(page["training"]["general"], 0, 0, 0, 0, 0, 0, 0, 0, 0);
  ExpectTraining(page["training"]["modelSpecific"]["ease"], 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

// ---- Configuration ----------------------------------------------------------------------------

FakeData ConfigurationData() {
  FakeData d;
  d.config.models_disabled = {{"gru4rec", true}, {"ease", false}};
  d.config.retrieval_size = 500;
  // Defaults: reviews_multiplier 0.5, events_multiplier 10.
  d.counts = {.variants = 10, .reviews = 6, .detail_enters = 101};
  for (absl::string_view name : kEcosellerModelNames) d.versions[std::string(name)] = {};
  d.versions["ease"] = {Version("ease", 1, v1::MODEL_STATUS_CURRENT, kFrom, 1, kMiB)};
  return d;
}

TEST(DashboardConfigurationTest, Shape) {
  const FakeData d = ConfigurationData();
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Configuration());
  ASSERT_EQ(Keys(page), (std::set<std::string>{"models", "config", "info"}));
  EXPECT_EQ(page["config"], d.config.ToDashboardJson());
  EXPECT_EQ(page["info"], EcosellerConfigInfoJson());
  ASSERT_TRUE(page["models"].is_array());
  std::vector<std::string> names;
  for (const json& model : page["models"]) {
    EXPECT_EQ(Keys(model),
              (std::set<std::string>{"name", "title", "description", "disabled", "canBeTrained",
                                     "isReadyForTraining", "isTrained"}));
    EXPECT_TRUE(model["title"].is_string() && !model["title"].get<std::string>().empty());
    EXPECT_TRUE(model["description"].is_string() &&
                !model["description"].get<std::string>().empty());
    names.push_back(model["name"].get<std::string>());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"dummy", "selection", "popularity", "similarity",
                                             "gru4rec", "ease"}));
  ExpectNoNullOrNan(page);
}

// {disabled, canBeTrained, isReadyForTraining, isTrained} per model name.
std::map<std::string, std::vector<bool>> Flags(const json& models) {
  std::map<std::string, std::vector<bool>> out;
  for (const json& m : models) {
    out[m["name"].get<std::string>()] = {m["disabled"].get<bool>(), m["canBeTrained"].get<bool>(),
                                         m["isReadyForTraining"].get<bool>(),
                                         m["isTrained"].get<bool>()};
  }
  return out;
}

TEST(DashboardConfigurationTest, ModelFlags) {
  FakeData d = ConfigurationData();
  ASSERT_OK_AND_ASSIGN(json page, d.Core()->dashboard.Configuration());
  using Bits = std::vector<bool>;
  std::map<std::string, Bits> flags = Flags(page["models"]);
  EXPECT_EQ(flags["dummy"], (Bits{false, false, false, true}));
  EXPECT_EQ(flags["selection"], (Bits{false, false, false, true}));
  EXPECT_EQ(flags["popularity"], (Bits{false, false, false, true}));
  // 10 variants: similarity is ready; 6 reviews > 0.5 * 10; 101 enters > 10 * 10.
  EXPECT_EQ(flags["similarity"], (Bits{false, true, true, false}));
  EXPECT_EQ(flags["gru4rec"], (Bits{true, true, true, false}));
  EXPECT_EQ(flags["ease"], (Bits{false, true, true, true}));

  // At the thresholds the rules are strict; no variants -> similarity not ready.
  d.counts = {.variants = 10, .reviews = 5, .detail_enters = 100};
  ASSERT_OK_AND_ASSIGN(page, d.Core()->dashboard.Configuration());
  flags = Flags(page["models"]);
  EXPECT_FALSE(flags["ease"][2]);
  EXPECT_FALSE(flags["gru4rec"][2]);
  EXPECT_TRUE(flags["similarity"][2]);
  d.counts = {};
  ASSERT_OK_AND_ASSIGN(page, d.Core()->dashboard.Configuration());
  EXPECT_FALSE(Flags(page["models"])["similarity"][2]);

  // A model the core does not configure: listed, but neither trainable nor trained.
  d.counts = {.variants = 10, .reviews = 6, .detail_enters = 101};
  d.versions.erase("ease");
  d.versions.erase("selection");
  ASSERT_OK_AND_ASSIGN(page, d.Core()->dashboard.Configuration());
  flags = Flags(page["models"]);
  EXPECT_EQ(flags["ease"], (Bits{false, false, false, false}));
  EXPECT_EQ(flags["selection"], (Bits{false, false, false, false}));
}

TEST(DashboardConfigurationTest, CoreErrorsFailThePage) {
  FakeData d = ConfigurationData();
  d.list_models_error = absl::UnavailableError("core down");
  EXPECT_THAT(d.Core()->dashboard.Configuration(), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace recplat::http::ecoseller
