#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "core/api/status_mapping.h"
#include "core/api/validation.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace recplat::api {
namespace {

using ::recplat::testing::StatusIs;
using ::testing::HasSubstr;

TEST(StatusMappingTest, OneTableForEveryProtocol) {
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDataLoss), 500);
  EXPECT_EQ(JsonRpcCodeFor(absl::StatusCode::kInvalidArgument), -32602);
  EXPECT_EQ(JsonRpcCodeFor(absl::StatusCode::kInternal), -32603);
  EXPECT_EQ(JsonRpcCodeFor(absl::StatusCode::kUnimplemented), -32601);
  EXPECT_EQ(JsonRpcCodeFor(absl::StatusCode::kNotFound), -32004);
  // Server-defined JSON-RPC codes stay in the reserved server range.
  for (int c = 1; c <= 16; ++c) {
    int code = JsonRpcCodeFor(static_cast<absl::StatusCode>(c));
    EXPECT_TRUE((code <= -32000 && code >= -32099) || (code <= -32600 && code >= -32603)) << c;
  }
  EXPECT_EQ(CodeName(absl::StatusCode::kNotFound), "NOT_FOUND");
}

// Every row of STYLE.md's "One status-mapping table", for every canonical code.
TEST(StatusMappingTest, EveryCodeMapsAsTheStyleTableSays) {
  struct Row {
    absl::StatusCode code;
    int http;
    int json_rpc;
    const char* name;
  };
  using C = absl::StatusCode;
  const Row rows[] = {
      {C::kOk, 200, 0, "OK"},
      {C::kInvalidArgument, 400, -32602, "INVALID_ARGUMENT"},
      {C::kOutOfRange, 400, -32602, "OUT_OF_RANGE"},
      {C::kUnauthenticated, 401, -32001, "UNAUTHENTICATED"},
      {C::kPermissionDenied, 403, -32003, "PERMISSION_DENIED"},
      {C::kNotFound, 404, -32004, "NOT_FOUND"},
      {C::kAlreadyExists, 409, -32009, "ALREADY_EXISTS"},
      {C::kAborted, 409, -32009, "ABORTED"},
      {C::kFailedPrecondition, 400, -32010, "FAILED_PRECONDITION"},
      {C::kResourceExhausted, 429, -32029, "RESOURCE_EXHAUSTED"},
      {C::kCancelled, 499, -32030, "CANCELLED"},
      {C::kUnimplemented, 501, -32601, "UNIMPLEMENTED"},
      {C::kUnavailable, 503, -32053, "UNAVAILABLE"},
      {C::kDeadlineExceeded, 504, -32054, "DEADLINE_EXCEEDED"},
      {C::kInternal, 500, -32603, "INTERNAL"},
      {C::kUnknown, 500, -32603, "UNKNOWN"},
      {C::kDataLoss, 500, -32603, "DATA_LOSS"},
  };
  EXPECT_EQ(std::size(rows), 17u);  // Every canonical code, 0..16.
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(HttpStatusFor(row.code), row.http);
    EXPECT_EQ(JsonRpcCodeFor(row.code), row.json_rpc);
    EXPECT_EQ(CodeName(row.code), row.name);
  }
  // A code outside the canonical set is treated as an internal error.
  EXPECT_EQ(HttpStatusFor(static_cast<absl::StatusCode>(99)), 500);
  EXPECT_EQ(JsonRpcCodeFor(static_cast<absl::StatusCode>(99)), -32603);
}

TEST(StatusMappingTest, ClientMessagesKeepShortTextsAndCutLongOnesOnCharacters) {
  const std::string exact(kMaxClientMessage, 'x');
  EXPECT_EQ(ClientMessage(absl::NotFoundError(exact)), exact);
  // "\xc3\xa9" (é) is two bytes. The cap keeps 1021 bytes and then "...": after 1020 bytes
  // of 'x' it would split the first é (dropped whole); after 1019 the first é fits.
  for (size_t prefix : {kMaxClientMessage - 4, kMaxClientMessage - 5}) {
    std::string mixed(prefix, 'x');
    for (int i = 0; i < 10; ++i) mixed += "\xc3\xa9";
    const std::string capped = ClientMessage(absl::InvalidArgumentError(mixed));
    EXPECT_LE(capped.size(), kMaxClientMessage);
    const std::string kept = prefix == kMaxClientMessage - 4 ? "" : "\xc3\xa9";
    EXPECT_EQ(capped, std::string(prefix, 'x') + kept + "...") << prefix;
  }
  for (absl::StatusCode code :
       {absl::StatusCode::kInternal, absl::StatusCode::kUnknown, absl::StatusCode::kDataLoss}) {
    EXPECT_EQ(ClientMessage(absl::Status(code, "/secret")),
              "internal error (details in the server log)");
  }
}

TEST(StatusMappingTest, ClientMessagesAreCappedAndHideInternals) {
  EXPECT_EQ(ClientMessage(absl::InvalidArgumentError("k: bad")), "k: bad");
  EXPECT_EQ(ClientMessage(absl::InvalidArgumentError(std::string(5000, 'x'))).size(),
            kMaxClientMessage);
  EXPECT_THAT(ClientMessage(absl::InternalError("rocksdb: IO error /secret/path")),
              ::testing::Not(HasSubstr("secret")));
}

ValidationOptions Api() {
  ValidationOptions options;
  options.event_types = {"view"};
  return options;
}

TEST(ValidationTest, TenantIsDefaultedAndChecked) {
  std::string t;
  ASSERT_OK(NormalizeTenant("default", &t, "tenant"));
  EXPECT_EQ(t, "default");
  t = "shop-1.eu_west";
  EXPECT_OK(NormalizeTenant("default", &t, "tenant"));
  t = "bad/tenant";
  EXPECT_THAT(NormalizeTenant("default", &t, "x.tenant"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("x.tenant")));
  t = "..";
  EXPECT_THAT(NormalizeTenant("default", &t, "tenant"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ValidationTest, IdsAndBatches) {
  EXPECT_OK(CheckId("sku-1", "id"));
  EXPECT_THAT(CheckId("", "items[2].id"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("items[2].id: required")));
  EXPECT_THAT(CheckId(std::string(257, 'a'), "id"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckId("a\nb", "id"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckBatchSize(0, 10, "events"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty batch")));
  EXPECT_THAT(CheckBatchSize(11, 10, "events"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_OK(CheckBatchSize(10, 10, "events"));
}

TEST(ValidationTest, ItemsAreCheckedFieldByField) {
  v1::Item item;
  item.set_id("a");
  item.set_index(7);  // Output only: cleared.
  ASSERT_OK(NormalizeItem(Api(), &item, "items[0]"));
  EXPECT_EQ(item.tenant(), "default");
  EXPECT_EQ(item.index(), 0u);
  item.set_title(std::string(5000, 't'));
  EXPECT_THAT(NormalizeItem(Api(), &item, "items[0]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("items[0].title")));
  item.clear_title();
  (*item.mutable_numeric_attributes())["price"] = std::nan("");
  EXPECT_THAT(NormalizeItem(Api(), &item, "items[0]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("price")));
  item.clear_numeric_attributes();
  item.set_recommendation_weight(-1);
  EXPECT_THAT(NormalizeItem(Api(), &item, "items[0]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("recommendation_weight")));
}

TEST(ValidationTest, EventsNeedAKnownTypeAndAnActor) {
  v1::Event e;
  e.set_item_id("a");
  e.set_type("view");
  EXPECT_THAT(NormalizeEvent(Api(), 99, &e, "events[0]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("user_id or session_id")));
  e.set_session_id("s");
  ASSERT_OK(NormalizeEvent(Api(), 99, &e, "events[0]"));
  EXPECT_EQ(e.timestamp_ms(), 99);  // Defaulted to now.
  e.set_type("buy");
  EXPECT_THAT(NormalizeEvent(Api(), 99, &e, "events[3]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("events[3].type: unknown event type 'buy' (configured: view)")));
  e.set_type("view");
  e.set_value(INFINITY);
  EXPECT_THAT(NormalizeEvent(Api(), 99, &e, "events[0]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("value")));
  e.set_value(1);
  e.set_timestamp_ms(-5);
  EXPECT_THAT(NormalizeEvent(Api(), 99, &e, "events[0]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("timestamp_ms")));
}

TEST(ValidationTest, RecommendRequests) {
  v1::RecommendRequest r;
  EXPECT_THAT(NormalizeRecommend(Api(), &r), StatusIs(absl::StatusCode::kInvalidArgument,
                                                      HasSubstr("k: must be >= 1")));
  r.set_k(5);
  r.set_min_k(6);
  EXPECT_THAT(NormalizeRecommend(Api(), &r), StatusIs(absl::StatusCode::kInvalidArgument,
                                                      HasSubstr("min_k")));
  r.set_min_k(5);
  ASSERT_OK(NormalizeRecommend(Api(), &r));
  EXPECT_EQ(r.tenant(), "default");
  r.add_anchor_item_ids("");
  EXPECT_THAT(NormalizeRecommend(Api(), &r), StatusIs(absl::StatusCode::kInvalidArgument,
                                                      HasSubstr("anchor_item_ids[0]")));
}

TEST(ValidationTest, RecommendQueriesAndAnchorChoices) {
  v1::RecommendRequest r;
  r.set_k(5);
  r.set_anchor_choice(static_cast<v1::AnchorChoice>(7));
  EXPECT_THAT(NormalizeRecommend(Api(), &r), StatusIs(absl::StatusCode::kInvalidArgument,
                                                      HasSubstr("anchor_choice")));
  r.set_anchor_choice(v1::ANCHORS_RANDOM_ONE);
  v1::NumericRange* price = r.mutable_query()->add_numeric();
  price->set_attribute("price");
  price->set_ge(10);
  ASSERT_OK(NormalizeRecommend(Api(), &r));
  price->set_lt(std::nan(""));
  EXPECT_THAT(NormalizeRecommend(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("query.numeric[0]")));
  price->clear_lt();
  r.mutable_query()->add_categorical()->set_attribute("brand");
  EXPECT_THAT(NormalizeRecommend(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("query.categorical[0].values: 1..1000 values")));
  r.mutable_query()->mutable_categorical(0)->add_values("acme");
  ASSERT_OK(NormalizeRecommend(Api(), &r));
  r.mutable_query()->add_numeric();  // No attribute.
  EXPECT_THAT(NormalizeRecommend(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("query.numeric[1].attribute")));
}

TEST(ValidationTest, RecommendLabelClauses) {
  v1::RecommendRequest r;
  r.set_k(3);
  v1::LabelsAnyOf* clause = r.mutable_query()->add_label_clauses();
  EXPECT_THAT(NormalizeRecommend(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("query.label_clauses[0].labels: 1..1000 labels")));
  clause->add_labels("c:1");
  ASSERT_OK(NormalizeRecommend(Api(), &r));
  clause->add_labels(std::string(257, 'x'));
  EXPECT_THAT(NormalizeRecommend(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("query.label_clauses[0].labels[1]")));
  clause->mutable_labels()->RemoveLast();
  for (int i = 0; i < 64; ++i) r.mutable_query()->add_label_clauses()->add_labels("w:x");
  EXPECT_THAT(NormalizeRecommend(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 64 label clauses")));
}

TEST(ValidationTest, ScanServedRequests) {
  v1::ScanServedRequest r;
  ASSERT_OK(NormalizeScanServed(Api(), &r));
  EXPECT_EQ(r.tenant(), "default");
  EXPECT_EQ(r.limit(), 1000);
  r.set_limit(10001);
  EXPECT_THAT(NormalizeScanServed(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  r.set_limit(10000);
  r.set_from_ms(50);
  r.set_to_ms(40);
  EXPECT_THAT(NormalizeScanServed(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to_ms")));
  r.set_to_ms(50);  // Inclusive: a one-millisecond range.
  ASSERT_OK(NormalizeScanServed(Api(), &r));
  r.set_from_ms(-1);
  EXPECT_THAT(NormalizeScanServed(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from_ms")));
}

TEST(ValidationTest, RenameWriteOpReaddressesTheOpAnErrorNames) {
  const std::vector<std::string> names = {"objects[0]", "objects[1].product_variants[1]"};
  EXPECT_THAT(RenameWriteOp(absl::NotFoundError("ops[1].event.item_id: unknown item 'zz'"), names),
              StatusIs(absl::StatusCode::kNotFound,
                       "objects[1].product_variants[1]: unknown item 'zz'"));
  EXPECT_THAT(RenameWriteOp(absl::InvalidArgumentError("ops[0]: one of the ops is required"),
                            names),
              StatusIs(absl::StatusCode::kInvalidArgument, "objects[0]: one of the ops is required"));
  // Errors that name no op, or an op out of range, pass unchanged.
  EXPECT_THAT(RenameWriteOp(absl::UnavailableError("core down"), names),
              StatusIs(absl::StatusCode::kUnavailable, "core down"));
  EXPECT_THAT(RenameWriteOp(absl::InvalidArgumentError("ops[9].x: bad"), names),
              StatusIs(absl::StatusCode::kInvalidArgument, "ops[9].x: bad"));
  EXPECT_THAT(RenameWriteOp(absl::InvalidArgumentError("ops[x].y: bad"), names),
              StatusIs(absl::StatusCode::kInvalidArgument, "ops[x].y: bad"));
}

TEST(ValidationTest, EvaluateServedRequests) {
  v1::EvaluateServedRequest r;
  r.set_from_ms(10);
  r.set_to_ms(10);  // Inclusive: a one-millisecond range.
  r.set_k(10);
  r.mutable_clicks()->set_event_type("view");
  ASSERT_OK(NormalizeEvaluateServed(Api(), &r));
  EXPECT_EQ(r.tenant(), "default");
  // The attribution keys default to Event.context's own; the session to the event's.
  EXPECT_EQ(r.clicks().model_key(), "model");
  EXPECT_EQ(r.clicks().surface_key(), "surface");
  EXPECT_EQ(r.clicks().position_key(), "position");
  EXPECT_EQ(r.clicks().session_key(), "");
  r.mutable_clicks()->set_model_key("rec_model");
  r.mutable_clicks()->set_session_key("visit");
  r.add_models("ease");
  ASSERT_OK(NormalizeEvaluateServed(Api(), &r));
  EXPECT_EQ(r.clicks().model_key(), "rec_model");
  EXPECT_EQ(r.clicks().session_key(), "visit");

  auto expect_invalid = [](v1::EvaluateServedRequest bad, const std::string& field) {
    EXPECT_THAT(NormalizeEvaluateServed(Api(), &bad),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)));
  };
  v1::EvaluateServedRequest bad = r;
  bad.set_to_ms(9);
  expect_invalid(bad, "to_ms");
  bad = r;
  bad.set_from_ms(-1);
  expect_invalid(bad, "from_ms");
  for (int k : {0, -1, 1001}) {
    bad = r;
    bad.set_k(k);
    expect_invalid(bad, "k");
  }
  bad = r;
  bad.mutable_clicks()->clear_event_type();
  expect_invalid(bad, "clicks.event_type: required");
  bad.mutable_clicks()->set_event_type("purchase");
  expect_invalid(bad, "clicks.event_type: unknown event type 'purchase'");
  bad = r;
  bad.mutable_clicks()->set_position_key(std::string(129, 'p'));
  expect_invalid(bad, "clicks.position_key");
  bad = r;
  bad.mutable_clicks()->set_session_key("a\nb");
  expect_invalid(bad, "clicks.session_key");
  bad = r;
  bad.add_models("");
  expect_invalid(bad, "models[1]");
  bad = r;
  for (int i = 0; i < 100; ++i) bad.add_models("m");
  expect_invalid(bad, "models");
}

TEST(ValidationTest, ModelTrainingStatsRequests) {
  v1::ModelTrainingStatsRequest r;
  ASSERT_OK(NormalizeModelTrainingStats(Api(), &r));
  EXPECT_EQ(r.tenant(), "default");
  r.set_from_ms(5);
  r.set_to_ms(4);
  EXPECT_THAT(NormalizeModelTrainingStats(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to_ms")));
  r.set_to_ms(5);
  r.add_models("ease\t");
  EXPECT_THAT(NormalizeModelTrainingStats(Api(), &r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("models[0]")));
}

}  // namespace
}  // namespace recplat::api
