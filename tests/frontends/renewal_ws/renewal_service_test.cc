// The renewal JSON-RPC methods against a fake core: what each sends to the core and answers.
#include "frontends/renewal_ws/renewal_service.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_api.h"
#include "tests/testing/status_matchers.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;
using ::recplat::testing::FakeApi;
using ::recplat::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class RenewalServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RenewalServiceOptions options;
    options.tenant = "t";
    options.max_k = 50;
    options.write_batch = 2;
    absl::StatusOr<std::unique_ptr<RenewalService>> s = RenewalService::Create(&api_, options);
    ASSERT_TRUE(s.ok()) << s.status();
    service_ = *std::move(s);
  }

  FakeApi api_;
  std::unique_ptr<RenewalService> service_;
};

TEST_F(RenewalServiceTest, RecommendAsksTheSurfaceAndAnswersIds) {
  v1::RecommendResponse answer;
  for (const char* id : {"31", "7", "not-an-article"}) answer.add_items()->set_item_id(id);
  api_.recommend().Respond(answer);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> ids,
                       service_->Recommend({{"user_id", "u1"}, {"max_articles", 80},
                                            {"min_articles", 5}}));
  EXPECT_THAT(ids, ElementsAre(31, 7));
  const v1::RecommendRequest r = api_.recommend().last_request();
  EXPECT_EQ(r.tenant(), "t");
  EXPECT_EQ(r.surface(), "feed");
  EXPECT_EQ(r.user_id(), "u1");
  EXPECT_EQ(r.k(), 50);  // Capped at max_k.
  EXPECT_EQ(r.min_k(), 5);
  EXPECT_FALSE(r.has_query());
  // No exclude list: the core's filters know what the user saw and was shown.
  EXPECT_EQ(r.exclude_item_ids_size(), 0);
  // The 2020 API: `limit`, else 30.
  ASSERT_OK(service_->Recommend({{"user_id", 9}, {"limit", 4}}).status());
  EXPECT_EQ(api_.recommend().last_request().k(), 4);
  EXPECT_EQ(api_.recommend().last_request().user_id(), "9");
  ASSERT_OK(service_->Recommend({{"user_id", "u"}}).status());
  EXPECT_EQ(api_.recommend().last_request().k(), 30);
}

TEST_F(RenewalServiceTest, IdBoundsBecomeAnExclusiveArticleIdRange) {
  ASSERT_OK(service_->Recommend({{"user_id", "u"}, {"since_id", 10}, {"max_id", 20}}).status());
  v1::RecommendRequest r = api_.recommend().last_request();
  ASSERT_EQ(r.query().numeric_size(), 1);
  EXPECT_EQ(r.query().numeric(0).attribute(), "article_id");
  EXPECT_EQ(r.query().numeric(0).gt(), 10);
  EXPECT_EQ(r.query().numeric(0).lt(), 20);
  EXPECT_FALSE(r.query().numeric(0).has_ge());
  // Negative bounds are ignored, like the backend's.
  ASSERT_OK(service_->Recommend({{"user_id", "u"}, {"since_id", -1}, {"max_id", 5}}).status());
  r = api_.recommend().last_request();
  EXPECT_FALSE(r.query().numeric(0).has_gt());
  EXPECT_EQ(r.query().numeric(0).lt(), 5);
}

TEST_F(RenewalServiceTest, RecommendRejectsBadParamsAndPassesCoreErrors) {
  EXPECT_THAT(service_->Recommend({{"limit", 3}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Recommend({{"user_id", "u"}, {"since_id", "x"}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(api_.recommend().calls(), 0);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> none,
                       service_->Recommend({{"user_id", "u"}, {"max_articles", 0}}));
  EXPECT_THAT(none, IsEmpty());
  api_.recommend().Fail(absl::UnavailableError("core down"));
  EXPECT_THAT(service_->Recommend({{"user_id", "u"}}).status(),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(RenewalServiceTest, ArticlesAreItemsWithTheirMetricsAsCounters) {
  std::vector<json> articles = {
      {{"article_id", 1}, {"title", "a"}, {"metrics", {{"clicks", 3}, {"likes", 1}}}},
      {{"article_id", 2}, {"title", "b"}},
      {{"title", "no id"}},
      {{"article_id", 3}}};
  ASSERT_OK(service_->AddArticles(articles));
  // write_batch = 2 articles per write; each article's counters travel with it.
  const std::vector<v1::WriteRequest> writes = api_.write().requests();
  ASSERT_EQ(writes.size(), 2u);
  ASSERT_EQ(writes[0].ops_size(), 1 + 4 + 1);
  EXPECT_EQ(writes[0].ops(0).upsert_item().id(), "1");
  EXPECT_EQ(writes[0].ops(0).upsert_item().numeric_attributes().at("article_id"), 1);
  std::map<std::string, double> set;
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(writes[0].ops(i).counter().item_id(), "1");
    set[writes[0].ops(i).counter().name()] = writes[0].ops(i).counter().set();
  }
  EXPECT_EQ(set, (std::map<std::string, double>{
                     {"bookmarks", 0}, {"clicks", 3}, {"dislikes", 0}, {"likes", 1}}));
  EXPECT_EQ(writes[0].ops(5).upsert_item().id(), "2");
  EXPECT_EQ(writes[1].ops(0).upsert_item().id(), "3");
  // Nothing but invalid articles is an error.
  EXPECT_THAT(service_->AddArticles({json{{"title", "x"}}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RenewalServiceTest, AnInteractionIsOneWriteOfEventsAndCounterChanges) {
  ASSERT_OK(service_->HandleInteraction({{"user_id", "u"},
                                         {"article_id", 5},
                                         {"clicked", true},
                                         {"rating", 1},
                                         {"prev_rating", 0}}));
  ASSERT_EQ(api_.write().calls(), 1);
  const v1::WriteRequest w = api_.write().last_request();
  std::vector<std::string> events, counters;
  for (const v1::WriteOp& op : w.ops()) {
    if (op.has_event()) events.push_back(op.event().type());
    if (op.has_counter()) {
      counters.push_back(op.counter().name());
      EXPECT_EQ(op.counter().add(), 1);
      EXPECT_EQ(op.counter().floor(), 0);
    }
  }
  EXPECT_THAT(events, UnorderedElementsAre("click", "rating"));
  EXPECT_THAT(counters, UnorderedElementsAre("clicks", "likes"));
  EXPECT_THAT(service_->HandleInteraction({{"article_id", 5}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RenewalServiceTest, AssignmentsAreDocumentsAndListedInteractionsBecomeEvents) {
  // The core knows one click of u2 on article 3 already.
  api_.get_user().Handle([](const v1::GetUserRequest& r) -> absl::StatusOr<v1::GetUserResponse> {
    if (r.id() != "u2") return absl::NotFoundError("unknown user");
    v1::GetUserResponse out;
    v1::Interaction* h = out.add_history();
    h->set_item_id("3");
    h->set_type("click");
    return out;
  });
  // u1 and u9 are assigned today.
  v1::ScanDocumentsResponse assigned;
  for (const char* id : {"u1", "u9"}) assigned.add_documents()->set_key(id);
  api_.scan_documents().Respond(assigned);
  const json users = json::array(
      {json{{"user_id", "u1"}},
       json{{"user_id", "u2"},
            {"interactions", json::array({json{{"article_id", 3}, {"clicked", true}},
                                          json{{"article_id", 4}, {"clicked", true}}})}}});
  ASSERT_OK(service_->SetAssignments(users));
  // Only the click the core lacks is appended.
  ASSERT_EQ(api_.append_events().calls(), 1);
  const v1::AppendEventsRequest appended = api_.append_events().last_request();
  ASSERT_EQ(appended.events_size(), 1);
  EXPECT_EQ(appended.events(0).item_id(), "4");
  EXPECT_EQ(appended.events(0).user_id(), "u2");
  // u2 joins, u9 leaves, u1 stays.
  std::map<std::string, bool> changed;
  for (const v1::PutDocumentsRequest& r : api_.put_documents().requests()) {
    for (const v1::Document& d : r.documents()) changed[d.key()] = d.deleted();
  }
  EXPECT_EQ(changed, (std::map<std::string, bool>{{"u2", false}, {"u9", true}}));
  EXPECT_THAT(service_->assigned_users(), ElementsAre("u1", "u9"));  // What the core answers.
  EXPECT_THAT(service_->SetAssignments(json::object()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RenewalServiceTest, AssignAndUnassignOneUser) {
  ASSERT_OK(service_->AssignUser("u7"));
  ASSERT_OK(service_->UnassignUser(json{{"user_id", "u7"}}));
  const std::vector<v1::PutDocumentsRequest> puts = api_.put_documents().requests();
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(puts[0].documents(0).key(), "u7");
  EXPECT_FALSE(puts[0].documents(0).deleted());
  EXPECT_TRUE(puts[1].documents(0).deleted());
  EXPECT_THAT(service_->AssignUser(json::array()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RenewalServiceTest, ReadsComeFromTheCore) {
  v1::ListItemsResponse page;
  page.set_total(3);
  for (int id : {4, 12, 9}) {
    v1::Item* item = page.add_items();
    item->set_id(std::to_string(id));
    (*item->mutable_numeric_attributes())["article_id"] = id;
  }
  api_.list_items().Respond(page);
  EXPECT_EQ(service_->newest_article_id(), 12);
  EXPECT_EQ(service_->article_count(), 3u);
  v1::Item item;
  (*item.mutable_counters())["likes"] = 2;
  api_.get_item().Respond(item);
  ASSERT_OK_AND_ASSIGN(ArticleMetrics m, service_->Metrics(12));
  EXPECT_EQ(m, (ArticleMetrics{0, 2, 0, 0}));
  EXPECT_EQ(api_.get_item().last_request().id(), "12");
  api_.list_items().Fail(absl::UnavailableError("down"));
  EXPECT_EQ(service_->newest_article_id(), std::nullopt);
  EXPECT_EQ(service_->article_count(), 0u);
}

}  // namespace
}  // namespace recplat::renewal_ws
