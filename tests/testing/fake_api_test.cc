#include "tests/testing/fake_api.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::testing {
namespace {

using ::testing::ElementsAre;

TEST(FakeApiTest, DefaultsAnswerOkEmptyAndReady) {
  FakeApi api;
  ASSERT_OK_AND_ASSIGN(v1::RecommendResponse resp, api.Recommend({}));
  EXPECT_EQ(resp.items_size(), 0);
  ASSERT_OK_AND_ASSIGN(v1::Item item, api.GetItem({}));
  EXPECT_EQ(item.id(), "");
  EXPECT_TRUE(api.Ready());
  api.SetReady(false);
  EXPECT_FALSE(api.Ready());
  EXPECT_EQ(api.ready_calls(), 2);
}

TEST(FakeApiTest, RecordsTypedRequestsInOrder) {
  FakeApi api;
  v1::WriteRequest write;
  write.add_ops()->mutable_counter()->set_name("likes");
  v1::RecommendRequest first;
  first.set_surface("home");
  v1::RecommendRequest second;
  second.set_surface("cart");
  ASSERT_OK(api.Recommend(first));
  ASSERT_OK(api.Write(write));
  ASSERT_OK(api.Recommend(second));

  EXPECT_THAT(api.CallOrder(), ElementsAre("Recommend", "Write", "Recommend"));
  ASSERT_EQ(api.recommend().calls(), 2);
  EXPECT_EQ(api.recommend().requests()[0].surface(), "home");
  EXPECT_EQ(api.recommend().last_request().surface(), "cart");
  std::vector<FakeApiCall> calls = api.Calls();
  ASSERT_EQ(calls.size(), 3u);
  ASSERT_NE(calls[1].As<v1::WriteRequest>(), nullptr);
  EXPECT_EQ(calls[1].As<v1::WriteRequest>()->ops(0).counter().name(), "likes");
  EXPECT_EQ(calls[1].As<v1::RecommendRequest>(), nullptr);  // Wrong type.
  EXPECT_EQ(api.get_item().calls(), 0);
  EXPECT_EQ(api.get_item().last_request().id(), "");

  api.recommend().Reset();
  api.ClearCalls();
  EXPECT_EQ(api.recommend().calls(), 0);
  EXPECT_TRUE(api.CallOrder().empty());
  EXPECT_EQ(api.write().calls(), 1);  // Other methods keep theirs.
}

TEST(FakeApiTest, AnswersWhatWasProgrammed) {
  FakeApi api;
  v1::Item item;
  item.set_id("a");
  api.get_item().Respond(item);
  ASSERT_OK_AND_ASSIGN(v1::Item got, api.GetItem({}));
  EXPECT_EQ(got.id(), "a");

  api.get_item().Fail(absl::NotFoundError("item 'b' is not in the catalog"));
  EXPECT_THAT(api.GetItem({}),
              StatusIs(absl::StatusCode::kNotFound, "item 'b' is not in the catalog"));

  api.get_item().Handle([](const v1::GetItemRequest& r) -> absl::StatusOr<v1::Item> {
    v1::Item echo;
    echo.set_id(r.id() + "!");
    return echo;
  });
  v1::GetItemRequest req;
  req.set_id("c");
  ASSERT_OK_AND_ASSIGN(got, api.GetItem(req));
  EXPECT_EQ(got.id(), "c!");

  api.get_item().Fail(absl::OkStatus());  // OK: an empty answer.
  ASSERT_OK_AND_ASSIGN(got, api.GetItem(req));
  EXPECT_EQ(got.id(), "");

  api.get_item().Reset();
  ASSERT_OK_AND_ASSIGN(got, api.GetItem(req));
  EXPECT_EQ(got.id(), "");
  EXPECT_EQ(api.get_item().calls(), 1);
}

TEST(FakeApiTest, ConcurrentCallsAreAllRecorded) {
  FakeApi api;
  api.append_events().Handle(
      [](const v1::AppendEventsRequest& r) -> absl::StatusOr<v1::AppendEventsResponse> {
        v1::AppendEventsResponse resp;
        resp.add_offsets(static_cast<uint64_t>(r.events_size()));
        return resp;
      });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&api] {
      for (int i = 0; i < 100; ++i) {
        v1::AppendEventsRequest r;
        r.add_events();
        absl::StatusOr<v1::AppendEventsResponse> resp = api.AppendEvents(r);
        EXPECT_TRUE(resp.ok() && resp->offsets_size() == 1 && resp->offsets(0) == 1u);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(api.append_events().calls(), 400);
  EXPECT_EQ(api.Calls().size(), 400u);
}

TEST(FakeApiTest, MonitoringMethodsRecordAndAnswer) {
  FakeApi api;
  v1::EvaluateServedRequest evaluate;
  evaluate.set_k(10);
  v1::EvaluateServedResponse figures;
  figures.mutable_general()->set_predictions(4);
  api.evaluate_served().Respond(figures);
  ASSERT_OK_AND_ASSIGN(v1::EvaluateServedResponse got, api.EvaluateServed(evaluate));
  EXPECT_EQ(got.general().predictions(), 4);
  EXPECT_EQ(api.evaluate_served().last_request().k(), 10);
  api.model_training_stats().Fail(absl::NotFoundError("model 'x' is not configured"));
  EXPECT_THAT(api.ModelTrainingStats({}), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(api.CallOrder(), ElementsAre("EvaluateServed", "ModelTrainingStats"));
}

}  // namespace
}  // namespace recplat::testing
