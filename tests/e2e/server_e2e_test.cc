// End-to-end: the real recplat binary on 127.0.0.1:0, spoken to over gRPC.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "grpc_std.grpc.pb.h"
#include "grpc_reflection_subset.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/e2e/grpc_client.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

constexpr char kProfile[] = R"(
profile: e2e
log:
  sync: always
api:
  max_batch: 500
  max_message_bytes: 200000
event_types:
  view: {weight: 1}
  buy: {weight: 5}
models:
  popularity:
    family: popularity
    train: {on_start: false}
  item_knn:
    family: item_knn
    train: {on_start: false}
surfaces:
  default:
    retrieval: [item_knn, popularity]
  feed:
    retrieval: [popularity]
    filters: {exclude_recommended: true}
)";

// HTTP GET over a plain socket; returns the whole response.
std::string HttpGet(const std::string& address, const std::string& path) {
  size_t colon = address.rfind(':');
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n";
  ::send(fd, req.data(), req.size(), 0);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class ServerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    profile_ = (dir_.path() / "profile.yaml").string();
    std::ofstream(profile_) << kProfile;
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--profile", profile_, "--data-dir", (dir_.path() / "data").string()});
    ASSERT_TRUE(server_->Start()) << server_->ReadStderr();
    client_ = std::make_unique<GrpcClient>(server_->grpc_address());
  }

  void UpsertItems(int n) {
    v1::UpsertItemsRequest req;
    for (int i = 0; i < n; ++i) {
      v1::Item* item = req.add_items();
      item->set_id(absl::StrCat("item", i));
      item->set_title(absl::StrCat("Item ", i));
      item->add_categories(i % 2 == 0 ? "even" : "odd");
    }
    v1::UpsertItemsResponse resp;
    grpc::Status s = client_->catalog->UpsertItems(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(resp.offsets_size(), n);
  }

  grpc::Status Append(const std::vector<std::tuple<std::string, std::string, std::string>>& evs,
                      v1::AppendEventsResponse* resp = nullptr) {
    v1::AppendEventsRequest req;
    req.set_wait_applied(true);
    for (const auto& [user, item, type] : evs) {
      v1::Event* e = req.add_events();
      e->set_user_id(user);
      e->set_item_id(item);
      e->set_type(type);
    }
    v1::AppendEventsResponse local;
    return client_->events->AppendEvents(Ctx().get(), req, resp != nullptr ? resp : &local);
  }

  v1::RecommendResponse Recommend(const std::string& user, int k,
                                  const std::string& surface = "", int min_k = 0) {
    v1::RecommendRequest req;
    req.set_user_id(user);
    req.set_k(k);
    req.set_min_k(min_k);
    req.set_surface(surface);
    v1::RecommendResponse resp;
    grpc::Status s = client_->recommend->Recommend(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  v1::ModelVersion Train(const std::string& model) {
    v1::TrainRequest req;
    req.set_model(model);
    req.set_wait(true);
    v1::TrainResponse resp;
    grpc::Status s = client_->models->Train(Ctx(120).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.version();
  }

  TempDir dir_;
  std::string profile_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<GrpcClient> client_;
};

TEST_F(ServerE2eTest, HealthAndReflection) {
  auto health = grpc::health::v1::Health::NewStub(client_->channel);
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(client_->channel);
  auto ctx = Ctx();
  auto stream = reflection->ServerReflectionInfo(ctx.get());
  grpc::reflection::v1alpha::ServerReflectionRequest rr;
  rr.set_list_services("*");
  ASSERT_TRUE(stream->Write(rr));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse rresp;
  ASSERT_TRUE(stream->Read(&rresp));
  std::set<std::string> names;
  for (const auto& s : rresp.list_services_response().service()) names.insert(s.name());
  for (const char* expected : {"recplat.v1.CatalogService", "recplat.v1.EventService",
                               "recplat.v1.DocumentService",
                               "recplat.v1.RecommendService", "recplat.v1.ModelService",
                               "recplat.v1.AdminService", "grpc.health.v1.Health"}) {
    EXPECT_TRUE(names.contains(expected)) << expected;
  }
  while (stream->Read(&rresp)) {
  }
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServerE2eTest, HttpHealthAndNativeApiShareTheCore) {
  ASSERT_FALSE(server_->http_address().empty());
  HttpClient http(server_->http_address());
  HttpResult health = http.Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.content_type, "application/json");
  EXPECT_EQ(http.Get("/readyz").status, 200);
  // A write over HTTP is visible over gRPC.
  HttpResult put = http.Post("/v1/items", R"({"items": [{"id": "h1", "title": "via http"}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  v1::GetItemRequest get;
  get.set_id("h1");
  v1::Item item;
  ASSERT_TRUE(client_->catalog->GetItem(Ctx().get(), get, &item).ok());
  EXPECT_EQ(item.title(), "via http");
  HttpResult missing = http.Get("/v1/items/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("NOT_FOUND"), std::string::npos) << missing.body;
  EXPECT_EQ(http.Post("/v1/items", "{not json").status, 400);
}

TEST_F(ServerE2eTest, DocumentsRoundTripOverGrpc) {
  v1::PutDocumentsRequest put;
  for (const char* key : {"b", "a", "c"}) {
    v1::Document* d = put.add_documents();
    d->set_collection("notes");
    d->set_key(key);
    d->set_body(absl::StrCat("{\"k\":\"", key, "\"}"));
  }
  v1::PutDocumentsResponse put_resp;
  ASSERT_TRUE(client_->documents->PutDocuments(Ctx().get(), put, &put_resp).ok());
  EXPECT_EQ(put_resp.offsets_size(), 3);
  v1::ScanDocumentsRequest scan;
  scan.set_collection("notes");
  scan.set_limit(2);
  v1::ScanDocumentsResponse scan_resp;
  ASSERT_TRUE(client_->documents->ScanDocuments(Ctx().get(), scan, &scan_resp).ok());
  ASSERT_EQ(scan_resp.documents_size(), 2);
  EXPECT_EQ(scan_resp.documents(0).key(), "a");
  EXPECT_EQ(scan_resp.documents(1).body(), "{\"k\":\"b\"}");
  EXPECT_EQ(scan_resp.next_key(), "c");
  v1::PutDocumentsRequest bad;
  bad.add_documents()->set_collection("bad/name");
  grpc::Status st = client_->documents->PutDocuments(Ctx().get(), bad, &put_resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("collection"), std::string::npos) << st.error_message();
}

TEST_F(ServerE2eTest, CatalogEventsRecommendTrainPromote) {
  UpsertItems(20);
  v1::GetItemRequest get;
  get.set_id("item3");
  v1::Item item;
  ASSERT_TRUE(client_->catalog->GetItem(Ctx().get(), get, &item).ok());
  EXPECT_EQ(item.title(), "Item 3");
  EXPECT_EQ(item.index(), 3u);

  // Before any training only `random` is ready.
  v1::RecommendResponse cold = Recommend("newcomer", 5);
  ASSERT_EQ(cold.items_size(), 5);
  EXPECT_EQ(cold.items(0).model(), "random");

  // item7 is bought by everyone, item5 viewed by two.
  std::vector<std::tuple<std::string, std::string, std::string>> evs;
  for (int u = 0; u < 6; ++u) evs.emplace_back(absl::StrCat("u", u), "item7", "buy");
  evs.emplace_back("u0", "item5", "view");
  evs.emplace_back("u1", "item5", "view");
  evs.emplace_back("u0", "item1", "view");
  v1::AppendEventsResponse appended;
  ASSERT_TRUE(Append(evs, &appended).ok());
  ASSERT_EQ(appended.offsets_size(), static_cast<int>(evs.size()));
  for (int i = 1; i < appended.offsets_size(); ++i) {
    EXPECT_EQ(appended.offsets(i), appended.offsets(i - 1) + 1);
  }

  v1::ModelVersion v1 = Train("popularity");
  EXPECT_EQ(v1.version(), 1);
  EXPECT_EQ(v1.status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(v1.training().num_interactions(), static_cast<int64_t>(evs.size()));
  EXPECT_GT(v1.training().peak_memory_bytes(), 0);

  v1::RecommendResponse pop = Recommend("newcomer", 3);
  ASSERT_EQ(pop.items_size(), 3);
  EXPECT_EQ(pop.items(0).item_id(), "item7");
  EXPECT_EQ(pop.items(0).model(), "popularity");
  EXPECT_EQ(pop.items(0).model_version(), 1);
  EXPECT_EQ(pop.items(1).item_id(), "item5");
  EXPECT_EQ(pop.items(2).position(), 2);

  // Seen items are excluded for a known user.
  v1::RecommendResponse for_u0 = Recommend("u0", 10);
  for (const auto& it : for_u0.items()) {
    EXPECT_NE(it.item_id(), "item7");
    EXPECT_NE(it.item_id(), "item5");
    EXPECT_NE(it.item_id(), "item1");
  }

  // item_knn: u2 bought item7 like u0 and u1, who also viewed item5.
  Train("item_knn");
  v1::RecommendResponse knn = Recommend("u2", 3);
  ASSERT_GT(knn.items_size(), 0);
  EXPECT_EQ(knn.items(0).model(), "item_knn");
  EXPECT_EQ(knn.items(0).item_id(), "item5");

  // A second version, then a rollback by promotion.
  v1::ModelVersion v2 = Train("popularity");
  EXPECT_EQ(v2.version(), 2);
  v1::ListModelsRequest list_req;
  list_req.set_model("popularity");
  v1::ListModelsResponse list;
  ASSERT_TRUE(client_->models->ListModels(Ctx().get(), list_req, &list).ok());
  ASSERT_EQ(list.versions_size(), 2);
  EXPECT_EQ(list.versions(0).version(), 2);
  EXPECT_EQ(list.versions(0).status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(list.versions(1).status(), v1::MODEL_STATUS_STALE);
  v1::PromoteRequest promote;
  promote.set_model("popularity");
  promote.set_version(1);
  v1::PromoteResponse promoted;
  ASSERT_TRUE(client_->models->Promote(Ctx().get(), promote, &promoted).ok());
  EXPECT_EQ(promoted.version().status(), v1::MODEL_STATUS_CURRENT);
  EXPECT_EQ(Recommend("newcomer", 1).items(0).model_version(), 1);

  // The feed surface never recommends the same item twice to a user; min_k makes later models
  // (random) fill in once popularity's three items were served.
  std::set<std::string> seen;
  for (int round = 0; round < 3; ++round) {
    const v1::RecommendResponse feed = Recommend("reader", 4, "feed", 4);
    for (const auto& it : feed.items()) {
      EXPECT_TRUE(seen.insert(it.item_id()).second) << it.item_id();
    }
  }
  EXPECT_EQ(seen.size(), 12u);

  v1::GetStatsResponse stats;
  ASSERT_TRUE(client_->admin->GetStats(Ctx().get(), {}, &stats).ok());
  EXPECT_EQ(stats.materializer_lag(), 0u);
  ASSERT_EQ(stats.tenants_size(), 1);
  EXPECT_EQ(stats.tenants(0).items(), 20u);
  EXPECT_EQ(stats.tenants(0).events(), evs.size());
  v1::GetConfigResponse cfg;
  ASSERT_TRUE(client_->admin->GetConfig(Ctx().get(), {}, &cfg).ok());
  EXPECT_NE(cfg.yaml().find("item_knn"), std::string::npos);

  std::string metrics = HttpGet(server_->metrics_address(), "/metrics");
  EXPECT_NE(metrics.find("recplat_grpc_requests_total"), std::string::npos);
  EXPECT_NE(metrics.find("recplat_trainings_total"), std::string::npos);
  EXPECT_NE(metrics.find("recplat_materializer_lag_records"), std::string::npos);
}

TEST_F(ServerE2eTest, BadInputGetsClearErrors) {
  UpsertItems(3);
  // Empty batch.
  v1::AppendEventsRequest empty;
  v1::AppendEventsResponse resp;
  grpc::Status s = client_->events->AppendEvents(Ctx().get(), empty, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("empty batch"), std::string::npos);
  // Unknown event type, named with its index.
  s = Append({{"u", "item0", "view"}, {"u", "item1", "purchase"}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("events[1].type"), std::string::npos) << s.error_message();
  // Unknown item.
  s = Append({{"u", "nope", "view"}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("nope"), std::string::npos);
  // Nothing of the failed batches was written.
  v1::GetStatsResponse stats;
  ASSERT_TRUE(client_->admin->GetStats(Ctx().get(), {}, &stats).ok());
  EXPECT_EQ(stats.tenants(0).events(), 0u);
  // Oversized batch (profile max_batch 500).
  std::vector<std::tuple<std::string, std::string, std::string>> many(501, {"u", "item0", "view"});
  s = Append(many);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Oversized message (profile max_message_bytes 200000).
  v1::UpsertItemsRequest big;
  v1::Item* item = big.add_items();
  item->set_id("big");
  item->set_text(std::string(250000, 'x'));
  v1::UpsertItemsResponse big_resp;
  s = client_->catalog->UpsertItems(Ctx().get(), big, &big_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Missing id, unknown ids.
  v1::GetItemRequest get;
  v1::Item got;
  EXPECT_EQ(client_->catalog->GetItem(Ctx().get(), get, &got).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  get.set_id("missing");
  EXPECT_EQ(client_->catalog->GetItem(Ctx().get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::DeleteItemsRequest del;
  del.add_ids("missing");
  v1::DeleteItemsResponse del_resp;
  EXPECT_EQ(client_->catalog->DeleteItems(Ctx().get(), del, &del_resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Bad recommend requests.
  v1::RecommendRequest rec;
  v1::RecommendResponse rec_resp;
  EXPECT_EQ(client_->recommend->Recommend(Ctx().get(), rec, &rec_resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // k = 0
  rec.set_k(5);
  rec.set_surface("nowhere");
  s = client_->recommend->Recommend(Ctx().get(), rec, &rec_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("nowhere"), std::string::npos);
  // Unknown model, untrainable model, unknown version.
  v1::TrainRequest train;
  v1::TrainResponse train_resp;
  train.set_model("gru");
  EXPECT_EQ(client_->models->Train(Ctx().get(), train, &train_resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  train.set_model("random");
  EXPECT_EQ(client_->models->Train(Ctx().get(), train, &train_resp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::PromoteRequest promote;
  v1::PromoteResponse promote_resp;
  promote.set_model("popularity");
  promote.set_version(42);
  EXPECT_EQ(client_->models->Promote(Ctx().get(), promote, &promote_resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Bytes that are not a protobuf message at all.
  grpc::GenericStub generic(client_->channel);
  for (const std::string& junk :
       {std::string("\xff\xff\xff\xff\x0f", 5), std::string("\x0a\x10" "ab", 4)}) {
    grpc::Slice slice(junk);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext ctx;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/recplat.v1.EventService/AppendEvents", grpc::StubOptions(), &request,
                      &response, [&](grpc::Status st) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = st;
                        done = true;
                        cv.notify_one();
                      });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  }
  // The server is still healthy after all that.
  EXPECT_TRUE(Append({{"u", "item0", "view"}}).ok());
}

TEST_F(ServerE2eTest, SigtermDrainsAndRestartIsClean) {
  UpsertItems(5);
  ASSERT_TRUE(Append({{"u", "item1", "view"}, {"u", "item2", "buy"}}).ok());
  // An idle client that nobody polls delays gRPC's graceful GOAWAY by seconds; close it first.
  client_.reset();
  EXPECT_EQ(server_->Terminate(), 0) << server_->ReadStderr();
  EXPECT_NE(server_->ReadStderr().find("stopped cleanly"), std::string::npos);
  ASSERT_TRUE(server_->Start()) << server_->ReadStderr();
  client_ = std::make_unique<GrpcClient>(server_->grpc_address());
  v1::GetStatsResponse stats;
  ASSERT_TRUE(client_->admin->GetStats(Ctx().get(), {}, &stats).ok());
  EXPECT_EQ(stats.log_next_offset(), stats.applied_offset());
  EXPECT_EQ(stats.tenants(0).events(), 2u);
  EXPECT_EQ(stats.tenants(0).items(), 5u);
}

}  // namespace
}  // namespace recplat::testing
