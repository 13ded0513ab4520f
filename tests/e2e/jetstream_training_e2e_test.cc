// End-to-end: training on every replica of a JetStream cluster (issue 12's training lease and
// promotion announcements). Two recplat processes (log.backend jetstream on a 3-node NATS
// cluster, registry.store s3 on s3rver, registry.poll_seconds 600) both train popularity every
// 20 events. Each round writes 20 events through one replica: both see them and both trigger a
// training, the lease lets exactly one train, the other skips, and both serve the new version
// within seconds (the announcement, not the 600 s poll). Three rounds give versions 1, 2, 3 in
// the bucket and nothing else, one successful training per version, and skips on the other
// side.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/s3rver.h"
#include "tests/testing/test_env.h"

namespace recplat::testing {
namespace {

constexpr char kProfile[] = R"(
profile: jetstream-training
log: {sync: none}
api: {require_known_items: false}
training: {enabled: true, tick_seconds: 0.2, lease_seconds: 3}
registry: {poll_seconds: 600, store: s3, s3: {bucket: models, prefix: shop/}}
event_types: {view: {weight: 1}}
models:
  popularity: {family: popularity, train: {on_start: false, every_events: 20}}
surfaces:
  default: {retrieval: [popularity]}
)";
constexpr int kRoundEvents = 20;

class JetStreamTrainingE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NatsCluster::Available()) {
      GTEST_SKIP() << NatsCluster::kServerBinary << " is not installed";
    }
    auto cluster = NatsCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    auto store = S3rver::Start({"models"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    setenv("AWS_ACCESS_KEY_ID", S3rver::kAccessKeyId, 1);
    setenv("AWS_SECRET_ACCESS_KEY", S3rver::kSecretAccessKey, 1);
    profile_ = (dir_.path() / "profile.yaml").string();
    std::ofstream(profile_) << kProfile;
  }

  std::unique_ptr<ServerProcess> StartReplica(const std::string& name) {
    auto p = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--profile", profile_, "--data-dir", (dir_.path() / name).string(), "--set",
        "log.backend=jetstream", "--set",
        absl::StrCat("nats.servers=[", absl::StrJoin(cluster_->Urls(), ","), "]"), "--set",
        "nats.connect_timeout_ms=500", "--set",
        absl::StrCat("registry.s3.endpoint=", store_->endpoint())});
    EXPECT_TRUE(p->Start()) << p->ReadStderr();
    return p;
  }

  static void AppendRound(ServerProcess& p, int round) {
    nlohmann::json events = {{"events", nlohmann::json::array()}, {"wait_applied", true}};
    for (int i = 0; i < kRoundEvents; ++i) {
      events["events"].push_back({{"user_id", absl::StrCat("u", round, "-", i)},
                                  {"item_id", absl::StrCat("item", i % 5)},
                                  {"type", "view"}});
    }
    HttpResult r = HttpClient(p.http_address()).Post("/v1/events", events.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // The version of popularity that `p` serves (0: none).
  static int64_t Serving(ServerProcess& p) {
    nlohmann::json listed = nlohmann::json::parse(
        HttpClient(p.http_address()).Get("/v1/models?model=popularity").body, nullptr, false);
    if (!listed.is_object() || !listed.contains("versions")) return 0;
    for (const nlohmann::json& v : listed["versions"]) {
      if (v.value("status", "") == "MODEL_STATUS_CURRENT") {
        return std::stoll(v.value("version", "0"));
      }
    }
    return 0;
  }

  // Version numbers with a version.json in the bucket.
  std::vector<std::string> BucketVersions() const {
    const std::string listing =
        HttpClient(store_->endpoint().substr(7))
            .Get("/models?list-type=2&prefix=shop/default/popularity/")
            .body;
    std::vector<std::string> out;
    const std::regex key("popularity/0*([0-9]+)/version\\.json</Key>");
    for (auto it = std::sregex_iterator(listing.begin(), listing.end(), key);
         it != std::sregex_iterator(); ++it) {
      out.push_back((*it)[1]);
    }
    return out;
  }

  // Sum over both replicas of a metric line's value (0 when absent).
  static double MetricSum(const std::vector<ServerProcess*>& ps, const std::string& series) {
    double sum = 0;
    for (ServerProcess* p : ps) {
      const std::string text = HttpClient(p->metrics_address()).Get("/metrics").body;
      const size_t at = text.find(series + " ");
      if (at != std::string::npos) sum += std::stod(text.substr(at + series.size() + 1));
    }
    return sum;
  }

  TempDir dir_;
  std::unique_ptr<NatsCluster> cluster_;
  std::unique_ptr<S3rver> store_;
  std::string profile_;
};

TEST_F(JetStreamTrainingE2eTest, ExactlyOneVersionPerRoundAndEveryReplicaServesIt) {
  std::unique_ptr<ServerProcess> a = StartReplica("a");
  std::unique_ptr<ServerProcess> b = StartReplica("b");
  ASSERT_TRUE(a->running() && b->running());
  constexpr int kRounds = 3;
  for (int round = 1; round <= kRounds; ++round) {
    AppendRound(round % 2 == 1 ? *a : *b, round);
    // Both replicas serve version `round` soon: the trainer's own promotion, the other's
    // announcement (polling is every 600 s). The bound is generous for loaded machines; the time
    // it took is printed.
    const auto start = std::chrono::steady_clock::now();
    while ((Serving(*a) != round || Serving(*b) != round) &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(45)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(Serving(*a), round) << a->ReadStderr();
    ASSERT_EQ(Serving(*b), round) << b->ReadStderr();
    std::printf("round %d: both replicas serve version %d %.2f s after the write\n", round,
                round, took);
    // Let the other replica's trigger run out (it skips), then count versions.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_EQ(BucketVersions().size(), static_cast<size_t>(round))
        << absl::StrJoin(BucketVersions(), ",");
  }
  EXPECT_EQ(Serving(*a), kRounds);
  EXPECT_EQ(Serving(*b), kRounds);
  const std::vector<ServerProcess*> both = {a.get(), b.get()};
  // The training series of both replicas and their logs, for failures.
  auto diagnostics = [&] {
    std::string lines;
    for (ServerProcess* p : both) {
      const std::string text = HttpClient(p->metrics_address()).Get("/metrics").body;
      for (absl::string_view line : absl::StrSplit(text, '\n')) {
        if (absl::StrContains(line, "recplat_training") && line[0] != '#') {
          absl::StrAppend(&lines, line, "\n");
        }
      }
      lines += "--\n";
    }
    return lines + a->ReadStderr() + b->ReadStderr();
  };
  // Every successful training made a version of its own (no two trainers numbered the same
  // version), and the other replica's triggers were skipped (held, up to date, or, when the
  // lease bucket could not be reached in time on a loaded machine, unavailable: that replica
  // then waits 30 s before its next automatic try).
  EXPECT_EQ(MetricSum(both, R"(recplat_trainings_total{model="popularity",outcome="ok"})"),
            static_cast<double>(BucketVersions().size()))
      << diagnostics();
  double skips = 0;
  for (const char* reason : {"held", "up_to_date", "unavailable"}) {
    skips += MetricSum(both, absl::StrCat(R"(recplat_training_lease_skips_total{model="popularity",reason=")",
                                          reason, R"("})"));
  }
  EXPECT_GE(skips, 1) << diagnostics();
  EXPECT_LE(skips, kRounds) << diagnostics();
  EXPECT_EQ(a->Terminate(), 0) << a->ReadStderr();
  EXPECT_EQ(b->Terminate(), 0) << b->ReadStderr();
}

}  // namespace
}  // namespace recplat::testing
