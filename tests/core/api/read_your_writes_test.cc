#include "core/api/read_your_writes.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/fake_api.h"

namespace recplat::api {
namespace {

using ::recplat::testing::FakeApi;

v1::AppendEventsRequest Events(
    std::initializer_list<std::tuple<std::string, std::string, std::string>> who) {
  v1::AppendEventsRequest request;
  for (const auto& [tenant, user, session] : who) {
    v1::Event* e = request.add_events();
    e->set_tenant(tenant);
    e->set_user_id(user);
    e->set_session_id(session);
    e->set_item_id("i");
  }
  return request;
}

// The fake core answers each write with consecutive offsets starting at `*next`.
void AnswerWithOffsets(FakeApi& fake, uint64_t* next) {
  fake.append_events().Handle([next](const v1::AppendEventsRequest& r) {
    v1::AppendEventsResponse out;
    for (int i = 0; i < r.events_size(); ++i) out.add_offsets((*next)++);
    return absl::StatusOr<v1::AppendEventsResponse>(out);
  });
  fake.write().Handle([next](const v1::WriteRequest& r) {
    v1::WriteResponse out;
    for (int i = 0; i < r.ops_size(); ++i) out.add_offsets((*next)++);
    return absl::StatusOr<v1::WriteResponse>(out);
  });
  fake.upsert_users().Handle([next](const v1::UpsertUsersRequest& r) {
    v1::UpsertUsersResponse out;
    for (int i = 0; i < r.users_size(); ++i) out.add_offsets((*next)++);
    return absl::StatusOr<v1::UpsertUsersResponse>(out);
  });
}

v1::RecommendRequest RecommendFor(std::string user, std::string session = "",
                                  std::string tenant = "") {
  v1::RecommendRequest r;
  r.set_tenant(tenant);
  r.set_user_id(user);
  r.set_session_id(session);
  return r;
}

TEST(ReadYourWritesTest, ARecommendWaitsForItsUsersAndSessionsLatestWrite) {
  FakeApi fake;
  uint64_t next = 100;
  AnswerWithOffsets(fake, &next);
  ReadYourWritesApi api(&fake, 1000);
  ASSERT_TRUE(api.AppendEvents(Events({{"", "alice", "s1"}, {"", "bob", ""}, {"", "alice", ""}}))
                  .ok());  // alice 100 and 102, session s1 100, bob 101

  ASSERT_TRUE(api.Recommend(RecommendFor("alice")).ok());
  EXPECT_EQ(fake.recommend().last_request().min_offset(), 102u);
  ASSERT_TRUE(api.Recommend(RecommendFor("bob")).ok());
  EXPECT_EQ(fake.recommend().last_request().min_offset(), 101u);
  ASSERT_TRUE(api.Recommend(RecommendFor("", "s1")).ok());
  EXPECT_EQ(fake.recommend().last_request().min_offset(), 100u);
  // Unknown user, other tenant: nothing to wait for.
  ASSERT_TRUE(api.Recommend(RecommendFor("carol")).ok());
  EXPECT_FALSE(fake.recommend().last_request().has_min_offset());
  ASSERT_TRUE(api.Recommend(RecommendFor("alice", "", "shop2")).ok());
  EXPECT_FALSE(fake.recommend().last_request().has_min_offset());
  // A caller's own, later min_offset is kept.
  v1::RecommendRequest own = RecommendFor("alice");
  own.set_min_offset(500);
  ASSERT_TRUE(api.Recommend(own).ok());
  EXPECT_EQ(fake.recommend().last_request().min_offset(), 500u);
}

TEST(ReadYourWritesTest, UserUpsertsAndWriteOpsCountForGetUser) {
  FakeApi fake;
  uint64_t next = 7;
  AnswerWithOffsets(fake, &next);
  ReadYourWritesApi api(&fake, 1000);
  v1::WriteRequest write;
  write.add_ops()->mutable_upsert_item()->set_id("i1");  // 7: no user
  write.add_ops()->mutable_upsert_user()->set_id("dana");  // 8
  v1::Event* e = write.add_ops()->mutable_event();  // 9
  e->set_user_id("erin");
  ASSERT_TRUE(api.Write(write).ok());
  v1::UpsertUsersRequest users;
  users.add_users()->set_id("dana");  // 10
  ASSERT_TRUE(api.UpsertUsers(users).ok());

  v1::GetUserRequest get;
  get.set_id("dana");
  ASSERT_TRUE(api.GetUser(get).ok());
  EXPECT_EQ(fake.get_user().last_request().min_offset(), 10u);
  get.set_id("erin");
  ASSERT_TRUE(api.GetUser(get).ok());
  EXPECT_EQ(fake.get_user().last_request().min_offset(), 9u);
  ASSERT_TRUE(api.Recommend(RecommendFor("erin")).ok());
  EXPECT_EQ(fake.recommend().last_request().min_offset(), 9u);
}

TEST(ReadYourWritesTest, AReplicaThatCannotCatchUpInTimeServesStaleInsteadOfFailing) {
  FakeApi fake;
  uint64_t next = 1;
  AnswerWithOffsets(fake, &next);
  ReadYourWritesApi api(&fake, 1000);
  ASSERT_TRUE(api.AppendEvents(Events({{"", "alice", ""}})).ok());
  fake.recommend().Handle([](const v1::RecommendRequest& r) -> absl::StatusOr<v1::RecommendResponse> {
    if (r.has_min_offset()) {
      return absl::UnavailableError("min_offset 1: this replica has not received that log offset");
    }
    v1::RecommendResponse out;
    out.add_items()->set_item_id("stale");
    return out;
  });
  absl::StatusOr<v1::RecommendResponse> answer = api.Recommend(RecommendFor("alice"));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->items(0).item_id(), "stale");
  EXPECT_EQ(fake.recommend().calls(), 2);
  EXPECT_EQ(api.stale_fallbacks(), 1);

  // Any other failure is the answer: no second call.
  fake.recommend().Fail(absl::UnavailableError("core unreachable"));
  EXPECT_EQ(api.Recommend(RecommendFor("alice")).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fake.recommend().calls(), 3);
  EXPECT_EQ(api.stale_fallbacks(), 1);
}

TEST(ReadYourWritesTest, FailedWritesAreNotRememberedAndMemoryIsBounded) {
  FakeApi fake;
  fake.append_events().Fail(absl::UnavailableError("nats down"));
  ReadYourWritesApi api(&fake, 8);
  EXPECT_FALSE(api.AppendEvents(Events({{"", "alice", ""}})).ok());
  EXPECT_EQ(api.remembered(), 0u);

  uint64_t next = 1;
  AnswerWithOffsets(fake, &next);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(api.AppendEvents(Events({{"", "user" + std::to_string(i), ""}})).ok());
    EXPECT_LE(api.remembered(), 8u);
  }
  // The latest writer is still remembered; the first ones were dropped.
  ASSERT_TRUE(api.Recommend(RecommendFor("user99")).ok());
  EXPECT_EQ(fake.recommend().last_request().min_offset(), 100u);
  ASSERT_TRUE(api.Recommend(RecommendFor("user0")).ok());
  EXPECT_FALSE(fake.recommend().last_request().has_min_offset());
}

TEST(ReadYourWritesTest, CapacityZeroPassesEverythingThrough) {
  FakeApi fake;
  uint64_t next = 1;
  AnswerWithOffsets(fake, &next);
  ReadYourWritesApi api(&fake, 0);
  ASSERT_TRUE(api.AppendEvents(Events({{"", "alice", "s"}})).ok());
  ASSERT_TRUE(api.Recommend(RecommendFor("alice", "s")).ok());
  EXPECT_FALSE(fake.recommend().last_request().has_min_offset());
  EXPECT_EQ(api.remembered(), 0u);
  fake.SetReady(false);
  EXPECT_FALSE(api.Ready());
}

TEST(ReadYourWritesTest, OnlyTheCoresMinOffsetRefusalsCountAsTimeouts) {
  EXPECT_TRUE(IsMinOffsetTimeout(absl::UnavailableError("min_offset 5: not received")));
  EXPECT_TRUE(IsMinOffsetTimeout(absl::DeadlineExceededError("min_offset 5: not applied")));
  EXPECT_FALSE(IsMinOffsetTimeout(absl::DeadlineExceededError("rpc deadline")));
  EXPECT_FALSE(IsMinOffsetTimeout(absl::InvalidArgumentError("min_offset 5: bad")));
}

}  // namespace
}  // namespace recplat::api
