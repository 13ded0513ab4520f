// Promotion announcements between two "replicas" (two registries with their own roots sharing
// an S3 bucket on s3rver, each with a ClusterCoordination on a real 3-node NATS cluster): with
// registry.poll_seconds at 600, what one promotes serves on the other within about a second.
#include "apps/recplat/cluster_coordination.h"

#include "absl/time/clock.h"
#include "core/log/nats_coordination.h"
#include "core/registry/s3_model_store.h"
#include "tests/core/registry/registry_test_fixture.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/s3rver.h"

namespace recplat::app {
namespace {

using ::recplat::testing::NatsCluster;

bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

class ClusterCoordinationTest : public registry::RegistryTest {
 protected:
  void SetUp() override {
    if (!NatsCluster::Available()) GTEST_SKIP() << "no " << NatsCluster::kServerBinary;
    ASSERT_OK_AND_ASSIGN(nats_, NatsCluster::Start(3));
    ASSERT_OK_AND_ASSIGN(s3_, testing::S3rver::Start({"models"}));
    s3::S3ClientOptions options;
    options.endpoint = s3_->endpoint();
    options.bucket = "models";
    options.credentials = {testing::S3rver::kAccessKeyId, testing::S3rver::kSecretAccessKey, ""};
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<s3::S3Client> client, s3::S3Client::Create(options));
    client_ = std::move(client);
  }

  config::Config ClusterConfig(int node) const {
    config::Config cfg;
    cfg.log.backend = "jetstream";
    cfg.nats.servers = {nats_->Url(node)};
    cfg.nats.stream = "coord";
    cfg.registry.store = "s3";
    return cfg;
  }

  // A replica `name`: its own root, the shared bucket, polling every 600 s, announcing its
  // promotions and following the others'.
  struct Replica {
    std::unique_ptr<ClusterCoordination> cluster;
    std::unique_ptr<registry::ModelRegistry> registry;
    ~Replica() {
      if (cluster != nullptr) cluster->Stop();
    }
  };
  std::unique_ptr<Replica> Open(const std::string& name, int node) {
    auto r = std::make_unique<Replica>();
    auto cluster = ClusterCoordination::Create(ClusterConfig(node));
    EXPECT_OK(cluster.status());
    if (!cluster.ok()) return nullptr;
    r->cluster = *std::move(cluster);
    registry::RegistryOptions o = Options();
    o.root = dir_.path() / name / "models";
    registry::S3ModelStoreOptions store;
    store.client = client_;
    store.prefix = "registry";
    store.cache_dir = dir_.path() / name / "cache";
    o.source = registry::NewS3ModelSource(store);
    o.publisher = registry::NewS3ModelPublisher(store);
    o.poll_interval = absl::Seconds(600);
    r->cluster->AnnouncePromotions(&o);
    auto reg = registry::ModelRegistry::Create(std::move(o));
    EXPECT_OK(reg.status());
    if (!reg.ok()) return nullptr;
    r->registry = *std::move(reg);
    r->cluster->FollowPromotions(*r->registry);
    EXPECT_TRUE(WaitUntil([&] { return r->cluster->connected(); }, absl::Seconds(10)));
    return r;
  }

  std::unique_ptr<NatsCluster> nats_;
  std::unique_ptr<testing::S3rver> s3_;
  std::shared_ptr<const s3::S3Client> client_;
};

TEST_F(ClusterCoordinationTest, APromotionServesOnTheOtherReplicaWithinASecond) {
  auto a = Open("a", 0);
  auto b = Open("b", 1);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  // The listeners subscribe on their own threads once connected.
  absl::SleepFor(absl::Milliseconds(500));

  // A malformed announcement is ignored.
  log::NatsCoordinationOptions o;
  o.servers = {nats_->Url(2)};
  ASSERT_OK_AND_ASSIGN(auto other, log::NatsCoordination::Connect(o));
  ASSERT_TRUE(WaitUntil([&] { return other->Connected(); }, absl::Seconds(10)));
  ASSERT_OK(other->Publish(a->cluster->promotions_subject(), "not json"));

  for (double value : {1.5, 2.5}) {
    ASSERT_OK_AND_ASSIGN(int64_t v, Train(*a->registry, "t", value));
    const absl::Time start = absl::Now();
    ASSERT_OK(a->registry->Promote("t", "knn", v).status());
    EXPECT_TRUE(WaitUntil([&] { return ServedValue(*b->registry, "t") == value; },
                          absl::Seconds(3)))
        << "version " << v << " not served by b " << (absl::Now() - start) << " after promotion";
    const absl::Duration took = absl::Now() - start;
    EXPECT_LT(took, absl::Seconds(2));
    std::printf("promotion of version %lld served on the other replica after %s\n",
                static_cast<long long>(v), absl::FormatDuration(took).c_str());
  }
  // And the other way round.
  ASSERT_OK_AND_ASSIGN(int64_t v3, Train(*b->registry, "t", 3.5));
  EXPECT_EQ(v3, 3);
  ASSERT_OK(b->registry->Promote("t", "knn", v3).status());
  EXPECT_TRUE(WaitUntil([&] { return ServedValue(*a->registry, "t") == 3.5; }, absl::Seconds(3)));
}

TEST_F(ClusterCoordinationTest, WithoutNatsPromotionsStillSucceed) {
  config::Config cfg = ClusterConfig(0);
  cfg.nats.servers = {"nats://127.0.0.1:1"};
  ASSERT_OK_AND_ASSIGN(auto cluster, ClusterCoordination::Create(cfg));
  registry::RegistryOptions o = Options();
  registry::S3ModelStoreOptions store;
  store.client = client_;
  store.prefix = "registry";
  store.cache_dir = dir_.path() / "cache";
  o.source = registry::NewS3ModelSource(store);
  o.publisher = registry::NewS3ModelPublisher(store);
  cluster->AnnouncePromotions(&o);
  ASSERT_OK_AND_ASSIGN(auto reg, registry::ModelRegistry::Create(std::move(o)));
  ASSERT_OK_AND_ASSIGN(int64_t v, Train(*reg, "t", 1.0));
  ASSERT_OK(reg->Promote("t", "knn", v).status());
  EXPECT_EQ(ServedValue(*reg, "t"), 1.0);
}

}  // namespace
}  // namespace recplat::app
