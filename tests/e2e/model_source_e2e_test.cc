// End-to-end: `recplat train` while a server holds the same data directory. The train process
// reads the server's log and state as RocksDB secondaries, publishes the versions into the
// registry directory, and the running server picks them up (registry.poll_seconds) and serves
// them: ListModels reports them current and Recommend uses them.
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
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
training: {enabled: false}
registry: {poll_seconds: 0.5}
event_types:
  view: {weight: 1}
models:
  popularity:
    family: popularity
    train: {on_start: false}
surfaces:
  default:
    retrieval: [popularity]
)";

class ModelSourceE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    profile_ = (dir_.path() / "profile.yaml").string();
    std::ofstream(profile_) << kProfile;
    data_dir_ = (dir_.path() / "data").string();
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--profile", profile_, "--data-dir", data_dir_});
    ASSERT_TRUE(server_->Start()) << server_->ReadStderr();
    client_ = std::make_unique<GrpcClient>(server_->grpc_address());
  }

  void UpsertItems(int n) {
    v1::UpsertItemsRequest req;
    for (int i = 0; i < n; ++i) req.add_items()->set_id(absl::StrCat("item", i));
    v1::UpsertItemsResponse resp;
    grpc::Status s = client_->catalog->UpsertItems(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // `count` views of `item`, by distinct users, acknowledged once applied by the server.
  void View(const std::string& item, int count) {
    v1::AppendEventsRequest req;
    req.set_wait_applied(true);
    for (int i = 0; i < count; ++i) {
      v1::Event* e = req.add_events();
      e->set_user_id(absl::StrCat("u", next_user_++));
      e->set_item_id(item);
      e->set_type("view");
    }
    v1::AppendEventsResponse resp;
    grpc::Status s = client_->events->AppendEvents(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // `recplat train` on the server's data directory, as a separate process.
  void RunTrain() {
    std::string output;
    const int code = RunRecplat({"--profile", profile_, "--data-dir", data_dir_, "train",
                                 "--model", "popularity"},
                                120, &output);
    ASSERT_EQ(code, 0) << output;
    EXPECT_NE(output.find("read-only snapshot"), std::string::npos) << output;
  }

  // Version -> status of popularity as the server lists it.
  std::map<int64_t, v1::ModelStatus> Listed() {
    v1::ListModelsRequest req;
    req.set_model("popularity");
    v1::ListModelsResponse resp;
    grpc::Status s = client_->models->ListModels(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<int64_t, v1::ModelStatus> out;
    for (const v1::ModelVersion& v : resp.versions()) out[v.version()] = v.status();
    return out;
  }

  // Waits (up to 10 s) until the server lists `version` as CURRENT; the seconds it took.
  double WaitUntilCurrent(int64_t version) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
      if (Listed()[version] == v1::MODEL_STATUS_CURRENT) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  v1::RecommendResponse Recommend(int k) {
    v1::RecommendRequest req;
    req.set_user_id("newcomer");
    req.set_k(k);
    req.set_dry_run(true);
    v1::RecommendResponse resp;
    grpc::Status s = client_->recommend->Recommend(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  TempDir dir_;
  std::string profile_;
  std::string data_dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<GrpcClient> client_;
  int next_user_ = 0;
};

TEST_F(ModelSourceE2eTest, TrainWhileServingPublishesWhatTheServerThenServes) {
  UpsertItems(5);
  View("item3", 3);
  View("item1", 1);
  {
    v1::RecommendResponse cold = Recommend(1);
    ASSERT_EQ(cold.items_size(), 1);
    EXPECT_EQ(cold.items(0).model(), "random") << "popularity has no version yet";
  }
  EXPECT_TRUE(Listed().empty());

  RunTrain();
  const double first_wait = WaitUntilCurrent(1);
  EXPECT_EQ(Listed(), (std::map<int64_t, v1::ModelStatus>{{1, v1::MODEL_STATUS_CURRENT}}));
  EXPECT_LT(first_wait, 5.0);
  v1::RecommendResponse first = Recommend(2);
  ASSERT_EQ(first.items_size(), 2);
  EXPECT_EQ(first.items(0).model(), "popularity");
  EXPECT_EQ(first.items(0).model_version(), 1);
  EXPECT_EQ(first.items(0).item_id(), "item3");
  EXPECT_EQ(first.items(1).item_id(), "item1");

  // Events acknowledged just before the next run are in its snapshot: item1 overtakes item3.
  View("item1", 5);
  RunTrain();
  const double second_wait = WaitUntilCurrent(2);
  EXPECT_LT(second_wait, 5.0);
  EXPECT_EQ(Listed(), (std::map<int64_t, v1::ModelStatus>{{1, v1::MODEL_STATUS_STALE},
                                                          {2, v1::MODEL_STATUS_CURRENT}}));
  v1::RecommendResponse second = Recommend(2);
  ASSERT_EQ(second.items_size(), 2);
  EXPECT_EQ(second.items(0).model_version(), 2);
  EXPECT_EQ(second.items(0).item_id(), "item1");
  EXPECT_EQ(second.items(1).item_id(), "item3");

  // The server counted both pick-ups, and still takes writes and stops cleanly.
  HttpClient metrics(server_->metrics_address());
  const std::string body = metrics.Get("/metrics").body;
  const std::string series = R"(recplat_registry_source_loads_total{model="popularity",result="ok"} )";
  const size_t at = body.find(series);
  ASSERT_NE(at, std::string::npos) << "metrics at '" << server_->metrics_address() << "': " << body
                                    << "\nserver stderr:\n" << server_->ReadStderr();
  EXPECT_EQ(std::stod(body.substr(at + series.size())), 2.0);
  View("item2", 1);
  EXPECT_EQ(server_->Terminate(), 0) << server_->ReadStderr();
}

}  // namespace
}  // namespace recplat::testing
